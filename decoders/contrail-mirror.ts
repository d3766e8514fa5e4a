/**
 * Contrail / Tungsten Fabric port- and flow-mirror "Juniper header" (UDP 8099, the analyzer default
 * `ContrailPorts::AnalyzerUdpPort`; other analyzer ports need decode-as).
 *
 * No magic and no length field: a bare TLV list `type:u8 | len:u8 | value`, ended by `ff 00`,
 * followed by the mirrored Ethernet frame (vRouter `dp-core/vr_mirror.c`; agent `FlowEntry::PcapType`):
 *   1 capturing host IPv4 (4 bytes; 16 = IPv6 per Juniper's docs, kept raw)
 *   2 action flags, u32 (2-byte form per Juniper's docs also accepted): bit n = 1 << TrafficAction n,
 *     bit 30 = the copy was taken on ingress
 *   3 source VN FQ name, 4 destination VN FQ name (byte strings, no NUL)
 * Interface mirroring carries only TLV 3 (RX) or only TLV 4 (TX); an empty list (`ff 00`) is legal.
 * vRouters before R3.1 (2016) put a 16-byte big-endian pcap record header before the TLVs, with
 * incl_len == orig_len == length of the mirrored frame; it is detected by that equality.
 *
 * The list is parsed by each length byte, never by assumed sizes; unknown types are kept. A value
 * running past the data -> Problem.BadLength, no `ff` before the data ends -> Problem.Malformed
 * (Problem.Truncated instead when the capture itself was cut); in all three cases the layer is not
 * recorded and decoding stops.
 */
import { hexString, ipv4FromU32, ipv6String, text, u16, u32 } from '../src/bytes.js';
import { Layer, Problem, Tunnel } from '../src/layers.js';
import { TunnelFlag, type PacketView } from '../src/packet.js';
import type { Registry } from '../src/registry.js';
import type { DecoderModule } from './types.js';

const TLV_HOST = 1;
const TLV_FLAGS = 2;
const TLV_SRC_VN = 3;
const TLV_DST_VN = 4;
const TLV_END = 0xff;
const LEGACY_HEADER = 16;
const INGRESS = 0x40000000;

/** Action bits (1 << TrafficAction::Action, contrail-controller `filter/traffic_action.h`). */
const ACTION_BITS: readonly (readonly [number, string])[] = [
  [1, 'alert'],
  [2, 'drop'],
  [3, 'deny'],
  [4, 'log'],
  [5, 'pass'],
  [6, 'reject'],
  [7, 'mirror'],
  [8, 'vrf-translate'],
  [9, 'apply-qos'],
  [28, 'trap'],
  [29, 'implicit-deny'],
  [31, 'unknown'],
];

/** Names of the action bits set in `flags` (bit 30, the direction, excluded). */
export function actionNames(flags: number): string[] {
  const out: string[] = [];
  for (const [bit, name] of ACTION_BITS) if ((flags >>> bit) & 1) out.push(name);
  return out;
}

/**
 * Where the TLV list ends (offset after `ff 00` and its value), or a negative Problem code.
 * Allocation-free; shared by the legacy-header probe and the decoder.
 */
function tlvEnd(b: Uint8Array, o: number, end: number): number {
  while (o + 2 <= end) {
    const next = o + 2 + b[o + 1];
    if (next > end) return -Problem.BadLength;
    if (b[o] === TLV_END) return next;
    o = next;
  }
  return -Problem.Malformed;
}

/** Pre-2016 form: a big-endian pcap record header whose lengths equal the mirrored frame's. */
function hasLegacyHeader(p: PacketView, off: number, end: number): boolean {
  if (off + LEGACY_HEADER + 2 > end) return false;
  const b = p.buf;
  if (u32(b, off + 4) >= 1_000_000) return false; // ts_usec
  const incl = u32(b, off + 8);
  if (incl !== u32(b, off + 12)) return false;
  const tlvs = tlvEnd(b, off + LEGACY_HEADER, end);
  if (tlvs < 0) return false;
  const rest = end - tlvs;
  // A snaplen-cut capture holds less than incl_len of the frame.
  return rest === incl || (rest < incl && end === p.capEnd && p.caplen < p.len);
}

