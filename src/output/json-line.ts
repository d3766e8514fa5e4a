/**
 * The `peelcap json` line written straight from the PacketView into a ByteBatch: the same bytes as
 * `JSON.stringify(describePacket(p))` (same keys, order and omissions) without building the
 * intermediate objects or strings. Keys and constant names are pre-escaped; only values that can hold
 * arbitrary text (Contrail VN names, pcapng comments, topology names) go through JSON.stringify.
 * `describePacket` stays the reference shape: test/output/json-line.test.ts checks the two agree.
 */
import { u16 } from '../bytes.js';
import { contrailVns, describeNames, hasVni, innerProto, isEcho, layerAddrAt, layerDport, layerSport, layerSrc, layerDst } from '../describe.js';
import { Layer, LAYER_NAMES, MPLS_RULE_NAMES, PROBLEM_NAMES, Tunnel, TUNNEL_NAMES } from '../layers.js';
import { MAX_LAYERS, TunnelFlag, type PacketView } from '../packet.js';
import type { Topology } from '../topology/types.js';
import {
  fragment,
  fragmentScratch,
  IPV6_MAX,
  newFragment,
  NUM_MAX,
  putByte,
  putFrag,
  putHex,
  putIpv4,
  putIpv6,
  putMac,
  putNum,
  putPadded9,
  room,
  setFragment,
  type ByteBatch,
  type Fragment,
} from './byte-batch.js';

/**
 * A fragment per value of a Uint8Array kind column (all 256), from the JSON text of its name. The
 * unnamed values (most of them) share one fragment: every command builds these tables at start-up.
 */
function byKind(names: readonly (string | undefined)[], text: (json: string | undefined) => string): Fragment[] {
  const unnamed = fragment(text(undefined));
  return Array.from({ length: 256 }, (_, k) => (names[k] === undefined ? unnamed : fragment(text(JSON.stringify(names[k])))));
}

/** `"eth",` per layer kind: JSON.stringify writes an array's undefined element as null. The last comma is taken back. */
const LAYER_ITEM = byKind(LAYER_NAMES, (j) => `${j ?? 'null'},`);
/** `{"type":"vxlan"` per tunnel kind (`|| 'unknown'` as describeTunnel: an empty or missing name is unknown). */
const tunnelType = (j: string | undefined): string => `{"type":${j && j !== '""' ? j : '"unknown"'}`;
const TUNNEL_OPEN = byKind(TUNNEL_NAMES, tunnelType);
/** The same followed by the key of the outer source address. */
const TUNNEL_OPEN_SRC = byKind(TUNNEL_NAMES, (j) => `${tunnelType(j)},"src":"`);
/** `"kind":"truncated",` per problem kind, `"layer":"udp",` per layer kind (empty when the name is missing: omitted). */
const PROBLEM_KIND = byKind(PROBLEM_NAMES, (j) => (j === undefined ? '' : `"kind":${j},`));
const PROBLEM_LAYER = byKind(LAYER_NAMES, (j) => (j === undefined ? '' : `"layer":${j},`));
/** `,"proto":"tcp"` for an inner L4 layer kind (empty without a name: omitted), the object path's innerProto(). */
const INNER_PROTO = byKind(LAYER_NAMES, (j) => (j === undefined ? '' : `,"proto":${j}`));
/** `,"payload":"ip"` per MPLS payload rule with a name. */
const MPLS_PAYLOAD = Array.from(MPLS_RULE_NAMES, (n) => fragment(n ? `,"payload":${JSON.stringify(n)}` : ''));

const longest = (fs: Fragment[]): number => Math.max(...fs.map((f) => f[0]));
const LAYER_ITEM_MAX = longest(LAYER_ITEM);
const PROBLEM_MAX = longest(PROBLEM_KIND) + longest(PROBLEM_LAYER) + 12 + NUM_MAX;

