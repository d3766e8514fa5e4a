/**
 * Lazy materialisation: turns the flat tables of a decoded PacketView into the plain object that
 * JSON lines, the library's `for await` iterator and `-v` output show. Only sinks call this; the
 * decode path never allocates.
 */
import { hexString, ipv4FromU32, ipv4String, ipv6String, macString, text, u16 } from './bytes.js';
import { Layer, LAYER_NAMES, MPLS_RULE_NAMES, PROBLEM_NAMES, Tunnel, TUNNEL_NAMES } from './layers.js';
import { TunnelFlag, type PacketView } from './packet.js';
import type { Registry } from './registry.js';
import type { Topology, TunnelNames } from './topology/types.js';

/** Encapsulation kinds as they appear in `tunnels[].type`. */
export type TunnelType =
  | 'vxlan'
  | 'vxlan-gpe'
  | 'geneve'
  | 'gre'
  | 'mpls'
  | 'erspan'
  | 'contrail-mirror'
  | 'jmirror'
  | 'ipip';

/** One Geneve option: class and type as numbers, data as lowercase hex. */
export interface GeneveOption {
  class: number;
  type: number;
  data: string;
}

/** One encapsulation header with the outer addresses that carried it. Absent fields are unknown. */
export interface TunnelInfo {
  type: TunnelType;
  /** Outer IP source / destination (the IP header that carried this tunnel). */
  src?: string;
  dst?: string;
  /** Outer UDP ports, for UDP-carried tunnels. */
  sport?: number;
  dport?: number;
  /** VXLAN / VXLAN-GPE / Geneve network identifier. */
  vni?: number;
  /** VXLAN Group Policy id (GBP extension). */
  gbp?: number;
  /** Geneve protocol type / VXLAN-GPE next protocol. */
  proto?: number;
  /** MPLS labels of this stack, top first. */
  labels?: number[];
  /** MPLS: how the payload after the bottom label was identified. */
  payload?: string;
  /** MPLS: a pseudowire control word follows the bottom label. */
  controlWord?: boolean;
  /** GRE key. */
  key?: number;
  /** GRE sequence number. */
  seq?: number;
  /** ERSPAN / jmirror session id. */
  session?: number;
  /** ERSPAN version (1, 2, 3). */
  version?: number;
  /** ERSPAN original VLAN. */
  vlan?: number;
  /** Geneve options in wire order. */
  options?: GeneveOption[];
  /** Geneve critical-option (C) and OAM (O) bits. */
  critical?: boolean;
  oam?: boolean;
  /** OVN logical ingress/egress port keys (Geneve option class 0x0102). */
  ovn?: { inport?: number; outport?: number };
  /** Contrail mirror: capturing host, action flags, direction, source and destination VN. */
  host?: string;
  flags?: number;
  ingress?: boolean;
  srcvn?: string;
  dstvn?: string;
  /** Contrail mirror: the pre-2016 16-byte pcap record header precedes the TLVs. */
  legacyHeader?: boolean;
  /** jmirror mirror id. */
  mirror?: number;
  /** A reserved field was not zero (tolerated). */
  reserved?: boolean;
}

/** The innermost frame's addressing. */
export interface InnerInfo {
  eth?: { src: string; dst: string };
  src?: string;
  dst?: string;
  /** `tcp`, `udp`, `icmp`, `icmpv6`, `arp`, or the IP protocol name/number (`ospf`, `ip-proto-253`). */
  proto?: string;
  sport?: number;
  dport?: number;
  icmp?: { type: number; code: number; id?: number; seq?: number };
}

/** A decode problem: kind, the layer being decoded, byte offset from the packet start. */
export interface DecodeError {
  kind: string;
  layer: string;
  offset: number;
}

/** Topology names: per tunnel (aligned with `tunnels`, null when unknown) and the inner hosts. */
export interface PacketNames {
  tunnels: (TunnelNames | null)[];
  src?: string;
  dst?: string;
}

