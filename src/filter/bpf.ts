/**
 * BPF back end: the same checked tree, printed as a classic tcpdump/libpcap expression for hosts
 * where peelcap is not installed.
 *
 * Classic BPF has no loops, so it cannot follow an arbitrary stack of headers. Instead the
 * expression enumerates the packet *shapes* it covers, each with fixed (or arithmetically computed)
 * offsets, and translates the filter separately for each shape:
 *
 *   Ethernet [+ one 802.1Q/802.1ad tag] then
 *     - a non-IP payload (ARP or an EtherType peelcap does not decode), or
 *     - IPv4 without a tunnel (TCP, UDP, ICMP or other payload), or
 *     - IPv4 / UDP / VXLAN (4789, 8472) / Ethernet / {IPv4, IPv6, ARP, other}
 *     - IPv4 / UDP / Geneve (6081, any option length) / {Ethernet / {IPv4, IPv6, ARP, other}, IPv4, IPv6}
 *     - IPv4 / UDP / MPLS (6635, 51234), 1 or 2 labels / {IPv4, IPv6} (payload told by its first nibble)
 *     - IPv4 / GRE (0x8847, version 0, C/K/S fields by arithmetic) / MPLS, 1 or 2 labels / {IPv4, IPv6}
 *   Inner IPv6 is assumed to have no extension headers.
 *
 * Packets of any other shape (outer IPv6, QinQ, nested tunnels, inner VLAN tags, ERSPAN…) never
 * match the printed expression. Within the shapes the expression means exactly what the filter
 * means, with the same dispatch rules as the decoders (UDP destination port first, then source).
 * Filter parts that BPF cannot express at all are refused with the reason, never approximated.
 */
import { createRegistry } from '../../decoders/index.js';
import { Layer, Tunnel } from '../layers.js';
import type { Registry } from '../registry.js';
import type { Topology } from '../topology/types.js';
import type { Scope } from './ast.js';
import { check, type Checked, type CheckedTest, type Matcher } from './check.js';
import { parse } from './parser.js';

/** Some part of the filter has no BPF equivalent; `parts` says which and why. */
export class BpfError extends Error {
  override name = 'BpfError';
  constructor(readonly parts: readonly { part: string; why: string }[]) {
    super(`cannot express this filter in BPF:\n${parts.map((p) => `  ${p.part}: ${p.why}`).join('\n')}`);
  }
}

export interface BpfResult {
  /** The tcpdump expression ('' = every packet). */
  expression: string;
  /** What the expression assumes; print them next to it. */
  notes: string[];
}

// ---- conditions with constant folding -----------------------------------------------------------

type Cond = string | boolean;
const and = (...cs: Cond[]): Cond => {
  const parts: string[] = [];
  for (const c of cs) {
    if (c === false) return false;
    if (c !== true) parts.push(c);
  }
  return parts.length === 0 ? true : parts.length === 1 ? parts[0] : parts.map(paren).join(' and ');
};
const or = (...cs: Cond[]): Cond => {
  const parts: string[] = [];
  for (const c of cs) {
    if (c === true) return true;
    if (c !== false) parts.push(c);
  }
  return parts.length === 0 ? false : parts.length === 1 ? parts[0] : parts.map(paren).join(' or ');
};
const not = (c: Cond): Cond => (typeof c === 'boolean' ? !c : `not ${paren(c)}`);
/** Wrap anything but a single token: libpcap's precedence of not/and/or and of << vs + is easy to misread. */
const paren = (s: string) => (s.includes(' ') ? `(${s})` : s);
const hex = (n: number) => `0x${(n >>> 0).toString(16)}`;

// ---- byte access -------------------------------------------------------------------------------

