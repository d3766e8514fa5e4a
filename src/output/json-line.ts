/**
 * The `peelcap json` line written straight from the PacketView into a ByteBatch: the same bytes as
 * `JSON.stringify(describePacket(p))` (same keys, order and omissions) without building the
 * intermediate objects or strings. Keys and constant names are pre-escaped; only values that can hold
 * arbitrary text (Contrail VN names, pcapng comments, topology names) go through JSON.stringify.
 * `describePacket` stays the reference shape: test/output/json-line.test.ts checks the two agree.
 */
import { ipv6String, u16 } from '../bytes.js';
import { contrailVns, describeNames, hasVni, innerProto, isEcho, layerAddrAt, layerDport, layerSport, layerSrc, layerDst } from '../describe.js';
import { Layer, LAYER_NAMES, MPLS_RULE_NAMES, PROBLEM_NAMES, Tunnel, TUNNEL_NAMES } from '../layers.js';
import { TunnelFlag, type PacketView } from '../packet.js';
import type { Topology } from '../topology/types.js';
import type { ByteBatch } from './byte-batch.js';

/** ASCII bytes of a constant fragment. */
const latin1 = (s: string): Uint8Array => Buffer.from(s, 'latin1');

/** JSON text of each name of a table (undefined where the table has none: JSON.stringify omits it). */
function quoted(names: readonly (string | undefined)[]): (Uint8Array | undefined)[] {
  return Array.from(names, (n) => (n === undefined ? undefined : latin1(JSON.stringify(n))));
}

const LAYER_JSON = quoted(LAYER_NAMES);
const PROBLEM_JSON = quoted(PROBLEM_NAMES);
const MPLS_RULE_JSON = quoted(MPLS_RULE_NAMES);
const TUNNEL_JSON = quoted(TUNNEL_NAMES);

/** Constant JSON fragments, pre-encoded. */
const K_OPEN_FRAME = latin1('{"frame":');
const K_TS = latin1(',"ts":"');
const K_IFACE = latin1('","iface":');
const K_CAPLEN = latin1(',"caplen":');
const K_LEN = latin1(',"len":');
const K_LAYERS = latin1(',"layers":[');
const K_END_TUNNELS = latin1('],"tunnels":[');
const K_END_VNIS = latin1('],"vnis":[');
const K_END_LABELS = latin1('],"labels":[');
const K_END_VLANS = latin1('],"vlans":[');
const K_INNER = latin1(',"inner":{');
const K_NAMES = latin1(',"names":');
const K_ERRORS = latin1(',"errors":[');
const K_OFFSET = latin1('"offset":');
const K_COMMENT = latin1(',"comment":');
const K_ETH_SRC = latin1('"eth":{"src":"');
const K_ETH_DST = latin1('","dst":"');
const K_QUOTE_CLOSE = latin1('"}');
const K_OPEN_TYPE = latin1('{"type":');
const K_CODE = latin1(',"code":');
const K_ID = latin1(',"id":');
const K_SEQ = latin1(',"seq":');
const K_DPORT = latin1(',"dport":');
const K_CRITICAL_TRUE = latin1(',"critical":true');
const K_OAM_TRUE = latin1(',"oam":true');
const K_OPTIONS = latin1(',"options":[');
const K_OPEN_CLASS = latin1('{"class":');
const K_TYPE = latin1(',"type":');
const K_DATA = latin1(',"data":"');
const K_OVN = latin1(',"ovn":{');
const K_INPORT = latin1('"inport":');
const K_OUTPORT = latin1('"outport":');
const K_LABELS = latin1(',"labels":[');
const K_CONTROLWORD_TRUE = latin1(',"controlWord":true');
const K_HOST = latin1(',"host":"');
const K_SRCVN = latin1(',"srcvn":');
const K_ETH_DSTVN = latin1(',"dstvn":');
const K_LEGACYHEADER_TRUE = latin1(',"legacyHeader":true');
const K_RESERVED_TRUE = latin1(',"reserved":true');
const K_INGRESS_TRUE = latin1(',"ingress":true');
const K_INGRESS_FALSE = latin1(',"ingress":false');