/** One decoded packet as a plain object: the shape of a `peelcap json` line. */
export interface DecodedPacket {
  frame: number;
  /** Seconds since the epoch with 9 decimals, as a string (exact). */
  ts: string;
  iface: number;
  caplen: number;
  len: number;
  layers: string[];
  tunnels: TunnelInfo[];
  vnis: number[];
  labels: number[];
  vlans: number[];
  inner?: InnerInfo;
  names?: PacketNames;
  errors?: DecodeError[];
  /** pcapng packet comment of the input. */
  comment?: string;
  /** Every field of every layer (only with `detail`). */
  detail?: Record<string, unknown>[];
}

export interface DescribeOptions {
  /** Registry whose decoders' `fields()` fill `detail`. */
  reg?: Registry;
  /** Add `detail`: every field of every layer. */
  detail?: boolean;
  /** Add `names` from this topology. */
  topology?: Topology;
}

// ---------------------------------------------------------------------------------------------
// Accessors over the view (shared by the text, JSON, strip and stats sinks)

/**
 * Byte offset of the source (`dst` false) or destination address of IP or ARP layer `i` (ARP: sender /
 * target protocol address), or -1 when the layer has none or it was not captured. The address is 16
 * bytes for an IPv6 layer, else 4.
 */
export function layerAddrAt(p: PacketView, i: number, dst: boolean): number {
  const s = p.layerStart[i];
  switch (p.layerKind[i]) {
    case Layer.Ipv4:
      return s + 20 <= p.layerLimit[i] ? s + (dst ? 16 : 12) : -1;
    case Layer.Ipv6:
      return s + 40 <= p.layerLimit[i] ? s + (dst ? 24 : 8) : -1;
    case Layer.Arp:
      return arpIpv4(p, i) ? s + (dst ? 24 : 14) : -1;
    default:
      return -1;
  }
}

function layerAddr(p: PacketView, i: number, dst: boolean): string | undefined {
  const at = layerAddrAt(p, i, dst);
  if (at < 0) return undefined;
  return p.layerKind[i] === Layer.Ipv6 ? ipv6String(p.buf, at) : ipv4String(p.buf, at);
}

/** Source address of IP or ARP layer `i` as text (ARP: sender protocol address). */
export function layerSrc(p: PacketView, i: number): string | undefined {
  return layerAddr(p, i, false);
}

/** Destination address of IP or ARP layer `i` as text (ARP: target protocol address). */
export function layerDst(p: PacketView, i: number): string | undefined {
  return layerAddr(p, i, true);
}

/** True when ARP layer `i` is Ethernet/IPv4 ARP with all 28 bytes captured. */
export function arpIpv4(p: PacketView, i: number): boolean {
  const s = p.layerStart[i];
  const b = p.buf;
  return s + 28 <= p.layerLimit[i] && b[s + 4] === 6 && b[s + 5] === 4;
}

/** Source / destination port of UDP or TCP layer `i` (-1 when not a port-carrying layer). */
export function layerSport(p: PacketView, i: number): number {
  const k = p.layerKind[i];
  const s = p.layerStart[i];
  return (k === Layer.Udp || k === Layer.Tcp) && s + 4 <= p.layerLimit[i] ? u16(p.buf, s) : -1;
}

export function layerDport(p: PacketView, i: number): number {
  const k = p.layerKind[i];
  const s = p.layerStart[i];
  return (k === Layer.Udp || k === Layer.Tcp) && s + 4 <= p.layerLimit[i] ? u16(p.buf, s + 2) : -1;
}

/** IP protocol number carried by IP layer `i` (IPv6: the first next header), or -1. */
export function ipProtocol(p: PacketView, i: number): number {
  const s = p.layerStart[i];
  const k = p.layerKind[i];
  if (k === Layer.Ipv4 && s + 10 <= p.layerLimit[i]) return p.buf[s + 9];
  if (k === Layer.Ipv6 && s + 7 <= p.layerLimit[i]) return p.buf[s + 6];
  return -1;
}