/** Where a header starts: a libpcap protocol accessor and an offset expression inside it. */
interface Base {
  proto: 'ether' | 'ip' | 'udp' | 'tcp' | 'icmp' | 'arp';
  off: string;
}
const add = (off: string, k: number | string): string => {
  if (off === '' || off === '0') return String(k);
  if (k === 0 || k === '0') return off;
  return `${off} + ${k}`;
};
const at = (b: Base, k: number | string): Base => ({ proto: b.proto, off: add(b.off, k) });
const load = (b: Base, k: number | string, size: 1 | 2 | 4): string => `${b.proto}[${add(b.off, k)}${size === 1 ? '' : `:${size}`}]`;

/** A numeric value read by BPF, or a constant the shape fixes. */
type Val = { t: 'num'; expr: string; present: Cond } | { t: 'const'; v: number } | { t: 'addr'; base: Base; off: number; width: number };

interface LayerRec {
  off: number;
  size: 1 | 2 | 4;
  shift?: number;
  mask?: number;
  plus?: number;
}
type Rec = LayerRec | { addr: number; width: number };

function recVal(b: Base, r: Rec): Val {
  if ('addr' in r) return { t: 'addr', base: b, off: r.addr, width: r.width };
  let e = load(b, r.off, r.size);
  if (r.shift) e = `${e} >> ${r.shift}`;
  if (r.mask !== undefined) e = `${paren(e)} & ${hex(r.mask)}`;
  if (r.plus) e = `${paren(e)} + ${r.plus}`;
  return { t: 'num', expr: e, present: true };
}

const A4 = (addr: number): Rec => ({ addr, width: 4 });
const A16 = (addr: number): Rec => ({ addr, width: 16 });
const B = (off: number, shift = 0, mask?: number): Rec => ({ off, size: 1, shift, mask });
const W = (off: number, mask?: number): Rec => ({ off, size: 2, mask });

/** Header fields BPF can read, per layer kind, as (offset, size, shift, mask) or address ranges. */
const LAYER_FIELDS: Record<string, Partial<Record<Layer, Rec[]>>> = {
  'eth.src': { [Layer.Ethernet]: [{ addr: 6, width: 6 }] },
  'eth.dst': { [Layer.Ethernet]: [{ addr: 0, width: 6 }] },
  'eth.addr': { [Layer.Ethernet]: [{ addr: 6, width: 6 }, { addr: 0, width: 6 }] },
  'eth.type': { [Layer.Ethernet]: [W(12)] },
  'vlan.id': { [Layer.Vlan]: [W(0, 0xfff)] },
  'vlan.pcp': { [Layer.Vlan]: [B(0, 5, 7)] },
  'vlan.dei': { [Layer.Vlan]: [B(0, 4, 1)] },
  'vlan.tpid': { [Layer.Vlan]: [W(-2)] },
  'arp.opcode': { [Layer.Arp]: [W(6)] },
  'ip.src': { [Layer.Ipv4]: [A4(12)], [Layer.Ipv6]: [A16(8)] },
  'ip.dst': { [Layer.Ipv4]: [A4(16)], [Layer.Ipv6]: [A16(24)] },
  'ip.addr': { [Layer.Ipv4]: [A4(12), A4(16)], [Layer.Ipv6]: [A16(8), A16(24)] },
  'ipv6.src': { [Layer.Ipv6]: [A16(8)] },
  'ipv6.dst': { [Layer.Ipv6]: [A16(24)] },
  'ipv6.addr': { [Layer.Ipv6]: [A16(8), A16(24)] },
  'ip.proto': { [Layer.Ipv4]: [B(9)], [Layer.Ipv6]: [B(6)] },
  'ip.ttl': { [Layer.Ipv4]: [B(8)], [Layer.Ipv6]: [B(7)] },
  'ip.len': { [Layer.Ipv4]: [W(2)], [Layer.Ipv6]: [{ off: 4, size: 2, plus: 40 }] },
  'ip.id': { [Layer.Ipv4]: [W(4)] },
  'ip.dsfield': { [Layer.Ipv4]: [B(1)], [Layer.Ipv6]: [{ off: 0, size: 2, shift: 4, mask: 0xff }] },
  'tcp.srcport': { [Layer.Tcp]: [W(0)] },
  'tcp.dstport': { [Layer.Tcp]: [W(2)] },
  'tcp.port': { [Layer.Tcp]: [W(0), W(2)] },
  'tcp.flags': { [Layer.Tcp]: [W(12, 0x1ff)] },
  'tcp.flags.fin': { [Layer.Tcp]: [B(13, 0, 1)] },
  'tcp.flags.syn': { [Layer.Tcp]: [B(13, 1, 1)] },
  'tcp.flags.reset': { [Layer.Tcp]: [B(13, 2, 1)] },
  'tcp.flags.push': { [Layer.Tcp]: [B(13, 3, 1)] },
  'tcp.flags.ack': { [Layer.Tcp]: [B(13, 4, 1)] },
  'tcp.flags.urg': { [Layer.Tcp]: [B(13, 5, 1)] },
  'udp.srcport': { [Layer.Udp]: [W(0)] },
  'udp.dstport': { [Layer.Udp]: [W(2)] },
  'udp.port': { [Layer.Udp]: [W(0), W(2)] },
  'udp.length': { [Layer.Udp]: [W(4)] },
  'icmp.type': { [Layer.Icmp]: [B(0)] },
  'icmp.code': { [Layer.Icmp]: [B(1)] },
  'icmpv6.type': { [Layer.Icmpv6]: [B(0)] },
  'icmpv6.code': { [Layer.Icmpv6]: [B(1)] },
  'gre.proto': { [Layer.Gre]: [W(2)] },
};

