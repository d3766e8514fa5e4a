/**
 * MPLS label stack (RFC 3032), from Ethernet (0x8847/0x8848), GRE, IP protocol 137 (RFC 4023) and
 * MPLS-in-UDP (6635, RFC 7510; 51234 = Contrail's legacy port).
 *
 * Nothing on the wire says what follows the bottom label: the receiving router decides from its own
 * label table (Contrail: per vRouter, per label). So the payload is resolved by named rules, tried in
 * this order, and the rule that fired is recorded in the tunnel's id2 (MplsRule):
 *   1. label-map       explicit decode-as / topology: `reg.mplsPayload(label, tunnel destination)`
 *   2. reserved-label  0 = IPv4 explicit null, 2 = IPv6 explicit null, 13 GAL / 14 OAM alert = control
 *                      channel (not decoded); other reserved labels: IP if the header is consistent
 *   3. ip              a consistent IPv4 / IPv6 header (version, header length, total length)
 *   4. ethernet(-cw)   Ethernet scored at offset 0 and, when the first nibble is 0, after a 4-byte
 *                      control word; the control word wins a tie (RFC 8469 recommends it)
 *   5. contrail-l2-mcast  control word + IPv4/UDP(4789)/VXLAN, as the vRouter sends L2 multicast
 *   6. raw             nothing fitted: the payload stays undecoded
 * Unlike Wireshark 4.0, which wants both MACs to have a known OUI before it believes in Ethernet, a
 * locally administered unicast MAC (02:…, every Contrail and many OpenStack VMs) counts as plausible,
 * so those frames are not misread as "control word + garbage".
 */
import { u16, u32 } from '../src/bytes.js';
import { ipv4HeaderOk } from '../src/checksum.js';
import { Layer, MPLS_RULE_NAMES, MplsRule, Problem, Tunnel } from '../src/layers.js';
import { MAX_LABELS, type PacketView, TunnelFlag } from '../src/packet.js';
import type { Registry } from '../src/registry.js';
import type { DecoderModule } from './types.js';

const ENTRY = 4;
const CONTROL_WORD = 4;
const ETH_HEADER = 14;
const VXLAN_PORT = 4789;

const LABEL_IPV4_NULL = 0;
const LABEL_IPV6_NULL = 2;
const LABEL_GAL = 13;
const LABEL_OAM_ALERT = 14;
const FIRST_UNRESERVED = 16;

/** A length field may leave this many trailing bytes in the window (Ethernet FCS, alignment). */
const IPV4_TRAILER = 4;
const IPV6_TRAILER = 8;

/**
 * Does a consistent IP header start at `o`? Returns Layer.Ipv4 / Layer.Ipv6, or Layer.None.
 * Consistent = version nibble, header length within the window, and a total length that fills the
 * window (up to a few trailing bytes; up to the original length when the capture was cut short).
 * An IPv4 packet shorter than its window (Ethernet padding) must also carry a valid header checksum.
 */
export function ipHeaderAt(p: PacketView, o: number): Layer {
  const b = p.buf;
  const end = p.end;
  if (o >= end) return Layer.None;
  const version = b[o] >>> 4;
  if (version === 4) {
    if (o + 20 > end) return Layer.None;
    const hlen = (b[o] & 15) * 4;
    if (hlen < 20 || o + hlen > end) return Layer.None;
    const total = u16(b, o + 2);
    if (total < hlen || o + total > p.wireEnd()) return Layer.None;
    if (o + total >= end - IPV4_TRAILER) return Layer.Ipv4;
    return ipv4HeaderOk(b, o, hlen) ? Layer.Ipv4 : Layer.None;
  }
  if (version === 6) {
    if (o + 40 > end) return Layer.None;
    const total = 40 + u16(b, o + 4);
    if (o + total > p.wireEnd() || o + total < end - IPV6_TRAILER) return Layer.None;
    return Layer.Ipv6;
  }
  return Layer.None;
}

/**
 * -1 = not a MAC here; 0 = odd but possible (a group address as source, seen in crafted captures);
 * 1 = weak (locally administered, multicast destination); 2 = ordinary.
 */
