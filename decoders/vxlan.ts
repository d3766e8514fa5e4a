/**
 * VXLAN (RFC 7348) on UDP 4789 and 8472 (the Linux kernel's default; tcpdump 4.99 prints that port
 * as OTV), with the Group Policy extension (draft-smith-vxlan-group-policy: G bit, D and A bits,
 * 16-bit group policy id). Non-zero reserved bits are tolerated and flagged, as Suricata's
 * "permissive" mode does. The VNI is only valid when the I flag is set.
 *
 * The payload is Ethernet, except that the Contrail vRouter's L3 "VXLAN routing" sends a bare IP
 * packet: when the bytes hold a consistent IPv4/IPv6 header and do not look like an Ethernet header,
 * they are decoded as IP.
 */
import { u16, u24 } from '../src/bytes.js';
import { Layer, Tunnel } from '../src/layers.js';
import { type PacketView, TunnelFlag } from '../src/packet.js';
import type { Registry } from '../src/registry.js';
import { ethernetScore, ipHeaderAt } from './mpls.js';
import type { DecoderModule } from './types.js';

const SIZE = 8;
const FLAG_G = 0x80;
const FLAG_I = 0x08;
const FLAG_D = 0x40; // second byte, GBP: don't learn
const FLAG_A = 0x08; // second byte, GBP: policy applied

export const decoder: DecoderModule = {
  layer: Layer.Vxlan,
  name: 'vxlan',
  defaults: { udpPort: [4789, 8472] },

  decode(p: PacketView, off: number, _reg: Registry): Layer {
    const b = p.buf;
    if (!p.fits(Layer.Vxlan, off, SIZE)) return Layer.None;
    const li = p.pushLayer(Layer.Vxlan, off, off + SIZE);
    if (li < 0) return Layer.None;
    const t = p.pushTunnel(Tunnel.Vxlan, li);
    const f = b[off];
    const gbp = (f & FLAG_G) !== 0;
    if (t >= 0) {
      let flags = f;
      // reserved: every flag bit but G and I, then (without GBP) bytes 1-3, and always byte 7
      const reserved = gbp
        ? (f & ~(FLAG_G | FLAG_I)) | (b[off + 1] & ~(FLAG_D | FLAG_A)) | b[off + 7]
        : (f & ~FLAG_I) | b[off + 1] | b[off + 2] | b[off + 3] | b[off + 7];
      if (reserved !== 0) flags |= TunnelFlag.ReservedNonZero;
      if (gbp) {
        flags |= TunnelFlag.VxlanGbp;
        p.tunnelId2[t] = u16(b, off + 2);
      }
      p.tunnelFlags[t] = flags;
      if (f & FLAG_I) p.tunnelId[t] = u24(b, off + 4);
    }
    const pay = off + SIZE;
    p.next = pay;
    if (pay >= p.end) return Layer.None;
    const nibble = b[pay] >>> 4;
    if ((nibble === 4 || nibble === 6) && ethernetScore(p, pay) === 0) {
      const ip = ipHeaderAt(p, pay);
      if (ip !== Layer.None) return ip;
    }
    return Layer.Ethernet;
  },

  fields(p: PacketView, i: number): Record<string, unknown> {
    const b = p.buf;
    const o = p.layerStart[i];
    const f = b[o];
    const out: Record<string, unknown> = { flags: f, vni: u24(b, o + 4) };
    if (f & FLAG_G) {
      out.gbp = u16(b, o + 2);
      out.d = (b[o + 1] & FLAG_D) !== 0;
      out.a = (b[o + 1] & FLAG_A) !== 0;
    }
    if (!(f & FLAG_I)) out.vniValid = false;
    return out;
  },
};