/** Constant JSON fragments, pre-encoded. */
const K_OPEN_FRAME = fragment('{"frame":');
const K_TS = fragment(',"ts":"');
const K_IFACE = fragment('","iface":');
const K_CAPLEN = fragment(',"caplen":');
/** `","iface":N,"caplen":` for the first interfaces (most captures have one). */
const IFACE_CAPLEN = Array.from({ length: 16 }, (_, i) => fragment(`","iface":${i},"caplen":`));
const K_LEN = fragment(',"len":');
const K_LAYERS = fragment(',"layers":[');
const K_END_TUNNELS = fragment('],"tunnels":[');
const K_END_VNIS = fragment('],"vnis":[');
const K_END_LABELS = fragment('],"labels":[');
const K_END_VLANS = fragment('],"vlans":[');
const K_INNER = fragment(',"inner":{');
const K_NAMES = fragment(',"names":');
const K_ERRORS = fragment(',"errors":[');
const K_OFFSET = fragment('"offset":');
const K_COMMENT = fragment(',"comment":');
const K_ETH_SRC = fragment('"eth":{"src":"');
const K_ETH_DST = fragment('","dst":"');
const K_QUOTE_CLOSE = fragment('"}');
const K_CODE = fragment(',"code":');
const K_ID = fragment(',"id":');
const K_SEQ = fragment(',"seq":');
const K_DPORT = fragment(',"dport":');
const K_CRITICAL_TRUE = fragment(',"critical":true');
const K_OAM_TRUE = fragment(',"oam":true');
const K_OPTIONS = fragment(',"options":[');
const K_OPEN_CLASS = fragment('{"class":');
const K_TYPE = fragment(',"type":');
const K_DATA = fragment(',"data":"');
const K_OVN = fragment(',"ovn":{');
const K_INPORT = fragment('"inport":');
const K_OUTPORT = fragment('"outport":');
const K_LABELS = fragment(',"labels":[');
const K_CONTROLWORD_TRUE = fragment(',"controlWord":true');
const K_HOST = fragment(',"host":"');
const K_SRCVN = fragment(',"srcvn":');
const K_DSTVN = fragment(',"dstvn":');
const K_LEGACYHEADER_TRUE = fragment(',"legacyHeader":true');
const K_RESERVED_TRUE = fragment(',"reserved":true');
const K_INGRESS_TRUE = fragment(',"ingress":true');
const K_INGRESS_FALSE = fragment(',"ingress":false');
/** The first address of the inner object when no MAC pair precedes it. */
const K_SRC_FIRST = fragment('"src":"');
/** Between the two addresses of a pair. */
const K_THEN_DST = fragment('","dst":"');
/** The inner MAC pair's end when an address follows, and when not. */
const K_ETH_END_SRC = fragment('"},"src":"');
const K_ETH_END = fragment('"}');
/** The common case after the VNIs: no labels, no VLANs, an inner frame. */
const K_EMPTY_LISTS_INNER = fragment('],"labels":[],"vlans":[],"inner":{');
const K_ICMP_TYPE = fragment(',"icmp":{"type":');
const K_SPORT_MEMBER = fragment(',"sport":');
const K_PROTO_OPEN = fragment(',"proto":"');
const [N_VNI, N_GBP, N_PROTO, N_KEY, N_SEQ, N_SESSION, N_VERSION, N_VLAN, N_FLAGS, N_MIRROR] = [
  'vni', 'gbp', 'proto', 'key', 'seq', 'session', 'version', 'vlan', 'flags', 'mirror',
].map((k) => fragment(`,"${k}":`));

const COMMA = 44;
const QUOTE = 34;

/*
 * Worst-case sizes for ByteBatch.reserve(), so the unchecked put* writes stay inside the buffer.
 * Numbers count NUM_MAX, addresses IPV6_MAX; the constant parts are rounded up generously.
 */
