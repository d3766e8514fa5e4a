/**
 * One tcpdump-like line per packet: time, tunnel context, ` | `, the inner summary, decode problems.
 *
 *   12:07:02.093007 gre 172.20.0.25>172.20.0.23 mpls[31] | 12.12.0.102 > 10.10.0.100 ICMP echo request id 15119 seq 20030
 *   12:07:02.093007 vlan 50 172.17.2.10>172.17.2.11 geneve vni 8 ovn 2->1 | 192.168.1.13 > 192.168.1.14 ICMP echo request id 1 seq 1
 *
 * Outer endpoints follow `gre`/`ipip` (the IP header carries the tunnel directly) and precede a
 * UDP-carried tunnel's name; they are printed once per outer IP header.
 */
import { text, u16 } from '../bytes.js';
import {
  arpIpv4,
  describeLayers,
  ipProtocol,
  ipProtoName,
  isEcho,
  layerAddrAt,
  layerDport,
  layerDst,
  layerSport,
  layerSrc,
} from '../describe.js';
import { Layer, LAYER_NAMES, PROBLEM_NAMES, Tunnel, TUNNEL_NAMES } from '../layers.js';
import { TunnelFlag, type PacketView } from '../packet.js';
import type { Registry } from '../registry.js';
import type { Topology, TunnelNames } from '../topology/types.js';
import {
  BatchedLineSink,
  ByteBatch,
  fragment,
  IPV6_MAX,
  NUM_MAX,
  putAsciiBytes,
  putByte,
  putFrag,
  putHex,
  putIpv4,
  putIpv4Number,
  putIpv6,
  putMac,
  putNum,
  room,
  type Fragment,
} from './byte-batch.js';
import type { LineOutput } from './line-output.js';
import type { TimeFormatter } from './time.js';

const ICMP_TYPES: Record<number, string> = {
  0: 'echo reply',
  3: 'unreachable',
  4: 'source quench',
  5: 'redirect',
  8: 'echo request',
  11: 'time exceeded',
  12: 'parameter problem',
  13: 'timestamp request',
  14: 'timestamp reply',
};

const ICMP6_TYPES: Record<number, string> = {
  1: 'unreachable',
  2: 'packet too big',
  3: 'time exceeded',
  4: 'parameter problem',
  128: 'echo request',
  129: 'echo reply',
  130: 'multicast listener query',
  131: 'multicast listener report',
  133: 'router solicitation',
  134: 'router advertisement',
  135: 'neighbor solicitation',
  136: 'neighbor advertisement',
  143: 'multicast listener report v2',
};

/** `S.`-style TCP flags as tcpdump prints them. */
function tcpFlags(f: number): string {
  let s = '';
  if (f & 0x01) s += 'F';
  if (f & 0x02) s += 'S';
  if (f & 0x04) s += 'R';
  if (f & 0x08) s += 'P';
  if (f & 0x20) s += 'U';
  if (f & 0x40) s += 'E';
  if (f & 0x80) s += 'W';
  if (f & 0x10) s += '.';
  return s === '' ? 'none' : s;
}

/** Host name for an address when a topology knows it, else the address. */
function host(topo: Topology | undefined, ip: string | undefined): string {
  if (ip === undefined) return '?';
  return topo?.hostName(ip) ?? ip;
}

/*
 * The line is written with the put* kernels (byte-batch.ts): each writer below takes the write
 * position, reserves its own worst case with room() and returns the new position. Text of unbounded
 * length (topology names, Contrail VN names) goes through putName, which reserves again after it:
 * after any call that may write such text, a writer takes the view anew from room().
 */

const SPACE = 32;
const COMMA = 44;
const GT = 62;
const QUESTION = 63;
const DOT = 46;

