/**
 * VXLAN Generic Protocol Extension (draft-ietf-nvo3-vxlan-gpe) on UDP 4790: flags (version, I, P,
 * B, O), a next-protocol byte (1 IPv4, 2 IPv6, 3 Ethernet, 4 NSH, 5 MPLS) and the VNI.
 * Without the P bit (early drafts) the payload is Ethernet, as in plain VXLAN.
 */
import { u24 } from '../src/bytes.js';
import { Layer, Problem, Tunnel } from '../src/layers.js';
import type { PacketView } from '../src/packet.js';
import type { Registry } from '../src/registry.js';
import type { DecoderModule } from './types.js';

const SIZE = 8;
const FLAG_I = 0x08;
const FLAG_P = 0x04;
const FLAG_B = 0x02;
const FLAG_O = 0x01;

/**
 * Layer for a VXLAN-GPE / NSH next-protocol number (IANA "VXLAN-GPE Next Protocol" and
 * "NSH Next Protocol" registries share 1-5), or None.
 */
export function nextProtocolLayer(np: number): Layer {
  switch (np) {
    case 1:
      return Layer.Ipv4;
    case 2:
      return Layer.Ipv6;
    case 3:
      return Layer.Ethernet;
    case 4:
      return Layer.Nsh;
    case 5:
      return Layer.Mpls;
    default:
      return Layer.None;
  }
}

export const decoder: DecoderModule = {
  layer: Layer.VxlanGpe,
  name: 'vxlan-gpe',
  aliases: ['gpe'],
  defaults: { udpPort: [4790] },

  decode(p: PacketView, off: number, _reg: Registry): Layer {
    const b = p.buf;
    if (!p.fits(Layer.VxlanGpe, off, SIZE)) return Layer.None;
    const li = p.pushLayer(Layer.VxlanGpe, off, off + SIZE);
    if (li < 0) return Layer.None;
    const f = b[off];
    const np = b[off + 3];
    const t = p.pushTunnel(Tunnel.VxlanGpe, li);
    if (t >= 0) {
      p.tunnelFlags[t] = f;
      p.tunnelId2[t] = np;
      if (f & FLAG_I) p.tunnelId[t] = u24(b, off + 4);
    }
    p.next = off + SIZE;
    if ((f >>> 4) & 3) {
      p.problem(Problem.BadVersion, Layer.VxlanGpe, off);
      return Layer.None;
    }
    const next = f & FLAG_P || np !== 0 ? nextProtocolLayer(np) : Layer.Ethernet;
    if (next === Layer.None && p.next < p.end) p.problem(Problem.UnknownNext, Layer.VxlanGpe, p.next);
    return next;
  },

  fields(p: PacketView, i: number): Record<string, unknown> {
    const b = p.buf;
    const o = p.layerStart[i];
    const f = b[o];
    return {
      flags: f,
      version: (f >>> 4) & 3,
      i: (f & FLAG_I) !== 0,
      p: (f & FLAG_P) !== 0,
      b: (f & FLAG_B) !== 0,
      o: (f & FLAG_O) !== 0,
      next: b[o + 3],
      vni: u24(b, o + 4),
    };
  },
};