/** Fields refused outright, by why. */
const REFUSED: [RegExp, string][] = [
  [/^(network|host|vm|interface)$/, 'names come from the topology, which a kernel filter cannot see'],
  [/^(ovn\.|geneve\.opt\.)/, 'Geneve options are a variable-length list and classic BPF has no loops to walk it'],
  [/^(contrail|vn$)/, 'Contrail mirror TLVs have variable length and order, and the mirror is not a covered shape'],
  [/^frame\.(number|caplen|iface|linktype)$/, 'a kernel filter sees one packet at a time: no frame number, interface or capture length'],
  [/^(erspan|jmirror|vxlan_gpe|nsh|ppp|sll|pwcw|ipip)/, 'peelcap bpf covers VXLAN, Geneve, MPLSoUDP and MPLSoGRE only'],
  [/^(vxlan\.gbp|gre\.seq)$/, 'not translated to BPF'],
];

// ---- shapes -------------------------------------------------------------------------------------

interface Inst {
  layer: Layer;
  base: Base;
  present: Cond;
  /** Index of the tunnel this header carries (tunnels.length: the inner frame). */
  seg: number;
}
interface TunInst {
  kind: Tunnel;
  vals: Record<string, Val[]>;
  /** MPLS: label stack entries. */
  labels?: Base[];
}
interface Shape {
  /** Outer part of the guard (encapsulation and dispatch); shapes of one family differ in `guard` only. */
  family: Cond;
  guard: Cond;
  layers: Inst[];
  tunnels: TunInst[];
}

const IHL = (b: Base) => `((${load(b, 0, 1)} & 0xf) << 2)`;
const notFragment = (b: Base) => `${load(b, 6, 2)} & 0x1fff = 0`;

/** Layers of an IPv4 header at `b` and its transport (present when the protocol says so). */
function ipv4Stack(b: Base, seg: number, outer: boolean): Inst[] {
  const l4 = outer ? undefined : at(b, IHL(b));
  const proto = (n: number): Cond => and(`${load(b, 9, 1)} = ${n}`, notFragment(b));
  return [
    { layer: Layer.Ipv4, base: b, present: true, seg },
    { layer: Layer.Tcp, base: l4 ?? { proto: 'tcp', off: '' }, present: proto(6), seg },
    { layer: Layer.Udp, base: l4 ?? { proto: 'udp', off: '' }, present: proto(17), seg },
    { layer: Layer.Icmp, base: l4 ?? { proto: 'icmp', off: '' }, present: proto(1), seg },
  ];
}