const F_VLAN = fragment('vlan ');
const F_ARROW = fragment('->');
const F_SPACED_GT = fragment(' > ');
const F_BAR = fragment(' |');
const F_VNI = fragment(' vni ');
const F_OVN = fragment(' ovn ');
const F_GRE = fragment('gre');
const F_IPIP = fragment('ipip');
const F_KEY = fragment(' key ');
const F_MPLS = fragment('mpls[');
const F_ERSPAN = fragment('erspan');
const F_V = fragment(' v');
const F_SESSION = fragment(' session ');
const F_VLAN_MEMBER = fragment(' vlan ');
const F_CONTRAIL = fragment('contrail-mirror');
const F_HOST = fragment(' host ');
const F_INGRESS = fragment(' ingress');
const F_EGRESS = fragment(' egress');
const F_VN = fragment(' vn ');
const F_SRCVN = fragment(' srcvn ');
const F_DSTVN = fragment(' dstvn ');
const F_JMIRROR = fragment('jmirror');
const F_MIRROR = fragment(' mirror ');
const F_8023 = fragment(' 802.3 length ');
const F_ETHERTYPE = fragment(' ethertype 0x');
const F_ICMP_TYPE = fragment(' ICMP type ');
const F_ICMP6_TYPE = fragment(' ICMP6 type ');
const F_ID = fragment(' id ');
const F_SEQ = fragment(' seq ');
const F_CODE = fragment(' code ');
const F_ICMP = fragment(' ICMP');
const F_ICMP6 = fragment(' ICMP6');
const F_IP = fragment(' IP');
const F_UDP_LEN = fragment(' UDP len ');
const F_TCP_LEN = fragment(' TCP len ');
const F_ARP = fragment('ARP');
const F_OP = fragment(' op ');
const F_WHO_HAS = fragment(' who-has ');
const F_TELL = fragment(' tell ');
const F_REPLY = fragment(' reply ');
const F_IS_AT = fragment(' is-at ');
const F_IN = fragment(' in ');
const F_AT = fragment(' at ');

/** Fragments already built, by text: the tables repeat a few texts many times (built at every start-up). */
const built = new Map<string, Fragment>();

/** A fragment per value 0..255 of `text(v)`, or undefined where it gives undefined. */
function table(text: (v: number) => string | undefined): (Fragment | undefined)[] {
  return Array.from({ length: 256 }, (_, v) => {
    const t = text(v);
    if (t === undefined) return undefined;
    let f = built.get(t);
    if (f === undefined) built.set(t, (f = fragment(t)));
    return f;
  });
}

/** ` ICMP echo reply` per ICMP type with a name; the same for ICMPv6. */
const ICMP_NAMED = table((v) => (ICMP_TYPES[v] === undefined ? undefined : ` ICMP ${ICMP_TYPES[v]}`));
const ICMP6_NAMED = table((v) => (ICMP6_TYPES[v] === undefined ? undefined : ` ICMP6 ${ICMP6_TYPES[v]}`));
/** ` TCP [S.] len ` per TCP flags byte. */
const TCP_FLAGS_LEN = table((f) => ` TCP [${tcpFlags(f)}] len `) as Fragment[];
/** ` TCP` / ` GRE`… after the addresses of an IP header without a decoded L4 layer: the protocol field's name, upper case. */
const IP_PROTO_UPPER = table((n) => ` ${ipProtoName(n).toUpperCase()}`) as Fragment[];
/** The encapsulation's name per tunnel kind ('' when it has none). */
const TUNNEL_NAME = table((k) => TUNNEL_NAMES[k] ?? '') as Fragment[];
/** A problem as `[truncated` and its layer as `udp`, as their template strings print them (undefined too). */
const PROBLEM_OPEN = table((k) => `[${PROBLEM_NAMES[k]}`) as Fragment[];
const LAYER_TEXT = table((k) => `${LAYER_NAMES[k]}`) as Fragment[];
/** A layer name in the list printed for an inner frame without addresses ('' when it has none). */
const LAYER_NAME = table((k) => LAYER_NAMES[k] ?? '') as Fragment[];

// Worst cases for room(). The constant parts are rounded up generously.
/** Two addresses and the `>` between them. */
const ENDS_MAX = 2 * IPV6_MAX + 1;
/** One encapsulation header without its labels or names: its longest fragments and three numbers. */
const TUNNEL_MAX = 96 + 3 * NUM_MAX + ENDS_MAX;
/** The inner summary: two addresses, two ports or ICMP fields, the longest fragments. */
const INNER_MAX = 128 + 2 * IPV6_MAX + 4 * NUM_MAX;
/** One VLAN tag: `vlan ` or `,`, its id and the separator. */
const VLAN_MAX = 8 + NUM_MAX;

