/**
 * `peelcap stats`: counters per tunnel kind, VNI, MPLS label stack, VLAN, outer endpoint pair, inner
 * protocol, inner conversation and decode problem. Counting a packet is a few lookups in typed-array
 * tables keyed by the packet's own numbers (addresses as raw 32-bit words); addresses are interned to
 * small ids only when a new endpoint pair or conversation appears, and text is made only in the
 * report or a snapshot.
 */
import { u16, u32 } from '../bytes.js';
import { hasVni, ipProtocol, ipProtoName } from '../describe.js';
import { Layer, LAYER_NAMES, PROBLEM_NAMES, Tunnel, TUNNEL_NAMES } from '../layers.js';
import { MAX_LABELS, type PacketView } from '../packet.js';
import { namesKeys, namesText, type Topology, type TunnelNames } from '../topology/types.js';
import { AddressTable } from './address-table.js';
import { CounterTable, DenseCounters } from './counter-table.js';
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
/** Label stacks of up to this many labels are keyed one label per word; deeper ones by MAX_LABELS words. */
const SHALLOW_STACK = 4;
/** Inner protocol keys: a Layer, 99 (other), or 100 + IP protocol. */
const PROTO_KEYS = 100 + 256;

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
  private readonly byTunnel = new DenseCounters(TUNNEL_NAMES.length);
  private readonly noTunnel = new Counter();
  /** [tunnel kind << 24 | VNI] */
  private readonly vnis = new CounterTable(1, 256);
  /** Stacks of 1..SHALLOW_STACK labels: [count << 20 | label 1, label 2 or 0, …] */
  private readonly stacks = new CounterTable(SHALLOW_STACK, 256);
  /** Deeper stacks (rare): [count, label 1, …, label count, 0…] */
  private readonly deepStacks = new CounterTable(1 + MAX_LABELS, 16);
  private readonly vlans = new DenseCounters(4096);
  private readonly addrs = new AddressTable(ADDR_MAX);
  /**
   * The outermost tunnel's IP header, keyed by the raw addresses [src, dst] (IPv4: 2 words, IPv6: 8)
   * so that a known pair costs one lookup; extras: [src id, dst id], interned when the pair is new.
   */
  private readonly endpoints4 = new CounterTable(2, 256, 2);
  private readonly endpoints6 = new CounterTable(8, 16, 2);
  /** by inner L4 layer kind, ARP, or (for IP without a decoded L4) 100 + IP protocol */
  private readonly protos = new DenseCounters(PROTO_KEYS);
  /**
   * Inner conversations keyed by raw addresses, both directions in one entry (the numerically lower
   * (address, port) first): [kind << 9 | has-id << 8 | proto, network id, address a…, address b…,
   * port a << 16 | port b] with 1-word (IPv4) or 4-word (IPv6) addresses. Extras: the address ids
   * in report order (lower id first), and first-seen sequence * 2 + 1 when that order is the
   * reverse of the key's.
   */
  private readonly convs4 = new CounterTable(5, 4096, 3);
  private readonly convs6 = new CounterTable(11, 256, 3);
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
        this.byTunnel.add(kind, 1, len);
      }
      if (hasVni(kind) && p.tunnelId[t] >= 0) {
        this.vnis.key[0] = (kind << 24) | p.tunnelId[t];
        this.vnis.add(1, len);
      }
      if (kind === Tunnel.Mpls) this.countStack(p, t, len);
    }
    if (this.topology) this.countNames(this.topology, p, len);
    if (p.tunnelCount === 0) this.noTunnel.add(len);
    for (let i = 0; i < p.vlanCount; i++) this.vlans.add(p.vlanTci[i] & 0xfff, 1, len);
    if (p.tunnelCount > 0 && p.tunnelOuterIp[0] >= 0) this.countEndpoints(p, p.tunnelOuterIp[0], len);
    const proto = this.protoKey(p);
    if (proto >= 0) this.protos.add(proto, 1, len);
    this.countConversation(p, len);
    for (let i = 0; i < p.problemCount; i++) this.problems[p.problemKind[i]]++;
  }

  private countStack(p: PacketView, t: number, len: number): void {
    const n = p.tunnelLabelCount[t];
    const s = p.tunnelLabelStart[t];
    if (n === 0) return;
    const shallow = n <= SHALLOW_STACK;
    const table = shallow ? this.stacks : this.deepStacks;
    const k = table.key;
    const at = shallow ? 0 : 1;
    for (let i = 0; i < n; i++) k[at + i] = p.labels[s + i] >>> 12;
    for (let i = at + n; i < k.length; i++) k[i] = 0;
    if (shallow) k[0] |= n << 20;
    else k[0] = n;
    table.add(1, len);
  }

  /** Key the stack table that holds `labels` (merging); returns that table. */
  private stackKey(labels: number[]): CounterTable {
    const n = labels.length;
    const shallow = n <= SHALLOW_STACK;
    const table = shallow ? this.stacks : this.deepStacks;
    const k = table.key;
    const at = shallow ? 0 : 1;
    k.fill(0);
    for (let i = 0; i < n; i++) k[at + i] = labels[i];
    if (shallow) k[0] |= n << 20;
    else k[0] = n;
    return table;
  }

  /** Labels of entry `e` of a stack table. */
  private stackLabels(table: CounterTable, e: number): number[] {
    const deep = table === this.deepStacks;
    const n = deep ? table.word(e, 0) : table.word(e, 0) >>> 20;
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(deep ? table.word(e, 1 + i) : table.word(e, i) & 0xfffff);
    return out;
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

  /** Count the endpoint pair of IP layer `ip`. */
  private countEndpoints(p: PacketView, ip: number, len: number): void {
    const b = p.buf;
    const s = p.layerStart[ip];
    const v4 = p.layerKind[ip] === Layer.Ipv4;
    if (v4 ? s + 20 > p.layerLimit[ip] : p.layerKind[ip] !== Layer.Ipv6 || s + 40 > p.layerLimit[ip]) return;
    const t = v4 ? this.endpoints4 : this.endpoints6;
    const at = v4 ? s + 12 : s + 8;
    for (let i = 0; i < t.width; i++) t.key[i] = u32(b, at + 4 * i) | 0;
    let e = t.find();
    if (e < 0) {
      const src = this.addrs.id(b, at, v4 ? 4 : 16);
      const dst = this.addrs.id(b, at + (v4 ? 4 : 16), v4 ? 4 : 16);
      if (src < 0 || dst < 0) return;
      e = t.entry();
      t.setExtra(e, 0, src);
      t.setExtra(e, 1, dst);
    }
    t.count(e, 1, len);
  }

  private countConversation(p: PacketView, len: number): void {
    const l3 = p.innerL3;
    if (l3 < 0) return;
    const kind = p.layerKind[l3];
    const v4 = kind === Layer.Ipv4;
    const s = p.layerStart[l3];
    if (v4 ? s + 20 > p.layerLimit[l3] : kind !== Layer.Ipv6 || s + 40 > p.layerLimit[l3]) return;
    const l4 = p.innerL4;
    let proto = ipProtocol(p, l3);
    let ports = 0;
    if (l4 >= 0) {
      const k = p.layerKind[l4];
      proto = k === Layer.Tcp ? 6 : k === Layer.Udp ? 17 : proto;
      if ((k === Layer.Tcp || k === Layer.Udp) && p.layerStart[l4] + 4 <= p.layerLimit[l4]) ports = u32(p.buf, p.layerStart[l4]) | 0;
    }
    const t = p.tunnelCount - 1;
    // the innermost tunnel's kind and id name the overlay network (tenants reuse addresses)
    const net = t < 0 ? 0 : p.tunnelKind[t];
    const id = t < 0 ? -1 : networkId(p, t);
    const b = p.buf;
    const src = v4 ? s + 12 : s + 8;
    const n = v4 ? 1 : 4;
    let table: CounterTable;
    let swapped: boolean;
    if (v4) {
      // the common case written out: two one-word addresses
      table = this.convs4;
      const k = table.key;
      k[2] = u32(b, src) | 0;
      k[3] = u32(b, src + 4) | 0;
      swapped = convKey(k, net, id, proto, 1, ports);
    } else {
      table = this.convs6;
      const k = table.key;
      for (let i = 0; i < 4; i++) {
        k[2 + i] = u32(b, src + 4 * i) | 0;
        k[6 + i] = u32(b, src + 16 + 4 * i) | 0;
      }
      swapped = convKey(k, net, id, proto, 4, ports);
    }
    const e = table.find();
    if (e >= 0) {
      table.count(e, 1, len);
      return;
    }
    const idSrc = this.addrs.id(b, src, 4 * n);
    const idDst = this.addrs.id(b, src + 4 * n, 4 * n);
    if (idSrc >= 0 && idDst >= 0) this.addConversation(table, idSrc, idDst, swapped, ports, 1, len);
  }

  /**
   * Add the conversation keyed in `table.key` between address ids `a` and `b` (`ports`: a's << 16 |
   * b's; `swapped`: the key holds them the other way round); one over the limit counts as other.
   */
  private addConversation(table: CounterTable, a: number, b: number, swapped: boolean, ports: number, packets: number, bytes: number): void {
    const seq = this.convs4.size + this.convs6.size;
    const e = table.entry(MAX_CONVERSATIONS - (table === this.convs4 ? this.convs6.size : this.convs4.size));
    if (e < 0) {
      addTo(this.otherConvs, packets, bytes);
      return;
    }
    // the report shows the lower (id, port) first
    const idSwapped = a > b || (a === b && ports >>> 16 > (ports & 0xffff));
    table.setExtra(e, 0, idSwapped ? b : a);
    table.setExtra(e, 1, idSwapped ? a : b);
    table.setExtra(e, 2, seq * 2 + (idSwapped !== swapped ? 1 : 0));
    table.count(e, packets, bytes);
  }

  /** Conversations in first-seen order as [table, entry] pairs. */
  private convOrder(): Array<[CounterTable, number]> {
    const out = new Array<[CounterTable, number]>(this.convs4.size + this.convs6.size);
    for (const t of [this.convs4, this.convs6]) {
      for (let e = 0; e < t.size; e++) out[t.extra(e, 2) >>> 1] = [t, e];
    }
    return out;
  }

  /** Conversations as [network key, address pair key, proto/ports key, packets, bytes] (the snapshot's form). */
  private convEntries(): StatsSnapshot['convs'] {
    return this.convOrder().map(([t, e]) => this.convEntry(t, e));
  }

  private convEntry(c: CounterTable, e: number): StatsSnapshot['convs'][number] {
    const w0 = c.word(e, 0);
    const kind = w0 >>> 9;
    const id = w0 & 256 ? c.word(e, 1) >>> 0 : -1;
    const keyPorts = c.word(e, c.width - 1) >>> 0;
    // the key's ports are in key order; the report's follow the ids
    const ports = c.extra(e, 2) & 1 ? ((keyPorts & 0xffff) * 65536 + (keyPorts >>> 16)) : keyPorts;
    return [kind === 0 ? 0 : kind * 2 ** 33 + id + 1, c.extra(e, 0) * ID_BITS + c.extra(e, 1), (w0 & 255) * 2 ** 32 + ports, c.packets(e), c.bytes(e)];
  }

  /** Endpoint pairs as [srcId * 2^26 + dstId, packets, bytes]. */
  private endpointEntries(): Entry<number>[] {
    const out: Entry<number>[] = [];
    for (const t of [this.endpoints4, this.endpoints6]) {
      for (let e = 0; e < t.size; e++) out.push([t.extra(e, 0) * ID_BITS + t.extra(e, 1), t.packets(e), t.bytes(e)]);
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
    const dense = (d: DenseCounters): Entry<number>[] => {
      const out: Entry<number>[] = [];
      for (let e = 0; e < d.size; e++) out.push([d.key(e), d.packets(d.key(e)), d.bytes(d.key(e))]);
      return out;
    };
    const vnis: Entry<number>[] = [];
    for (let e = 0; e < this.vnis.size; e++) vnis.push([vniKey(this.vnis.word(e, 0)), this.vnis.packets(e), this.vnis.bytes(e)]);
    // stacks of 1 or 2 labels as count * 2^40 + label1 * 2^20 + label2, deeper ones as text
    const stacks: Entry<number>[] = [];
    const deepStacks: Entry<string>[] = [];
    for (const table of [this.stacks, this.deepStacks]) {
      for (let e = 0; e < table.size; e++) {
        const l = this.stackLabels(table, e);
        if (l.length <= 2) stacks.push([l.length * 2 ** 40 + l[0] * 2 ** 20 + (l[1] ?? 0), table.packets(e), table.bytes(e)]);
        else deepStacks.push([l.join(','), table.packets(e), table.bytes(e)]);
      }
    }
    const byTunnel: [number, number][] = [];
    for (let k = 0; k < TUNNEL_NAMES.length; k++) byTunnel.push([this.byTunnel.packets(k), this.byTunnel.bytes(k)]);
    return {
      packets: this.packets,
      bytes: this.bytes,
      first: this.firstSec < 0 ? null : [this.firstSec, this.firstNsec],
      last: this.lastSec < 0 ? null : [this.lastSec, this.lastNsec],
      byTunnel,
      noTunnel: [this.noTunnel.packets, this.noTunnel.bytes],
      vnis,
      stacks,
      deepStacks,
      vlans: dense(this.vlans),
      addrs: this.addrs.allText(),
      endpoints: this.endpointEntries(),
      protos: dense(this.protos),
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
    s.byTunnel.forEach(([p, b], k) => this.byTunnel.add(k, p, b));
    addTo(this.noTunnel, s.noTunnel[0], s.noTunnel[1]);
    for (const [k, p, b] of s.vnis) {
      this.vnis.key[0] = (Math.floor(k / 2 ** 24) << 24) | k % 2 ** 24;
      this.vnis.add(p, b);
    }
    for (const [k, p, b] of s.stacks) {
      const n = Math.floor(k / 2 ** 40);
      const l1 = Math.floor(k / 2 ** 20) % 2 ** 20;
      this.stackKey(n === 2 ? [l1, k % 2 ** 20] : [l1]).add(p, b);
    }
    for (const [k, p, b] of s.deepStacks) this.stackKey(k.split(',').map(Number)).add(p, b);
    for (const [k, p, b] of s.vlans) this.vlans.add(k, p, b);
    for (const [k, p, b] of s.protos) this.protos.add(k, p, b);
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
      const src = Math.floor(key / ID_BITS);
      const dst = key % ID_BITS;
      const n = this.addrs.length(src) / 4;
      if (this.addrs.length(dst) !== 4 * n) continue;
      const t = n === 1 ? this.endpoints4 : this.endpoints6;
      for (let i = 0; i < n; i++) {
        t.key[i] = this.addrs.word(src, i);
        t.key[n + i] = this.addrs.word(dst, i);
      }
      let e = t.find();
      if (e < 0) {
        e = t.entry();
        t.setExtra(e, 0, src);
        t.setExtra(e, 1, dst);
      }
      t.count(e, p, b);
    }
    for (const [net, pair, key, p, b] of s.convs) {
      const mapped = pairKey(pair);
      const a = Math.floor(mapped / ID_BITS);
      const z = mapped % ID_BITS;
      const n = mapped < 0 ? 0 : this.addrs.length(a) / 4;
      if (n === 0 || this.addrs.length(z) !== 4 * n) {
        addTo(this.otherConvs, p, b);
        continue;
      }
      const kind = Math.floor(net / 2 ** 33);
      const ports = key % 2 ** 32;
      const table = n === 1 ? this.convs4 : this.convs6;
      const k = table.key;
      for (let i = 0; i < n; i++) {
        k[2 + i] = this.addrs.word(a, i);
        k[2 + n + i] = this.addrs.word(z, i);
      }
      const swapped = convKey(k, kind, kind === 0 ? -1 : (net % 2 ** 33) - 1, Math.floor(key / 2 ** 32), n, ports | 0);
      const e = table.find();
      if (e >= 0) table.count(e, p, b);
      else this.addConversation(table, a, z, swapped, ports | 0, p, b);
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
    const tableRows = (t: CounterTable, name: (e: number) => string): StatsRow[] => {
      const out: StatsRow[] = [];
      for (let e = 0; e < t.size; e++) out.push({ key: name(e), packets: t.packets(e), bytes: t.bytes(e) });
      return out;
    };
    const denseRows = (d: DenseCounters, name: (k: number) => string): StatsRow[] => {
      const out: StatsRow[] = [];
      for (let e = 0; e < d.size; e++) {
        const k = d.key(e);
        out.push({ key: name(k), packets: d.packets(k), bytes: d.bytes(k) });
      }
      return sortRows(out);
    };
    const tunnels: StatsRow[] = [];
    for (let k = 1; k < TUNNEL_NAMES.length; k++) {
      const packets = this.byTunnel.packets(k);
      if (packets > 0) tunnels.push({ key: TUNNEL_NAMES[k], packets, bytes: this.byTunnel.bytes(k) });
    }
    if (this.noTunnel.packets > 0) tunnels.push({ key: '(no tunnel)', packets: this.noTunnel.packets, bytes: this.noTunnel.bytes });
    const addr = (id: number): string => this.addrs.text(id);
    const out: StatsReport = {
      packets: this.packets,
      bytes: this.bytes,
      tunnels: sortRows(tunnels),
      vnis: sortRows(tableRows(this.vnis, (e) => { const w = this.vnis.word(e, 0); return `${TUNNEL_NAMES[w >>> 24]} ${w & 0xffffff}`; })),
      labelStacks: sortRows([
        ...tableRows(this.stacks, (e) => this.stackLabels(this.stacks, e).join(',')),
        ...tableRows(this.deepStacks, (e) => this.stackLabels(this.deepStacks, e).join(',')),
      ]),
      vlans: denseRows(this.vlans, String),
      endpoints: sortRows(
        [this.endpoints4, this.endpoints6].flatMap((t) => tableRows(t, (e) => `${addr(t.extra(e, 0))} > ${addr(t.extra(e, 1))}`)),
      ),
      innerProtocols: denseRows(this.protos, (k) => (k >= 100 ? ipProtoName(k - 100) : k === 99 ? 'other' : LAYER_NAMES[k])),
      conversations: this.topConversations(top),
      conversationCount: this.convs4.size + this.convs6.size,
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

  /**
   * The `top` conversations in report order. Only those that can make the cut get text: entries
   * ordered by packets and bytes alone, down to the top-th one and every entry tied with it.
   */
  private topConversations(top: number): ConversationRow[] {
    const order = this.convOrder();
    order.sort(([t, e], [u, f]) => u.packets(f) - t.packets(e) || u.bytes(f) - t.bytes(e));
    let n = Math.min(top, order.length);
    if (n > 0) {
      const [t, e] = order[n - 1];
      while (n < order.length && order[n][0].packets(order[n][1]) === t.packets(e) && order[n][0].bytes(order[n][1]) === t.bytes(e)) n++;
    }
    const rows: ConversationRow[] = [];
    for (let i = 0; i < n; i++) rows.push(this.convRow(this.convEntry(order[i][0], order[i][1])));
    return sortRows(rows, (x, y) => (x.network < y.network ? -1 : x.network > y.network ? 1 : 0)).slice(0, top);
  }

  private convRow([net, pair, key, packets, bytes]: StatsSnapshot['convs'][number]): ConversationRow {
    const kind = Math.floor(net / 2 ** 33);
    const id = (net % 2 ** 33) - 1;
    const network = kind === 0 ? 'none' : id >= 0 ? `${TUNNEL_NAMES[kind]} ${id}` : TUNNEL_NAMES[kind];
    const a = this.addrs.text(Math.floor(pair / ID_BITS));
    const b = this.addrs.text(pair % ID_BITS);
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
    return row;
  }
}

/** A snapshot's VNI key (kind * 2^24 + VNI) from the table word (kind << 24 | VNI). */
function vniKey(w: number): number {
  return (w >>> 24) * 2 ** 24 + (w & 0xffffff);
}

/**
 * Fill a conversation key whose two addresses (n words each, in packet order) are already at k[2..]:
 * network kind and id (-1: none), inner protocol, and the ports (`ports`: the first address's << 16
 * | the second's). Both directions share one key: the numerically lower (address, port) goes first.
 * Returns true when that swapped the two.
 */
function convKey(k: Int32Array, kind: number, id: number, proto: number, n: number, ports: number): boolean {
  k[0] = (kind << 9) | (id >= 0 ? 256 : 0) | (proto & 255);
  k[1] = id >= 0 ? id | 0 : 0;
  let c = 0;
  for (let i = 2; i < 2 + n && c === 0; i++) c = k[i] < k[i + n] ? -1 : k[i] > k[i + n] ? 1 : 0;
  if (c === 0) c = (ports >>> 16) - (ports & 0xffff);
  if (c > 0) {
    for (let i = 2; i < 2 + n; i++) {
      const x = k[i];
      k[i] = k[i + n];
      k[i + n] = x;
    }
    ports = (ports << 16) | (ports >>> 16);
  }
  k[2 + 2 * n] = ports;
  return c > 0;
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

  /** @param top conversations to list (`--top`) */
  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly json: boolean,
    topology?: Topology,
    private readonly top = 20,
  ) {
    this.stats = new StatsCollector(topology);
  }

  packet(p: PacketView): void {
    this.stats.add(p);
  }

  end(): Promise<void> {
    const r = this.stats.report(this.top);
    const text = this.json ? `${JSON.stringify(r)}\n` : renderStats(r);
    return new Promise<void>((resolve) => {
      this.out.write(text, () => resolve());
    });
  }
}
