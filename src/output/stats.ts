/**
 * `peelcap stats`: counters per tunnel kind, VNI, MPLS label stack, VLAN, outer endpoint pair, inner
 * protocol, inner conversation and decode problem. Every key is a number (addresses are interned to
 * small ids once), so counting a packet builds no strings; text is made only in the report.
 */
import { ipv4String, ipv6String, u16, u32 } from '../bytes.js';
import { hasVni, ipProtocol, ipProtoName } from '../describe.js';
import { parseIpv6 } from '../filter/literals.js';
import { Layer, LAYER_NAMES, PROBLEM_NAMES, Tunnel, TUNNEL_NAMES } from '../layers.js';
import type { PacketView } from '../packet.js';
import { namesKeys, namesText, type Topology, type TunnelNames } from '../topology/types.js';
import { CounterTable } from './counter-table.js';
import type { PacketSink } from './sink.js';

/** Packets and bytes (wire length) of one group. */
export class Counter {
  packets = 0;
  bytes = 0;
  add(len: number): void {
    this.packets++;
    this.bytes += len;
  }
}

/** Conversations tracked at most; later new ones are counted together as `otherConversations`. */
export const MAX_CONVERSATIONS = 1_000_000;
const ID_BITS = 2 ** 26;
const ADDR_MAX = ID_BITS - 1;

/** Interns IPv4/IPv6 addresses to small ids through numeric-keyed maps; the text is built once per address. */
class AddressTable {
  private readonly v4 = new Map<number, number>();
  private readonly v6 = new Map<number, Map<number, Map<number, number>>>();
  readonly text: string[] = [];
  /** text -> id, built only when merging snapshots (the hot path keys by bytes). */
  private byText: Map<string, number> | undefined;

  /** Id of the address of `len` (4 or 16) bytes at b[i]; -1 when the table is full. */
  id(b: Uint8Array, i: number, len: number): number {
    if (len === 4) {
      const k = u32(b, i) | 0; // int32: a small-integer Map key, never boxed
      let id = this.v4.get(k);
      if (id === undefined) {
        if (this.text.length >= ADDR_MAX) return -1;
        id = this.text.length;
        this.text.push(ipv4String(b, i));
        this.v4.set(k, id);
      }
      return id;
    }
    // 16 bytes as three numbers of 48, 48 and 32 bits
    const k1 = u16(b, i) * 2 ** 32 + u32(b, i + 2);
    const k2 = u16(b, i + 6) * 2 ** 32 + u32(b, i + 8);
    const k3 = u32(b, i + 12);
    let m1 = this.v6.get(k1);
    if (m1 === undefined) this.v6.set(k1, (m1 = new Map()));
    let m2 = m1.get(k2);
    if (m2 === undefined) m1.set(k2, (m2 = new Map()));
    let id = m2.get(k3);
    if (id === undefined) {
      if (this.text.length >= ADDR_MAX) return -1;
      id = this.text.length;
      this.text.push(ipv6String(b, i));
      m2.set(k3, id);
    }
    return id;
  }

  /** Id of an address given as text (merging snapshots); -1 when the table is full. */
  idOfText(text: string): number {
    if (this.byText === undefined) this.byText = new Map(this.text.map((t, i) => [t, i]));
    let id = this.byText.get(text);
    if (id === undefined) {
      if (this.text.length >= ADDR_MAX) return -1;
      id = this.text.length;
      this.text.push(text);
      this.byText.set(text, id);
      // later packets of the same address, seen as bytes, must find this id too
      this.internParsed(text, id);
    }
    return id;
  }

  private internParsed(text: string, id: number): void {
    if (text.includes(':')) {
      const b = parseIpv6(text);
      if (!b) return;
      const k1 = u16(b, 0) * 2 ** 32 + u32(b, 2);
      const k2 = u16(b, 6) * 2 ** 32 + u32(b, 8);
      let m1 = this.v6.get(k1);
      if (m1 === undefined) this.v6.set(k1, (m1 = new Map()));
      let m2 = m1.get(k2);
      if (m2 === undefined) m1.set(k2, (m2 = new Map()));
      m2.set(u32(b, 12), id);
    } else {
      const p = text.split('.').map(Number);
      this.v4.set((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3], id);
    }
  }
}