function macScore(b: Uint8Array, i: number, source: boolean): number {
  // four zero bytes are a control word or padding, not the start of an address
  if ((b[i] | b[i + 1] | b[i + 2] | b[i + 3]) === 0) return -1;
  const first = b[i];
  if (first & 1) {
    if (source) return 0;
    const broadcast = (first & b[i + 1] & b[i + 2] & b[i + 3] & b[i + 4] & b[i + 5]) === 0xff;
    return broadcast ? 2 : 1;
  }
  return first & 2 ? 1 : 2;
}

/** An EtherType (or LLC) we would expect to find in an Ethernet header; 0 = implausible. */
function typeScore(p: PacketView, o: number, type: number): number {
  const b = p.buf;
  switch (type) {
    case 0x0800:
    case 0x86dd:
      // the inner header must agree, else these two bytes are a coincidence
      return ipHeaderAt(p, o + ETH_HEADER) !== Layer.None ? 3 : 0;
    case 0x0806:
      // ARP for IPv4 over Ethernet: hardware type 1, protocol 0x0800
      return o + ETH_HEADER + 4 <= p.end && u16(b, o + ETH_HEADER) === 1 && u16(b, o + ETH_HEADER + 2) === 0x0800 ? 2 : 1;
    case 0x8100:
    case 0x88a8:
    case 0x9100:
      return o + ETH_HEADER + 4 <= p.end && u16(b, o + ETH_HEADER + 2) >= 0x0600 ? 2 : 1;
    case 0x8847:
    case 0x8848:
      return 1;
    default: {
      if (type >= 0x0600) return 0;
      // 802.3 length + LLC: believe it only with a matching DSAP/SSAP pair (STP 0x42, SNAP 0xaa)
      const llc = o + ETH_HEADER;
      if (llc + 3 > p.end || o + ETH_HEADER + type > p.end) return 0;
      const sap = b[llc];
      return (sap === 0x42 || sap === 0xaa) && b[llc + 1] === sap ? 1 : 0;
    }
  }
}

/**
 * How much the bytes at `o` look like an Ethernet header: 0 = not at all; higher = more evidence
 * (plausible destination and source MACs, a known EtherType, a consistent inner IP header).
 */
export function ethernetScore(p: PacketView, o: number): number {
  const b = p.buf;
  if (o + ETH_HEADER > p.end) return 0;
  const dst = macScore(b, o, false);
  const src = macScore(b, o + 6, true);
  if (dst < 0 || src < 0) return 0;
  const type = typeScore(p, o, u16(b, o + 12));
  return type === 0 ? 0 : dst + src + type;
}

/** Contrail L2 multicast: zero control word, then IPv4/UDP to the VXLAN port (vr_packet.h VR_VXLAN_HDR_LEN). */
function contrailL2Mcast(p: PacketView, o: number): boolean {
  const b = p.buf;
  if (o + CONTROL_WORD > p.end || u32(b, o) !== 0) return false;
  const ip = o + CONTROL_WORD;
  if (ipHeaderAt(p, ip) !== Layer.Ipv4 || b[ip + 9] !== 17) return false;
  const udp = ip + (b[ip] & 15) * 4;
  return udp + 16 <= p.end && u16(b, udp + 2) === VXLAN_PORT;
}

/** IPv4 destination (u32) of the IP layer that carried this stack over GRE/UDP/IP, else -1. */
function tunnelDestination(p: PacketView, layer: number, t: number): number {
  if (layer === 0) return -1;
  const below = p.layerKind[layer - 1];
  if (below !== Layer.Gre && below !== Layer.Udp && below !== Layer.Ipv4 && below !== Layer.Ipv6) return -1;
  const ip = p.tunnelOuterIp[t];
  if (ip < 0 || p.layerKind[ip] !== Layer.Ipv4) return -1;
  return u32(p.buf, p.layerStart[ip] + 16);
}

/** Layer after a reserved bottom label, or None (control channel / unknown). */
function afterReserved(p: PacketView, label: number, pay: number): Layer {
  if (label === LABEL_IPV4_NULL) return Layer.Ipv4;
  if (label === LABEL_IPV6_NULL) return Layer.Ipv6;
  if (label === LABEL_GAL || label === LABEL_OAM_ALERT) return Layer.None;
  return ipHeaderAt(p, pay);
}