/** frame, ts, iface, caplen, len and the list brackets: 6 numbers and about 90 bytes of keys. */
const HEAD_MAX = 128 + 6 * NUM_MAX;
/** One tunnel without its labels, options and VN names: keys and up to 2 addresses and 8 numbers. */
const TUNNEL_MAX = 256 + 2 * IPV6_MAX + 8 * NUM_MAX;
/** One Geneve option: keys, two numbers and up to 255 bytes of data in hex. */
const OPTION_MAX = 48 + 2 * NUM_MAX + 2 * 255;
/** The inner object: MAC pair, two addresses, proto name (a layer's or `ip-proto-N`), ICMP or ports. */
const INNER_MAX = 256 + 2 * IPV6_MAX + longest(INNER_PROTO) + 4 * NUM_MAX;

/** JSON text (any UTF-8) written by the checked method; returns the position after it. */
function putJsonText(w: ByteBatch, p: number, json: string): number {
  w.pos = p;
  w.utf8(json);
  return w.pos;
}

/**
 * `"src":"a","dst":"b"` of IP/ARP layer `i` after `k` (`"src":"` with any separator before it), when
 * the layer has addresses (both or neither, see layerAddrAt).
 */
function putAddrPair(d: DataView, p: number, v: PacketView, i: number, k: Fragment): number {
  const src = layerAddrAt(v, i, false);
  if (src < 0) return p;
  const dst = layerAddrAt(v, i, true);
  const b = v.buf;
  p = putFrag(d, p, k);
  if (v.layerKind[i] === Layer.Ipv6) {
    p = putFrag(d, putIpv6(d, p, b, src), K_THEN_DST);
    p = putIpv6(d, p, b, dst);
  } else {
    p = putFrag(d, putIpv4(d, p, b, src), K_THEN_DST);
    p = putIpv4(d, p, b, dst);
  }
  return putByte(d, p, QUOTE);
}

/** `,"sport":n,"dport":n` of UDP/TCP layer `i` when its ports are there (both or neither). */
function putPorts(d: DataView, p: number, v: PacketView, i: number): number {
  const sport = layerSport(v, i);
  if (sport < 0) return p;
  p = putNum(d, putFrag(d, p, K_SPORT_MEMBER), sport);
  return putNum(d, putFrag(d, p, K_DPORT), layerDport(v, i));
}

/** `,"key":n` (k is `,"key":`) for a field that is present when non-negative. */
function putNumMember(d: DataView, p: number, k: Fragment, n: number): number {
  return n < 0 ? p : putNum(d, putFrag(d, p, k), n);
}

/**
 * Write one packet's JSON line (with its newline). `topology` adds `names`.
 * The sections are separate functions on purpose: V8 inlines small calls only up to a budget per
 * optimised function, and each section keeps its put* calls within its own.
 */
export function writeJsonLine(w: ByteBatch, v: PacketView, topology?: Topology): void {
  let p = putHead(room(w, w.pos, HEAD_MAX + v.layerCount * LAYER_ITEM_MAX), w.pos, v);
  for (let t = 0; t < v.tunnelCount; t++) {
    const d = room(w, p, TUNNEL_MAX + v.tunnelLabelCount[t] * (NUM_MAX + 1) + v.tunnelOptCount[t] * OPTION_MAX);
    if (t > 0) p = putByte(d, p, COMMA);
    p = putTunnel(w, d, p, v, t);
  }
  p = putLists(room(w, p, 64 + (v.tunnelCount + v.labelCount + v.vlanCount) * (NUM_MAX + 1) + INNER_MAX), p, v);
  if (topology !== undefined || v.problemCount > 0 || v.comment !== undefined) p = putTail(w, p, v, topology);
  w.pos = putByte(w.dv, p, 125);
  w.endLine();
}

/** `,"ts":"` and the seconds of the previous timestamp with the '.': packets of one second share it. */
let cachedSec = NaN;
const cachedTs = newFragment(K_TS[0] + NUM_MAX + 1);