const K_NULL = latin1('null');
const K_UNKNOWN = latin1('"unknown"');
const K_KIND = latin1('"kind":');
const K_LAYER = latin1('"layer":');
const K_PAYLOAD = latin1(',"payload":');
const K_SRC = latin1('"src":');
const K_DST = latin1('"dst":');
const K_PROTO = latin1('"proto":');
const K_ICMP = latin1('"icmp":');
const K_SPORT = latin1('"sport":');
const [N_SPORT, N_DPORT, N_VNI, N_GBP, N_PROTO, N_KEY, N_SEQ, N_SESSION, N_VERSION, N_VLAN, N_FLAGS, N_MIRROR] = [
  'sport', 'dport', 'vni', 'gbp', 'proto', 'key', 'seq', 'session', 'version', 'vlan', 'flags', 'mirror',
].map((k) => latin1(`,"${k}":`));

const COMMA = 44;
const QUOTE = 34;
const COLON = 58;

/** `"key":` (k) of the next member, after a comma unless it is the first. */
function key(w: ByteBatch, k: Uint8Array, first = false): void {
  if (!first) w.byte(COMMA);
  w.raw(k);
}

/** `"key":"addr"` for the source/destination address of IP/ARP layer `i`, when there is one. */
function addrMember(w: ByteBatch, p: PacketView, i: number, k: Uint8Array, dst: boolean, first = false): boolean {
  const at = layerAddrAt(p, i, dst);
  if (at < 0) return false;
  key(w, k, first);
  w.byte(QUOTE);
  if (p.layerKind[i] === Layer.Ipv6) w.ascii(ipv6String(p.buf, at));
  else w.ipv4(p.buf, at);
  w.byte(QUOTE);
  return true;
}

/** Write one packet's JSON line (with its newline). `topology` adds `names`. */
export function writeJsonLine(w: ByteBatch, p: PacketView, topology?: Topology): void {
  w.raw(K_OPEN_FRAME);
  w.num(p.frame);
  w.raw(K_TS);
  w.num(p.tsSec);
  w.byte(46);
  w.padded(p.tsNsec, 9);
  w.raw(K_IFACE);
  w.num(p.iface);
  w.raw(K_CAPLEN);
  w.num(p.caplen);
  w.raw(K_LEN);
  w.num(p.len);
  w.raw(K_LAYERS);
  for (let i = 0; i < p.layerCount; i++) {
    if (i > 0) w.byte(COMMA);
    w.raw(LAYER_JSON[p.layerKind[i]] ?? K_NULL); // JSON.stringify writes an undefined element as null
  }
  w.raw(K_END_TUNNELS);
  for (let t = 0; t < p.tunnelCount; t++) {
    if (t > 0) w.byte(COMMA);
    writeTunnel(w, p, t);
  }
  w.raw(K_END_VNIS);
  let first = true;
  for (let t = 0; t < p.tunnelCount; t++) {
    if (!hasVni(p.tunnelKind[t]) || p.tunnelId[t] < 0) continue;
    if (!first) w.byte(COMMA);
    w.num(p.tunnelId[t]);
    first = false;
  }
  w.raw(K_END_LABELS);
  for (let i = 0; i < p.labelCount; i++) {
    if (i > 0) w.byte(COMMA);
    w.num(p.labels[i] >>> 12);
  }
  w.raw(K_END_VLANS);
  for (let i = 0; i < p.vlanCount; i++) {
    if (i > 0) w.byte(COMMA);
    w.num(p.vlanTci[i] & 0xfff);
  }
  w.byte(93);
  if (p.innerStart >= 0) {
    w.raw(K_INNER);
    writeInner(w, p);
    w.byte(125);
  }
  if (topology) {
    const l3 = p.innerStart >= 0 ? p.innerL3 : -1;
    const inner = l3 >= 0 ? { src: layerSrc(p, l3), dst: layerDst(p, l3) } : undefined;
    w.raw(K_NAMES);
    w.utf8(JSON.stringify(describeNames(p, topology, inner)));
  }
  if (p.problemCount > 0) {
    w.raw(K_ERRORS);
    for (let i = 0; i < p.problemCount; i++) {
      if (i > 0) w.byte(COMMA);
      w.byte(123);
      const kind = PROBLEM_JSON[p.problemKind[i]];
      const layer = LAYER_JSON[p.problemLayer[i]];
      if (kind !== undefined) {
        w.raw(K_KIND);
        w.raw(kind);
        w.byte(COMMA);
      }
      if (layer !== undefined) {
        w.raw(K_LAYER);
        w.raw(layer);
        w.byte(COMMA);
      }
      w.raw(K_OFFSET);
      w.num(p.problemOffset[i]);
      w.byte(125);
    }
    w.byte(93);
  }
  if (p.comment !== undefined) {
    w.raw(K_COMMENT);
    w.utf8(JSON.stringify(p.comment));
  }
  w.byte(125);
  w.endLine();
}

