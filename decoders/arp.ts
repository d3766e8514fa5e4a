/**
 * ARP / RARP (RFC 826). Fixed 8 bytes, then sender and target hardware/protocol addresses whose sizes
 * the header gives; the whole message must be present. Nothing follows it.
 */
import { hexString, ipv4String, macString, u16 } from '../src/bytes.js';
import { Layer, Problem } from '../src/layers.js';
import type { PacketView } from '../src/packet.js';
import type { DecoderModule } from './types.js';

const FIXED = 8;

export const decoder: DecoderModule = {
  layer: Layer.Arp,
  name: 'arp',
  aliases: ['rarp'],
  defaults: { ethertype: [0x0806, 0x8035], greProto: [0x0806] },

  decode(p: PacketView, off: number): Layer {
    const b = p.buf;
    if (!p.fits(Layer.Arp, off, FIXED)) return Layer.None;
    const end = off + FIXED + 2 * (b[off + 4] + b[off + 5]);
    if (end > p.end) {
      p.problem(Problem.Truncated, Layer.Arp, off);
      return Layer.None;
    }
    if (p.pushLayer(Layer.Arp, off, end) < 0) return Layer.None;
    p.next = end;
    return Layer.None;
  },

  fields(p: PacketView, i: number): Record<string, unknown> {
    const b = p.buf;
    const o = p.layerStart[i];
    const hlen = b[o + 4];
    const plen = b[o + 5];
    const f: Record<string, unknown> = {
      htype: u16(b, o),
      ptype: u16(b, o + 2),
      hlen,
      plen,
      opcode: u16(b, o + 6),
    };
    const sha = o + FIXED;
    const spa = sha + hlen;
    const tha = spa + plen;
    const tpa = tha + hlen;
    const mac = (at: number) => (hlen === 6 ? macString(b, at) : hexString(b, at, at + hlen));
    const ip = (at: number) => (plen === 4 ? ipv4String(b, at) : hexString(b, at, at + plen));
    f.senderMac = mac(sha);
    f.senderIp = ip(spa);
    f.targetMac = mac(tha);
    f.targetIp = ip(tpa);
    return f;
  },
};