/**
 * Text that may be anything (a topology name, a decoded VN name) through the checked path, then room
 * for `rest` more bytes; returns the position after it (take the view again with room()).
 */
function putName(w: ByteBatch, q: number, s: string, rest: number): number {
  w.pos = q;
  w.text(s);
  w.reserve(rest);
  return w.pos;
}

/** `sep` between parts: a space unless nothing was written since `start`. */
function putSep(d: DataView, q: number, start: number): number {
  return q > start ? putByte(d, q, SPACE) : q;
}

/** The address of IP/ARP layer `i` (`?` when unknown), at most IPV6_MAX bytes. */
function putAddr(d: DataView, q: number, p: PacketView, i: number, dst: boolean): number {
  const at = layerAddrAt(p, i, dst);
  if (at < 0) return putByte(d, q, QUESTION);
  return p.layerKind[i] === Layer.Ipv6 ? putIpv6(d, q, p.buf, at) : putIpv4(d, q, p.buf, at);
}

/** The address of IP/ARP layer `i`, or its host name with a topology; then room for `rest`. */
function putHost(w: ByteBatch, q: number, p: PacketView, i: number, dst: boolean, topo: Topology | undefined, rest: number): number {
  if (topo) return putName(w, q, host(topo, dst ? layerDst(p, i) : layerSrc(p, i)), rest);
  return putAddr(room(w, q, IPV6_MAX + rest), q, p, i, dst);
}

/** A name carried in the packet (bytes [start, start + n)): copied as it is when ASCII, else decoded. */
function putPacketName(w: ByteBatch, q: number, p: PacketView, start: number, n: number, rest: number): number {
  const r = putAsciiBytes(room(w, q, n + rest), q, p.buf, start, start + n);
  return r >= 0 ? r : putName(w, q, text(p.buf, start, start + n), rest);
}

/**
 * VLAN tags of layers [from, to) as `vlan 200,2001 vlan 5` (consecutive tags print as one stack);
 * `vlan` indexes the first tag's TCI.
 */
function putVlans(w: ByteBatch, q: number, p: PacketView, from: number, to: number, vlan: number, start: number): number {
  const d = room(w, q, (to - from) * VLAN_MAX);
  for (let i = from; i < to; i++) {
    if (p.layerKind[i] !== Layer.Vlan) continue;
    const id = p.vlanTci[vlan++] & 0xfff;
    if (i > from && p.layerKind[i - 1] === Layer.Vlan) q = putByte(d, q, COMMA);
    else q = putFrag(d, putSep(d, q, start), F_VLAN);
    q = putNum(d, q, id);
  }
  return q;
}

/** Outer endpoints `src>dst` of a tunnel carried by IP layer `ip`, then room for `rest`. */
function putEnds(w: ByteBatch, q: number, p: PacketView, ip: number, names: TunnelNames | undefined, topo: Topology | undefined, rest: number): number {
  if (names === undefined && topo === undefined) {
    const d = room(w, q, ENDS_MAX + rest);
    return putAddr(d, putByte(d, putAddr(d, q, p, ip, false), GT), p, ip, true);
  }
  q = names?.src !== undefined ? putName(w, q, names.src, 1) : putHost(w, q, p, ip, false, topo, 1);
  q = putByte(w.dv, q, GT);
  return names?.dst !== undefined ? putName(w, q, names.dst, rest) : putHost(w, q, p, ip, true, topo, rest);
}