function ipv6Stack(b: Base, seg: number): Inst[] {
  const l4 = at(b, 40);
  const nh = (n: number): Cond => `${load(b, 6, 1)} = ${n}`;
  return [
    { layer: Layer.Ipv6, base: b, present: true, seg },
    { layer: Layer.Tcp, base: l4, present: nh(6), seg },
    { layer: Layer.Udp, base: l4, present: nh(17), seg },
    { layer: Layer.Icmpv6, base: l4, present: nh(58), seg },
  ];
}

/** Inner-frame variants for a payload at `b`: 'eth' (Ethernet, untagged), 'ip4', 'ip6'. */
function innerFrames(b: Base, kind: 'eth' | 'ip4' | 'ip6', seg: number, ethertypes: number[]): { guard: Cond; layers: Inst[] }[] {
  if (kind === 'ip4') return [{ guard: true, layers: ipv4Stack(b, seg, false) }];
  if (kind === 'ip6') return [{ guard: true, layers: ipv6Stack(b, seg) }];
  const eth: Inst = { layer: Layer.Ethernet, base: b, present: true, seg };
  const type = load(b, 12, 2);
  const l3 = at(b, 14);
  const arpTypes = [0x0806, 0x8035];
  return [
    { guard: `${type} = 0x800`, layers: [eth, ...ipv4Stack(l3, seg, false)] },
    { guard: `${type} = 0x86dd`, layers: [eth, ...ipv6Stack(l3, seg)] },
    { guard: or(...arpTypes.map((t) => `${type} = ${hex(t)}`)), layers: [eth, { layer: Layer.Arp, base: l3, present: true, seg }] },
    { guard: and(...ethertypes.map((t) => `${type} != ${hex(t)}`)), layers: [eth] },
  ];
}

/** MPLS stacks of 1 or 2 labels at `b`, then IPv4 or IPv6 by the first nibble. */
function mplsShapes(b: Base, seg: number, before: TunInst[]): { guard: Cond; layers: Inst[]; tunnels: TunInst[] }[] {
  const out: { guard: Cond; layers: Inst[]; tunnels: TunInst[] }[] = [];
  for (const depth of [1, 2]) {
    const labels = Array.from({ length: depth }, (_, i) => at(b, 4 * i));
    const bottom = labels.map((l, i) => `${load(l, 2, 1)} & 1 = ${i === depth - 1 ? 1 : 0}`);
    const pay = at(b, 4 * depth);
    const tun: TunInst = {
      kind: Tunnel.Mpls,
      labels,
      vals: { 'mpls.depth': [{ t: 'const', v: depth }], 'tunnel.id': [{ t: 'num', expr: `${load(b, 0, 4)} >> 12`, present: true }] },
    };
    const first = load(pay, 0, 1);
    for (const [nibble, kind] of [[0x40, 'ip4'], [0x60, 'ip6']] as const) {
      const inner = innerFrames(pay, kind, seg + 1, [])[0];
      out.push({
        guard: and(...bottom, `${first} & 0xf0 = ${hex(nibble)}`),
        layers: [{ layer: Layer.Mpls, base: b, present: true, seg }, ...inner.layers],
        tunnels: [...before, tun],
      });
    }
  }
  return out;
}

function udpDispatch(reg: Registry, layer: Layer, all: number[]): Cond {
  const mine = all.filter((p) => reg.udpPort[p] === layer);
  return or(
    ...mine.map((p) => `udp dst port ${p}`),
    and(...all.map((p) => `not udp dst port ${p}`), or(...mine.map((p) => `udp src port ${p}`))),
  );
}

