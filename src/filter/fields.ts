/**
 * The field table: every name the filter language knows, what type of value it holds, where its
 * occurrences come from in the decoded PacketView, and how to read each occurrence. Readers read the
 * view's typed arrays or the packet bytes in place; they never allocate.
 */
import { u16, u24 } from '../bytes.js';
import { Layer, Tunnel, TUNNEL_NAMES } from '../layers.js';
import { TunnelFlag, type PacketView } from '../packet.js';
import { ipv4FromU32 } from '../bytes.js';
import type { Topology, TunnelNames } from '../topology/types.js';

/**
 * Where the occurrences of a field are. A handle `h` names one occurrence: a layer index, a tunnel
 * index, an index into the label or option tables, or 0 for per-packet fields.
 */
export type Source =
  | { k: 'layer'; kinds: readonly Layer[] }
  | { k: 'tunnel'; kinds: readonly Tunnel[] } // empty: every tunnel
  | { k: 'label' } // MPLS label stack entries (p.labels)
  | { k: 'option' } // Geneve options (p.optClass…)
  | { k: 'packet' }; // one value per packet (frame.*, tunnel.count)

type Get = (p: PacketView, h: number) => number;

/** How to read one value of an occurrence. Numbers < 0 and lengths < 0 mean "absent here". */
export type Reader =
  | { t: 'num'; get: Get }
  /** Address bytes at buf[at(p,h)], `width` 4 (IPv4), 16 (IPv6) or 6 (MAC). */
  | { t: 'addr'; at: Get; width: Get }
  /** IPv4 held as an unsigned 32-bit number in a table (Contrail capturing host). */
  | { t: 'ip4num'; get: Get }
  /** Byte string buf[start, start+len) compared with the UTF-8 bytes of a string literal. */
  | { t: 'bytes'; start: Get; len: Get }
  /** A name from the topology, bound at compile time. */
  | { t: 'name'; bind: (topo: Topology) => (p: PacketView, h: number) => string | undefined };

/** The value type of a field, as the type checker and the error messages see it. */
export type FieldType = 'protocol' | 'number' | 'ip' | 'ipv4' | 'ipv6' | 'mac' | 'string' | 'port' | 'host' | 'name' | 'enum';

export const TYPE_TEXT: Record<FieldType, string> = {
  protocol: 'a protocol',
  number: 'a number',
  ip: 'an IP address',
  ipv4: 'an IPv4 address',
  ipv6: 'an IPv6 address',
  mac: 'a MAC address',
  string: 'a string',
  port: 'a port key (number) or a port name (string)',
  host: 'an IPv4 address or a host name (string)',
  name: 'a name (string)',
  enum: 'a name (string)',
};

export interface FieldDef {
  name: string;
  aliases?: readonly string[];
  type: FieldType;
  /** One line for `peelcap help filter` and the README. */
  doc: string;
  source: Source;
  readers: readonly Reader[];
  /** For 'enum' fields: string literal -> the number the reader returns. */
  names?: ReadonlyMap<string, number>;
}

// ---- reader helpers -------------------------------------------------------------------------

const at = (off: number): Get => (p, i) => p.layerStart[i] + off;
const byte = (off: number, mask = 0xff, shift = 0): Reader => ({ t: 'num', get: (p, i) => (p.buf[p.layerStart[i] + off] >>> shift) & mask });
const word = (off: number): Reader => ({ t: 'num', get: (p, i) => u16(p.buf, p.layerStart[i] + off) });
const fixed = (n: number): Get => () => n;
const ipWidth: Get = (p, i) => (p.layerKind[i] === Layer.Ipv4 ? 4 : 16);
const ipAddr = (v4: number, v6: number): Reader => ({ t: 'addr', at: (p, i) => p.layerStart[i] + (p.layerKind[i] === Layer.Ipv4 ? v4 : v6), width: ipWidth });
const ip6Addr = (off: number): Reader => ({ t: 'addr', at: at(off), width: fixed(16) });
const mac = (off: number): Reader => ({ t: 'addr', at: at(off), width: fixed(6) });
const tunnelId: Reader = { t: 'num', get: (p, t) => p.tunnelId[t] };
const tunnelId2: Reader = { t: 'num', get: (p, t) => p.tunnelId2[t] };
const tunnelFlag = (bit: number): Reader => ({ t: 'num', get: (p, t) => (p.tunnelFlags[t] & bit ? 1 : 0) });
const packet = (get: (p: PacketView) => number): Reader => ({ t: 'num', get: (p) => get(p) });
const named = (pick: (n: TunnelNames) => string | undefined): Reader => ({
  t: 'name',
  bind: (topo) => (p, t) => {
    const n = topo.tunnelNames(p, t);
    return n === undefined ? undefined : pick(n);
  },
});

