/**
 * Geneve (RFC 8926), UDP 6081 (source or destination port).
 *
 *   byte 0: Ver(2) | Opt Len(6, 4-byte words)    byte 1: O | C | Rsvd(6)
 *   bytes 2-3: Protocol Type (an EtherType)      bytes 4-6: VNI, byte 7: reserved
 *   options: Class(16) | Type(8, high bit = critical) | R(3) | Length(5, 4-byte words) | data
 *
 * Decisions (tshark 4.0.17 and tcpdump 4.99.3 are the reference):
 * - Version != 0: Problem.BadVersion and stop (tshark only warns and goes on; the layout of another
 *   version is unknown, so we do not guess).
 * - An option whose length runs past the option area: Problem.BadLength, the options before it are
 *   kept, and decoding goes on at the payload, because the header's own Opt Len says where the
 *   payload starts (tshark "length of N is past end of options" and tcpdump "[bad length]" do the same).
 * - An option area cut by the end of the captured data: the layer and tunnel are still recorded (the
 *   VNI is known), complete options are kept, Problem.Truncated, and decoding stops.
 * - OVN (class 0x0102, type 0x80, 4 data bytes): rsv(1) | logical ingress port(15) | logical egress
 *   port(16) -> tunnelOvnIn / tunnelOvnOut; egress keys >= 32768 are multicast groups
 *   (ovn-architecture(7), "Tunnel Encapsulations").
 */
import { hexString, u16, u24, u32 } from '../src/bytes.js';
import { Layer, Problem, Tunnel } from '../src/layers.js';
import { TunnelFlag, type PacketView } from '../src/packet.js';
import type { Registry } from '../src/registry.js';
import type { DecoderModule } from './types.js';

const BASE = 8;
const FLAG_OAM = 0x80;
const FLAG_CRITICAL = 0x40;
const FLAG_RESERVED = 0x3f;
const OPT_CRITICAL = 0x80;

/** OVN's option: `controller/physical.h` OVN_GENEVE_CLASS / OVN_GENEVE_TYPE / OVN_GENEVE_LEN. */
export const OVN_CLASS = 0x0102;
export const OVN_TYPE = 0x80;
const OVN_LEN = 4;
/** OVN egress keys from here up are Multicast_Group tunnel keys. */
export const OVN_MULTICAST_MIN = 0x8000;

/**
 * Short names of the Geneve option classes we know (IANA "Geneve Option Class" registry, plus 0x0000
 * which Open vSwitch used before classes were assigned, as in tcpdump's tests/geneve.pcap).
 */
export function optionClassName(cls: number): string | undefined {
  if (cls === 0x0000) return 'ovs';
  if (cls === 0x0100) return 'linux';
  if (cls === 0x0101) return 'ovs';
  if (cls === 0x0102) return 'ovn';
  if (cls === 0x0103) return 'int';
  if (cls === 0x0104) return 'vmware';
  if (cls === 0x0105 || (cls >= 0x0108 && cls <= 0x0110)) return 'aws';
  if (cls === 0x0106 || cls === 0x0130 || cls === 0x0131) return 'cisco';
  if (cls === 0x0107) return 'oracle';
  if (cls >= 0x0111 && cls <= 0x0118) return 'ibm';
  if (cls >= 0x0119 && cls <= 0x0128) return 'ericsson';
  if (cls === 0x0129) return 'oxide';
  if (cls >= 0x0132 && cls <= 0x0135) return 'gcp';
  if (cls === 0x0164) return 'cpacket';
  if (cls >= 0xfff0) return 'experimental';
  return undefined;
}

/** Index of the tunnel whose header is layer `layer`, or -1. */
function tunnelOf(p: PacketView, layer: number): number {
  for (let t = 0; t < p.tunnelCount; t++) if (p.tunnelLayer[t] === layer) return t;
  return -1;
}