function buildShapes(reg: Registry, tagged: boolean): Shape[] {
  const eth: Inst = { layer: Layer.Ethernet, base: { proto: 'ether', off: '' }, present: true, seg: 0 };
  const l2: Inst[] = tagged ? [eth, { layer: Layer.Vlan, base: { proto: 'ether', off: '14' }, present: true, seg: 0 }] : [eth];
  const ethertypes: number[] = [];
  for (let t = 0; t < 65536; t++) if (reg.ethertype[t]) ethertypes.push(t);
  const udpPorts: number[] = [];
  for (let p = 0; p < 65536; p++) if (reg.udpPort[p]) udpPorts.push(p);
  const tunnelProtos: number[] = [];
  for (let p = 0; p < 256; p++) {
    const l = reg.ipProto[p];
    if (l && l !== Layer.Tcp && l !== Layer.Udp && l !== Layer.Icmp && l !== Layer.Icmpv6) tunnelProtos.push(p);
  }
  const shapes: Shape[] = [];
  const arpInst = (seg: number): Inst => ({ layer: Layer.Arp, base: { proto: 'arp', off: '' }, present: 'arp or rarp', seg });
  // non-IP: ARP, or an EtherType without a decoder
  shapes.push({
    family: true,
    guard: or('arp', 'rarp', and(...ethertypes.map((t) => `not ether proto ${hex(t)}`))),
    layers: [...l2, arpInst(0)],
    tunnels: [],
  });
  // IPv4 without a tunnel
  const ip: Base = { proto: 'ip', off: '' };
  shapes.push({
    family: true,
    guard: and('ip', ...tunnelProtos.map((p) => `not ip proto ${p}`), ...udpPorts.map((p) => `not udp port ${p}`)),
    layers: [...l2, ...ipv4Stack(ip, 0, true)],
    tunnels: [],
  });
  const outerIp = (seg: number) => ipv4Stack(ip, seg, true).filter((i) => i.layer === Layer.Ipv4 || i.layer === Layer.Udp).map((i) => ({ ...i, present: true }));
  const udp: Base = { proto: 'udp', off: '' };
  const l2seg0 = l2;
  // VXLAN
  const vni: Val = { t: 'num', expr: `${load(udp, 12, 4)} >> 8`, present: `${load(udp, 8, 1)} & 0x8 != 0` };
  const vx: TunInst = { kind: Tunnel.Vxlan, vals: { vni: [vni], 'vxlan.vni': [vni], 'tunnel.id': [vni], 'vxlan.flags': [{ t: 'num', expr: load(udp, 8, 1), present: true }] } };
  for (const f of innerFrames(at(udp, 16), 'eth', 1, ethertypes)) {
    shapes.push({
      family: and('ip', udpDispatch(reg, Layer.Vxlan, udpPorts)),
      guard: f.guard,
      layers: [...l2seg0, ...outerIp(0), { layer: Layer.Vxlan, base: at(udp, 8), present: true, seg: 0 }, ...f.layers],
      tunnels: [vx],
    });
  }
  // Geneve
  const gvni: Val = { t: 'num', expr: `${load(udp, 12, 4)} >> 8`, present: true };
  const gv: TunInst = {
    kind: Tunnel.Geneve,
    vals: {
      vni: [gvni],
      'geneve.vni': [gvni],
      'tunnel.id': [gvni],
      'geneve.proto': [{ t: 'num', expr: load(udp, 10, 2), present: true }],
      'geneve.oam': [{ t: 'num', expr: `${load(udp, 9, 1)} >> 7`, present: true }],
      'geneve.critical': [{ t: 'num', expr: `(${load(udp, 9, 1)} >> 6) & 1`, present: true }],
    },
  };
  const gpay = at(udp, `(16 + ((${load(udp, 8, 1)} & 0x3f) << 2))`);
  const gproto = load(udp, 10, 2);
  for (const [proto, kind] of [[0x6558, 'eth'], [0x0800, 'ip4'], [0x86dd, 'ip6']] as const) {
    for (const f of innerFrames(gpay, kind, 1, ethertypes)) {
      shapes.push({
        family: and('ip', udpDispatch(reg, Layer.Geneve, udpPorts), `${load(udp, 8, 1)} & 0xc0 = 0`),
        guard: and(`${gproto} = ${hex(proto)}`, f.guard),
        layers: [...l2seg0, ...outerIp(0), { layer: Layer.Geneve, base: at(udp, 8), present: true, seg: 0 }, ...f.layers],
        tunnels: [gv],
      });
    }
  }
  // MPLS over UDP
  for (const m of mplsShapes(at(udp, 8), 0, [])) {
    shapes.push({ family: and('ip', udpDispatch(reg, Layer.Mpls, udpPorts)), guard: m.guard, layers: [...l2seg0, ...outerIp(0), ...m.layers], tunnels: m.tunnels });
  }
  // MPLS over GRE: GRE header = 4 bytes + 4 for each of the C, K and S bits
  const g = at(ip, IHL(ip));
  const gflags = load(g, 0, 1);
  const greLen = `(4 + ((${gflags} & 0x80) >> 5) + ((${gflags} & 0x20) >> 3) + ((${gflags} & 0x10) >> 2))`;
  const key: Val = { t: 'num', expr: load(g, `(4 + ((${gflags} & 0x80) >> 5))`, 4), present: `${gflags} & 0x20 != 0` };
  const gre: TunInst = { kind: Tunnel.Gre, vals: { 'gre.key': [key], 'tunnel.id': [key] } };
  for (const m of mplsShapes(at(g, greLen), 1, [gre])) {
    shapes.push({
      family: and('ip proto 47', notFragment(ip), `${gflags} & 0x40 = 0`, `${load(g, 1, 1)} & 0x7 = 0`, `${load(g, 2, 2)} = 0x8847`),
      guard: m.guard,
      layers: [...l2seg0, { layer: Layer.Ipv4, base: ip, present: true, seg: 0 }, { layer: Layer.Gre, base: g, present: true, seg: 0 }, ...m.layers.map((i) => (i.layer === Layer.Mpls ? { ...i, seg: 1 } : i))],
      tunnels: m.tunnels,
    });
  }
  return shapes;
}