/** The members of `describeInner` (without the braces). */
function writeInner(w: ByteBatch, p: PacketView): void {
  const b = p.buf;
  let first = true;
  if (p.innerL2 >= 0) {
    const at = p.layerStart[p.innerL2];
    w.raw(K_ETH_SRC);
    w.hex(b, at + 6, at + 12, COLON);
    w.raw(K_ETH_DST);
    w.hex(b, at, at + 6, COLON);
    w.raw(K_QUOTE_CLOSE);
    first = false;
  }
  const l3 = p.innerL3;
  if (l3 >= 0) {
    if (addrMember(w, p, l3, K_SRC, false, first)) first = false;
    if (addrMember(w, p, l3, K_DST, true, first)) first = false;
  }
  const proto = innerProto(p);
  if (proto !== undefined) {
    key(w, K_PROTO, first);
    w.byte(QUOTE);
    w.ascii(proto);
    w.byte(QUOTE);
    first = false;
  }
  const l4 = p.innerL4;
  if (l4 < 0) return;
  const k = p.layerKind[l4];
  if (k === Layer.Icmp || k === Layer.Icmpv6) {
    const at = p.layerStart[l4];
    const lim = p.layerLimit[l4];
    if (at + 2 > lim) return;
    const type = b[at];
    key(w, K_ICMP, first);
    w.raw(K_OPEN_TYPE);
    w.num(type);
    w.raw(K_CODE);
    w.num(b[at + 1]);
    if (isEcho(k, type) && at + 8 <= lim) {
      w.raw(K_ID);
      w.num(u16(b, at + 4));
      w.raw(K_SEQ);
      w.num(u16(b, at + 6));
    }
    w.byte(125);
  } else {
    const sp = layerSport(p, l4);
    if (sp < 0) return;
    key(w, K_SPORT, first);
    w.num(sp);
    w.raw(K_DPORT);
    w.num(layerDport(p, l4));
  }
}

/** `,"key":n` (k is `,"key":`) for a field that is present when non-negative. */
function numMember(w: ByteBatch, k: Uint8Array, v: number): void {
  if (v < 0) return;
  w.raw(k);
  w.num(v);
}

