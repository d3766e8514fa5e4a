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
import { BatchedLineSink, ByteBatch } from './byte-batch.js';
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
/** tcpFlags() of every flags byte, encoded once. */
const TCP_FLAGS = ((e) => Array.from({ length: 256 }, (_, f) => e.encode(tcpFlags(f))))(new TextEncoder());

/** Host name for an address when a topology knows it, else the address. */
function host(topo: Topology | undefined, ip: string | undefined): string {
  if (ip === undefined) return '?';
  return topo?.hostName(ip) ?? ip;
}

const SPACE = 32;

/** The source/destination address of IP/ARP layer `i` (its host name with a topology), `?` when unknown. */
function writeHost(w: ByteBatch, p: PacketView, i: number, dst: boolean, topo: Topology | undefined): void {
  if (topo) {
    w.text(host(topo, dst ? layerDst(p, i) : layerSrc(p, i)));
    return;
  }
  const at = layerAddrAt(p, i, dst);
  if (at < 0) w.byte(63);
  else if (p.layerKind[i] === Layer.Ipv6) w.ipv6(p.buf, at);
  else w.ipv4(p.buf, at);
}

/** A name carried in the packet (bytes [start, start + n)): copied as it is when ASCII, else decoded. */
function writeName(w: ByteBatch, p: PacketView, start: number, n: number): void {
  if (!w.asciiBytes(p.buf, start, start + n)) w.text(text(p.buf, start, start + n));
}

/** A space unless nothing was written since `start`. */
function sep(w: ByteBatch, start: number): void {
  if (w.pos > start) w.byte(SPACE);
}

/**
 * VLAN tags of layers [from, to) as `vlan 200,2001 vlan 5` (consecutive tags print as one stack);
 * `vlan` indexes the first tag's TCI.
 */
function writeVlans(w: ByteBatch, p: PacketView, from: number, to: number, vlan: number, start: number): number {
  for (let i = from; i < to; i++) {
    if (p.layerKind[i] !== Layer.Vlan) continue;
    const id = p.vlanTci[vlan++] & 0xfff;
    if (i > from && p.layerKind[i - 1] === Layer.Vlan) w.byte(COMMA);
    else {
      sep(w, start);
      w.ascii('vlan ');
    }
    w.num(id);
  }
  return vlan;
}

/** Outer endpoints `src>dst` of tunnel `t` carried by IP layer `ip`. */
function writeEnds(w: ByteBatch, p: PacketView, ip: number, names: TunnelNames | undefined, topo: Topology | undefined): void {
  if (names?.src !== undefined) w.text(names.src);
  else writeHost(w, p, ip, false, topo);
  w.byte(62);
  if (names?.dst !== undefined) w.text(names.dst);
  else writeHost(w, p, ip, true, topo);
}

const COMMA = 44;

/** The tunnel context: outer VLANs, endpoints and every encapsulation header, outermost first. */
function writeContext(w: ByteBatch, p: PacketView, topo: Topology | undefined): void {
  const start = w.pos;
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
        vlan = writeVlans(w, p, i, e, vlan, start);
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
      if (ip >= 0 && !ipCarried) {
        sep(w, start);
        writeEnds(w, p, ip, names, topo);
      }
      sep(w, start);
      writeTunnel(w, p, t, names, ipCarried ? ip : -1, topo);
      t++;
    }
  }
}

/**
 * One encapsulation header: `geneve vni 8 ovn 2->1`, `mpls[16,31]`, `gre 10.0.0.1>10.0.0.2 key 5`…
 * `ip` >= 0 (GRE, IP-in-IP only): its endpoints go right after the name.
 */
