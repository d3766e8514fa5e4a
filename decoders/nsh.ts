/**
 * Network Service Header (RFC 8300): base header (version, O bit, TTL, length in 4-byte words,
 * MD type, next protocol) + service path header (SPI 24 bits, SI 8 bits) + context headers
 * (MD type 1: 16 fixed bytes; MD type 2: variable TLVs). The length field decides where the payload
 * starts, whatever the MD type. Reached from VXLAN-GPE (next protocol 4), EtherType/GRE 0x894f.
 */
import { hexString, u24 } from '../src/bytes.js';
import { Layer, Problem } from '../src/layers.js';
import type { PacketView } from '../src/packet.js';
import type { Registry } from '../src/registry.js';
import { nextProtocolLayer } from './vxlan-gpe.js';
import type { DecoderModule } from './types.js';

const FIXED = 8; // base header + service path header
const MD_TYPE_1 = 1;
const MD_TYPE_1_WORDS = 6;

export const decoder: DecoderModule = {
  layer: Layer.Nsh,
  name: 'nsh',
  defaults: { ethertype: [0x894f], greProto: [0x894f] },

  decode(p: PacketView, off: number, _reg: Registry): Layer {
    const b = p.buf;
    if (!p.fits(Layer.Nsh, off, FIXED)) return Layer.None;
    if (b[off] >>> 6 !== 0) {
      p.problem(Problem.BadVersion, Layer.Nsh, off);
      return Layer.None;
    }
    const size = (b[off + 1] & 0x3f) * 4;
    const mdType = b[off + 2] & 15;
    if (size < FIXED || (mdType === MD_TYPE_1 && size !== MD_TYPE_1_WORDS * 4)) {
      p.problem(Problem.BadLength, Layer.Nsh, off);
      return Layer.None;
    }
    if (!p.fits(Layer.Nsh, off, size)) return Layer.None;
    if (p.pushLayer(Layer.Nsh, off, off + size) < 0) return Layer.None;
    p.next = off + size;
    const next = nextProtocolLayer(b[off + 3]);
    if (next === Layer.None && p.next < p.end) p.problem(Problem.UnknownNext, Layer.Nsh, p.next);
    return next;
  },

  fields(p: PacketView, i: number): Record<string, unknown> {
    const b = p.buf;
    const o = p.layerStart[i];
    const out: Record<string, unknown> = {
      version: b[o] >>> 6,
      o: (b[o] >>> 5) & 1,
      ttl: ((b[o] & 15) << 2) | (b[o + 1] >>> 6),
      length: b[o + 1] & 0x3f,
      mdtype: b[o + 2] & 15,
      next: b[o + 3],
      spi: u24(b, o + 4),
      si: b[o + 7],
    };
    if (p.layerEnd[i] > o + FIXED) out.context = hexString(b, o + FIXED, p.layerEnd[i]);
    return out;
  },
};