/** Address id of the source (which=0) or destination (1) of IP layer `l`, or -1. */
function addrId(table: AddressTable, p: PacketView, l: number, which: number): number {
  const s = p.layerStart[l];
  if (p.layerKind[l] === Layer.Ipv4) return s + 20 <= p.layerLimit[l] ? table.id(p.buf, s + 12 + 4 * which, 4) : -1;
  if (p.layerKind[l] === Layer.Ipv6) return s + 40 <= p.layerLimit[l] ? table.id(p.buf, s + 8 + 16 * which, 16) : -1;
  return -1;
}

function getCounter<K>(m: Map<K, Counter>, k: K): Counter {
  let c = m.get(k);
  if (c === undefined) m.set(k, (c = new Counter()));
  return c;
}

function addTo(c: Counter, packets: number, bytes: number): void {
  c.packets += packets;
  c.bytes += bytes;
}

function mergeEntries<K>(m: Map<K, Counter>, entries: Entry<K>[]): void {
  for (const [k, p, b] of entries) addTo(getCounter(m, k), p, b);
}

function bump<K>(m: Map<K, Counter>, k: K, len: number): void {
  let c = m.get(k);
  if (c === undefined) m.set(k, (c = new Counter()));
  c.add(len);
}

/** A group in the report. */
export interface StatsRow {
  key: string;
  packets: number;
  bytes: number;
}

/** A conversation in the report: both directions of one inner 5-tuple inside one overlay network. */
export interface ConversationRow extends StatsRow {
  network: string;
  a: string;
  b: string;
  proto: string;
  aport?: number;
  bport?: number;
}

/** [key, packets, bytes] */
type Entry<K> = [K, number, number];

/**
 * Every counter of a StatsCollector as plain data (structured-clone and JSON safe), so counters kept
 * by several workers over parts of one input can be merged. Address-keyed entries use ids into `addrs`.
 */
export interface StatsSnapshot {
  packets: number;
  bytes: number;
  /** [sec, nsec] of the first and last packet, or null when none */
  first: [number, number] | null;
  last: [number, number] | null;
  byTunnel: [number, number][];
  noTunnel: [number, number];
  vnis: Entry<number>[];
  stacks: Entry<number>[];
  deepStacks: Entry<string>[];
  vlans: Entry<number>[];
  addrs: string[];
  endpoints: Entry<number>[];
  protos: Entry<number>[];
  /** [network key, address pair key, proto/ports key, packets, bytes] */
  convs: [number, number, number, number, number][];
  otherConvs: [number, number];
  problems: number[];
  unresolved: number;
  /** [names text, packets, bytes] per named tunnel (with a topology). */
  names: Entry<string>[];
}

/** `peelcap stats --json` output. */
export interface StatsReport {
  packets: number;
  bytes: number;
  first?: string;
  last?: string;
  durationSeconds?: number;
  tunnels: StatsRow[];
  vnis: StatsRow[];
  labelStacks: StatsRow[];
  vlans: StatsRow[];
  endpoints: StatsRow[];
  innerProtocols: StatsRow[];
  conversations: ConversationRow[];
  conversationCount: number;
  otherConversations?: StatsRow;
  problems: StatsRow[];
  /** With a topology: packets/bytes per named overlay network / port pair / interface. */
  names?: StatsRow[];
  /** With a topology: packets with a tunnel key (VNI, label, port…) the topology has no name for. */
  unresolvedNames?: number;
}