/** From `{"frame":` to the layer names and `],"tunnels":[`. */
function putHead(d: DataView, p: number, v: PacketView): number {
  p = putFrag(d, p, K_OPEN_FRAME);
  p = putNum(d, p, v.frame);
  if (v.tsSec !== cachedSec) {
    cachedSec = v.tsSec;
    setFragment(cachedTs, putByte(fragmentScratch, putNum(fragmentScratch, putFrag(fragmentScratch, 0, K_TS), v.tsSec), 46));
  }
  p = putFrag(d, p, cachedTs);
  p = putPadded9(d, p, v.tsNsec);
  if (v.iface >= 0 && v.iface < IFACE_CAPLEN.length) {
    p = putFrag(d, p, IFACE_CAPLEN[v.iface]);
  } else {
    p = putFrag(d, p, K_IFACE);
    p = putNum(d, p, v.iface);
    p = putFrag(d, p, K_CAPLEN);
  }
  p = putNum(d, p, v.caplen);
  p = putFrag(d, p, K_LEN);
  p = putNum(d, p, v.len);
  return putFrag(d, p, layerList(v));
}

/*
 * `,"layers":[…],"tunnels":[` of the layer stacks seen (a capture has few), in a hash table by the
 * layer kinds with a few probes per stack: a hit is one copy instead of a name per layer. The slots
 * are allocated once; a full neighbourhood overwrites its first slot; stacks deeper than
 * CACHED_LAYERS are not cached.
 */
const CACHED_LAYERS = 12;
const LIST_SLOTS = 128;
const LIST_PROBES = 4;
const NO_STACK = 255;
const LIST_BYTES = K_LAYERS[0] + CACHED_LAYERS * LAYER_ITEM_MAX + K_END_TUNNELS[0];
/** Per slot: layer count (NO_STACK = empty), then the kinds. */
const listKeys = new Uint8Array(LIST_SLOTS * (1 + CACHED_LAYERS)).fill(NO_STACK);
const listText: Fragment[] = Array.from({ length: LIST_SLOTS }, () => newFragment(LIST_BYTES));
/** The uncached text is composed here. */
const LIST_LONG = newFragment(K_LAYERS[0] + MAX_LAYERS * LAYER_ITEM_MAX + K_END_TUNNELS[0]);

function layerList(v: PacketView): Fragment {
  const n = v.layerCount;
  const kinds = v.layerKind;
  if (n > CACHED_LAYERS) return composeLayerList(v, LIST_LONG);
  let h = n;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ kinds[i], 0x9e3779b1);
  const first = h >>> 25; // LIST_SLOTS = 2^7
  for (let probe = 0; probe < LIST_PROBES; probe++) {
    const slot = (first + probe) & (LIST_SLOTS - 1);
    const key = slot * (1 + CACHED_LAYERS);
    const count = listKeys[key];
    if (count === NO_STACK) return cacheLayerList(v, slot);
    if (count !== n) continue;
    let i = 0;
    while (i < n && listKeys[key + 1 + i] === kinds[i]) i++;
    if (i === n) return listText[slot];
  }
  return cacheLayerList(v, first);
}

function cacheLayerList(v: PacketView, slot: number): Fragment {
  const key = slot * (1 + CACHED_LAYERS);
  listKeys[key] = v.layerCount;
  for (let i = 0; i < v.layerCount; i++) listKeys[key + 1 + i] = v.layerKind[i];
  return composeLayerList(v, listText[slot]);
}

function composeLayerList(v: PacketView, f: Fragment): Fragment {
  const d = fragmentScratch;
  let p = putFrag(d, 0, K_LAYERS);
  for (let i = 0; i < v.layerCount; i++) p = putFrag(d, p, LAYER_ITEM[v.layerKind[i]]);
  if (v.layerCount > 0) p--; // the last item's comma
  setFragment(f, putFrag(d, p, K_END_TUNNELS));
  return f;
}