const IP_PROTO_NAMES: Record<number, string> = {
  1: 'icmp',
  2: 'igmp',
  4: 'ipip',
  6: 'tcp',
  17: 'udp',
  41: 'ipv6',
  47: 'gre',
  50: 'esp',
  51: 'ah',
  58: 'icmpv6',
  89: 'ospf',
  103: 'pim',
  112: 'vrrp',
  132: 'sctp',
};

/** Name of an IP protocol number: `ospf`, or `ip-proto-253` when we have no name for it. */
export function ipProtoName(n: number): string {
  return IP_PROTO_NAMES[n] ?? `ip-proto-${n}`;
}

/** Inner protocol name: the inner L4 layer, ARP, or the inner IP header's protocol field. */
export function innerProto(p: PacketView): string | undefined {
  if (p.innerL4 >= 0) return LAYER_NAMES[p.layerKind[p.innerL4]];
  const l3 = p.innerL3;
  if (l3 < 0) return undefined;
  if (p.layerKind[l3] === Layer.Arp) return 'arp';
  const n = ipProtocol(p, l3);
  return n < 0 ? undefined : ipProtoName(n);
}

/** ICMP/ICMPv6 echo types, whose bytes 4..8 are identifier and sequence. */
export function isEcho(kind: Layer, type: number): boolean {
  return kind === Layer.Icmp ? type === 0 || type === 8 : type === 128 || type === 129;
}

/** ICMP fields of layer `i`: type/code, and id/seq for echo request/reply. */
export function icmpInfo(p: PacketView, i: number): InnerInfo['icmp'] | undefined {
  const s = p.layerStart[i];
  const lim = p.layerLimit[i];
  if (s + 2 > lim) return undefined;
  const b = p.buf;
  const type = b[s];
  const out: NonNullable<InnerInfo['icmp']> = { type, code: b[s + 1] };
  if (isEcho(p.layerKind[i], type) && s + 8 <= lim) {
    out.id = u16(b, s + 4);
    out.seq = u16(b, s + 6);
  }
  return out;
}

/** Outer IP source/destination of tunnel `t` (undefined when it was not carried by IP). */
export function tunnelSrc(p: PacketView, t: number): string | undefined {
  const ip = p.tunnelOuterIp[t];
  return ip < 0 ? undefined : layerSrc(p, ip);
}

export function tunnelDst(p: PacketView, t: number): string | undefined {
  const ip = p.tunnelOuterIp[t];
  return ip < 0 ? undefined : layerDst(p, ip);
}

/** True for VXLAN, VXLAN-GPE and Geneve: tunnels whose id is a VNI. */
export function hasVni(kind: number): boolean {
  return kind === Tunnel.Vxlan || kind === Tunnel.VxlanGpe || kind === Tunnel.Geneve;
}

function strA(p: PacketView, t: number): string | undefined {
  const n = p.tunnelStrALen[t];
  return n < 0 ? undefined : text(p.buf, p.tunnelStrAStart[t], p.tunnelStrAStart[t] + n);
}

function strB(p: PacketView, t: number): string | undefined {
  const n = p.tunnelStrBLen[t];
  return n < 0 ? undefined : text(p.buf, p.tunnelStrBStart[t], p.tunnelStrBStart[t] + n);
}

/** Contrail mirror: source and destination VN names (the TLVs 3 and 4). */
export function contrailVns(p: PacketView, t: number): [string | undefined, string | undefined] {
  return [strA(p, t), strB(p, t)];
}