export class StatsCollector {
  packets = 0;
  bytes = 0;
  private firstSec = -1;
  private firstNsec = 0;
  private lastSec = -1;
  private lastNsec = 0;
  private readonly byTunnel: Counter[] = Array.from({ length: TUNNEL_NAMES.length }, () => new Counter());
  private readonly noTunnel = new Counter();
  /** key: tunnel kind * 2^24 + VNI */
  private readonly vnis = new Map<number, Counter>();
  /** key: count * 2^40 + label1 * 2^20 + label2, for stacks of 1 or 2 labels */
  private readonly stacks = new Map<number, Counter>();
  /** Deeper stacks (rare) keyed by their text. */
  private readonly deepStacks = new Map<string, Counter>();
  private readonly vlans = new Map<number, Counter>();
  private readonly addrs = new AddressTable();
  /** [srcId, dstId] of the outermost tunnel's IP header */
  private readonly endpoints = new CounterTable(2, 256);
  /** by inner L4 layer kind, ARP, or (for IP without a decoded L4) 100 + IP protocol */
  private readonly protos = new Map<number, Counter>();
  /** [kind << 9 | has-id << 8 | proto, network id, address a, address b, port a << 16 | port b] (see convWords) */
  private readonly convs = new CounterTable(5, 4096);
  private readonly otherConvs = new Counter();
  private readonly problems: number[] = new Array<number>(PROBLEM_NAMES.length).fill(0);
  private unresolved = 0;
  /** Counted by the topology's cached names object (no string per packet); `mergedNames` by text. */
  private readonly names = new Map<TunnelNames, Counter>();
  private readonly mergedNames = new Map<string, Counter>();

  constructor(private readonly topology?: Topology) {}

  add(p: PacketView): void {
    const len = p.len;
    this.packets++;
    this.bytes += len;
    if (this.firstSec < 0) {
      this.firstSec = p.tsSec;
      this.firstNsec = p.tsNsec;
    }
    this.lastSec = p.tsSec;
    this.lastNsec = p.tsNsec;

    let seen = 0;
    for (let t = 0; t < p.tunnelCount; t++) {
      const kind = p.tunnelKind[t];
      if (!(seen & (1 << kind))) {
        seen |= 1 << kind;
        this.byTunnel[kind]?.add(len);
      }
      if (hasVni(kind) && p.tunnelId[t] >= 0) bump(this.vnis, kind * 2 ** 24 + p.tunnelId[t], len);
      if (kind === Tunnel.Mpls) this.countStack(p, t, len);
    }
    if (this.topology) this.countNames(this.topology, p, len);
    if (p.tunnelCount === 0) this.noTunnel.add(len);
    for (let i = 0; i < p.vlanCount; i++) bump(this.vlans, p.vlanTci[i] & 0xfff, len);
    if (p.tunnelCount > 0 && p.tunnelOuterIp[0] >= 0) {
      const ip = p.tunnelOuterIp[0];
      const a = addrId(this.addrs, p, ip, 0);
      const b = addrId(this.addrs, p, ip, 1);
      if (a >= 0 && b >= 0) {
        this.endpoints.key[0] = a;
        this.endpoints.key[1] = b;
        this.endpoints.add(1, len);
      }
    }
    const proto = this.protoKey(p);
    if (proto >= 0) bump(this.protos, proto, len);
    this.countConversation(p, len);
    for (let i = 0; i < p.problemCount; i++) this.problems[p.problemKind[i]]++;
  }

  private countStack(p: PacketView, t: number, len: number): void {
    const n = p.tunnelLabelCount[t];
    const s = p.tunnelLabelStart[t];
    if (n === 0) return;
    if (n <= 2) {
      const l1 = p.labels[s] >>> 12;
      const l2 = n === 2 ? p.labels[s + 1] >>> 12 : 0;
      bump(this.stacks, n * 2 ** 40 + l1 * 2 ** 20 + l2, len);
    } else {
      const parts: number[] = [];
      for (let i = 0; i < n; i++) parts.push(p.labels[s + i] >>> 12);
      bump(this.deepStacks, parts.join(','), len);
    }
  }