// ---- translation --------------------------------------------------------------------------------

interface Occ {
  present: Cond;
  vals: Val[];
}

function pickTunnels(tuns: TunInst[], kinds: readonly Tunnel[], scope: Scope): number[] {
  const idx = tuns.map((_, i) => i).filter((i) => kinds.length === 0 || kinds.includes(tuns[i].kind));
  if (scope.kind === 'any') return idx;
  if (scope.kind === 'outer') return idx.slice(0, 1);
  if (scope.kind === 'inner') return idx.slice(-1);
  const t = scope.index < 0 ? tuns.length + scope.index : scope.index;
  return idx.includes(t) ? [t] : [];
}

function occurrences(t: CheckedTest, s: Shape): Occ[] {
  const f = t.field;
  const scope = t.ref.scope;
  const src = f.source;
  switch (src.k) {
    case 'layer': {
      let insts = s.layers.filter((i) => src.kinds.includes(i.layer));
      if (scope.kind === 'inner') insts = insts.filter((i) => i.seg === s.tunnels.length);
      if (scope.kind === 'tunnel') {
        const k = scope.index < 0 ? s.tunnels.length + scope.index : scope.index;
        insts = insts.filter((i) => i.seg === k && k < s.tunnels.length);
      }
      const recs = LAYER_FIELDS[f.name];
      return insts.map((inst, n) => ({
        // outer = the first occurrence that is there
        present: scope.kind === 'outer' ? and(inst.present, ...insts.slice(0, n).map((e) => not(e.present))) : inst.present,
        vals: f.type === 'protocol' ? [] : (recs?.[inst.layer] ?? []).map((r) => recVal(inst.base, r)),
      }));
    }
    case 'tunnel': {
      return pickTunnels(s.tunnels, src.kinds, scope).map((i) => {
        const tun = s.tunnels[i];
        const vals = f.name === 'tunnel.type' ? [{ t: 'const', v: tun.kind } as Val] : (tun.vals[f.name] ?? []);
        return { present: true, vals };
      });
    }
    case 'label': {
      const tuns = scope.kind === 'any' ? s.tunnels.map((_, i) => i) : pickTunnels(s.tunnels, [Tunnel.Mpls], scope);
      const out: Occ[] = [];
      for (const i of tuns) {
        const labels = s.tunnels[i].labels ?? [];
        labels.forEach((l, k) => {
          const e = load(l, 0, 4);
          const v: Record<string, Val> = {
            'mpls.label': { t: 'num', expr: `${e} >> 12`, present: true },
            'mpls.tc': { t: 'num', expr: `(${load(l, 2, 1)} >> 1) & 7`, present: true },
            'mpls.ttl': { t: 'num', expr: load(l, 3, 1), present: true },
            'mpls.bottom': { t: 'const', v: k === labels.length - 1 ? 1 : 0 },
          };
          out.push({ present: true, vals: [v[f.name]] });
        });
      }
      return out;
    }
    case 'packet':
      if (f.name === 'frame.len') return [{ present: true, vals: [{ t: 'num', expr: 'len', present: true }] }];
      if (f.name === 'tunnel.count') return [{ present: true, vals: [{ t: 'const', v: s.tunnels.length }] }];
      return [];
    case 'option':
      return [];
  }
}