/** The VLAN tag of the i-th layer: VLAN layers and p.vlanTci entries are in the same order. */
function vlanTci(p: PacketView, i: number): number {
  let k = 0;
  for (let j = 0; j < i; j++) if (p.layerKind[j] === Layer.Vlan) k++;
  return k < p.vlanCount ? p.vlanTci[k] : -1;
}
const vlanBits = (shift: number, mask: number): Reader => ({
  t: 'num',
  get: (p, i) => {
    const tci = vlanTci(p, i);
    return tci < 0 ? -1 : (tci >>> shift) & mask;
  },
});
function vlanTpid(p: PacketView, i: number): number {
  let k = 0;
  for (let j = 0; j < i; j++) if (p.layerKind[j] === Layer.Vlan) k++;
  return k < p.vlanCount ? p.vlanTpid[k] : -1;
}

/** Host name of a Contrail capturing-host IPv4; cached per compiled filter (strings built once per address). */
function hostNameReader(): Reader {
  return {
    t: 'name',
    bind: (topo) => {
      const cache = new Map<number, string | undefined>();
      return (p, t) => {
        const ip = p.tunnelId2[t];
        if (ip < 0) return undefined;
        if (cache.has(ip)) return cache.get(ip);
        const name = cache.size < 65536 ? topo.hostName(ipv4FromU32(ip)) : undefined;
        cache.set(ip, name);
        return name;
      };
    },
  };
}

// ---- sources -----------------------------------------------------------------------------------

const layer = (...kinds: Layer[]): Source => ({ k: 'layer', kinds });
const tunnel = (...kinds: Tunnel[]): Source => ({ k: 'tunnel', kinds });
const PACKET: Source = { k: 'packet' };
const IP = layer(Layer.Ipv4, Layer.Ipv6);
const L = (name: string, kinds: Layer[], doc: string, aliases?: string[]): FieldDef => ({ name, type: 'protocol', doc, source: layer(...kinds), readers: [], aliases });
const num = (name: string, source: Source, readers: Reader[], doc: string, aliases?: string[]): FieldDef => ({ name, type: 'number', doc, source, readers, aliases });

const TUNNEL_KINDS = new Map<string, number>();
TUNNEL_NAMES.forEach((n, i) => {
  if (n) TUNNEL_KINDS.set(n, i);
});
TUNNEL_KINDS.set('contrail', Tunnel.ContrailMirror).set('vxlan_gpe', Tunnel.VxlanGpe);

const TCP_FLAG = (name: string, bit: number): FieldDef => num(`tcp.flags.${name}`, layer(Layer.Tcp), [byte(13, 1, bit)], `TCP ${name.toUpperCase()} flag (0 or 1)`);