  private protoKey(p: PacketView): number {
    if (p.innerL4 >= 0) return p.layerKind[p.innerL4];
    if (p.innerL3 >= 0) {
      if (p.layerKind[p.innerL3] === Layer.Arp) return Layer.Arp;
      const n = ipProtocol(p, p.innerL3);
      return n < 0 ? -1 : 100 + n;
    }
    return p.innerStart >= 0 ? 99 : -1;
  }

  private countConversation(p: PacketView, len: number): void {
    const l3 = p.innerL3;
    if (l3 < 0 || p.layerKind[l3] === Layer.Arp) return;
    let a = addrId(this.addrs, p, l3, 0);
    let b = addrId(this.addrs, p, l3, 1);
    if (a < 0 || b < 0) return;
    const l4 = p.innerL4;
    let proto = ipProtocol(p, l3);
    let pa = 0;
    let pb = 0;
    if (l4 >= 0) {
      const k = p.layerKind[l4];
      proto = k === Layer.Tcp ? 6 : k === Layer.Udp ? 17 : proto;
      if ((k === Layer.Tcp || k === Layer.Udp) && p.layerStart[l4] + 4 <= p.layerLimit[l4]) {
        pa = u16(p.buf, p.layerStart[l4]);
        pb = u16(p.buf, p.layerStart[l4] + 2);
      }
    }
    // both directions in one entry: the lower (address, port) first
    if (a > b || (a === b && pa > pb)) {
      const x = a;
      a = b;
      b = x;
      const y = pa;
      pa = pb;
      pb = y;
    }
    const t = p.tunnelCount - 1;
    // the innermost tunnel's kind and id name the overlay network (tenants reuse addresses)
    convWords(this.convs.key, t < 0 ? 0 : p.tunnelKind[t], t < 0 ? -1 : networkId(p, t), proto, a, b, pa, pb);
    if (!this.convs.add(1, len, MAX_CONVERSATIONS)) this.otherConvs.add(len);
  }

  /** Conversations as [network key, address pair key, proto/ports key, packets, bytes] (the snapshot's form). */
  private convEntries(): StatsSnapshot['convs'] {
    const out: StatsSnapshot['convs'] = [];
    const c = this.convs;
    for (let e = 0; e < c.size; e++) {
      const w0 = c.word(e, 0);
      const kind = w0 >>> 9;
      const id = w0 & 256 ? c.word(e, 1) >>> 0 : -1;
      const ports = c.word(e, 4) >>> 0;
      out.push([
        kind === 0 ? 0 : kind * 2 ** 33 + id + 1,
        c.word(e, 2) * ID_BITS + c.word(e, 3),
        (w0 & 255) * 2 ** 32 + ports,
        c.packets(e),
        c.bytes(e),
      ]);
    }
    return out;
  }

  /** Endpoint pairs as [srcId * 2^26 + dstId, packets, bytes]. */
  private endpointEntries(): Entry<number>[] {
    const out: Entry<number>[] = [];
    for (let e = 0; e < this.endpoints.size; e++) {
      out.push([this.endpoints.word(e, 0) * ID_BITS + this.endpoints.word(e, 1), this.endpoints.packets(e), this.endpoints.bytes(e)]);
    }
    return out;
  }

  /** Group by the names behind each keyed tunnel; a packet with a key the topology lacks is unresolved. */
  private countNames(topology: Topology, p: PacketView, len: number): void {
    let unresolved = false;
    for (let t = 0; t < p.tunnelCount; t++) {
      const n = topology.tunnelNames(p, t);
      if (namesKeys(n)) bump(this.names, n!, len);
      else if (networkId(p, t) >= 0 || p.tunnelOvnIn[t] >= 0) unresolved = true;
    }
    if (unresolved) this.unresolved++;
  }

