/**
 * Pseudowire control word (RFC 4385) after the bottom MPLS label: first nibble 0, then flags,
 * fragment bits, length and a 16-bit sequence number. First nibble 1 is an Associated Channel Header
 * (G-ACh: BFD, MPLS-TP OAM), whose message is left undecoded.
 *
 * What follows is Ethernet (RFC 4448), except in Contrail's L2-multicast shape where the MPLS decoder
 * found an IPv4/UDP/VXLAN header after the word and recorded that rule on the tunnel.
 */
import { u16 } from '../src/bytes.js';
import { Layer, MplsRule, Problem, Tunnel } from '../src/layers.js';
import type { PacketView } from '../src/packet.js';
import type { Registry } from '../src/registry.js';
import type { DecoderModule } from './types.js';

const SIZE = 4;
const NIBBLE_CW = 0;
const NIBBLE_ACH = 1;

export const decoder: DecoderModule = {
  layer: Layer.PwControlWord,
  name: 'pwcw',
  aliases: ['eth-cw', 'cw', 'pw-cw'],

  decode(p: PacketView, off: number, _reg: Registry): Layer {
    const b = p.buf;
    if (!p.fits(Layer.PwControlWord, off, SIZE)) return Layer.None;
    const nibble = b[off] >>> 4;
    if (nibble > NIBBLE_ACH) {
      p.problem(Problem.Malformed, Layer.PwControlWord, off);
      return Layer.None;
    }
    if (p.pushLayer(Layer.PwControlWord, off, off + SIZE) < 0) return Layer.None;
    p.next = off + SIZE;
    if (nibble === NIBBLE_ACH) return Layer.None;
    const t = p.tunnelCount - 1;
    if (t >= 0 && p.tunnelKind[t] === Tunnel.Mpls && p.tunnelId2[t] === MplsRule.ContrailL2Mcast) return Layer.Ipv4;
    return Layer.Ethernet;
  },

  fields(p: PacketView, i: number): Record<string, unknown> {
    const b = p.buf;
    const o = p.layerStart[i];
    if (b[o] >>> 4 === NIBBLE_CW) {
      return { flags: b[o] & 15, frg: b[o + 1] >>> 6, length: b[o + 1] & 63, seq: u16(b, o + 2) };
    }
    return { ach: true, version: b[o] & 15, channel: u16(b, o + 2) };
  },
};