/** The object of `describeTunnel`. */
function writeTunnel(w: ByteBatch, p: PacketView, t: number): void {
  const kind = p.tunnelKind[t];
  w.raw(K_OPEN_TYPE);
  // `|| 'unknown'` as describeTunnel: an empty or missing name is unknown
  w.raw(TUNNEL_NAMES[kind] ? TUNNEL_JSON[kind]! : K_UNKNOWN);
  const ip = p.tunnelOuterIp[t];
  if (ip >= 0) {
    addrMember(w, p, ip, K_SRC, false);
    addrMember(w, p, ip, K_DST, true);
  }
  const udp = p.tunnelOuterUdp[t];
  if (udp >= 0) {
    numMember(w, N_SPORT, layerSport(p, udp));
    numMember(w, N_DPORT, layerDport(p, udp));
  }
  const id = p.tunnelId[t];
  const id2 = p.tunnelId2[t];
  const flags = p.tunnelFlags[t];
  switch (kind) {
    case Tunnel.Vxlan:
      numMember(w, N_VNI, id);
      if (flags & TunnelFlag.VxlanGbp) numMember(w, N_GBP, id2);
      break;
    case Tunnel.VxlanGpe:
      numMember(w, N_VNI, id);
      numMember(w, N_PROTO, id2);
      break;
    case Tunnel.Geneve: {
      numMember(w, N_VNI, id);
      numMember(w, N_PROTO, id2);
      if (flags & TunnelFlag.GeneveCritical) w.raw(K_CRITICAL_TRUE);
      if (flags & TunnelFlag.GeneveOam) w.raw(K_OAM_TRUE);
      const n = p.tunnelOptCount[t];
      if (n > 0) {
        w.raw(K_OPTIONS);
        const from = p.tunnelOptStart[t];
        for (let i = from; i < from + n; i++) {
          if (i > from) w.byte(COMMA);
          w.raw(K_OPEN_CLASS);
          w.num(p.optClass[i]);
          w.raw(K_TYPE);
          w.num(p.optType[i]);
          w.raw(K_DATA);
          w.hex(p.buf, p.optStart[i], p.optStart[i] + p.optLen[i]);
          w.raw(K_QUOTE_CLOSE);
        }
        w.byte(93);
      }
      const inp = p.tunnelOvnIn[t];
      const outp = p.tunnelOvnOut[t];
      if (inp >= 0 || outp >= 0) {
        w.raw(K_OVN);
        if (inp >= 0) {
          w.raw(K_INPORT);
          w.num(inp);
        }
        if (outp >= 0) {
          if (inp >= 0) w.byte(COMMA);
          w.raw(K_OUTPORT);
          w.num(outp);
        }
        w.byte(125);
      }
      break;
    }
    case Tunnel.Gre:
      numMember(w, N_KEY, id);
      numMember(w, N_SEQ, id2);
      break;
    case Tunnel.Mpls: {
      w.raw(K_LABELS);
      const from = p.tunnelLabelStart[t];
      for (let i = from, e = from + p.tunnelLabelCount[t]; i < e; i++) {
        if (i > from) w.byte(COMMA);
        w.num(p.labels[i] >>> 12);
      }
      w.byte(93);
      if (id2 > 0 && MPLS_RULE_NAMES[id2]) {
        w.raw(K_PAYLOAD);
        w.raw(MPLS_RULE_JSON[id2]!);
      }
      if (flags & TunnelFlag.MplsControlWord) w.raw(K_CONTROLWORD_TRUE);
      break;
    }
    case Tunnel.Erspan:
      numMember(w, N_SESSION, id);
      numMember(w, N_VERSION, id2);
      // Type I has no ERSPAN header, so no VLAN field.
      if (id2 >= 2) numMember(w, N_VLAN, flags & 0xffff);
      break;
    case Tunnel.ContrailMirror: {
      if (id2 >= 0) {
        w.raw(K_HOST);
        w.num(id2 >>> 24);
        w.byte(46);
        w.num((id2 >>> 16) & 255);
        w.byte(46);
        w.num((id2 >>> 8) & 255);
        w.byte(46);
        w.num(id2 & 255);
        w.byte(QUOTE);
      }
      if (id >= 0) {
        numMember(w, N_FLAGS, id);
        w.raw(flags & TunnelFlag.ContrailIngress ? K_INGRESS_TRUE : K_INGRESS_FALSE);
      }
      const [a, b] = contrailVns(p, t);
      if (a !== undefined) {
        w.raw(K_SRCVN);
        w.utf8(JSON.stringify(a));
      }
      if (b !== undefined) {
        w.raw(K_ETH_DSTVN);
        w.utf8(JSON.stringify(b));
      }
      if (flags & TunnelFlag.ContrailLegacyHeader) w.raw(K_LEGACYHEADER_TRUE);
      break;
    }
    case Tunnel.Jmirror:
      numMember(w, N_SESSION, id);
      numMember(w, N_MIRROR, id2);
      break;
  }
  if (flags & TunnelFlag.ReservedNonZero) w.raw(K_RESERVED_TRUE);
  w.byte(125);
}