/** MPLS labels (numbers) of tunnel `t`, top first. */
export function tunnelLabels(p: PacketView, t: number): number[] {
  const out: number[] = [];
  const from = p.tunnelLabelStart[t];
  const to = from + p.tunnelLabelCount[t];
  for (let i = from; i < to; i++) out.push(p.labels[i] >>> 12);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The object

/** Timestamp as `seconds.nanoseconds` with 9 decimals. */
export function tsString(sec: number, nsec: number): string {
  return `${sec}.${String(nsec).padStart(9, '0')}`;
}

/** Materialise tunnel `t` of the view. */
export function describeTunnel(p: PacketView, t: number): TunnelInfo {
  const kind = p.tunnelKind[t];
  const out: TunnelInfo = { type: (TUNNEL_NAMES[kind] || 'unknown') as TunnelType };
  const src = tunnelSrc(p, t);
  const dst = tunnelDst(p, t);
  if (src !== undefined) out.src = src;
  if (dst !== undefined) out.dst = dst;
  const udp = p.tunnelOuterUdp[t];
  if (udp >= 0) {
    const sp = layerSport(p, udp);
    const dp = layerDport(p, udp);
    if (sp >= 0) out.sport = sp;
    if (dp >= 0) out.dport = dp;
  }
  const id = p.tunnelId[t];
  const id2 = p.tunnelId2[t];
  const flags = p.tunnelFlags[t];
  switch (kind) {
    case Tunnel.Vxlan:
      if (id >= 0) out.vni = id;
      if (flags & TunnelFlag.VxlanGbp && id2 >= 0) out.gbp = id2;
      break;
    case Tunnel.VxlanGpe:
      if (id >= 0) out.vni = id;
      if (id2 >= 0) out.proto = id2;
      break;
    case Tunnel.Geneve: {
      if (id >= 0) out.vni = id;
      if (id2 >= 0) out.proto = id2;
      if (flags & TunnelFlag.GeneveCritical) out.critical = true;
      if (flags & TunnelFlag.GeneveOam) out.oam = true;
      const n = p.tunnelOptCount[t];
      if (n > 0) {
        const opts: GeneveOption[] = [];
        for (let i = p.tunnelOptStart[t], e = i + n; i < e; i++) {
          const s = p.optStart[i];
          opts.push({ class: p.optClass[i], type: p.optType[i], data: hexString(p.buf, s, s + p.optLen[i]) });
        }
        out.options = opts;
      }
      const inp = p.tunnelOvnIn[t];
      const outp = p.tunnelOvnOut[t];
      if (inp >= 0 || outp >= 0) {
        out.ovn = {};
        if (inp >= 0) out.ovn.inport = inp;
        if (outp >= 0) out.ovn.outport = outp;
      }
      break;
    }
    case Tunnel.Gre:
      if (id >= 0) out.key = id;
      if (id2 >= 0) out.seq = id2;
      break;
    case Tunnel.Mpls:
      out.labels = tunnelLabels(p, t);
      if (id2 > 0 && MPLS_RULE_NAMES[id2]) out.payload = MPLS_RULE_NAMES[id2];
      if (flags & TunnelFlag.MplsControlWord) out.controlWord = true;
      break;
    case Tunnel.Erspan:
      if (id >= 0) out.session = id;
      if (id2 >= 0) out.version = id2;
      // Type I has no ERSPAN header, so no VLAN field.
      if (id2 >= 2) out.vlan = flags & 0xffff;
      break;
    case Tunnel.ContrailMirror: {
      if (id2 >= 0) out.host = ipv4FromU32(id2);
      if (id >= 0) {
        // direction is known only from the flags TLV
        out.flags = id;
        out.ingress = (flags & TunnelFlag.ContrailIngress) !== 0;
      }
      const [a, b] = contrailVns(p, t);
      if (a !== undefined) out.srcvn = a;
      if (b !== undefined) out.dstvn = b;
      if (flags & TunnelFlag.ContrailLegacyHeader) out.legacyHeader = true;
      break;
    }
    case Tunnel.Jmirror:
      if (id >= 0) out.session = id;
      if (id2 >= 0) out.mirror = id2;
      break;
  }
  if (flags & TunnelFlag.ReservedNonZero) out.reserved = true;
  return out;
}

/** Materialise the innermost frame's addressing, or undefined when there is none. */
export function describeInner(p: PacketView): InnerInfo | undefined {
  if (p.innerStart < 0) return undefined;
  const out: InnerInfo = {};
  const b = p.buf;
  if (p.innerL2 >= 0) {
    const s = p.layerStart[p.innerL2];
    out.eth = { src: macString(b, s + 6), dst: macString(b, s) };
  }
  const l3 = p.innerL3;
  if (l3 >= 0) {
    const src = layerSrc(p, l3);
    const dst = layerDst(p, l3);
    if (src !== undefined) out.src = src;
    if (dst !== undefined) out.dst = dst;
  }
  const proto = innerProto(p);
  if (proto !== undefined) out.proto = proto;
  const l4 = p.innerL4;
  if (l4 >= 0) {
    const k = p.layerKind[l4];
    if (k === Layer.Icmp || k === Layer.Icmpv6) {
      const icmp = icmpInfo(p, l4);
      if (icmp) out.icmp = icmp;
    } else {
      const sp = layerSport(p, l4);
      if (sp >= 0) {
        out.sport = sp;
        out.dport = layerDport(p, l4);
      }
    }
  }
  return out;
}

/** Every field of every layer, via the decoders' `fields()`; a layer whose decoder fails shows its name only. */
export function describeLayers(p: PacketView, reg: Registry): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < p.layerCount; i++) {
    const kind = p.layerKind[i];
    const m = reg.modules[kind];
    let f: Record<string, unknown> = {};
    try {
      if (m) f = m.fields(p, i);
    } catch {
      f = {};
    }
    out.push({ layer: LAYER_NAMES[kind], offset: p.layerStart[i] - p.start, ...f });
  }
  return out;
}