/** From the end of the tunnels to the inner object: `],"vnis":[…],"labels":[…],"vlans":[…],"inner":{…}`. */
function putLists(d: DataView, p: number, v: PacketView): number {
  p = putFrag(d, p, K_END_VNIS);
  let first = true;
  for (let t = 0; t < v.tunnelCount; t++) {
    if (!hasVni(v.tunnelKind[t]) || v.tunnelId[t] < 0) continue;
    if (!first) p = putByte(d, p, COMMA);
    p = putNum(d, p, v.tunnelId[t]);
    first = false;
  }
  if (v.labelCount === 0 && v.vlanCount === 0 && v.innerStart >= 0) {
    p = putFrag(d, p, K_EMPTY_LISTS_INNER);
  } else {
    p = putFrag(d, p, K_END_LABELS);
    for (let i = 0; i < v.labelCount; i++) {
      if (i > 0) p = putByte(d, p, COMMA);
      p = putNum(d, p, v.labels[i] >>> 12);
    }
    p = putFrag(d, p, K_END_VLANS);
    for (let i = 0; i < v.vlanCount; i++) {
      if (i > 0) p = putByte(d, p, COMMA);
      p = putNum(d, p, v.vlanTci[i] & 0xfff);
    }
    p = putByte(d, p, 93);
    if (v.innerStart < 0) return p;
    p = putFrag(d, p, K_INNER);
  }
  p = putInner(d, p, v);
  return putByte(d, p, 125);
}

/** The optional members after `inner`: names, errors, comment. Leaves room for the closing brace. */
function putTail(w: ByteBatch, p: number, v: PacketView, topology: Topology | undefined): number {
  let d = w.dv;
  if (topology) {
    const l3 = v.innerStart >= 0 ? v.innerL3 : -1;
    const inner = l3 >= 0 ? { src: layerSrc(v, l3), dst: layerDst(v, l3) } : undefined;
    p = putFrag(d, p, K_NAMES);
    p = putJsonText(w, p, JSON.stringify(describeNames(v, topology, inner)));
  }
  d = room(w, p, 32 + v.problemCount * PROBLEM_MAX);
  if (v.problemCount > 0) {
    p = putFrag(d, p, K_ERRORS);
    for (let i = 0; i < v.problemCount; i++) {
      if (i > 0) p = putByte(d, p, COMMA);
      p = putByte(d, p, 123);
      p = putFrag(d, p, PROBLEM_KIND[v.problemKind[i]]);
      p = putFrag(d, p, PROBLEM_LAYER[v.problemLayer[i]]);
      p = putFrag(d, p, K_OFFSET);
      p = putNum(d, p, v.problemOffset[i]);
      p = putByte(d, p, 125);
    }
    p = putByte(d, p, 93);
  }
  if (v.comment !== undefined) {
    p = putFrag(d, p, K_COMMENT);
    p = putJsonText(w, p, JSON.stringify(v.comment));
  }
  room(w, p, 2);
  return p;
}

/**
 * The members of `describeInner` (without the braces). Separators travel with the next key
 * (`"},"src":"`, `,"proto":"tcp"`); the first member drops its leading comma.
 */
function putInner(d: DataView, p: number, v: PacketView): number {
  const b = v.buf;
  const from = p;
  const l3 = v.innerL3;
  const hasAddr = l3 >= 0 && layerAddrAt(v, l3, false) >= 0;
  if (v.innerL2 >= 0) {
    const at = v.layerStart[v.innerL2];
    p = putFrag(d, p, K_ETH_SRC);
    p = putMac(d, p, b, at + 6);
    p = putFrag(d, p, K_ETH_DST);
    p = putMac(d, p, b, at);
    p = hasAddr ? putAddrPair(d, p, v, l3, K_ETH_END_SRC) : putFrag(d, p, K_ETH_END);
  } else if (hasAddr) {
    p = putAddrPair(d, p, v, l3, K_SRC_FIRST);
  }
  const l4 = v.innerL4;
  if (l4 < 0) {
    const proto = innerProto(v);
    if (proto === undefined) return p;
    p = putFrag(d, p, K_PROTO_OPEN);
    for (let i = 0; i < proto.length; i++) p = putByte(d, p, proto.charCodeAt(i));
    p = putByte(d, p, QUOTE);
    return dropLeadingComma(d, from, p);
  }
  // innerProto() is the layer's name here (omitted when it has none)
  const k = v.layerKind[l4];
  p = putFrag(d, p, INNER_PROTO[k]);
  if (k === Layer.Icmp || k === Layer.Icmpv6) {
    const at = v.layerStart[l4];
    const lim = v.layerLimit[l4];
    if (at + 2 > lim) return dropLeadingComma(d, from, p);
    const type = b[at];
    p = putFrag(d, p, K_ICMP_TYPE);
    p = putNum(d, p, type);
    p = putFrag(d, p, K_CODE);
    p = putNum(d, p, b[at + 1]);
    if (isEcho(k, type) && at + 8 <= lim) {
      p = putFrag(d, p, K_ID);
      p = putNum(d, p, u16(b, at + 4));
      p = putFrag(d, p, K_SEQ);
      p = putNum(d, p, u16(b, at + 6));
    }
    return dropLeadingComma(d, from, putByte(d, p, 125));
  }
  return dropLeadingComma(d, from, putPorts(d, p, v, l4));
}