/** Resolve the payload after the bottom label; records the rule and flags on tunnel `t`. */
function resolvePayload(p: PacketView, reg: Registry, t: number, layer: number, bottom: number, pay: number): Layer {
  const label = bottom >>> 12;
  let rule: MplsRule;
  // the tunnel's destination matters only to a per-destination label map (and reading it costs a heap number)
  let next = reg.mplsPayload(label, reg.mplsByDestination ? tunnelDestination(p, layer, t) : -1);
  if (next !== Layer.None) rule = MplsRule.LabelMap;
  else if (label < FIRST_UNRESERVED) {
    rule = MplsRule.Reserved;
    next = afterReserved(p, label, pay);
  } else if ((next = ipHeaderAt(p, pay)) !== Layer.None) rule = MplsRule.Ip;
  else {
    const plain = ethernetScore(p, pay);
    const withCw = pay < p.end && p.buf[pay] >>> 4 === 0 ? ethernetScore(p, pay + CONTROL_WORD) : 0;
    if (withCw > 0 && withCw >= plain) {
      rule = MplsRule.EthernetCw;
      next = Layer.PwControlWord;
    } else if (plain > 0) {
      rule = MplsRule.Ethernet;
      next = Layer.Ethernet;
    } else if (contrailL2Mcast(p, pay)) {
      rule = MplsRule.ContrailL2Mcast;
      next = Layer.PwControlWord;
    } else {
      rule = MplsRule.Raw;
      if (pay < p.end) p.problem(Problem.UnknownNext, Layer.Mpls, pay);
    }
  }
  p.tunnelId2[t] = rule;
  if (next === Layer.PwControlWord) p.tunnelFlags[t] |= TunnelFlag.MplsControlWord;
  return next;
}

export const decoder: DecoderModule = {
  layer: Layer.Mpls,
  name: 'mpls',
  defaults: { ethertype: [0x8847, 0x8848], greProto: [0x8847, 0x8848], ipProto: [137], udpPort: [6635, 51234] },

  decode(p: PacketView, off: number, reg: Registry): Layer {
    const b = p.buf;
    const end = p.end;
    // find the bottom of the stack first: bounded by the data and by the label table
    let n = 0;
    let at = off;
    let found = false;
    while (at + ENTRY <= end && n < MAX_LABELS) {
      n++;
      const bottom = b[at + 2] & 1;
      at += ENTRY;
      if (bottom) {
        found = true;
        break;
      }
    }
    if (!found) {
      // no bottom-of-stack bit: either the data ran out or the stack is deeper than any real one
      p.problem(n >= MAX_LABELS ? Problem.Malformed : Problem.Truncated, Layer.Mpls, off);
      return Layer.None;
    }
    if (p.labelCount + n > MAX_LABELS) {
      p.problem(Problem.DepthLimit, Layer.Mpls, off);
      return Layer.None;
    }
    const li = p.pushLayer(Layer.Mpls, off, at);
    if (li < 0) return Layer.None;
    const t = p.pushTunnel(Tunnel.Mpls, li);
    if (t < 0) return Layer.None;
    // entries as int32 (| 0): a uint32 above 2^31 passed to a call would be a heap number per packet
    for (let i = off; i < at; i += ENTRY) p.addLabel(u32(b, i) | 0);
    p.tunnelId[t] = u32(b, off) >>> 12;
    p.next = at;
    return resolvePayload(p, reg, t, li, u32(b, at - ENTRY) | 0, at);
  },

  fields(p: PacketView, i: number): Record<string, unknown> {
    const b = p.buf;
    const labels: Array<{ label: number; tc: number; s: number; ttl: number }> = [];
    for (let o = p.layerStart[i]; o < p.layerEnd[i]; o += ENTRY) {
      const e = u32(b, o);
      labels.push({ label: e >>> 12, tc: (e >>> 9) & 7, s: (e >>> 8) & 1, ttl: e & 255 });
    }
    const out: Record<string, unknown> = { labels };
    for (let t = 0; t < p.tunnelCount; t++) {
      if (p.tunnelLayer[t] !== i) continue;
      out.payload = MPLS_RULE_NAMES[p.tunnelId2[t]];
      out.controlword = (p.tunnelFlags[t] & TunnelFlag.MplsControlWord) !== 0;
    }
    return out;
  },
};