  /** All counters as plain data, for merging elsewhere. */
  snapshot(): StatsSnapshot {
    const entries = <K>(m: Map<K, Counter>): Entry<K>[] => [...m].map(([k, c]) => [k, c.packets, c.bytes]);
    // conversations and endpoints are read out of their tables
    return {
      packets: this.packets,
      bytes: this.bytes,
      first: this.firstSec < 0 ? null : [this.firstSec, this.firstNsec],
      last: this.lastSec < 0 ? null : [this.lastSec, this.lastNsec],
      byTunnel: this.byTunnel.map((c) => [c.packets, c.bytes]),
      noTunnel: [this.noTunnel.packets, this.noTunnel.bytes],
      vnis: entries(this.vnis),
      stacks: entries(this.stacks),
      deepStacks: entries(this.deepStacks),
      vlans: entries(this.vlans),
      addrs: [...this.addrs.text],
      endpoints: this.endpointEntries(),
      protos: entries(this.protos),
      convs: this.convEntries(),
      otherConvs: [this.otherConvs.packets, this.otherConvs.bytes],
      problems: [...this.problems],
      unresolved: this.unresolved,
      names: [...[...this.names].map(([n, c]): Entry<string> => [namesText(n), c.packets, c.bytes]), ...entries(this.mergedNames)],
    };
  }

  /** Add another collector's counters (e.g. a worker's, over another part of the input). */
  merge(s: StatsSnapshot): void {
    this.packets += s.packets;
    this.bytes += s.bytes;
    if (s.first && (this.firstSec < 0 || s.first[0] < this.firstSec || (s.first[0] === this.firstSec && s.first[1] < this.firstNsec))) {
      [this.firstSec, this.firstNsec] = s.first;
    }
    if (s.last && (this.lastSec < 0 || s.last[0] > this.lastSec || (s.last[0] === this.lastSec && s.last[1] > this.lastNsec))) {
      [this.lastSec, this.lastNsec] = s.last;
    }
    s.byTunnel.forEach(([p, b], k) => addTo(this.byTunnel[k], p, b));
    addTo(this.noTunnel, s.noTunnel[0], s.noTunnel[1]);
    mergeEntries(this.vnis, s.vnis);
    mergeEntries(this.stacks, s.stacks);
    mergeEntries(this.deepStacks, s.deepStacks);
    mergeEntries(this.vlans, s.vlans);
    mergeEntries(this.protos, s.protos);
    // their address ids -> ours
    const ids = s.addrs.map((t) => this.addrs.idOfText(t));
    const pairKey = (k: number): number => {
      const a = ids[Math.floor(k / ID_BITS)];
      const b = ids[k % ID_BITS];
      return a < 0 || b < 0 ? -1 : a * ID_BITS + b;
    };
    for (const [k, p, b] of s.endpoints) {
      const key = pairKey(k);
      if (key < 0) continue;
      this.endpoints.key[0] = Math.floor(key / ID_BITS);
      this.endpoints.key[1] = key % ID_BITS;
      this.endpoints.add(p, b);
    }
    for (const [net, pair, key, p, b] of s.convs) {
      const mapped = pairKey(pair);
      const kind = Math.floor(net / 2 ** 33);
      const ports = key % 2 ** 32;
      convWords(this.convs.key, kind, kind === 0 ? -1 : (net % 2 ** 33) - 1, Math.floor(key / 2 ** 32), Math.floor(mapped / ID_BITS), mapped % ID_BITS, ports >>> 16, ports & 0xffff);
      if (mapped < 0 || !this.convs.add(p, b, MAX_CONVERSATIONS)) addTo(this.otherConvs, p, b);
    }
    addTo(this.otherConvs, s.otherConvs[0], s.otherConvs[1]);
    s.problems.forEach((n, k) => (this.problems[k] += n));
    this.unresolved += s.unresolved;
    mergeEntries(this.mergedNames, s.names);
  }