/** The tunnel context: outer VLANs, endpoints and every encapsulation header, outermost first. */
function putContext(w: ByteBatch, q: number, p: PacketView, topo: Topology | undefined): number {
  const start = q;
  const stop = p.innerStart >= 0 ? p.innerStart : p.layerCount;
  let vlan = 0;
  let t = 0;
  let lastIp = -1;
  for (let i = 0; i < stop; i++) {
    if (p.layerKind[i] === Layer.Vlan) {
      // a run of tags: print the whole stack at its first tag
      if (i === 0 || p.layerKind[i - 1] !== Layer.Vlan) {
        let e = i;
        while (e < stop && p.layerKind[e] === Layer.Vlan) e++;
        q = putVlans(w, q, p, i, e, vlan, start);
        vlan += e - i;
      }
      continue;
    }
    while (t < p.tunnelCount && p.tunnelLayer[t] === i) {
      const names = topo?.tunnelNames(p, t);
      let ip = p.tunnelOuterIp[t];
      // endpoints are printed once per outer IP header
      if (ip === lastIp) ip = -1;
      else if (ip >= 0) lastIp = ip;
      const kind = p.tunnelKind[t];
      const ipCarried = kind === Tunnel.Gre || kind === Tunnel.IpInIp;
      if (ip >= 0 && !ipCarried) q = putEnds(w, putSep(room(w, q, 1), q, start), p, ip, names, topo, 1);
      q = putTunnel(w, putSep(room(w, q, 1), q, start), p, t, names, ipCarried ? ip : -1, topo);
      t++;
    }
  }
  return q;
}

/**
 * One encapsulation header: `geneve vni 8 ovn 2->1`, `mpls[16,31]`, `gre 10.0.0.1>10.0.0.2 key 5`…
 * `ip` >= 0 (GRE, IP-in-IP only): its endpoints go right after the name.
 */
function putTunnel(w: ByteBatch, q: number, p: PacketView, t: number, names: TunnelNames | undefined, ip: number, topo: Topology | undefined): number {
  const id = p.tunnelId[t];
  const id2 = p.tunnelId2[t];
  const flags = p.tunnelFlags[t];
  const kind = p.tunnelKind[t] as Tunnel;
  let d = room(w, q, TUNNEL_MAX);
  switch (kind) {
    case Tunnel.Vxlan:
    case Tunnel.VxlanGpe:
    case Tunnel.Geneve: {
      q = putFrag(d, q, TUNNEL_NAME[kind]);
      if (names?.network !== undefined) {
        q = putName(w, putByte(d, q, SPACE), names.network, TUNNEL_MAX);
        d = w.dv;
      } else if (id >= 0) q = putNum(d, putFrag(d, q, F_VNI), id);
      const inp = p.tunnelOvnIn[t];
      const outp = p.tunnelOvnOut[t];
      if (inp < 0 && outp < 0) return q;
      if (names?.inport === undefined && names?.outport === undefined) {
        q = putFrag(d, q, F_OVN);
        q = inp >= 0 ? putNum(d, q, inp) : putByte(d, q, QUESTION);
        q = putFrag(d, q, F_ARROW);
        return outp >= 0 ? putNum(d, q, outp) : putByte(d, q, QUESTION);
      }
      q = putByte(d, q, SPACE);
      if (names.inport !== undefined) q = putName(w, q, names.inport, TUNNEL_MAX);
      else q = inp >= 0 ? putNum(w.dv, q, inp) : putByte(w.dv, q, QUESTION);
      q = putFrag(w.dv, q, F_ARROW);
      if (names.outport !== undefined) return putName(w, q, names.outport, 0);
      return outp >= 0 ? putNum(w.dv, q, outp) : putByte(w.dv, q, QUESTION);
    }
    case Tunnel.Gre:
    case Tunnel.IpInIp:
      q = putFrag(d, q, kind === Tunnel.Gre ? F_GRE : F_IPIP);
      if (ip >= 0) {
        q = putEnds(w, putByte(d, q, SPACE), p, ip, names, topo, TUNNEL_MAX);
        d = w.dv;
      }
      return kind === Tunnel.Gre && id >= 0 ? putNum(d, putFrag(d, q, F_KEY), id) : q;
    case Tunnel.Mpls: {
      const from = p.tunnelLabelStart[t];
      const e = from + p.tunnelLabelCount[t];
      d = room(w, q, TUNNEL_MAX + (e - from) * (NUM_MAX + 1));
      q = putFrag(d, q, F_MPLS);
      for (let i = from; i < e; i++) {
        if (i > from) q = putByte(d, q, COMMA);
        q = putNum(d, q, p.labels[i] >>> 12);
      }
      q = putByte(d, q, 93);
      if (names?.network !== undefined) q = putName(w, putByte(d, q, SPACE), names.network, 1);
      const where = names?.vm ?? names?.interface;
      return where !== undefined ? putName(w, putByte(w.dv, q, SPACE), where, 0) : q;
    }
    case Tunnel.Erspan:
      q = putFrag(d, q, F_ERSPAN);
      if (id2 >= 1) q = putNum(d, putFrag(d, q, F_V), id2);
      if (id >= 0) q = putNum(d, putFrag(d, q, F_SESSION), id);
      if (id2 >= 2 && (flags & 0xffff) !== 0) q = putNum(d, putFrag(d, q, F_VLAN_MEMBER), flags & 0xffff);
      return q;
    case Tunnel.ContrailMirror: {
      q = putFrag(d, q, F_CONTRAIL);
      if (id2 >= 0) q = putIpv4Number(d, putFrag(d, q, F_HOST), id2);
      if (id >= 0) q = putFrag(d, q, flags & TunnelFlag.ContrailIngress ? F_INGRESS : F_EGRESS);
      // Port mirroring carries one VN TLV (3 on RX, 4 on TX): name which one rather than print `>B`.
      const a = p.tunnelStrALen[t];
      const b = p.tunnelStrBLen[t];
      if (a >= 0 && b >= 0) {
        q = putPacketName(w, putFrag(d, q, F_VN), p, p.tunnelStrAStart[t], a, 1);
        q = putByte(w.dv, q, GT);
        return putPacketName(w, q, p, p.tunnelStrBStart[t], b, 0);
      }
      if (a >= 0) return putPacketName(w, putFrag(d, q, F_SRCVN), p, p.tunnelStrAStart[t], a, 0);
      if (b >= 0) return putPacketName(w, putFrag(d, q, F_DSTVN), p, p.tunnelStrBStart[t], b, 0);
      return q;
    }
    case Tunnel.Jmirror:
      q = putFrag(d, q, F_JMIRROR);
      if (id2 >= 0) q = putNum(d, putFrag(d, q, F_MIRROR), id2);
      return id >= 0 ? putNum(d, putFrag(d, q, F_SESSION), id) : q;
    default:
      return putName(w, q, TUNNEL_NAMES[kind] || 'tunnel', 0);
  }
}

