/**
 * IPv4 (RFC 791). The total length narrows the decode window (dropping Ethernet padding) when it is
 * consistent; 0 is what Linux GSO / BIG TCP super-packets carry, and then the captured data is the
 * packet. Only first fragments are decoded further. Protocols 4 and 41 make this header an IP-in-IP
 * tunnel.
 */
import { ipv4String, u16 } from '../src/bytes.js';
import { CHECKSUM_VERDICT_NAMES, ChecksumVerdict, ipv4HeaderOk } from '../src/checksum.js';
import { Layer, Problem, Tunnel } from '../src/layers.js';
import type { PacketView } from '../src/packet.js';
import type { Registry } from '../src/registry.js';
import type { DecoderModule } from './types.js';

const FIXED = 20;
const PROTO_IPIP = 4;
const PROTO_IPV6 = 41;

/** Record an IP-in-IP tunnel (this IP header is the encapsulation) when the next layer is IP. */
export function ipInIp(p: PacketView, ipLayer: number, proto: number, next: Layer): void {
  if ((proto === PROTO_IPIP || proto === PROTO_IPV6) && next !== Layer.None) p.pushTunnel(Tunnel.IpInIp, ipLayer);
}

/** TCP-style flag words, lowest bit first, joined with ','. */
export function flagNames(value: number, names: readonly string[]): string {
  let s = '';
  for (let k = 0; k < names.length; k++) {
    if ((value >>> k) & 1) s += s.length > 0 ? `,${names[k]}` : names[k];
  }
  return s;
}

const IP_FLAG_NAMES = ['MF', 'DF', 'RB'];

export const decoder: DecoderModule = {
  layer: Layer.Ipv4,
  name: 'ipv4',
  aliases: ['ip', 'ip4'],
  defaults: { linktype: [228], ethertype: [0x0800], ipProto: [PROTO_IPIP], greProto: [0x0800] },

  decode(p: PacketView, off: number, reg: Registry): Layer {
    const b = p.buf;
    if (!p.fits(Layer.Ipv4, off, FIXED)) return Layer.None;
    if (b[off] >>> 4 !== 4) {
      p.problem(Problem.BadVersion, Layer.Ipv4, off);
      return Layer.None;
    }
    const hlen = (b[off] & 15) * 4;
    if (hlen < FIXED) {
      p.problem(Problem.Malformed, Layer.Ipv4, off);
      return Layer.None;
    }
    const total = u16(b, off + 2);
    // total 0: GSO/BIG TCP super-packet, the capture record is the packet; else narrow or flag the lie
    let lengthOk = true;
    if (total !== 0) {
      if (total < hlen || off + total > p.wireEnd()) lengthOk = false;
      else if (off + total < p.end) p.end = off + total;
    }
    const i = p.pushLayer(Layer.Ipv4, off, off + hlen > p.end ? p.end : off + hlen);
    if (i < 0) return Layer.None;
    if (off + hlen > p.end) {
      p.problem(Problem.Truncated, Layer.Ipv4, off); // options cut short
      return Layer.None;
    }
    if (reg.checksums) {
      const ok = ipv4HeaderOk(b, off, hlen);
      p.layerCheck[i] = ok ? ChecksumVerdict.Good : ChecksumVerdict.Bad;
      if (!ok) p.problem(Problem.BadChecksum, Layer.Ipv4, off + 10);
    }
    p.next = off + hlen;
    if (!lengthOk) {
      p.problem(Problem.BadLength, Layer.Ipv4, off + 2);
      // shorter than its own header: nothing after it can be located
      if (total < hlen) return Layer.None;
    }
    if ((u16(b, off + 6) & 0x1fff) !== 0) {
      p.problem(Problem.LaterFragment, Layer.Ipv4, off + 6);
      return Layer.None;
    }
    const proto = b[off + 9];
    const next = reg.ipProto[proto];
    ipInIp(p, i, proto, next);
    return next;
  },

  fields(p: PacketView, i: number): Record<string, unknown> {
    const b = p.buf;
    const o = p.layerStart[i];
    const frag = u16(b, o + 6);
    const f: Record<string, unknown> = {
      version: b[o] >>> 4,
      ihl: b[o] & 15,
      tos: b[o + 1],
      len: u16(b, o + 2),
      id: u16(b, o + 4),
      flags: frag >>> 13,
      flagNames: flagNames(frag >>> 13, IP_FLAG_NAMES),
      fragOffset: frag & 0x1fff, // 8-byte units, as Wireshark's ip.frag_offset
      ttl: b[o + 8],
      proto: b[o + 9],
      checksum: u16(b, o + 10),
      src: ipv4String(b, o + 12),
      dst: ipv4String(b, o + 16),
    };
    if (p.layerCheck[i] !== ChecksumVerdict.NotChecked) f.checksumStatus = CHECKSUM_VERDICT_NAMES[p.layerCheck[i]];
    return f;
  },
};
