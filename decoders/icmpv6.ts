/** ICMPv6 (RFC 4443), next header 58: the ICMP decoder with the IPv6 echo types 128/129. */
import { Layer } from '../src/layers.js';
import { icmpModule } from './icmp.js';
import type { DecoderModule } from './types.js';

export const decoder: DecoderModule = icmpModule(Layer.Icmpv6, 'icmpv6', [128, 129], { ipProto: [58] });