/** When the member written at `from` is the object's first and came with a leading comma, take the comma out. */
function dropLeadingComma(d: DataView, from: number, p: number): number {
  if (p === from || d.getUint8(from) !== COMMA) return p;
  for (let i = from + 1; i < p; i++) d.setUint8(i - 1, d.getUint8(i));
  return p - 1;
}

/**
 * A Contrail VN name (`,"srcvn":"…"`, `k` the key) of tunnel `t`, string A or B: the bytes are copied
 * as they are when they are printable ASCII that JSON leaves unescaped (the usual
 * `default-domain:project:net`), else the text goes through the object path's string (UTF-8 or
 * Latin-1, escaped by JSON.stringify). Returns the position after it; `w.dv` may be a new view.
 */
function putVnName(w: ByteBatch, p: number, k: Fragment, v: PacketView, t: number, second: boolean): number {
  const at = second ? v.tunnelStrBStart[t] : v.tunnelStrAStart[t];
  const n = second ? v.tunnelStrBLen[t] : v.tunnelStrALen[t];
  const buf = v.buf;
  const d = room(w, p, k[0] + n + 2);
  const value = putFrag(d, p, k);
  p = putByte(d, value, QUOTE);
  for (let i = at; i < at + n; i++) {
    const c = buf[i];
    if (c < 0x20 || c > 0x7e || c === QUOTE || c === 92) {
      return putJsonText(w, value, JSON.stringify(contrailVns(v, t)[second ? 1 : 0]));
    }
    d.setUint8(p++, c);
  }
  return putByte(d, p, QUOTE);
}