function writeTunnel(w: ByteBatch, p: PacketView, t: number, names: TunnelNames | undefined, ip: number, topo: Topology | undefined): void {
  const id = p.tunnelId[t];
  const id2 = p.tunnelId2[t];
  const flags = p.tunnelFlags[t];
  switch (p.tunnelKind[t] as Tunnel) {
    case Tunnel.Vxlan:
    case Tunnel.VxlanGpe:
    case Tunnel.Geneve: {
      w.ascii(TUNNEL_NAMES[p.tunnelKind[t]]);
      if (names?.network !== undefined) {
        w.byte(SPACE);
        w.text(names.network);
      } else if (id >= 0) {
        w.ascii(' vni ');
        w.num(id);
      }
      const inp = p.tunnelOvnIn[t];
      const outp = p.tunnelOvnOut[t];
      if (inp >= 0 || outp >= 0) {
        w.ascii(names?.inport !== undefined || names?.outport !== undefined ? ' ' : ' ovn ');
        if (names?.inport !== undefined) w.text(names.inport);
        else if (inp >= 0) w.num(inp);
        else w.byte(63);
        w.ascii('->');
        if (names?.outport !== undefined) w.text(names.outport);
        else if (outp >= 0) w.num(outp);
        else w.byte(63);
      }
      return;
    }
    case Tunnel.Gre:
    case Tunnel.IpInIp:
      w.ascii(p.tunnelKind[t] === Tunnel.Gre ? 'gre' : 'ipip');
      if (ip >= 0) {
        w.byte(SPACE);
        writeEnds(w, p, ip, names, topo);
      }
      if (p.tunnelKind[t] === Tunnel.Gre && id >= 0) {
        w.ascii(' key ');
        w.num(id);
      }
      return;
    case Tunnel.Mpls: {
      w.ascii('mpls[');
      const from = p.tunnelLabelStart[t];
      for (let i = from, e = from + p.tunnelLabelCount[t]; i < e; i++) {
        if (i > from) w.byte(COMMA);
        w.num(p.labels[i] >>> 12);
      }
      w.byte(93);
      if (names?.network !== undefined) {
        w.byte(SPACE);
        w.text(names.network);
      }
      const where = names?.vm ?? names?.interface;
      if (where !== undefined) {
        w.byte(SPACE);
        w.text(where);
      }
      return;
    }
    case Tunnel.Erspan:
      w.ascii('erspan');
      if (id2 >= 1) {
        w.ascii(' v');
        w.num(id2);
      }
      if (id >= 0) {
        w.ascii(' session ');
        w.num(id);
      }
      if (id2 >= 2 && (flags & 0xffff) !== 0) {
        w.ascii(' vlan ');
        w.num(flags & 0xffff);
      }
      return;
    case Tunnel.ContrailMirror: {
      w.ascii('contrail-mirror');
      if (id2 >= 0) {
        w.ascii(' host ');
        w.ipv4Number(id2);
      }
      if (id >= 0) w.ascii(flags & TunnelFlag.ContrailIngress ? ' ingress' : ' egress');
      // Port mirroring carries one VN TLV (3 on RX, 4 on TX): name which one rather than print `>B`.
      const a = p.tunnelStrALen[t];
      const b = p.tunnelStrBLen[t];
      if (a >= 0 && b >= 0) {
        w.ascii(' vn ');
        writeName(w, p, p.tunnelStrAStart[t], a);
        w.byte(62);
        writeName(w, p, p.tunnelStrBStart[t], b);
      } else if (a >= 0) {
        w.ascii(' srcvn ');
        writeName(w, p, p.tunnelStrAStart[t], a);
      } else if (b >= 0) {
        w.ascii(' dstvn ');
        writeName(w, p, p.tunnelStrBStart[t], b);
      }
      return;
    }
    case Tunnel.Jmirror:
      w.ascii('jmirror');
      if (id2 >= 0) {
        w.ascii(' mirror ');
        w.num(id2);
      }
      if (id >= 0) {
        w.ascii(' session ');
        w.num(id);
      }
      return;
    default:
      w.text(TUNNEL_NAMES[p.tunnelKind[t]] || 'tunnel');
  }
}

