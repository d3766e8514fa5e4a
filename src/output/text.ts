/**
 * One tcpdump-like line per packet: time, tunnel context, ` | `, the inner summary, decode problems.
 *
 *   12:07:02.093007 gre 172.20.0.25>172.20.0.23 mpls[31] | 12.12.0.102 > 10.10.0.100 ICMP echo request id 15119 seq 20030
 *   12:07:02.093007 vlan 50 172.17.2.10>172.17.2.11 geneve vni 8 ovn 2->1 | 192.168.1.13 > 192.168.1.14 ICMP echo request id 1 seq 1
 *
 * Outer endpoints follow `gre`/`ipip` (the IP header carries the tunnel directly) and precede a
 * UDP-carried tunnel's name; they are printed once per outer IP header.
 */
import { ipv4FromU32, macString, u16 } from '../bytes.js';
import {
  arpIpv4,
  contrailVns,
  icmpInfo,
  ipProtocol,
  ipProtoName,
  layerDport,
  layerDst,
  layerSport,
  layerSrc,
  describeLayers,
  tunnelLabels,
} from '../describe.js';
import { Layer, LAYER_NAMES, PROBLEM_NAMES, Tunnel, TUNNEL_NAMES } from '../layers.js';
import { TunnelFlag, type PacketView } from '../packet.js';
import type { Registry } from '../registry.js';
import type { Topology, TunnelNames } from '../topology/types.js';
import type { LineOutput } from './line-output.js';
import type { PacketSink } from './sink.js';
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

/** The tunnel context: outer VLANs, endpoints and every encapsulation header, outermost first. */
export function formatContext(p: PacketView, topo?: Topology): string {
  const stop = p.innerStart >= 0 ? p.innerStart : p.layerCount;
  let out = '';
  let vlan = 0;
  let t = 0;
  let lastIp = -1;
  for (let i = 0; i < stop; i++) {
    const k = p.layerKind[i];
    if (k === Layer.Vlan) {
      const id = p.vlanTci[vlan++] & 0xfff;
      // consecutive tags print as one stack: vlan 200,2001
      out += i > 0 && p.layerKind[i - 1] === Layer.Vlan ? `,${id}` : `${out ? ' ' : ''}vlan ${id}`;
      continue;
    }
    while (t < p.tunnelCount && p.tunnelLayer[t] === i) {
      const names = topo?.tunnelNames(p, t);
      const ip = p.tunnelOuterIp[t];
      let ends = '';
      if (ip >= 0 && ip !== lastIp) {
        lastIp = ip;
        const src = names?.src ?? host(topo, layerSrc(p, ip));
        const dst = names?.dst ?? host(topo, layerDst(p, ip));
        ends = `${src}>${dst}`;
      }
      const kind = p.tunnelKind[t];
      const ipCarried = kind === Tunnel.Gre || kind === Tunnel.IpInIp;
      if (ends && !ipCarried) out += `${out ? ' ' : ''}${ends}`;
      out += `${out ? ' ' : ''}${tunnelText(p, t, names, ipCarried ? ends : '')}`;
      t++;
    }
  }
  return out;
}

/**
 * One encapsulation header: `geneve vni 8 ovn 2->1`, `mpls[16,31]`, `gre 10.0.0.1>10.0.0.2 key 5`…
 * `ends` (GRE, IP-in-IP only) goes right after the name.
 */