/** The object of `describeTunnel`. The caller reserved TUNNEL_MAX plus labels and options; VN names reserve their own room. */
function putTunnel(w: ByteBatch, d: DataView, p: number, v: PacketView, t: number): number {
  const kind = v.tunnelKind[t];
  const ip = v.tunnelOuterIp[t];
  if (ip >= 0 && layerAddrAt(v, ip, false) >= 0) p = putAddrPair(d, p, v, ip, TUNNEL_OPEN_SRC[kind]);
  else p = putFrag(d, p, TUNNEL_OPEN[kind]);
  const udp = v.tunnelOuterUdp[t];
  if (udp >= 0) p = putPorts(d, p, v, udp);
  const id = v.tunnelId[t];
  const id2 = v.tunnelId2[t];
  const flags = v.tunnelFlags[t];
  switch (kind) {
    case Tunnel.Vxlan:
      p = putNumMember(d, p, N_VNI, id);
      if (flags & TunnelFlag.VxlanGbp) p = putNumMember(d, p, N_GBP, id2);
      break;
    case Tunnel.VxlanGpe:
      p = putNumMember(d, p, N_VNI, id);
      p = putNumMember(d, p, N_PROTO, id2);
      break;
    case Tunnel.Geneve: {
      p = putNumMember(d, p, N_VNI, id);
      p = putNumMember(d, p, N_PROTO, id2);
      if (flags & TunnelFlag.GeneveCritical) p = putFrag(d, p, K_CRITICAL_TRUE);
      if (flags & TunnelFlag.GeneveOam) p = putFrag(d, p, K_OAM_TRUE);
      const n = v.tunnelOptCount[t];
      if (n > 0) {
        p = putFrag(d, p, K_OPTIONS);
        const from = v.tunnelOptStart[t];
        for (let i = from; i < from + n; i++) {
          if (i > from) p = putByte(d, p, COMMA);
          p = putFrag(d, p, K_OPEN_CLASS);
          p = putNum(d, p, v.optClass[i]);
          p = putFrag(d, p, K_TYPE);
          p = putNum(d, p, v.optType[i]);
          p = putFrag(d, p, K_DATA);
          p = putHex(d, p, v.buf, v.optStart[i], v.optStart[i] + v.optLen[i]);
          p = putFrag(d, p, K_QUOTE_CLOSE);
        }
        p = putByte(d, p, 93);
      }
      const inp = v.tunnelOvnIn[t];
      const outp = v.tunnelOvnOut[t];
      if (inp >= 0 || outp >= 0) {
        p = putFrag(d, p, K_OVN);
        if (inp >= 0) {
          p = putFrag(d, p, K_INPORT);
          p = putNum(d, p, inp);
        }
        if (outp >= 0) {
          if (inp >= 0) p = putByte(d, p, COMMA);
          p = putFrag(d, p, K_OUTPORT);
          p = putNum(d, p, outp);
        }
        p = putByte(d, p, 125);
      }
      break;
    }
    case Tunnel.Gre:
      p = putNumMember(d, p, N_KEY, id);
      p = putNumMember(d, p, N_SEQ, id2);
      break;
    case Tunnel.Mpls: {
      p = putFrag(d, p, K_LABELS);
      const from = v.tunnelLabelStart[t];
      for (let i = from, e = from + v.tunnelLabelCount[t]; i < e; i++) {
        if (i > from) p = putByte(d, p, COMMA);
        p = putNum(d, p, v.labels[i] >>> 12);
      }
      p = putByte(d, p, 93);
      if (id2 > 0 && id2 < MPLS_PAYLOAD.length) p = putFrag(d, p, MPLS_PAYLOAD[id2]);
      if (flags & TunnelFlag.MplsControlWord) p = putFrag(d, p, K_CONTROLWORD_TRUE);
      break;
    }
    case Tunnel.Erspan:
      p = putNumMember(d, p, N_SESSION, id);
      p = putNumMember(d, p, N_VERSION, id2);
      // Type I has no ERSPAN header, so no VLAN field.
      if (id2 >= 2) p = putNumMember(d, p, N_VLAN, flags & 0xffff);
      break;
    case Tunnel.ContrailMirror: {
      if (id2 >= 0) {
        p = putFrag(d, p, K_HOST);
        p = putNum(d, p, id2 >>> 24);
        p = putByte(d, p, 46);
        p = putNum(d, p, (id2 >>> 16) & 255);
        p = putByte(d, p, 46);
        p = putNum(d, p, (id2 >>> 8) & 255);
        p = putByte(d, p, 46);
        p = putNum(d, p, id2 & 255);
        p = putByte(d, p, QUOTE);
      }
      if (id >= 0) {
        p = putNumMember(d, p, N_FLAGS, id);
        p = putFrag(d, p, flags & TunnelFlag.ContrailIngress ? K_INGRESS_TRUE : K_INGRESS_FALSE);
      }
      if (v.tunnelStrALen[t] >= 0) p = putVnName(w, p, K_SRCVN, v, t, false);
      if (v.tunnelStrBLen[t] >= 0) p = putVnName(w, p, K_DSTVN, v, t, true);
      d = room(w, p, 64);
      if (flags & TunnelFlag.ContrailLegacyHeader) p = putFrag(d, p, K_LEGACYHEADER_TRUE);
      break;
    }
    case Tunnel.Jmirror:
      p = putNumMember(d, p, N_SESSION, id);
      p = putNumMember(d, p, N_MIRROR, id2);
      break;
  }
  if (flags & TunnelFlag.ReservedNonZero) p = putFrag(d, p, K_RESERVED_TRUE);
  return putByte(d, p, 125);
}