/** Topology names for every tunnel and the inner addresses. */
export function describeNames(p: PacketView, topo: Topology, inner: InnerInfo | undefined): PacketNames {
  const tunnels: (TunnelNames | null)[] = [];
  for (let t = 0; t < p.tunnelCount; t++) tunnels.push(topo.tunnelNames(p, t) ?? null);
  const out: PacketNames = { tunnels };
  if (inner?.src !== undefined) {
    const n = topo.hostName(inner.src);
    if (n !== undefined) out.src = n;
  }
  if (inner?.dst !== undefined) {
    const n = topo.hostName(inner.dst);
    if (n !== undefined) out.dst = n;
  }
  return out;
}

/** Materialise the whole packet: the object behind one JSON line. */
export function describePacket(p: PacketView, opts: DescribeOptions = {}): DecodedPacket {
  const layers: string[] = [];
  for (let i = 0; i < p.layerCount; i++) layers.push(LAYER_NAMES[p.layerKind[i]]);
  const tunnels: TunnelInfo[] = [];
  const vnis: number[] = [];
  for (let t = 0; t < p.tunnelCount; t++) {
    tunnels.push(describeTunnel(p, t));
    if (hasVni(p.tunnelKind[t]) && p.tunnelId[t] >= 0) vnis.push(p.tunnelId[t]);
  }
  const labels: number[] = [];
  for (let i = 0; i < p.labelCount; i++) labels.push(p.labels[i] >>> 12);
  const vlans: number[] = [];
  for (let i = 0; i < p.vlanCount; i++) vlans.push(p.vlanTci[i] & 0xfff);
  const out: DecodedPacket = {
    frame: p.frame,
    ts: tsString(p.tsSec, p.tsNsec),
    iface: p.iface,
    caplen: p.caplen,
    len: p.len,
    layers,
    tunnels,
    vnis,
    labels,
    vlans,
  };
  const inner = describeInner(p);
  if (inner) out.inner = inner;
  if (opts.topology) out.names = describeNames(p, opts.topology, inner);
  if (p.problemCount > 0) {
    const errors: DecodeError[] = [];
    for (let i = 0; i < p.problemCount; i++) {
      errors.push({
        kind: PROBLEM_NAMES[p.problemKind[i]],
        layer: LAYER_NAMES[p.problemLayer[i]],
        offset: p.problemOffset[i],
      });
    }
    out.errors = errors;
  }
  if (p.comment !== undefined) out.comment = p.comment;
  if (opts.detail && opts.reg) out.detail = describeLayers(p, opts.reg);
  return out;
}