function tunnelText(p: PacketView, t: number, names: TunnelNames | undefined, ends: string): string {
  const at = ends ? ` ${ends}` : '';
  const id = p.tunnelId[t];
  const id2 = p.tunnelId2[t];
  const flags = p.tunnelFlags[t];
  switch (p.tunnelKind[t] as Tunnel) {
    case Tunnel.Vxlan:
    case Tunnel.VxlanGpe:
    case Tunnel.Geneve: {
      let s = TUNNEL_NAMES[p.tunnelKind[t]];
      if (names?.network !== undefined) s += ` ${names.network}`;
      else if (id >= 0) s += ` vni ${id}`;
      const inp = p.tunnelOvnIn[t];
      const outp = p.tunnelOvnOut[t];
      if (inp >= 0 || outp >= 0) {
        const a = names?.inport ?? (inp >= 0 ? String(inp) : '?');
        const b = names?.outport ?? (outp >= 0 ? String(outp) : '?');
        s += names?.inport !== undefined || names?.outport !== undefined ? ` ${a}->${b}` : ` ovn ${a}->${b}`;
      }
      return s;
    }
    case Tunnel.Gre:
      return id >= 0 ? `gre${at} key ${id}` : `gre${at}`;
    case Tunnel.Mpls: {
      let s = `mpls[${tunnelLabels(p, t).join(',')}]`;
      if (names?.network !== undefined) s += ` ${names.network}`;
      const where = names?.vm ?? names?.interface;
      if (where !== undefined) s += ` ${where}`;
      return s;
    }
    case Tunnel.Erspan: {
      let s = id2 >= 1 ? `erspan v${id2}` : 'erspan';
      if (id >= 0) s += ` session ${id}`;
      if (id2 >= 2 && (flags & 0xffff) !== 0) s += ` vlan ${flags & 0xffff}`;
      return s;
    }
    case Tunnel.ContrailMirror: {
      let s = 'contrail-mirror';
      if (id2 >= 0) s += ` host ${ipv4FromU32(id2)}`;
      if (id >= 0) s += flags & TunnelFlag.ContrailIngress ? ' ingress' : ' egress';
      const [a, b] = contrailVns(p, t);
      if (a !== undefined && b !== undefined) s += ` vn ${a}>${b}`;
      else if (a !== undefined) s += ` vn ${a}`;
      else if (b !== undefined) s += ` vn >${b}`;
      return s;
    }
    case Tunnel.Jmirror: {
      let s = 'jmirror';
      if (id2 >= 0) s += ` mirror ${id2}`;
      if (id >= 0) s += ` session ${id}`;
      return s;
    }
    case Tunnel.IpInIp:
      return `ipip${at}`;
    default:
      return TUNNEL_NAMES[p.tunnelKind[t]] || 'tunnel';
  }
}

/** Summary of the innermost frame: `12.12.0.102 > 10.10.0.100 ICMP echo request id 15119 seq 20030`. */
export function formatInner(p: PacketView, topo?: Topology): string {
  const first = p.innerStart;
  if (first < 0) return '';
  const b = p.buf;
  let prefix = '';
  let vlan = countVlansBefore(p, first);
  for (let i = first; i < p.layerCount; i++) {
    if (p.layerKind[i] !== Layer.Vlan) continue;
    const id = p.vlanTci[vlan++] & 0xfff;
    prefix += i > first && p.layerKind[i - 1] === Layer.Vlan ? `,${id}` : `${prefix ? ' ' : ''}vlan ${id}`;
  }
  if (prefix) prefix += ' ';
  const l3 = p.innerL3;
  if (l3 < 0) {
    if (p.innerL2 >= 0) {
      const s = p.layerStart[p.innerL2];
      // the EtherType of the last L2 header (Ethernet or the last VLAN tag)
      let last = p.innerL2;
      while (last + 1 < p.layerCount && p.layerKind[last + 1] === Layer.Vlan) last++;
      const typeAt = p.layerKind[last] === Layer.Vlan ? p.layerStart[last] + 2 : s + 12;
      const type = u16(b, typeAt);
      const what = type < 0x0600 ? `802.3 length ${type}` : `ethertype 0x${type.toString(16).padStart(4, '0')}`;
      return `${prefix}${macString(b, s + 6)} > ${macString(b, s)} ${what}`;
    }
    const names: string[] = [];
    for (let i = first; i < p.layerCount; i++) names.push(LAYER_NAMES[p.layerKind[i]]);
    return `${prefix}${names.join(' ')}`.trim();
  }
  if (p.layerKind[l3] === Layer.Arp) return prefix + arpText(p, l3);
  const src = host(topo, layerSrc(p, l3));
  const dst = host(topo, layerDst(p, l3));
  const l4 = p.innerL4;
  if (l4 < 0) {
    const proto = ipProtocol(p, l3);
    return `${prefix}${src} > ${dst} ${proto < 0 ? 'IP' : ipProtoName(proto).toUpperCase()}`;
  }
  const k = p.layerKind[l4];
  if (k === Layer.Icmp || k === Layer.Icmpv6) {
    const icmp = icmpInfo(p, l4);
    const label = k === Layer.Icmp ? 'ICMP' : 'ICMP6';
    if (!icmp) return `${prefix}${src} > ${dst} ${label}`;
    const table = k === Layer.Icmp ? ICMP_TYPES : ICMP6_TYPES;
    let s = `${prefix}${src} > ${dst} ${label} ${table[icmp.type] ?? `type ${icmp.type}`}`;
    if (icmp.id !== undefined) s += ` id ${icmp.id} seq ${icmp.seq}`;
    else if (icmp.code !== 0 || table[icmp.type] === undefined) s += ` code ${icmp.code}`;
    return s;
  }
  const sp = layerSport(p, l4);
  const dp = layerDport(p, l4);
  const payload = p.layerLimit[l4] - p.layerEnd[l4];
  if (k === Layer.Tcp) {
    const s = p.layerStart[l4];
    const fl = s + 14 <= p.layerLimit[l4] ? ` [${tcpFlags(b[s + 13])}]` : '';
    return `${prefix}${src}.${sp} > ${dst}.${dp} TCP${fl} len ${payload}`;
  }
  return `${prefix}${src}.${sp} > ${dst}.${dp} UDP len ${payload}`;
}