/** Summary of the innermost frame: `12.12.0.102 > 10.10.0.100 ICMP echo request id 15119 seq 20030`. */
function putInner(w: ByteBatch, q: number, p: PacketView, topo: Topology | undefined): number {
  const first = p.innerStart;
  if (first < 0) return q;
  const b = p.buf;
  const start = q;
  q = putVlans(w, q, p, first, p.layerCount, countVlansBefore(p, first), start);
  let d = room(w, q, INNER_MAX);
  q = putSep(d, q, start);
  const l3 = p.innerL3;
  if (l3 < 0) {
    if (p.innerL2 >= 0) {
      const s = p.layerStart[p.innerL2];
      // the EtherType of the last L2 header (Ethernet or the last VLAN tag)
      let last = p.innerL2;
      while (last + 1 < p.layerCount && p.layerKind[last + 1] === Layer.Vlan) last++;
      const typeAt = p.layerKind[last] === Layer.Vlan ? p.layerStart[last] + 2 : s + 12;
      const type = u16(b, typeAt);
      q = putMac(d, putFrag(d, putMac(d, q, b, s + 6), F_SPACED_GT), b, s);
      if (type < 0x0600) return putNum(d, putFrag(d, q, F_8023), type);
      return putHex(d, putFrag(d, q, F_ETHERTYPE), b, typeAt, typeAt + 2);
    }
    // as String.trim() of `vlans names`: without a name the separator would trail
    const e = putLayerNames(w, q, p, first);
    return e === q && q > start ? q - 1 : e;
  }
  if (p.layerKind[l3] === Layer.Arp) return putArp(d, q, p, l3);
  q = putHost(w, q, p, l3, false, topo, INNER_MAX);
  d = w.dv;
  const l4 = p.innerL4;
  if (l4 < 0) {
    q = putHost(w, putFrag(d, q, F_SPACED_GT), p, l3, true, topo, INNER_MAX);
    const proto = ipProtocol(p, l3);
    return putFrag(w.dv, q, proto < 0 ? F_IP : IP_PROTO_UPPER[proto]);
  }
  const k = p.layerKind[l4];
  if (k === Layer.Icmp || k === Layer.Icmpv6) {
    q = putHost(w, putFrag(d, q, F_SPACED_GT), p, l3, true, topo, INNER_MAX);
    d = w.dv;
    const s = p.layerStart[l4];
    const lim = p.layerLimit[l4];
    if (s + 2 > lim) return putFrag(d, q, k === Layer.Icmp ? F_ICMP : F_ICMP6);
    const type = b[s];
    const code = b[s + 1];
    const named = (k === Layer.Icmp ? ICMP_NAMED : ICMP6_NAMED)[type];
    if (named !== undefined) q = putFrag(d, q, named);
    else q = putNum(d, putFrag(d, q, k === Layer.Icmp ? F_ICMP_TYPE : F_ICMP6_TYPE), type);
    if (isEcho(k, type) && s + 8 <= lim) {
      q = putNum(d, putFrag(d, q, F_ID), u16(b, s + 4));
      return putNum(d, putFrag(d, q, F_SEQ), u16(b, s + 6));
    }
    return code !== 0 || named === undefined ? putNum(d, putFrag(d, q, F_CODE), code) : q;
  }
  q = putNum(d, putByte(d, q, DOT), layerSport(p, l4));
  q = putHost(w, putFrag(d, q, F_SPACED_GT), p, l3, true, topo, INNER_MAX);
  d = w.dv;
  q = putNum(d, putByte(d, q, DOT), layerDport(p, l4));
  const s = p.layerStart[l4];
  const lim = p.layerLimit[l4];
  let head = F_UDP_LEN;
  if (k === Layer.Tcp) head = s + 14 <= lim ? TCP_FLAGS_LEN[b[s + 13]] : F_TCP_LEN;
  return putNum(d, putFrag(d, q, head), lim - p.layerEnd[l4]);
}

