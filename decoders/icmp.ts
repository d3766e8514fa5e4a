/**
 * ICMP (RFC 792) and, through `icmpModule`, ICMPv6 (RFC 4443): type, code, checksum and, for echo
 * request/reply, identifier and sequence. The quoted packet inside error messages is not decoded: it
 * is a copy of an earlier header, not a layer of this packet.
 */
import { u16 } from '../src/bytes.js';
import { Layer } from '../src/layers.js';
import type { PacketView } from '../src/packet.js';
import type { DecoderDefaults, DecoderModule } from './types.js';

/** Type, code, checksum and the 4-byte rest-of-header every ICMP message has. */
const HEADER = 8;

/** A decoder for an ICMP flavour whose echo request/reply types are `echoTypes`. */
export function icmpModule(
  layer: Layer.Icmp | Layer.Icmpv6,
  name: string,
  echoTypes: readonly number[],
  defaults: DecoderDefaults,
): DecoderModule {
  return {
    layer,
    name,
    defaults,

    decode(p: PacketView, off: number): Layer {
      if (!p.fits(layer, off, HEADER)) return Layer.None;
      if (p.pushLayer(layer, off, off + HEADER) < 0) return Layer.None;
      p.next = off + HEADER;
      return Layer.None;
    },

    fields(p: PacketView, i: number): Record<string, unknown> {
      const b = p.buf;
      const o = p.layerStart[i];
      const type = b[o];
      const f: Record<string, unknown> = { type, code: b[o + 1], checksum: u16(b, o + 2) };
      if (echoTypes.includes(type)) {
        f.id = u16(b, o + 4);
        f.seq = u16(b, o + 6);
      }
      return f;
    },
  };
}

export const decoder: DecoderModule = icmpModule(Layer.Icmp, 'icmp', [0, 8], { ipProto: [1] });
