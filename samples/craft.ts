/**
 * Deterministic packet-building kit for samples, tests, bench and fuzz. Every builder takes a plain
 * option object and returns the header bytes followed by `payload`, so packets compose by nesting:
 *
 *   eth({ src, dst, payload: ipv4({ src, dst, payload: udp({ sport, payload: vxlan({ vni: 10, payload: … }) }) }) })
 *
 * Builders remember what they built (a WeakMap tag on the returned array), so the enclosing layer
 * fills in its type field when the caller leaves it out (Ethernet type, IP protocol, UDP
 * destination port, GRE protocol, Geneve protocol, VXLAN-GPE / NSH next protocol), and `ipv4`/`ipv6`
 * fill in the UDP/TCP/ICMPv6 checksum over their pseudo-header. Lengths are computed unless overridden
 * (overrides exist to build packets that lie). Nothing here is random: same options, same bytes.
 */

// ---------------------------------------------------------------------------------------------
// Tagging: what a builder produced, so enclosing builders can pick type fields and checksums.

type Kind =
  | 'eth' | 'vlan' | 'arp' | 'ipv4' | 'ipv6' | 'udp' | 'tcp' | 'icmp' | 'icmpv6' | 'mpls' | 'gre'
  | 'vxlan' | 'vxlanGpe' | 'geneve' | 'erspan2' | 'erspan3' | 'contrail' | 'jmirror' | 'nsh' | 'cw';

interface Tag {
  kind: Kind;
  /** Ethertype an enclosing header should announce (VLAN tags: their TPID). */
  ethertype?: number;
  /** UDP: leave the checksum field as built (0 or the forced value). */
  keepChecksum?: boolean;
  /** UDP: store the un-complemented pseudo-header sum, as a sender with checksum offload does. */
  partialChecksum?: boolean;
}

const tags = new WeakMap<Uint8Array, Tag>();

function tagged(b: Uint8Array, tag: Tag): Uint8Array {
  tags.set(b, tag);
  return b;
}

function kindOf(b: Uint8Array): Kind | undefined {
  return tags.get(b)?.kind;
}

const ETHERTYPE: Partial<Record<Kind, number>> = {
  ipv4: 0x0800, ipv6: 0x86dd, arp: 0x0806, mpls: 0x8847, vlan: 0x8100, nsh: 0x894f, eth: 0x6558,
  erspan2: 0x88be, erspan3: 0x22eb,
};
const IP_PROTO: Partial<Record<Kind, number>> = {
  icmp: 1, tcp: 6, udp: 17, ipv4: 4, ipv6: 41, gre: 47, icmpv6: 58, mpls: 137,
};
const UDP_PORT: Partial<Record<Kind, number>> = {
  vxlan: 4789, vxlanGpe: 4790, geneve: 6081, mpls: 6635, contrail: 8099, jmirror: 30030, gre: 4754,
};
/** VXLAN-GPE and NSH "next protocol" numbers. */
const NEXT_PROTO: Partial<Record<Kind, number>> = { ipv4: 1, ipv6: 2, eth: 3, nsh: 4, mpls: 5 };

function inferred(table: Partial<Record<Kind, number>>, what: string, payload: Uint8Array, useEthertypeTag = false): number {
  const tag = tags.get(payload);
  if (useEthertypeTag && tag?.ethertype !== undefined) return tag.ethertype;
  const v = tag ? table[tag.kind] : undefined;
  if (v === undefined) throw new Error(`craft: cannot infer ${what} for payload of kind ${tag?.kind ?? 'raw bytes'}; give it explicitly`);
  return v;
}

// ---------------------------------------------------------------------------------------------
// Byte helpers