/** Summary of the innermost frame: `12.12.0.102 > 10.10.0.100 ICMP echo request id 15119 seq 20030`. */
function writeInner(w: ByteBatch, p: PacketView, topo: Topology | undefined): void {
  const first = p.innerStart;
  if (first < 0) return;
  const b = p.buf;
  const start = w.pos;
  writeVlans(w, p, first, p.layerCount, countVlansBefore(p, first), start);
  sep(w, start);
  const l3 = p.innerL3;
  if (l3 < 0) {
    if (p.innerL2 >= 0) {
      const s = p.layerStart[p.innerL2];
      // the EtherType of the last L2 header (Ethernet or the last VLAN tag)
      let last = p.innerL2;
      while (last + 1 < p.layerCount && p.layerKind[last + 1] === Layer.Vlan) last++;
      const typeAt = p.layerKind[last] === Layer.Vlan ? p.layerStart[last] + 2 : s + 12;
      const type = u16(b, typeAt);
      w.hex(b, s + 6, s + 12, 58);
      w.ascii(' > ');
      w.hex(b, s, s + 6, 58);
      if (type < 0x0600) {
        w.ascii(' 802.3 length ');
        w.num(type);
      } else {
        w.ascii(' ethertype 0x');
        w.hex(b, typeAt, typeAt + 2);
      }
      return;
    }
    for (let i = first; i < p.layerCount; i++) {
      if (i > first) w.byte(SPACE);
      w.ascii(LAYER_NAMES[p.layerKind[i]] ?? '');
    }
    w.trimSpaces(start); // as String.trim() of `prefix names`: a layer without a name leaves no blank
    return;
  }
  if (p.layerKind[l3] === Layer.Arp) {
    writeArp(w, p, l3);
    return;
  }
  writeHost(w, p, l3, false, topo);
  const l4 = p.innerL4;
  if (l4 < 0) {
    w.ascii(' > ');
    writeHost(w, p, l3, true, topo);
    const proto = ipProtocol(p, l3);
    w.byte(SPACE);
    w.ascii(proto < 0 ? 'IP' : ipProtoName(proto).toUpperCase());
    return;
  }
  const k = p.layerKind[l4];
  if (k === Layer.Icmp || k === Layer.Icmpv6) {
    w.ascii(' > ');
    writeHost(w, p, l3, true, topo);
    w.ascii(k === Layer.Icmp ? ' ICMP' : ' ICMP6');
    const s = p.layerStart[l4];
    const lim = p.layerLimit[l4];
    if (s + 2 > lim) return;
    const type = b[s];
    const code = b[s + 1];
    const name = (k === Layer.Icmp ? ICMP_TYPES : ICMP6_TYPES)[type];
    w.byte(SPACE);
    if (name !== undefined) w.ascii(name);
    else {
      w.ascii('type ');
      w.num(type);
    }
    if (isEcho(k, type) && s + 8 <= lim) {
      w.ascii(' id ');
      w.num(u16(b, s + 4));
      w.ascii(' seq ');
      w.num(u16(b, s + 6));
    } else if (code !== 0 || name === undefined) {
      w.ascii(' code ');
      w.num(code);
    }
    return;
  }
  w.byte(46);
  w.num(layerSport(p, l4));
  w.ascii(' > ');
  writeHost(w, p, l3, true, topo);
  w.byte(46);
  w.num(layerDport(p, l4));
  const payload = p.layerLimit[l4] - p.layerEnd[l4];
  if (k === Layer.Tcp) {
    const s = p.layerStart[l4];
    w.ascii(' TCP');
    if (s + 14 <= p.layerLimit[l4]) {
      w.ascii(' [');
      w.raw(TCP_FLAGS[b[s + 13]]);
      w.byte(93);
    }
  } else {
    w.ascii(' UDP');
  }
  w.ascii(' len ');
  w.num(payload);
}

function countVlansBefore(p: PacketView, layer: number): number {
  let n = 0;
  for (let i = 0; i < layer; i++) if (p.layerKind[i] === Layer.Vlan) n++;
  return n;
}