/** Does value v match (BPF condition); `present` is folded in. */
function matches(v: Val, m: Matcher): Cond {
  if (v.t === 'const') {
    if (m.k === 'num') return m.ranges.some(([lo, hi]) => v.v >= lo && v.v <= hi);
    if (m.k === 'bitand') return (v.v & m.mask) !== 0;
    return false;
  }
  if (v.t === 'num') {
    if (m.k === 'bitand') return and(v.present, `${paren(v.expr)} & ${hex(m.mask)} != 0`);
    if (m.k !== 'num') return false;
    return and(
      v.present,
      or(
        ...m.ranges.map(([lo, hi]): Cond => {
          if (hi < 0 || lo > 0xffffffff) return false;
          if (lo === hi) return `${v.expr} = ${lo}`;
          return and(lo > 0 ? `${v.expr} >= ${lo}` : true, hi < 0xffffffff ? `${v.expr} <= ${hi}` : true);
        }),
      ),
    );
  }
  if (m.k !== 'addr') return false;
  return or(
    ...m.items
      .filter((it) => it.value.length === v.width)
      .map((it) => {
        const parts: Cond[] = [];
        for (let i = 0; i < v.width; i += 4) {
          const size = v.width - i >= 4 ? 4 : 2;
          let val = 0;
          let mask = 0;
          for (let k = 0; k < size; k++) {
            val = val * 256 + it.value[i + k];
            mask = mask * 256 + it.mask[i + k];
          }
          if (mask === 0) continue;
          const full = mask === (size === 4 ? 0xffffffff : 0xffff);
          const e = load(v.base, v.off + i, size);
          parts.push(full ? `${e} = ${hex(val)}` : `${e} & ${hex(mask)} = ${hex(val)}`);
        }
        return and(...parts);
      }),
  );
}
const valPresent = (v: Val): Cond => (v.t === 'num' ? v.present : true);

function translateTest(t: CheckedTest, s: Shape): Cond {
  const occ = occurrences(t, s);
  const present = (o: Occ): Cond => (t.field.type === 'protocol' || o.vals.length === 0 ? (t.field.type === 'protocol' ? o.present : false) : and(o.present, or(...o.vals.map(valPresent))));
  const m = t.match;
  const hit = (o: Occ): Cond => (m ? and(o.present, or(...o.vals.map((v) => matches(v, m)))) : present(o));
  const differs = (o: Occ): Cond => (m ? and(o.present, or(...o.vals.map((v) => and(valPresent(v), not(matches(v, m)))))) : false);
  const anyPresent = or(...occ.map(present));
  switch (t.mode) {
    case 'present':
      return anyPresent;
    case 'any':
      return or(...occ.map(hit));
    case 'none':
      return and(anyPresent, not(or(...occ.map(hit))));
    case 'all':
      return and(anyPresent, not(or(...occ.map(differs))));
    case 'anyNot':
      return or(...occ.map(differs));
  }
}