/** Every field and protocol name of the language. */
export const FIELDS: readonly FieldDef[] = [
  // protocols
  L('eth', [Layer.Ethernet], 'Ethernet header present'),
  L('vlan', [Layer.Vlan], '802.1Q / 802.1ad VLAN tag present'),
  L('arp', [Layer.Arp], 'ARP'),
  L('ip', [Layer.Ipv4], 'IPv4 header present', ['ipv4']),
  L('ipv6', [Layer.Ipv6], 'IPv6 header present'),
  L('tcp', [Layer.Tcp], 'TCP'),
  L('udp', [Layer.Udp], 'UDP'),
  L('icmp', [Layer.Icmp], 'ICMP (IPv4)'),
  L('icmpv6', [Layer.Icmpv6], 'ICMPv6'),
  L('gre', [Layer.Gre], 'GRE'),
  L('erspan', [Layer.Erspan], 'ERSPAN type I/II/III'),
  L('mpls', [Layer.Mpls], 'MPLS label stack'),
  L('vxlan', [Layer.Vxlan], 'VXLAN'),
  L('vxlan_gpe', [Layer.VxlanGpe], 'VXLAN-GPE', ['vxlan-gpe', 'gpe']),
  L('geneve', [Layer.Geneve], 'Geneve'),
  L('nsh', [Layer.Nsh], 'Network Service Header'),
  L('contrail', [Layer.ContrailMirror], 'Contrail/Tungsten Fabric mirror ("Juniper header")', ['contrail-mirror', 'juniper']),
  L('jmirror', [Layer.Jmirror], 'Juniper jmirror'),
  L('ppp', [Layer.Ppp], 'PPP'),
  L('sll', [Layer.Sll, Layer.Sll2], 'Linux cooked capture header'),
  L('pwcw', [Layer.PwControlWord], 'MPLS pseudowire control word'),
  { name: 'tunnel', type: 'protocol', doc: 'any tunnel header; tunnel[i] is the i-th (0 outermost, -1 innermost)', source: tunnel(), readers: [] },
  { name: 'ipip', type: 'protocol', doc: 'IP-in-IP tunnel (IPv4/IPv6 directly in IP)', source: tunnel(Tunnel.IpInIp), readers: [] },

  // frame
  num('frame.len', PACKET, [packet((p) => p.len)], 'original length on the wire'),
  num('frame.caplen', PACKET, [packet((p) => p.caplen)], 'captured length', ['frame.cap_len']),
  num('frame.number', PACKET, [packet((p) => p.frame)], '1-based frame number'),
  num('frame.iface', PACKET, [packet((p) => p.iface)], 'capture interface index', ['frame.interface_id']),
  num('frame.linktype', PACKET, [packet((p) => p.linktype)], 'LINKTYPE_* of the capture interface'),

  // Ethernet, VLAN, ARP
  { name: 'eth.src', type: 'mac', doc: 'source MAC', source: layer(Layer.Ethernet), readers: [mac(6)] },
  { name: 'eth.dst', type: 'mac', doc: 'destination MAC', source: layer(Layer.Ethernet), readers: [mac(0)] },
  { name: 'eth.addr', type: 'mac', doc: 'source or destination MAC', source: layer(Layer.Ethernet), readers: [mac(6), mac(0)] },
  num('eth.type', layer(Layer.Ethernet), [word(12)], 'EtherType (or 802.3 length) after the MAC addresses'),
  num('vlan.id', layer(Layer.Vlan), [vlanBits(0, 0xfff)], 'VLAN id'),
  num('vlan.pcp', layer(Layer.Vlan), [vlanBits(13, 7)], 'VLAN priority', ['vlan.priority']),
  num('vlan.dei', layer(Layer.Vlan), [vlanBits(12, 1)], 'VLAN drop-eligible bit', ['vlan.cfi']),
  num('vlan.tpid', layer(Layer.Vlan), [{ t: 'num', get: vlanTpid }], 'tag protocol id (0x8100, 0x88a8, 0x9100)'),
  num('arp.opcode', layer(Layer.Arp), [word(6)], 'ARP operation (1 request, 2 reply)'),

  // IP
  { name: 'ip.src', type: 'ip', doc: 'source address, IPv4 or IPv6', source: IP, readers: [ipAddr(12, 8)] },
  { name: 'ip.dst', type: 'ip', doc: 'destination address, IPv4 or IPv6', source: IP, readers: [ipAddr(16, 24)] },
  { name: 'ip.addr', type: 'ip', doc: 'source or destination address, IPv4 or IPv6', source: IP, readers: [ipAddr(12, 8), ipAddr(16, 24)] },
  { name: 'ipv6.src', type: 'ipv6', doc: 'IPv6 source address', source: layer(Layer.Ipv6), readers: [ip6Addr(8)] },
  { name: 'ipv6.dst', type: 'ipv6', doc: 'IPv6 destination address', source: layer(Layer.Ipv6), readers: [ip6Addr(24)] },
  { name: 'ipv6.addr', type: 'ipv6', doc: 'IPv6 source or destination address', source: layer(Layer.Ipv6), readers: [ip6Addr(8), ip6Addr(24)] },
  num('ip.proto', IP, [{ t: 'num', get: (p, i) => p.buf[p.layerStart[i] + (p.layerKind[i] === Layer.Ipv4 ? 9 : 6)] }], 'IPv4 protocol / IPv6 next header'),
  num('ip.ttl', IP, [{ t: 'num', get: (p, i) => p.buf[p.layerStart[i] + (p.layerKind[i] === Layer.Ipv4 ? 8 : 7)] }], 'IPv4 TTL / IPv6 hop limit'),
  num('ip.len', IP, [{ t: 'num', get: (p, i) => (p.layerKind[i] === Layer.Ipv4 ? u16(p.buf, p.layerStart[i] + 2) : 40 + u16(p.buf, p.layerStart[i] + 4)) }], 'IP total length (IPv6: 40 + payload length)'),
  num('ip.id', layer(Layer.Ipv4), [word(4)], 'IPv4 identification'),
  num('ip.dsfield', IP, [{ t: 'num', get: (p, i) => (p.layerKind[i] === Layer.Ipv4 ? p.buf[p.layerStart[i] + 1] : (u16(p.buf, p.layerStart[i]) >>> 4) & 0xff) }], 'DS field (DSCP << 2 | ECN)', ['ip.tos']),

  // transport
  num('tcp.srcport', layer(Layer.Tcp), [word(0)], 'TCP source port'),
  num('tcp.dstport', layer(Layer.Tcp), [word(2)], 'TCP destination port'),
  num('tcp.port', layer(Layer.Tcp), [word(0), word(2)], 'TCP source or destination port'),
  num('tcp.flags', layer(Layer.Tcp), [{ t: 'num', get: (p, i) => ((p.buf[p.layerStart[i] + 12] & 1) << 8) | p.buf[p.layerStart[i] + 13] }], 'TCP flags (9 bits: NS CWR ECE URG ACK PSH RST SYN FIN)'),
  TCP_FLAG('fin', 0),
  TCP_FLAG('syn', 1),
  TCP_FLAG('reset', 2),
  TCP_FLAG('push', 3),
  TCP_FLAG('ack', 4),
  TCP_FLAG('urg', 5),
  num('udp.srcport', layer(Layer.Udp), [word(0)], 'UDP source port'),
  num('udp.dstport', layer(Layer.Udp), [word(2)], 'UDP destination port'),
  num('udp.port', layer(Layer.Udp), [word(0), word(2)], 'UDP source or destination port'),
  num('udp.length', layer(Layer.Udp), [word(4)], 'UDP length field'),
  num('icmp.type', layer(Layer.Icmp), [byte(0)], 'ICMP type'),
  num('icmp.code', layer(Layer.Icmp), [byte(1)], 'ICMP code'),
  num('icmpv6.type', layer(Layer.Icmpv6), [byte(0)], 'ICMPv6 type'),
  num('icmpv6.code', layer(Layer.Icmpv6), [byte(1)], 'ICMPv6 code'),

  // tunnels
  num('vni', tunnel(Tunnel.Vxlan, Tunnel.VxlanGpe, Tunnel.Geneve), [tunnelId], 'VXLAN, VXLAN-GPE or Geneve VNI'),
  num('vxlan.vni', tunnel(Tunnel.Vxlan), [tunnelId], 'VXLAN VNI'),
  num('vxlan.gbp', tunnel(Tunnel.Vxlan), [tunnelId2], 'VXLAN group policy id (G bit set)'),
  num('vxlan.flags', tunnel(Tunnel.Vxlan), [{ t: 'num', get: (p, t) => p.tunnelFlags[t] & 0xff }], 'VXLAN flags byte'),
  num('vxlan_gpe.vni', tunnel(Tunnel.VxlanGpe), [tunnelId], 'VXLAN-GPE VNI', ['gpe.vni']),
  num('vxlan_gpe.next', tunnel(Tunnel.VxlanGpe), [tunnelId2], 'VXLAN-GPE next protocol', ['gpe.next']),
  num('geneve.vni', tunnel(Tunnel.Geneve), [tunnelId], 'Geneve VNI (OVN: datapath tunnel key)'),
  num('geneve.proto', tunnel(Tunnel.Geneve), [tunnelId2], 'Geneve protocol type (0x6558 Ethernet, 0x0800 IPv4…)', ['geneve.proto_type']),
  num('geneve.oam', tunnel(Tunnel.Geneve), [tunnelFlag(TunnelFlag.GeneveOam)], 'Geneve O (OAM) bit'),
  num('geneve.critical', tunnel(Tunnel.Geneve), [tunnelFlag(TunnelFlag.GeneveCritical)], 'Geneve C (critical options) bit'),
  num('geneve.opt.class', { k: 'option' }, [{ t: 'num', get: (p, o) => p.optClass[o] }], 'Geneve option class (0x0102 = OVN)', ['geneve.option.class']),
  num('geneve.opt.type', { k: 'option' }, [{ t: 'num', get: (p, o) => p.optType[o] }], 'Geneve option type', ['geneve.option.type']),
  num('geneve.opt.len', { k: 'option' }, [{ t: 'num', get: (p, o) => p.optLen[o] }], 'Geneve option data length in bytes'),
  { name: 'ovn.inport', type: 'port', doc: 'OVN logical ingress port: key, or name with --topology', source: tunnel(Tunnel.Geneve), readers: [{ t: 'num', get: (p, t) => p.tunnelOvnIn[t] }, named((n) => n.inport)] },
  { name: 'ovn.outport', type: 'port', doc: 'OVN logical egress port (or multicast group): key, or name with --topology', source: tunnel(Tunnel.Geneve), readers: [{ t: 'num', get: (p, t) => p.tunnelOvnOut[t] }, named((n) => n.outport)] },
  num('gre.key', tunnel(Tunnel.Gre), [tunnelId], 'GRE key (K bit)'),
  num('gre.seq', tunnel(Tunnel.Gre), [tunnelId2], 'GRE sequence number (S bit)'),
  num('gre.proto', layer(Layer.Gre), [word(2)], 'GRE protocol type'),
  num('mpls.label', { k: 'label' }, [{ t: 'num', get: (p, k) => p.labels[k] >>> 12 }], 'MPLS label (any entry of the stack)'),
  num('mpls.tc', { k: 'label' }, [{ t: 'num', get: (p, k) => (p.labels[k] >>> 9) & 7 }], 'MPLS traffic class', ['mpls.exp']),
  num('mpls.ttl', { k: 'label' }, [{ t: 'num', get: (p, k) => p.labels[k] & 255 }], 'MPLS TTL'),
  num('mpls.bottom', { k: 'label' }, [{ t: 'num', get: (p, k) => (p.labels[k] >>> 8) & 1 }], 'MPLS bottom-of-stack bit'),
  num('mpls.depth', tunnel(Tunnel.Mpls), [{ t: 'num', get: (p, t) => p.tunnelLabelCount[t] }], 'number of labels in an MPLS stack'),
  num('erspan.session', tunnel(Tunnel.Erspan), [tunnelId], 'ERSPAN session id', ['erspan.span', 'erspan.spanid']),
  num('erspan.version', tunnel(Tunnel.Erspan), [tunnelId2], 'ERSPAN version (1, 2, 3)', ['erspan.ver']),
  num('erspan.vlan', tunnel(Tunnel.Erspan), [{ t: 'num', get: (p, t) => p.tunnelFlags[t] & 0xffff }], 'ERSPAN original VLAN'),
  { name: 'contrail.srcvn', type: 'string', doc: 'Contrail mirror source virtual network', source: tunnel(Tunnel.ContrailMirror), readers: [{ t: 'bytes', start: (p, t) => p.tunnelStrAStart[t], len: (p, t) => p.tunnelStrALen[t] }], aliases: ['juniper.vn.src'] },
  { name: 'contrail.dstvn', type: 'string', doc: 'Contrail mirror destination virtual network', source: tunnel(Tunnel.ContrailMirror), readers: [{ t: 'bytes', start: (p, t) => p.tunnelStrBStart[t], len: (p, t) => p.tunnelStrBLen[t] }], aliases: ['juniper.vn.dst'] },
  { name: 'contrail.host', type: 'host', doc: 'Contrail mirror capturing host: IPv4, or name with --topology', source: tunnel(Tunnel.ContrailMirror), readers: [{ t: 'ip4num', get: (p, t) => p.tunnelId2[t] }, hostNameReader()], aliases: ['juniper.vn.host'] },
  num('contrail.flags', tunnel(Tunnel.ContrailMirror), [tunnelId], 'Contrail mirror action flags (bit 30 = ingress)'),
  num('contrail.ingress', tunnel(Tunnel.ContrailMirror), [tunnelFlag(TunnelFlag.ContrailIngress)], 'Contrail mirror copy taken on ingress (0 or 1)'),
  num('jmirror.id', tunnel(Tunnel.Jmirror), [tunnelId], 'jmirror session id', ['jmirror.sid', 'jmirror.session']),
  num('jmirror.mid', tunnel(Tunnel.Jmirror), [tunnelId2], 'jmirror mirror id'),
  num('nsh.spi', layer(Layer.Nsh), [{ t: 'num', get: (p, i) => u24(p.buf, p.layerStart[i] + 4) }], 'NSH service path id'),
  num('nsh.si', layer(Layer.Nsh), [byte(7)], 'NSH service index'),
  num('tunnel.count', PACKET, [packet((p) => p.tunnelCount)], 'number of tunnel headers in the packet', ['tunnel.depth']),
  num('tunnel.id', tunnel(), [tunnelId], "a tunnel's main id (VNI, GRE key, first label, session id…)"),
  { name: 'tunnel.type', type: 'enum', doc: `tunnel kind: ${[...TUNNEL_KINDS.keys()].join(', ')}`, source: tunnel(), readers: [{ t: 'num', get: (p, t) => p.tunnelKind[t] }], names: TUNNEL_KINDS },

  // names (need --topology, except the Contrail VN strings carried in the packet)
  { name: 'vn', type: 'string', doc: 'virtual network: Contrail mirror source/destination VN, or a topology network name', source: tunnel(), readers: [{ t: 'bytes', start: (p, t) => p.tunnelStrAStart[t], len: (p, t) => (p.tunnelKind[t] === Tunnel.ContrailMirror ? p.tunnelStrALen[t] : -1) }, { t: 'bytes', start: (p, t) => p.tunnelStrBStart[t], len: (p, t) => (p.tunnelKind[t] === Tunnel.ContrailMirror ? p.tunnelStrBLen[t] : -1) }, named((n) => n.network)] },
  { name: 'network', type: 'name', doc: 'overlay network name of any tunnel (topology)', source: tunnel(), readers: [named((n) => n.network)] },
  { name: 'host', type: 'name', doc: 'host name of any tunnel endpoint (topology)', source: tunnel(), readers: [named((n) => n.src), named((n) => n.dst)] },
  { name: 'vm', type: 'name', doc: 'VM behind a tunnel (topology)', source: tunnel(), readers: [named((n) => n.vm)] },
  { name: 'interface', type: 'name', doc: 'interface a label or port leads to (topology)', source: tunnel(), readers: [named((n) => n.interface)] },
];

/** Field lookup by name or alias. */
export const FIELD_BY_NAME: ReadonlyMap<string, FieldDef> = (() => {
  const m = new Map<string, FieldDef>();
  for (const f of FIELDS) {
    m.set(f.name, f);
    for (const a of f.aliases ?? []) m.set(a, f);
  }
  return m;
})();