  /** The full report (every group sorted by packets, biggest first; conversations: the top `top`). */
  report(top = 20): StatsReport {
    const rows = <K>(m: Map<K, Counter>, name: (k: K) => string): StatsRow[] =>
      sortRows([...m].map(([k, c]) => ({ key: name(k), packets: c.packets, bytes: c.bytes })));
    const tunnels: StatsRow[] = [];
    for (let k = 1; k < this.byTunnel.length; k++) {
      const c = this.byTunnel[k];
      if (c.packets > 0) tunnels.push({ key: TUNNEL_NAMES[k], packets: c.packets, bytes: c.bytes });
    }
    if (this.noTunnel.packets > 0) tunnels.push({ key: '(no tunnel)', packets: this.noTunnel.packets, bytes: this.noTunnel.bytes });
    const addr = this.addrs.text;
    const convs: ConversationRow[] = [];
    for (const [net, pair, key, packets, bytes] of this.convEntries()) {
      const kind = Math.floor(net / 2 ** 33);
      const id = (net % 2 ** 33) - 1;
      const network = kind === 0 ? 'none' : id >= 0 ? `${TUNNEL_NAMES[kind]} ${id}` : TUNNEL_NAMES[kind];
      const a = addr[Math.floor(pair / ID_BITS)];
      const b = addr[pair % ID_BITS];
      const proto = Math.floor(key / 2 ** 32);
      const pa = Math.floor(key / 65536) % 65536;
      const pb = key % 65536;
      const ported = proto === 6 || proto === 17;
      const row: ConversationRow = {
        key: ported ? `${a}.${pa} <> ${b}.${pb} ${ipProtoName(proto)}` : `${a} <> ${b} ${ipProtoName(proto)}`,
        network,
        a,
        b,
        proto: ipProtoName(proto),
        packets,
        bytes,
      };
      if (ported) {
        row.aport = pa;
        row.bport = pb;
      }
      convs.push(row);
    }
    const stackName = (k: number): string => {
      const n = Math.floor(k / 2 ** 40);
      const l1 = Math.floor(k / 2 ** 20) % 2 ** 20;
      return n === 2 ? `${l1},${k % 2 ** 20}` : String(l1);
    };
    const out: StatsReport = {
      packets: this.packets,
      bytes: this.bytes,
      tunnels: sortRows(tunnels),
      vnis: rows(this.vnis, (k) => `${TUNNEL_NAMES[Math.floor(k / 2 ** 24)]} ${k % 2 ** 24}`),
      labelStacks: sortRows([...rows(this.stacks, stackName), ...rows(this.deepStacks, (k) => k)]),
      vlans: rows(this.vlans, String),
      endpoints: sortRows(this.endpointEntries().map(([k, packets, bytes]) => ({ key: `${addr[Math.floor(k / ID_BITS)]} > ${addr[k % ID_BITS]}`, packets, bytes }))),
      innerProtocols: rows(this.protos, (k) =>
        k >= 100 ? ipProtoName(k - 100) : k === 99 ? 'other' : LAYER_NAMES[k],
      ),
      conversations: sortRows(convs, (x, y) => (x.network < y.network ? -1 : x.network > y.network ? 1 : 0)).slice(0, top),
      conversationCount: this.convs.size,
      problems: this.problems
        .map((n, k) => ({ key: PROBLEM_NAMES[k], packets: n, bytes: 0 }))
        .filter((r) => r.packets > 0)
        .sort((x, y) => y.packets - x.packets),
    };
    if (this.otherConvs.packets > 0) {
      out.otherConversations = { key: 'other', packets: this.otherConvs.packets, bytes: this.otherConvs.bytes };
    }
    if (this.firstSec >= 0) {
      out.first = isoTime(this.firstSec, this.firstNsec);
      out.last = isoTime(this.lastSec, this.lastNsec);
      out.durationSeconds = this.lastSec - this.firstSec + (this.lastNsec - this.firstNsec) / 1e9;
    }
    if (this.topology || this.mergedNames.size > 0) {
      const byText = new Map<string, Counter>();
      for (const [n, c] of this.names) addTo(getCounter(byText, namesText(n)), c.packets, c.bytes);
      for (const [k, c] of this.mergedNames) addTo(getCounter(byText, k), c.packets, c.bytes);
      out.names = rows(byText, (k) => k);
      out.unresolvedNames = this.unresolved;
    }
    return out;
  }
}