/** The names of layers [first, …) for an inner frame without addresses, as String.trim() of them joined by spaces. */
function putLayerNames(w: ByteBatch, q: number, p: PacketView, first: number): number {
  const d = room(w, q, (p.layerCount - first) * 24);
  const start = q;
  let blank = 0; // spaces owed: written only before a non-empty name, so none lead or trail
  for (let i = first; i < p.layerCount; i++) {
    if (i > first) blank++;
    const name = LAYER_NAME[p.layerKind[i]];
    if (name[0] === 0) continue;
    if (q > start) for (; blank > 0; blank--) q = putByte(d, q, SPACE);
    blank = 0;
    q = putFrag(d, q, name);
  }
  return q;
}

function countVlansBefore(p: PacketView, layer: number): number {
  let n = 0;
  for (let i = 0; i < layer; i++) if (p.layerKind[i] === Layer.Vlan) n++;
  return n;
}

/** ARP: `who-has`, `reply … is-at`, or the operation; within INNER_MAX. */
function putArp(d: DataView, q: number, p: PacketView, i: number): number {
  const s = p.layerStart[i];
  const b = p.buf;
  q = putFrag(d, q, F_ARP);
  if (s + 8 > p.layerLimit[i]) return q;
  const op = u16(b, s + 6);
  if (!arpIpv4(p, i)) return putNum(d, putFrag(d, q, F_OP), op);
  // sender protocol address at +14, target at +24
  if (op === 1) return putIpv4(d, putFrag(d, putIpv4(d, putFrag(d, q, F_WHO_HAS), b, s + 24), F_TELL), b, s + 14);
  if (op === 2) return putMac(d, putFrag(d, putIpv4(d, putFrag(d, q, F_REPLY), b, s + 14), F_IS_AT), b, s + 8);
  q = putByte(d, putNum(d, putFrag(d, q, F_OP), op), SPACE);
  return putIpv4(d, putFrag(d, putIpv4(d, q, b, s + 14), F_SPACED_GT), b, s + 24);
}