function translate(c: Checked, s: Shape): Cond {
  switch (c.type) {
    case 'true':
      return true;
    case 'not':
      return not(translate(c.e, s));
    case 'and':
      return and(translate(c.a, s), translate(c.b, s));
    case 'or':
      return or(translate(c.a, s), translate(c.b, s));
    case 'test':
      return translateTest(c, s);
  }
}

function refuse(c: Checked, text: string, out: { part: string; why: string }[]): void {
  if (c.type === 'and' || c.type === 'or') {
    refuse(c.a, text, out);
    refuse(c.b, text, out);
  } else if (c.type === 'not') refuse(c.e, text, out);
  else if (c.type === 'test') {
    const why = REFUSED.find(([re]) => re.test(c.field.name))?.[1];
    const readable = c.field.type === 'protocol' || c.field.source.k !== 'layer' || LAYER_FIELDS[c.field.name] !== undefined;
    const part = `'${c.ref.scope.kind === 'any' ? '' : text.slice(c.ref.pos, c.ref.nameSpan.pos)}${c.field.name}' (column ${c.ref.pos + 1})`;
    if (why) out.push({ part, why });
    else if (!readable) out.push({ part, why: 'not translated to BPF' });
  }
}

const NAMES_ONLY: Topology = { tunnelNames: () => undefined, hostName: () => undefined, applyTo: () => {}, close: () => {} };

let defaultShapes: [Shape[], Shape[]] | undefined;

/**
 * Translate filter text to a tcpdump expression. Throws FilterError for a bad filter and BpfError
 * when a part has no BPF equivalent (or nothing could match within the covered shapes).
 */
export function toBpf(text: string): BpfResult {
  // Names type-check as if a topology were loaded, so that they are refused below with the BPF reason.
  const checked = check(parse(text), text, { topology: NAMES_ONLY });
  const notes = [
    'covers Ethernet [+1 VLAN tag] with ARP/non-IP, IPv4, or IPv4 carrying VXLAN (UDP 4789/8472), Geneve (6081), MPLSoUDP (6635/51234, 1-2 labels) or MPLSoGRE (1-2 labels); other packets never match',
    'VXLAN payload is taken as Ethernet; MPLS payload as IPv4/IPv6 by its first nibble; inner IPv6 without extension headers',
  ];
  if (checked.type === 'true') return { expression: '', notes: [] };
  const refused: { part: string; why: string }[] = [];
  refuse(checked, text, refused);
  if (refused.length > 0) throw new BpfError(refused);
  defaultShapes ??= (() => {
    const reg = createRegistry();
    return [buildShapes(reg, false), buildShapes(reg, true)];
  })();
  const branch = (shapes: Shape[]): Cond => {
    // Shapes of one family whose translations agree share one test: (family) and (g1 or g2…) and (cond).
    const groups = new Map<string, { family: Cond; cond: Cond; guards: Cond[] }>();
    for (const s of shapes) {
      const cond = translate(checked, s);
      if (cond === false) continue;
      const key = `${String(s.family)}\u0000${String(cond)}`;
      const g = groups.get(key);
      if (g) g.guards.push(s.guard);
      else groups.set(key, { family: s.family, cond, guards: [s.guard] });
    }
    return or(...[...groups.values()].map((g) => and(g.family, or(...g.guards), g.cond)));
  };
  const plain = branch(defaultShapes[0]);
  const tagged = branch(defaultShapes[1]);
  // Untagged first: after tcpdump's `vlan` keyword every later offset moves by 4 bytes.
  const all = or(plain, tagged === false ? false : and('vlan', tagged));
  if (all === false) throw new BpfError([{ part: text, why: 'nothing it asks for can occur in the packet shapes BPF covers' }]);
  if (all === true) return { expression: '', notes };
  return { expression: all, notes };
}