/** Concatenate byte arrays (untagged result). */
export function cat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Bytes from hex text; spaces, colons and dots are ignored ('ff 00', 'de:ad'). */
export function hex(s: string): Uint8Array {
  const t = s.replace(/[\s:.]/g, '');
  if (t.length % 2 !== 0 || /[^0-9a-fA-F]/.test(t)) throw new Error(`craft: bad hex '${s}'`);
  const out = new Uint8Array(t.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(t.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** ASCII/UTF-8 bytes of a string. */
export function ascii(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** `n` bytes counting up from `start` (mod 256): deterministic filler. */
export function pattern(n: number, start = 0): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (start + i) & 0xff;
  return out;
}

function put16(b: Uint8Array, i: number, v: number): void {
  b[i] = (v >>> 8) & 0xff;
  b[i + 1] = v & 0xff;
}

function put24(b: Uint8Array, i: number, v: number): void {
  b[i] = (v >>> 16) & 0xff;
  b[i + 1] = (v >>> 8) & 0xff;
  b[i + 2] = v & 0xff;
}

function put32(b: Uint8Array, i: number, v: number): void {
  b[i] = (v >>> 24) & 0xff;
  b[i + 1] = (v >>> 16) & 0xff;
  b[i + 2] = (v >>> 8) & 0xff;
  b[i + 3] = v & 0xff;
}

/** Header of `n` zero bytes followed by `payload`. */
function withHeader(n: number, payload: Uint8Array | undefined): Uint8Array {
  const out = new Uint8Array(n + (payload?.length ?? 0));
  if (payload) out.set(payload, n);
  return out;
}

/** 6 bytes of a MAC written 'aa:bb:cc:dd:ee:ff' (or with '-'). */
export function mac(s: string): Uint8Array {
  const parts = s.split(/[:-]/);
  if (parts.length !== 6) throw new Error(`craft: bad MAC '${s}'`);
  return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
}

/** 4 bytes of a dotted-quad IPv4 address. */
export function ip4(s: string): Uint8Array {
  const parts = s.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`craft: bad IPv4 '${s}'`);
  }
  return Uint8Array.from(parts);
}

/** 16 bytes of an IPv6 address ('2001:db8::1', '::ffff:1.2.3.4'). */
export function ip6(s: string): Uint8Array {
  // an embedded dotted quad ('::ffff:1.2.3.4') becomes two hex groups
  const text = s.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (q) => {
    const b = ip4(q);
    return `${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
  });
  const halves = text.split('::');
  if (halves.length > 2) throw new Error(`craft: bad IPv6 '${s}'`);
  const groups = (h: string) => (h === '' ? [] : h.split(':').map((g) => parseInt(g, 16)));
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  const fill = 8 - head.length - rest.length;
  if ((halves.length === 1 && fill !== 0) || fill < 0) throw new Error(`craft: bad IPv6 '${s}'`);
  const all = [...head, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...rest];
  if (all.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff)) throw new Error(`craft: bad IPv6 '${s}'`);
  const out = new Uint8Array(16);
  all.forEach((g, i) => put16(out, 2 * i, g));
  return out;
}

/** RFC 1071 Internet checksum over the concatenation of `parts`. */
export function inetChecksum(...parts: Uint8Array[]): number {
  let sum = 0;
  let odd = false; // a part may end on an odd byte: the next part's first byte is a low byte
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      sum += odd ? p[i] : p[i] << 8;
      odd = !odd;
    }
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

// ---------------------------------------------------------------------------------------------
// Link layer

/** One 802.1Q/802.1ad tag: TPID (default 0x8100), VLAN id, priority, drop-eligible bit. */
export interface VlanTag {
  tpid?: number;
  id: number;
  pcp?: number;
  dei?: boolean;
}

/** Ethernet II frame; `tags` adds 802.1Q/QinQ tags in order (outermost first); type inferred from payload. */
export function eth(o: { src: string; dst: string; type?: number; tags?: VlanTag[]; payload: Uint8Array }): Uint8Array {
  let inner = o.payload;
  let type = o.type;
  const tagList = o.tags ?? [];
  for (let i = tagList.length - 1; i >= 0; i--) {
    const t = tagList[i];
    inner = vlan({ ...t, type, payload: inner });
    type = undefined;
  }
  const out = withHeader(14, inner);
  out.set(mac(o.dst), 0);
  out.set(mac(o.src), 6);
  put16(out, 12, type ?? inferred(ETHERTYPE, 'ethertype', inner, true));
  return tagged(out, { kind: 'eth' });
}

/** 802.1Q tag body (TCI + inner ethertype + payload); the enclosing header announces `tpid`. */
export function vlan(o: { tpid?: number; id: number; pcp?: number; dei?: boolean; type?: number; payload: Uint8Array }): Uint8Array {
  const out = withHeader(4, o.payload);
  put16(out, 0, ((o.pcp ?? 0) << 13) | (o.dei ? 0x1000 : 0) | (o.id & 0xfff));
  put16(out, 2, o.type ?? inferred(ETHERTYPE, 'ethertype', o.payload, true));
  return tagged(out, { kind: 'vlan', ethertype: o.tpid ?? 0x8100 });
}

/** ARP for IPv4 over Ethernet; target MAC defaults to 00:00:00:00:00:00. */
export function arp(o: { op: 'request' | 'reply'; senderMac: string; senderIp: string; targetMac?: string; targetIp: string }): Uint8Array {
  const out = new Uint8Array(28);
  put16(out, 0, 1);
  put16(out, 2, 0x0800);
  out[4] = 6;
  out[5] = 4;
  put16(out, 6, o.op === 'request' ? 1 : 2);
  out.set(mac(o.senderMac), 8);
  out.set(ip4(o.senderIp), 14);
  out.set(mac(o.targetMac ?? '00:00:00:00:00:00'), 18);
  out.set(ip4(o.targetIp), 24);
  return tagged(out, { kind: 'arp' });
}

// ---------------------------------------------------------------------------------------------
// IP

/** Fill the UDP/TCP/ICMPv6 checksum of `l4` (a copy inside `pkt` at `at`) over the pseudo-header. */
function fillL4Checksum(pkt: Uint8Array, at: number, l4: Uint8Array, proto: number, pseudo: Uint8Array): void {
  const tag = tags.get(l4);
  if (!tag || tag.keepChecksum || IP_PROTO[tag.kind] !== proto) return;
  const off = tag.kind === 'udp' ? 6 : tag.kind === 'tcp' ? 16 : tag.kind === 'icmpv6' ? 2 : -1;
  if (off < 0 || l4.length < off + 2) return;
  const seg = pkt.subarray(at, at + l4.length);
  if (tag.partialChecksum) {
    put16(seg, off, ~inetChecksum(pseudo) & 0xffff);
    return;
  }
  put16(seg, off, 0);
  let c = inetChecksum(pseudo, seg);
  if (c === 0 && tag.kind === 'udp') c = 0xffff; // 0 means "no checksum" in UDP
  put16(seg, off, c);
}

/** IPv4 flag bits for `ipv4({ flags })`. */
export const IP_DF = 2;
export const IP_MF = 1;

/**
 * IPv4 header (+ options, padded to 4 bytes) with a correct header checksum; protocol inferred from
 * the payload; the UDP/TCP checksum of a craft-built payload is filled unless fragmented. `totalLength`/`headerChecksum` override to lie.
 */
export function ipv4(o: {
  src: string; dst: string; proto?: number; ttl?: number; id?: number; tos?: number;
  flags?: number; fragOffset?: number; options?: Uint8Array; totalLength?: number; headerChecksum?: number;
  payload: Uint8Array;
}): Uint8Array {
  const optLen = o.options ? (o.options.length + 3) & ~3 : 0;
  const hl = 20 + optLen;
  const out = withHeader(hl, o.payload);
  const proto = o.proto ?? inferred(IP_PROTO, 'IP protocol', o.payload);
  out[0] = 0x40 | (hl >> 2);
  out[1] = o.tos ?? 0;
  put16(out, 2, o.totalLength ?? out.length);
  put16(out, 4, o.id ?? 0);
  put16(out, 6, ((o.flags ?? 0) << 13) | ((o.fragOffset ?? 0) & 0x1fff));
  out[8] = o.ttl ?? 64;
  out[9] = proto;
  out.set(ip4(o.src), 12);
  out.set(ip4(o.dst), 16);
  if (o.options) out.set(o.options, 20);
  put16(out, 10, o.headerChecksum ?? inetChecksum(out.subarray(0, hl)));
  const fragmented = ((o.flags ?? 0) & IP_MF) !== 0 || (o.fragOffset ?? 0) !== 0;
  if (!fragmented) {
    const pseudo = new Uint8Array(12);
    pseudo.set(out.subarray(12, 20), 0);
    pseudo[9] = proto;
    put16(pseudo, 10, o.payload.length);
    fillL4Checksum(out, hl, o.payload, proto, pseudo);
  }
  return tagged(out, { kind: 'ipv4' });
}

/** One IPv6 extension header: generic (hop-by-hop 0, routing 43, destination 60) or fragment (44). */
export type Ipv6Ext =
  | { type: 0 | 43 | 60; data?: Uint8Array }
  | { type: 44; offset?: number; more?: boolean; id?: number };

/** IPv6 header + extension headers in order; next header inferred; UDP/TCP/ICMPv6 checksums filled. */
export function ipv6(o: {
  src: string; dst: string; next?: number; hopLimit?: number; trafficClass?: number; flowLabel?: number;
  ext?: Ipv6Ext[]; payloadLength?: number; payload: Uint8Array;
}): Uint8Array {
  const upper = o.next ?? inferred(IP_PROTO, 'IPv6 next header', o.payload);
  const exts = o.ext ?? [];
  const extBytes: Uint8Array[] = [];
  for (let i = 0; i < exts.length; i++) {
    const e = exts[i];
    const nh = i + 1 < exts.length ? exts[i + 1].type : upper;
    let h: Uint8Array;
    if (e.type === 44) {
      h = new Uint8Array(8);
      put16(h, 2, ((e.offset ?? 0) << 3) | (e.more ? 1 : 0));
      put32(h, 4, e.id ?? 0);
    } else {
      const d = e.data ?? new Uint8Array(6);
      const len = (2 + d.length + 7) & ~7;
      h = new Uint8Array(len);
      h[1] = len / 8 - 1;
      h.set(d, 2);
    }
    h[0] = nh;
    extBytes.push(h);
  }
  const rest = cat(...extBytes, o.payload);
  const out = withHeader(40, rest);
  put32(out, 0, (6 << 28) | ((o.trafficClass ?? 0) << 20) | (o.flowLabel ?? 0));
  put16(out, 4, o.payloadLength ?? rest.length);
  out[6] = exts.length > 0 ? exts[0].type : upper;
  out[7] = o.hopLimit ?? 64;
  out.set(ip6(o.src), 8);
  out.set(ip6(o.dst), 24);
  const fragmented = exts.some((e) => e.type === 44 && ((e.offset ?? 0) !== 0 || e.more));
  if (!fragmented) {
    const pseudo = new Uint8Array(40);
    pseudo.set(out.subarray(8, 40), 0);
    put32(pseudo, 32, o.payload.length);
    pseudo[39] = upper;
    fillL4Checksum(out, out.length - o.payload.length, o.payload, upper, pseudo);
  }
  return tagged(out, { kind: 'ipv6' });
}

// ---------------------------------------------------------------------------------------------
// Transport

/**
 * UDP header; `dport` inferred from a tunnel payload (VXLAN 4789, GPE 4790, Geneve 6081, MPLS 6635,
 * Contrail 8099, jmirror 30030, GRE 4754). The enclosing ipv4/ipv6 fills the checksum unless
 * `checksum` is false (leave 0, IPv4 only), a number (forced, e.g. a bad one) or 'partial' (the
 * pseudo-header sum a sender with checksum offload leaves in captures taken on that sender).
 */
export function udp(o: { sport: number; dport?: number; checksum?: false | number | 'partial'; length?: number; payload: Uint8Array }): Uint8Array {
  const out = withHeader(8, o.payload);
  put16(out, 0, o.sport);
  put16(out, 2, o.dport ?? inferred(UDP_PORT, 'UDP destination port', o.payload));
  put16(out, 4, o.length ?? out.length);
  if (typeof o.checksum === 'number') put16(out, 6, o.checksum);
  return tagged(out, {
    kind: 'udp',
    keepChecksum: o.checksum === false || typeof o.checksum === 'number',
    partialChecksum: o.checksum === 'partial',
  });
}

const TCP_FLAG_BITS: Record<string, number> = { F: 1, S: 2, R: 4, P: 8, A: 16, U: 32, E: 64, C: 128 };

/** TCP header (no options unless given); flags as a number or letters 'S', 'SA', 'PA', 'FA', 'R'. Default 'PA' with data, else 'A'. */
export function tcp(o: {
  sport: number; dport: number; seq?: number; ack?: number; flags?: number | string; window?: number;
  options?: Uint8Array; payload?: Uint8Array;
}): Uint8Array {
  const optLen = o.options ? (o.options.length + 3) & ~3 : 0;
  const payload = o.payload ?? new Uint8Array(0);
  const out = withHeader(20 + optLen, payload);
  let flags = o.flags ?? (payload.length > 0 ? 'PA' : 'A');
  if (typeof flags === 'string') {
    flags = [...flags.toUpperCase()].reduce((acc, ch) => {
      const bit = TCP_FLAG_BITS[ch];
      if (bit === undefined) throw new Error(`craft: bad TCP flag '${ch}'`);
      return acc | bit;
    }, 0);
  }
  put16(out, 0, o.sport);
  put16(out, 2, o.dport);
  put32(out, 4, o.seq ?? 0);
  put32(out, 8, o.ack ?? 0);
  out[12] = ((20 + optLen) / 4) << 4;
  out[13] = flags;
  put16(out, 14, o.window ?? 65535);
  if (o.options) out.set(o.options, 20);
  return tagged(out, { kind: 'tcp' });
}

/** 56 bytes 0x00..0x37: the size of a default `ping` payload (deterministic content). */
function pingData(): Uint8Array {
  return pattern(56);
}

/** ICMPv4 echo request/reply with its checksum; data defaults to 56 bytes (ping's default). */
export function icmpEcho(o: { type: 'request' | 'reply'; id: number; seq: number; data?: Uint8Array }): Uint8Array {
  const out = withHeader(8, o.data ?? pingData());
  out[0] = o.type === 'request' ? 8 : 0;
  put16(out, 4, o.id);
  put16(out, 6, o.seq);
  put16(out, 2, inetChecksum(out));
  return tagged(out, { kind: 'icmp' });
}

/** ICMPv6 echo request/reply (128/129); the enclosing ipv6 fills the checksum. */
export function icmpv6Echo(o: { type: 'request' | 'reply'; id: number; seq: number; data?: Uint8Array }): Uint8Array {
  const out = withHeader(8, o.data ?? pingData());
  out[0] = o.type === 'request' ? 128 : 129;
  put16(out, 4, o.id);
  put16(out, 6, o.seq);
  return tagged(out, { kind: 'icmpv6' });
}

// ---------------------------------------------------------------------------------------------
// Overlays

/** VXLAN (RFC 7348) header, I flag set; `gbp` sets the G flag and Group Policy ID. */
export function vxlan(o: { vni: number; gbp?: number; flags?: number; payload: Uint8Array }): Uint8Array {
  const out = withHeader(8, o.payload);
  out[0] = o.flags ?? (0x08 | (o.gbp !== undefined ? 0x80 : 0));
  if (o.gbp !== undefined) put16(out, 2, o.gbp);
  put24(out, 4, o.vni);
  return tagged(out, { kind: 'vxlan' });
}

/** VXLAN-GPE header (I and P flags); `next` inferred (1 IPv4, 2 IPv6, 3 Ethernet, 4 NSH, 5 MPLS). */
export function vxlanGpe(o: { vni: number; next?: number; payload: Uint8Array }): Uint8Array {
  const out = withHeader(8, o.payload);
  out[0] = 0x0c;
  out[3] = o.next ?? inferred(NEXT_PROTO, 'VXLAN-GPE next protocol', o.payload);
  put24(out, 4, o.vni);
  return tagged(out, { kind: 'vxlanGpe' });
}

/** One Geneve option: class, type (0x80 bit = critical), data padded to 4 bytes. */
export interface GeneveOption {
  cls: number;
  type: number;
  data: Uint8Array;
}

/** The OVN Geneve option (class 0x0102, type 0x80): rsv:1 | ingress logical port:15 | egress port:16. */
export function ovnOption(inport: number, outport: number): GeneveOption {
  const data = new Uint8Array(4);
  put32(data, 0, (((inport & 0x7fff) << 16) | (outport & 0xffff)) >>> 0);
  return { cls: 0x0102, type: 0x80, data };
}

/** Geneve (RFC 8926) header + options; `proto` inferred (0x6558 for Ethernet, 0x0800, 0x86dd). */
export function geneve(o: {
  vni: number; proto?: number; oam?: boolean; critical?: boolean; options?: GeneveOption[]; payload: Uint8Array;
}): Uint8Array {
  const opts = (o.options ?? []).map((op) => {
    const dl = (op.data.length + 3) & ~3;
    const b = new Uint8Array(4 + dl);
    put16(b, 0, op.cls);
    b[2] = op.type;
    b[3] = dl / 4;
    b.set(op.data, 4);
    return b;
  });
  const optBytes = cat(...opts);
  const out = withHeader(8 + optBytes.length, o.payload);
  out[0] = optBytes.length / 4;
  out[1] = (o.oam ? 0x80 : 0) | (o.critical ? 0x40 : 0);
  put16(out, 2, o.proto ?? inferred(ETHERTYPE, 'Geneve protocol', o.payload, true));
  put24(out, 4, o.vni);
  out.set(optBytes, 8);
  return tagged(out, { kind: 'geneve' });
}

/**
 * GRE (RFC 2784/2890) with optional checksum (computed), key and sequence; `proto` inferred
 * (0x0800, 0x86dd, 0x8847 MPLS, 0x6558 Ethernet, 0x88be ERSPAN II, 0x22eb ERSPAN III). ERSPAN
 * payloads get the S bit (seq 0) by default, as Wireshark needs it to tell ERSPAN II from I.
 */
export function gre(o: { proto?: number; key?: number; seq?: number; checksum?: boolean; payload: Uint8Array }): Uint8Array {
  const kind = kindOf(o.payload);
  const seq = o.seq ?? (kind === 'erspan2' || kind === 'erspan3' ? 0 : undefined);
  const hl = 4 + (o.checksum ? 4 : 0) + (o.key !== undefined ? 4 : 0) + (seq !== undefined ? 4 : 0);
  const out = withHeader(hl, o.payload);
  put16(out, 0, (o.checksum ? 0x8000 : 0) | (o.key !== undefined ? 0x2000 : 0) | (seq !== undefined ? 0x1000 : 0));
  put16(out, 2, o.proto ?? inferred(ETHERTYPE, 'GRE protocol', o.payload, true));
  let at = 4 + (o.checksum ? 4 : 0);
  if (o.key !== undefined) {
    put32(out, at, o.key);
    at += 4;
  }
  if (seq !== undefined) put32(out, at, seq);
  if (o.checksum) put16(out, 4, inetChecksum(out));
  return tagged(out, { kind: 'gre' });
}

/** One MPLS label stack entry (traffic class 0, TTL 64 unless given). */
export interface MplsLabel {
  label: number;
  tc?: number;
  ttl?: number;
}

/** MPLS label stack (outermost first), S bit on the last entry. */
export function mpls(o: { labels: Array<MplsLabel | number>; payload: Uint8Array }): Uint8Array {
  const out = withHeader(4 * o.labels.length, o.payload);
  o.labels.forEach((l, i) => {
    const e = typeof l === 'number' ? { label: l } : l;
    const s = i === o.labels.length - 1 ? 1 : 0;
    put32(out, 4 * i, ((e.label << 12) | ((e.tc ?? 0) << 9) | (s << 8) | (e.ttl ?? 64)) >>> 0);
  });
  return tagged(out, { kind: 'mpls' });
}

/** RFC 4385 pseudowire control word (first nibble 0) in front of `payload`; `seq` defaults to 0. */
export function pwControlWord(o: { seq?: number; payload?: Uint8Array } = {}): Uint8Array {
  const out = withHeader(4, o.payload);
  put16(out, 2, o.seq ?? 0);
  return tagged(out, { kind: 'cw' });
}

/** ERSPAN type II header (version 1; session id 10 bits, index 20 bits) in front of an Ethernet frame. */
export function erspan2(o: { session: number; vlan?: number; cos?: number; index?: number; payload: Uint8Array }): Uint8Array {
  const out = withHeader(8, o.payload);
  put16(out, 0, (1 << 12) | ((o.vlan ?? 0) & 0xfff));
  put16(out, 2, ((o.cos ?? 0) << 13) | (o.session & 0x3ff));
  put32(out, 4, (o.index ?? 0) & 0xfffff);
  return tagged(out, { kind: 'erspan2' });
}

/** ERSPAN type III header (version 2, no platform subheader, frame type Ethernet); `ingress` sets D=0. */
export function erspan3(o: {
  session: number; vlan?: number; cos?: number; timestamp?: number; sgt?: number; hwid?: number; egress?: boolean;
  payload: Uint8Array;
}): Uint8Array {
  const out = withHeader(12, o.payload);
  put16(out, 0, (2 << 12) | ((o.vlan ?? 0) & 0xfff));
  put16(out, 2, ((o.cos ?? 0) << 13) | (o.session & 0x3ff));
  put32(out, 4, o.timestamp ?? 0);
  put16(out, 8, o.sgt ?? 0);
  put16(out, 10, (((o.hwid ?? 0) & 0x3f) << 4) | (o.egress ? 0x08 : 0));
  return tagged(out, { kind: 'erspan3' });
}

/** One Contrail mirror TLV (type, raw value); see mirrorHost/mirrorFlags/mirrorSrcVn/mirrorDstVn. */
export interface MirrorTlv {
  type: number;
  value: Uint8Array;
}

/** Contrail mirror TLV 1: capturing host (vRouter) IPv4 address. */
export function mirrorHost(ip: string): MirrorTlv {
  return { type: 1, value: ip4(ip) };
}

/** Contrail mirror TLV 2: 32-bit action flags (1 << action; 0x40000000 = ingress). */
export function mirrorFlags(flags: number): MirrorTlv {
  const value = new Uint8Array(4);
  put32(value, 0, flags);
  return { type: 2, value };
}

/** Contrail mirror TLV 3: source virtual-network FQ name. */
export function mirrorSrcVn(name: string): MirrorTlv {
  return { type: 3, value: ascii(name) };
}

/** Contrail mirror TLV 4: destination virtual-network FQ name. */
export function mirrorDstVn(name: string): MirrorTlv {
  return { type: 4, value: ascii(name) };
}

/**
 * Contrail/TF vRouter mirror "Juniper header": TLVs, then `ff 00`, then the mirrored frame.
 * `legacyPcapHeader` puts the pre-2016 16-byte big-endian pcap record header (ts, incl = orig =
 * frame length) in front of the TLVs.
 */
export function contrailMirror(o: {
  tlvs: MirrorTlv[]; legacyPcapHeader?: { tsSec: number; tsUsec: number }; payload: Uint8Array;
}): Uint8Array {
  const parts: Uint8Array[] = [];
  if (o.legacyPcapHeader) {
    const h = new Uint8Array(16);
    put32(h, 0, o.legacyPcapHeader.tsSec);
    put32(h, 4, o.legacyPcapHeader.tsUsec);
    put32(h, 8, o.payload.length);
    put32(h, 12, o.payload.length);
    parts.push(h);
  }
  for (const t of o.tlvs) parts.push(Uint8Array.of(t.type, t.value.length), t.value);
  parts.push(Uint8Array.of(0xff, 0x00), o.payload);
  return tagged(cat(...parts), { kind: 'contrail' });
}

/** Junos/JUNOSe jmirror header: mirror (intercept) id + session id, then the mirrored IP packet. */
export function jmirror(o: { mirrorId: number; sessionId: number; payload: Uint8Array }): Uint8Array {
  const out = withHeader(8, o.payload);
  put32(out, 0, o.mirrorId);
  put32(out, 4, o.sessionId);
  return tagged(out, { kind: 'jmirror' });
}

/** NSH (RFC 8300) MD type 2 without metadata; `next` inferred (1 IPv4, 2 IPv6, 3 Ethernet, 5 MPLS). */
export function nsh(o: { spi: number; si: number; ttl?: number; next?: number; payload: Uint8Array }): Uint8Array {
  const out = withHeader(8, o.payload);
  put16(out, 0, ((o.ttl ?? 63) << 6) | 2); // ver 0, O=0, length 2 words
  out[2] = 0x02; // MD type 2
  out[3] = o.next ?? inferred(NEXT_PROTO, 'NSH next protocol', o.payload);
  put24(out, 4, o.spi);
  out[7] = o.si;
  return tagged(out, { kind: 'nsh' });
}

// ---------------------------------------------------------------------------------------------
// Whole files (for tests that need a capture in memory; the streaming writers live in src/capture)

/** One record for `pcapFile`: bytes plus optional timestamp and original length. */
export interface CraftRecord {
  data: Uint8Array;
  tsSec?: number;
  /** Fraction of the second in the file's unit (µs, or ns with `nanos`). */
  tsFrac?: number;
  origLen?: number;
}

/** A classic little-endian pcap file in memory (µs, or ns magic with `nanos`). */
export function pcapFile(records: Array<Uint8Array | CraftRecord>, opts: { linktype?: number; snaplen?: number; nanos?: boolean } = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  const hdr = new Uint8Array(24);
  const dv = new DataView(hdr.buffer);
  dv.setUint32(0, opts.nanos ? 0xa1b23c4d : 0xa1b2c3d4, true);
  dv.setUint16(4, 2, true);
  dv.setUint16(6, 4, true);
  dv.setUint32(16, opts.snaplen ?? 262144, true);
  dv.setUint32(20, opts.linktype ?? 1, true);
  parts.push(hdr);
  records.forEach((r, i) => {
    const rec: CraftRecord = r instanceof Uint8Array ? { data: r } : r;
    const h = new Uint8Array(16);
    const hv = new DataView(h.buffer);
    hv.setUint32(0, rec.tsSec ?? 1_700_000_000 + i, true);
    hv.setUint32(4, rec.tsFrac ?? 0, true);
    hv.setUint32(8, rec.data.length, true);
    hv.setUint32(12, rec.origLen ?? rec.data.length, true);
    parts.push(h, rec.data);
  });
  return cat(...parts);
}
