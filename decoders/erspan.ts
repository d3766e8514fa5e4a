/**
 * Cisco ERSPAN (draft-foschiano-erspan-03), inside GRE:
 *   type I   GRE 0x88be without the sequence bit: no ERSPAN header, the mirrored Ethernet frame follows
 *   type II  GRE 0x88be with the sequence bit: 8 bytes, version 1 (vlan, cos, en, t, session, index)
 *   type III GRE 0x22eb: 12 bytes, version 2 (vlan, cos, bso, t, session, timestamp, sgt, p, frame
 *            type, hardware id, d, gra, o) + an 8-byte platform-specific sub-header when O is set
 * Type I can only be told from type II by the GRE header, so this decoder reads the GRE layer below
 * it. Reached any other way (decode-as on a UDP port), the version nibble decides.
 * Frame type (type III): 0 = Ethernet, 2 = IP; others (7 is seen in the wild) are left undecoded.
 */
import { hexString, u16, u32 } from '../src/bytes.js';
import { Layer, Problem, Tunnel } from '../src/layers.js';
import type { PacketView } from '../src/packet.js';
import type { Registry } from '../src/registry.js';
import { GRE_SEQUENCE } from './gre.js';
import type { DecoderModule } from './types.js';

const GRE_ERSPAN = 0x88be;
const GRE_ERSPAN3 = 0x22eb;
const VERSION_II = 1; // header version field of type II
const VERSION_III = 2; // header version field of type III
const TYPE_II_SIZE = 8;
const TYPE_III_SIZE = 12;
const PLATFORM_SUBHEADER = 8;
const FRAME_ETHERNET = 0;
const FRAME_IP = 2;

/** ERSPAN type (1, 2, 3) at `off`, or 0 when the header is not one we know. */
function erspanType(p: PacketView, off: number): number {
  const g = p.layerCount - 1;
  if (g >= 0 && p.layerKind[g] === Layer.Gre) {
    const gs = p.layerStart[g];
    if (u16(p.buf, gs + 2) === GRE_ERSPAN && !(u16(p.buf, gs) & GRE_SEQUENCE)) return 1;
  }
  if (off >= p.end) return 0;
  const version = p.buf[off] >>> 4;
  return version === VERSION_II ? 2 : version === VERSION_III ? 3 : 0;
}

export const decoder: DecoderModule = {
  layer: Layer.Erspan,
  name: 'erspan',
  defaults: { greProto: [GRE_ERSPAN, GRE_ERSPAN3] },

  decode(p: PacketView, off: number, _reg: Registry): Layer {
    const b = p.buf;
    const type = erspanType(p, off);
    if (type === 0) {
      p.problem(off < p.end ? Problem.BadVersion : Problem.Truncated, Layer.Erspan, off);
      return Layer.None;
    }
    let size = type === 1 ? 0 : type === 2 ? TYPE_II_SIZE : TYPE_III_SIZE;
    if (!p.fits(Layer.Erspan, off, size)) return Layer.None;
    if (type === 3 && b[off + 11] & 1) size += PLATFORM_SUBHEADER;
    if (!p.fits(Layer.Erspan, off, size)) return Layer.None;
    const li = p.pushLayer(Layer.Erspan, off, off + size);
    if (li < 0) return Layer.None;
    const t = p.pushTunnel(Tunnel.Erspan, li);
    if (t >= 0) {
      p.tunnelId2[t] = type;
      if (type > 1) {
        p.tunnelId[t] = u16(b, off + 2) & 0x3ff;
        p.tunnelFlags[t] = u16(b, off) & 0xfff;
      }
    }
    const pay = off + size;
    p.next = pay;
    if (type < 3) return Layer.Ethernet;
    const frameType = (b[off + 10] >>> 2) & 0x1f;
    if (frameType === FRAME_ETHERNET) return Layer.Ethernet;
    if (frameType === FRAME_IP && pay < p.end) {
      const version = b[pay] >>> 4;
      if (version === 4) return Layer.Ipv4;
      if (version === 6) return Layer.Ipv6;
    }
    if (pay < p.end) p.problem(Problem.UnknownNext, Layer.Erspan, pay);
    return Layer.None;
  },

  fields(p: PacketView, i: number): Record<string, unknown> {
    const b = p.buf;
    const o = p.layerStart[i];
    if (p.layerEnd[i] === o) return { type: 1 };
    const w0 = u16(b, o);
    const w1 = u16(b, o + 2);
    const common = { vlan: w0 & 0xfff, cos: w1 >>> 13, t: (w1 >>> 10) & 1, session: w1 & 0x3ff };
    if (w0 >>> 12 === VERSION_II) {
      return { type: 2, version: VERSION_II, ...common, en: (w1 >>> 11) & 3, index: u32(b, o + 4) & 0xfffff };
    }
    const w5 = u16(b, o + 10);
    const out: Record<string, unknown> = {
      type: 3,
      version: VERSION_III,
      ...common,
      bso: (w1 >>> 11) & 3,
      timestamp: u32(b, o + 4),
      sgt: u16(b, o + 8),
      p: w5 >>> 15,
      ft: (w5 >>> 10) & 0x1f,
      hwid: (w5 >>> 4) & 0x3f,
      d: (w5 >>> 3) & 1,
      gra: (w5 >>> 1) & 3,
      o: w5 & 1,
    };
    if (w5 & 1) {
      out.platformId = b[o + 12] >>> 2;
      out.platform = hexString(b, o + 12, o + 12 + PLATFORM_SUBHEADER);
    }
    return out;
  },
};