/** Fill a conversation key: network kind and id (-1: none), inner protocol, address ids, ports. */
function convWords(k: Int32Array, kind: number, id: number, proto: number, a: number, b: number, pa: number, pb: number): void {
  k[0] = (kind << 9) | (id >= 0 ? 256 : 0) | (proto & 255);
  k[1] = id >= 0 ? id | 0 : 0;
  k[2] = a;
  k[3] = b;
  k[4] = (pa << 16) | pb;
}

/** The tunnel id that names an overlay network (VNI, label, key, session), or -1 for kinds without one. */
function networkId(p: PacketView, t: number): number {
  const k = p.tunnelKind[t];
  if (k === Tunnel.Mpls) return p.tunnelLabelCount[t] > 0 ? p.labels[p.tunnelLabelStart[t] + p.tunnelLabelCount[t] - 1] >>> 12 : -1;
  return k === Tunnel.ContrailMirror || k === Tunnel.IpInIp ? -1 : p.tunnelId[t];
}

function sortRows<T extends StatsRow>(r: T[], tie: (x: T, y: T) => number = () => 0): T[] {
  return r.sort((x, y) => y.packets - x.packets || y.bytes - x.bytes || (x.key < y.key ? -1 : x.key > y.key ? 1 : tie(x, y)));
}

function isoTime(sec: number, nsec: number): string {
  const d = new Date(sec * 1000).toISOString(); // 2024-01-01T12:00:00.000Z
  return `${d.slice(0, 19)}.${String(nsec).padStart(9, '0')}Z`;
}

/** 1234567 -> '1.2 MB' (decimal units, like network tools). */
export function humanBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

/** The report as aligned text, each section capped at `limit` rows. */
export function renderStats(r: StatsReport, limit = 20): string {
  const lines: string[] = [];
  let head = `${r.packets} packets, ${humanBytes(r.bytes)}`;
  if (r.durationSeconds !== undefined) head += `, ${r.durationSeconds.toFixed(3)} s (${r.first} .. ${r.last})`;
  lines.push(head);
  const section = (title: string, rows: StatsRow[], total = rows.length) => {
    if (rows.length === 0) return;
    lines.push('', title);
    const shown = rows.slice(0, limit);
    const w = Math.max(...shown.map((x) => x.key.length), 8);
    for (const x of shown) {
      lines.push(`  ${x.key.padEnd(w)}  ${String(x.packets).padStart(10)} pkts  ${humanBytes(x.bytes).padStart(10)}`);
    }
    if (total > shown.length) lines.push(`  … ${total - shown.length} more`);
  };
  section('tunnel kinds', r.tunnels);
  if (r.names) section('names (topology)', r.names);
  section('VNIs', r.vnis);
  section('MPLS label stacks', r.labelStacks);
  section('VLANs', r.vlans);
  section('outer endpoints (outermost tunnel)', r.endpoints);
  section('inner protocols', r.innerProtocols);
  section(
    'top inner conversations',
    r.conversations.map((c) => ({ ...c, key: `${c.network === 'none' ? '' : `[${c.network}] `}${c.key}` })),
    r.conversationCount,
  );
  if (r.problems.length > 0) {
    lines.push('', 'decode problems');
    for (const x of r.problems) lines.push(`  ${x.key.padEnd(16)}  ${String(x.packets).padStart(10)}`);
  }
  if (r.unresolvedNames !== undefined) {
    lines.push('', `names: ${r.unresolvedNames} packets had a tunnel key the topology does not name`);
  }
  return `${lines.join('\n')}\n`;
}

/** `peelcap stats`: count everything, print the report at the end (text or JSON). */
export class StatsSink implements PacketSink {
  readonly stats: StatsCollector;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly json: boolean,
    topology?: Topology,
  ) {
    this.stats = new StatsCollector(topology);
  }

  packet(p: PacketView): void {
    this.stats.add(p);
  }

  end(): Promise<void> {
    const r = this.stats.report();
    const text = this.json ? `${JSON.stringify(r)}\n` : renderStats(r);
    return new Promise<void>((resolve) => {
      this.out.write(text, () => resolve());
    });
  }
}