function writeArp(w: ByteBatch, p: PacketView, i: number): void {
  const s = p.layerStart[i];
  const b = p.buf;
  w.ascii('ARP');
  if (s + 8 > p.layerLimit[i]) return;
  const op = u16(b, s + 6);
  if (!arpIpv4(p, i)) {
    w.ascii(' op ');
    w.num(op);
    return;
  }
  // sender protocol address at +14, target at +24
  if (op === 1) {
    w.ascii(' who-has ');
    w.ipv4(b, s + 24);
    w.ascii(' tell ');
    w.ipv4(b, s + 14);
  } else if (op === 2) {
    w.ascii(' reply ');
    w.ipv4(b, s + 14);
    w.ascii(' is-at ');
    w.hex(b, s + 8, s + 14, 58);
  } else {
    w.ascii(' op ');
    w.num(op);
    w.byte(SPACE);
    w.ipv4(b, s + 14);
    w.ascii(' > ');
    w.ipv4(b, s + 24);
  }
}

/** Decode problems as `[truncated in udp at 34]`, space separated. */
function writeProblems(w: ByteBatch, p: PacketView): void {
  for (let i = 0; i < p.problemCount; i++) {
    if (i > 0) w.byte(SPACE);
    w.byte(91);
    w.text(`${PROBLEM_NAMES[p.problemKind[i]]}`);
    w.ascii(' in ');
    w.text(`${LAYER_NAMES[p.problemLayer[i]]}`);
    w.ascii(' at ');
    w.num(p.problemOffset[i]);
    w.byte(93);
  }
}

/** Scratch buffer behind the string-returning API (formatLine, formatContext, formatInner, formatProblems). */
const scratch = new ByteBatch();

function asString(write: (w: ByteBatch) => void): string {
  scratch.pos = 0;
  write(scratch);
  return scratch.buf.toString('utf8', 0, scratch.pos);
}

/** The tunnel context: outer VLANs, endpoints and every encapsulation header, outermost first. */
export function formatContext(p: PacketView, topo?: Topology): string {
  return asString((w) => writeContext(w, p, topo));
}

/** Summary of the innermost frame: `12.12.0.102 > 10.10.0.100 ICMP echo request id 15119 seq 20030`. */
export function formatInner(p: PacketView, topo?: Topology): string {
  return asString((w) => writeInner(w, p, topo));
}

/** Decode problems as `[truncated in udp at 34]`, space separated ('' when none). */
export function formatProblems(p: PacketView): string {
  return asString((w) => writeProblems(w, p));
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
 * Write the line for one packet (without the newline): time, context, ` | `, inner summary, problems,
 * each after a space unless it is the first part; a part that turns out empty is taken back.
 */
function writeLine(w: ByteBatch, p: PacketView, o: TextLineOptions): void {
  const start = w.pos;
  o.time.write(w, p.tsSec, p.tsNsec);
  let mark = w.pos;
  sep(w, start);
  const ctxAt = w.pos;
  writeContext(w, p, o.topology);
  const hasCtx = w.pos > ctxAt;
  if (!hasCtx) w.pos = mark;
  mark = w.pos;
  if (hasCtx) w.ascii(' |');
  sep(w, start);
  const innerAt = w.pos;
  writeInner(w, p, o.topology);
  if (w.pos === innerAt) w.pos = mark; // no inner frame: no ` |` either
  mark = w.pos;
  sep(w, start);
  const probsAt = w.pos;
  writeProblems(w, p);
  if (w.pos === probsAt) w.pos = mark;
  if (o.verbose && o.reg) w.text(formatDetail(p, o.reg));
}

/** Whole line for one packet (without the trailing newline). */
export function formatLine(p: PacketView, o: TextLineOptions): string {
  return asString((w) => writeLine(w, p, o));
}

/** `peelcap read`: one text line per packet. */
/** Lines go straight into bytes: cheaper than joining them into a batch string and encoding that. */
export class TextSink extends BatchedLineSink {
  constructor(
    out: LineOutput,
    private readonly opts: TextLineOptions,
  ) {
    super(out);
  }

  packet(p: PacketView): void {
    writeLine(this.batch, p, this.opts);
    this.batch.endLine();
  }
}