/** Decode problems as `[truncated in udp at 34]`, space separated. */
function putProblems(w: ByteBatch, q: number, p: PacketView): number {
  const d = room(w, q, p.problemCount * (64 + NUM_MAX));
  for (let i = 0; i < p.problemCount; i++) {
    if (i > 0) q = putByte(d, q, SPACE);
    q = putFrag(d, putFrag(d, q, PROBLEM_OPEN[p.problemKind[i]]), F_IN);
    q = putFrag(d, putFrag(d, q, LAYER_TEXT[p.problemLayer[i]]), F_AT);
    q = putByte(d, putNum(d, q, p.problemOffset[i]), 93);
  }
  return q;
}

/** Scratch buffer behind the string-returning API (formatLine, formatContext, formatInner). */
const scratch = new ByteBatch();

function asString(write: (w: ByteBatch) => number): string {
  scratch.pos = 0;
  const end = write(scratch);
  return scratch.buf.toString('utf8', 0, end);
}

/** The tunnel context: outer VLANs, endpoints and every encapsulation header, outermost first. */
export function formatContext(p: PacketView, topo?: Topology): string {
  return asString((w) => putContext(w, 0, p, topo));
}

/** Summary of the innermost frame: `12.12.0.102 > 10.10.0.100 ICMP echo request id 15119 seq 20030`. */
export function formatInner(p: PacketView, topo?: Topology): string {
  return asString((w) => putInner(w, 0, p, topo));
}

/** Every field of every layer, one indented line per layer (for `-v`). */
export function formatDetail(p: PacketView, reg: Registry): string {
  let out = '';
  for (const f of describeLayers(p, reg)) {
    const { layer, ...rest } = f;
    let line = `    ${String(layer)}`;
    for (const [k, v] of Object.entries(rest)) line += ` ${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`;
    out += `\n${line}`;
  }
  return out;
}

export interface TextLineOptions {
  time: TimeFormatter;
  /** >0: add every field of every layer. */
  verbose?: number;
  reg?: Registry;
  topology?: Topology;
}

/**
 * Write the line for one packet (without the newline) at w.pos, and return where it ends: time,
 * context, ` | `, inner summary, problems, each after a space unless it is the first part; a part that
 * turns out empty is taken back.
 */
function putLine(w: ByteBatch, p: PacketView, o: TextLineOptions): number {
  const start = w.pos;
  o.time.write(w, p.tsSec, p.tsNsec);
  let q = w.pos;
  let mark = q;
  q = putSep(room(w, q, 1), q, start);
  const ctxAt = q;
  q = putContext(w, q, p, o.topology);
  const hasCtx = q > ctxAt;
  if (!hasCtx) q = mark;
  mark = q;
  const d = room(w, q, 3);
  if (hasCtx) q = putFrag(d, q, F_BAR);
  q = putSep(d, q, start);
  const innerAt = q;
  q = putInner(w, q, p, o.topology);
  if (q === innerAt) q = mark; // no inner frame: no ` |` either
  if (p.problemCount > 0) q = putProblems(w, putSep(room(w, q, 1), q, start), p);
  if (o.verbose && o.reg) q = putName(w, q, formatDetail(p, o.reg), 0);
  return q;
}

/** Write the line for one packet (without the newline) into a byte batch, at its position. */
export function writeTextLine(w: ByteBatch, p: PacketView, o: TextLineOptions): void {
  w.pos = putLine(w, p, o);
}

/** Whole line for one packet (without the trailing newline). */
export function formatLine(p: PacketView, o: TextLineOptions): string {
  return asString((w) => putLine(w, p, o));
}

/** `peelcap read`: one text line per packet, written straight into bytes (no strings per line). */
export class TextSink extends BatchedLineSink {
  constructor(
    out: LineOutput,
    private readonly opts: TextLineOptions,
  ) {
    super(out);
  }

  packet(p: PacketView): void {
    writeTextLine(this.batch, p, this.opts);
    this.batch.endLine();
  }
}