function countVlansBefore(p: PacketView, layer: number): number {
  let n = 0;
  for (let i = 0; i < layer; i++) if (p.layerKind[i] === Layer.Vlan) n++;
  return n;
}

function arpText(p: PacketView, i: number): string {
  const s = p.layerStart[i];
  const b = p.buf;
  if (s + 8 > p.layerLimit[i]) return 'ARP';
  const op = u16(b, s + 6);
  if (!arpIpv4(p, i)) return `ARP op ${op}`;
  const spa = layerSrc(p, i);
  const tpa = layerDst(p, i);
  if (op === 1) return `ARP who-has ${tpa} tell ${spa}`;
  if (op === 2) return `ARP reply ${spa} is-at ${macString(b, s + 8)}`;
  return `ARP op ${op} ${spa} > ${tpa}`;
}

/** Decode problems as `[truncated in udp at 34]`, space separated ('' when none). */
export function formatProblems(p: PacketView): string {
  let s = '';
  for (let i = 0; i < p.problemCount; i++) {
    s += `${s ? ' ' : ''}[${PROBLEM_NAMES[p.problemKind[i]]} in ${LAYER_NAMES[p.problemLayer[i]]} at ${p.problemOffset[i]}]`;
  }
  return s;
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

/** Whole line for one packet (without the trailing newline). */
export function formatLine(p: PacketView, o: TextLineOptions): string {
  const ts = o.time.format(p.tsSec, p.tsNsec);
  const ctx = formatContext(p, o.topology);
  const inner = formatInner(p, o.topology);
  const probs = formatProblems(p);
  let line = ts;
  if (ctx) line += `${line ? ' ' : ''}${ctx}${inner ? ' |' : ''}`;
  if (inner) line += `${line ? ' ' : ''}${inner}`;
  if (probs) line += `${line ? ' ' : ''}${probs}`;
  if (o.verbose && o.reg) line += formatDetail(p, o.reg);
  return line;
}

/** `peelcap read`: one text line per packet. */
export class TextSink implements PacketSink {
  constructor(
    private readonly out: LineOutput,
    private readonly opts: TextLineOptions,
  ) {}

  packet(p: PacketView): void {
    this.out.write(`${formatLine(p, this.opts)}\n`);
  }

  afterChunk(): Promise<void> | undefined {
    return this.out.afterChunk();
  }

  end(): Promise<void> {
    return this.out.end();
  }
}
