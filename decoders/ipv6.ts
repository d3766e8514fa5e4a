/**
 * IPv6 (RFC 8200) with its extension headers, which belong to this layer: hop-by-hop (including the
 * RFC 2675 jumbo payload option), routing, fragment, destination options and AH are walked with
 * bounds checks; layerEnd is where the upper-layer header starts. Payload length 0 without a jumbo
 * option is a Linux GSO / BIG TCP super-packet: the captured data is the packet. Only first
 * fragments are decoded further; next header 4/41 makes this header an IP-in-IP tunnel.
 */
import { ipv6String, u16, u32 } from '../src/bytes.js';
import { Layer, Problem } from '../src/layers.js';
import type { PacketView } from '../src/packet.js';
import type { Registry } from '../src/registry.js';
import { ipInIp } from './ipv4.js';
import type { DecoderModule } from './types.js';

const FIXED = 40;
const HOP_BY_HOP = 0;
const ROUTING = 43;
const FRAGMENT = 44;
const AH = 51;
const DEST_OPTS = 60;
const OPT_PAD1 = 0;
const OPT_JUMBO = 0xc2;

const EXT_NAMES: Record<number, string> = {
  [HOP_BY_HOP]: 'hopopts',
  [ROUTING]: 'routing',
  [FRAGMENT]: 'fragment',
  [AH]: 'ah',
  [DEST_OPTS]: 'dstopts',
};

function isExtension(nh: number): boolean {
  return nh === HOP_BY_HOP || nh === ROUTING || nh === FRAGMENT || nh === DEST_OPTS || nh === AH;
}

/** Length in bytes of the extension header `nh` at `at` (its length byte is at at+1). */
function extLength(b: Uint8Array, nh: number, at: number): number {
  if (nh === FRAGMENT) return 8;
  if (nh === AH) return (b[at + 1] + 2) * 4;
  return (b[at + 1] + 1) * 8;
}

/** The jumbo payload length in the hop-by-hop options b[from, to), or -1 when there is none. */
function jumboLength(b: Uint8Array, from: number, to: number): number {
  let o = from;
  while (o < to) {
    const type = b[o];
    if (type === OPT_PAD1) {
      o++;
      continue;
    }
    if (o + 2 > to) return -1;
    const len = b[o + 1];
    if (type === OPT_JUMBO && len === 4 && o + 6 <= to) return u32(b, o + 2);
    o += 2 + len;
  }
  return -1;
}

export const decoder: DecoderModule = {
  layer: Layer.Ipv6,
  name: 'ipv6',
  aliases: ['ip6'],
  defaults: { linktype: [229], ethertype: [0x86dd], ipProto: [41], greProto: [0x86dd] },

  decode(p: PacketView, off: number, reg: Registry): Layer {
    const b = p.buf;
    if (!p.fits(Layer.Ipv6, off, FIXED)) return Layer.None;
    if (b[off] >>> 4 !== 6) {
      p.problem(Problem.BadVersion, Layer.Ipv6, off);
      return Layer.None;
    }
    // payload length 0: jumbogram (a hop-by-hop option gives the length) or GSO/BIG TCP (the record does)
    let lengthOk = true;
    const plen = u16(b, off + 4);
    if (plen !== 0) {
      if (off + FIXED + plen > p.wireEnd()) lengthOk = false;
      else if (off + FIXED + plen < p.end) p.end = off + FIXED + plen;
    }
    let nh = b[off + 6];
    let at = off + FIXED;
    let cut = false; // an extension header runs past the data
    let laterFragment = false;
    while (isExtension(nh)) {
      if (at + 2 > p.end) {
        cut = true;
        break;
      }
      const len = extLength(b, nh, at);
      if (at + len > p.end) {
        cut = true;
        break;
      }
      if (nh === HOP_BY_HOP && plen === 0 && at === off + FIXED) {
        const jumbo = jumboLength(b, at + 2, at + len);
        if (jumbo >= 0) {
          if (jumbo < len || off + FIXED + jumbo > p.wireEnd()) lengthOk = false;
          else if (off + FIXED + jumbo < p.end) p.end = off + FIXED + jumbo;
        }
      } else if (nh === FRAGMENT && (u16(b, at + 2) & 0xfff8) !== 0) {
        laterFragment = true;
      }
      nh = b[at];
      at += len;
      if (laterFragment) break;
    }
    const i = p.pushLayer(Layer.Ipv6, off, at);
    if (i < 0) return Layer.None;
    p.next = at;
    if (!lengthOk) p.problem(Problem.BadLength, Layer.Ipv6, off + 4);
    if (cut) {
      p.problem(Problem.Truncated, Layer.Ipv6, at);
      return Layer.None;
    }
    if (laterFragment) {
      p.problem(Problem.LaterFragment, Layer.Ipv6, at);
      return Layer.None;
    }
    const next = reg.ipProto[nh];
    ipInIp(p, i, nh, next);
    return next;
  },

  fields(p: PacketView, i: number): Record<string, unknown> {
    const b = p.buf;
    const o = p.layerStart[i];
    const end = p.layerEnd[i];
    const w = u32(b, o);
    // walk the extension headers again, within the bytes decode() accepted
    const ext: Record<string, unknown>[] = [];
    let nh = b[o + 6];
    let at = o + FIXED;
    while (isExtension(nh) && at + 2 <= end) {
      const len = extLength(b, nh, at);
      const e: Record<string, unknown> = { type: EXT_NAMES[nh], len };
      if (nh === FRAGMENT) {
        const v = u16(b, at + 2);
        e.offset = v >>> 3; // 8-byte units, as Wireshark's ipv6.fraghdr.offset
        e.more = v & 1;
        e.id = u32(b, at + 4);
      } else if (nh === ROUTING) {
        e.routingType = b[at + 2];
        e.segmentsLeft = b[at + 3];
      } else if (nh === HOP_BY_HOP) {
        const jumbo = jumboLength(b, at + 2, at + len);
        if (jumbo >= 0) e.jumbo = jumbo;
      }
      ext.push(e);
      nh = b[at];
      at += len;
    }
    return {
      version: w >>> 28,
      tclass: (w >>> 20) & 0xff,
      flow: w & 0xfffff,
      plen: u16(b, o + 4),
      next: b[o + 6],
      hlim: b[o + 7],
      src: ipv6String(b, o + 8),
      dst: ipv6String(b, o + 24),
      ext,
      proto: nh,
    };
  },
};