export const decoder: DecoderModule = {
  layer: Layer.Geneve,
  name: 'geneve',
  defaults: { udpPort: [6081] },

  decode(p: PacketView, off: number, reg: Registry): Layer {
    const b = p.buf;
    if (!p.fits(Layer.Geneve, off, BASE)) return Layer.None;
    const end = p.end;
    const v0 = b[off];
    if (v0 >>> 6 !== 0) {
      p.problem(Problem.BadVersion, Layer.Geneve, off);
      return Layer.None;
    }
    const hdrEnd = off + BASE + (v0 & 0x3f) * 4;
    const cut = hdrEnd > end;
    const li = p.pushLayer(Layer.Geneve, off, cut ? end : hdrEnd);
    if (li < 0) return Layer.None;
    const flagsByte = b[off + 1];
    const proto = u16(b, off + 2);
    const t = p.pushTunnel(Tunnel.Geneve, li);
    if (t >= 0) {
      let f = flagsByte;
      if (flagsByte & FLAG_OAM) f |= TunnelFlag.GeneveOam;
      if (flagsByte & FLAG_CRITICAL) f |= TunnelFlag.GeneveCritical;
      if (flagsByte & FLAG_RESERVED || b[off + 7] !== 0) f |= TunnelFlag.ReservedNonZero;
      p.tunnelFlags[t] = f;
      p.tunnelId[t] = u24(b, off + 4);
      p.tunnelId2[t] = proto;
    }

    // Option walk, bounded by the option area and by the data actually there.
    const lim = cut ? end : hdrEnd;
    let o = off + BASE;
    while (o < lim) {
      if (o + 4 > lim) {
        p.problem(Problem.Truncated, Layer.Geneve, o);
        return Layer.None;
      }
      const dataLen = (b[o + 3] & 0x1f) * 4;
      const next = o + 4 + dataLen;
      if (next > hdrEnd) {
        p.problem(Problem.BadLength, Layer.Geneve, o);
        break;
      }
      if (next > end) {
        p.problem(Problem.Truncated, Layer.Geneve, o);
        return Layer.None;
      }
      const cls = u16(b, o);
      const type = b[o + 2];
      if (t >= 0) {
        p.addOption(cls, type, o + 4, dataLen);
        if (cls === OVN_CLASS && type === OVN_TYPE && dataLen === OVN_LEN) {
          const v = u32(b, o + 4);
          p.tunnelOvnIn[t] = (v >>> 16) & 0x7fff;
          p.tunnelOvnOut[t] = v & 0xffff;
        }
      }
      o = next;
    }
    if (cut) {
      p.problem(Problem.Truncated, Layer.Geneve, o);
      return Layer.None;
    }

    p.next = hdrEnd;
    if (hdrEnd === end) return Layer.None; // header only (e.g. an OAM probe): nothing to decode
    const nextLayer = reg.ethertype[proto];
    if (nextLayer === Layer.None) p.problem(Problem.UnknownNext, Layer.Geneve, hdrEnd);
    return nextLayer;
  },

  fields(p: PacketView, i: number): Record<string, unknown> {
    const b = p.buf;
    const o = p.layerStart[i];
    const flags = b[o + 1];
    const out: Record<string, unknown> = {
      version: b[o] >>> 6,
      optlen: (b[o] & 0x3f) * 4,
      oam: (flags & FLAG_OAM) !== 0,
      critical: (flags & FLAG_CRITICAL) !== 0,
      proto: u16(b, o + 2),
      vni: u24(b, o + 4),
    };
    if (flags & FLAG_RESERVED) out.flagsreserved = flags & FLAG_RESERVED;
    if (b[o + 7] !== 0) out.reserved = b[o + 7];
    const t = tunnelOf(p, i);
    const options: Record<string, unknown>[] = [];
    if (t >= 0) {
      const first = p.tunnelOptStart[t];
      for (let k = first; k < first + p.tunnelOptCount[t]; k++) {
        const cls = p.optClass[k];
        const type = p.optType[k];
        const start = p.optStart[k];
        const opt: Record<string, unknown> = {
          class: cls,
          type,
          critical: (type & OPT_CRITICAL) !== 0,
          data: hexString(b, start, start + p.optLen[k]),
        };
        const name = optionClassName(cls);
        if (name !== undefined) opt.name = name;
        options.push(opt);
      }
      if (p.tunnelOvnIn[t] >= 0) {
        const outport = p.tunnelOvnOut[t];
        out.ovn = { inport: p.tunnelOvnIn[t], outport, outportMulticast: outport >= OVN_MULTICAST_MIN };
      }
    }
    out.options = options;
    return out;
  },
};