export const decoder: DecoderModule = {
  layer: Layer.ContrailMirror,
  name: 'contrail-mirror',
  aliases: ['juniper', 'contrail', 'juniper-vn'],
  defaults: { udpPort: [8099] },

  decode(p: PacketView, off: number, reg: Registry): Layer {
    const b = p.buf;
    const end = p.end;
    const legacy = hasLegacyHeader(p, off, end);
    const first = legacy ? off + LEGACY_HEADER : off;
    const hdrEnd = tlvEnd(b, first, end);
    if (hdrEnd < 0) {
      const cutByCapture = end === p.capEnd && p.caplen < p.len;
      p.problem(cutByCapture ? Problem.Truncated : (-hdrEnd as Problem), Layer.ContrailMirror, off);
      return Layer.None;
    }
    const li = p.pushLayer(Layer.ContrailMirror, off, hdrEnd);
    if (li < 0) return Layer.None;
    const t = p.pushTunnel(Tunnel.ContrailMirror, li);
    if (t >= 0) {
      let tflags = legacy ? TunnelFlag.ContrailLegacyHeader : 0;
      for (let o = first; b[o] !== TLV_END; o += 2 + b[o + 1]) {
        const len = b[o + 1];
        const v = o + 2;
        switch (b[o]) {
          case TLV_HOST:
            if (len === 4) p.tunnelId2[t] = u32(b, v);
            else if (len !== 16) p.problem(Problem.BadLength, Layer.ContrailMirror, o);
            break;
          case TLV_FLAGS:
            if (len === 4) {
              const f = u32(b, v);
              p.tunnelId[t] = f;
              if (f & INGRESS) tflags |= TunnelFlag.ContrailIngress;
            } else if (len === 2) p.tunnelId[t] = u16(b, v);
            else p.problem(Problem.BadLength, Layer.ContrailMirror, o);
            break;
          case TLV_SRC_VN:
            p.tunnelStrAStart[t] = v;
            p.tunnelStrALen[t] = len;
            break;
          case TLV_DST_VN:
            p.tunnelStrBStart[t] = v;
            p.tunnelStrBLen[t] = len;
            break;
          default:
            break; // unknown types stay in the bytes; fields() lists them
        }
      }
      p.tunnelFlags[t] = tflags;
    }
    p.next = hdrEnd;
    return hdrEnd < end ? Layer.Ethernet : Layer.None;
  },

  fields(p: PacketView, i: number): Record<string, unknown> {
    const b = p.buf;
    const start = p.layerStart[i];
    const hdrEnd = p.layerEnd[i];
    const out: Record<string, unknown> = {};
    const tlvs: Record<string, unknown>[] = [];
    let o = start;
    if (hasLegacyHeader(p, start, p.layerLimit[i])) {
      out.pcapheader = {
        tssec: u32(b, start),
        tsusec: u32(b, start + 4),
        incllen: u32(b, start + 8),
        origlen: u32(b, start + 12),
      };
      o += LEGACY_HEADER;
    }
    // decode() has checked that the TLVs end exactly at hdrEnd.
    for (; o < hdrEnd && b[o] !== TLV_END; o += 2 + b[o + 1]) {
      const type = b[o];
      const len = b[o + 1];
      const v = o + 2;
      if (type === TLV_HOST && len === 4) out.host = ipv4FromU32(u32(b, v));
      else if (type === TLV_HOST && len === 16) out.host = ipv6String(b, v);
      else if (type === TLV_FLAGS && (len === 4 || len === 2)) {
        const f = len === 4 ? u32(b, v) : u16(b, v);
        out.flags = f;
        out.actions = actionNames(f);
        if (len === 4) out.direction = f & INGRESS ? 'ingress' : 'egress';
      } else if (type === TLV_SRC_VN) out.srcvn = text(b, v, v + len);
      else if (type === TLV_DST_VN) out.dstvn = text(b, v, v + len);
      else tlvs.push({ type, len, data: hexString(b, v, v + len) });
    }
    if (tlvs.length > 0) out.tlvs = tlvs;
    return out;
  },
};
