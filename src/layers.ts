/**
 * Layer kinds. One number per protocol; the same number is the decoder's id in the registry,
 * so dispatch tables hold small integers and the peel loop indexes an array with them.
 * `None` (0) means "no decoder": the bytes that follow stay undecoded payload.
 */
export const enum Layer {
  None = 0,
  Ethernet,
  Vlan, // 802.1Q / 802.1ad / 0x9100 tag; the TPID says which
  Arp,
  Sll, // Linux cooked v1 (linktype 113)
  Sll2, // Linux cooked v2 (linktype 276)
  Loopback, // BSD loopback / null (linktypes 0, 108)
  RawIp, // linktype 101/12/14: sniff the version nibble
  Ipv4,
  Ipv6,
  Udp,
  Tcp,
  Icmp,
  Icmpv6,
  Gre,
  Erspan, // type I, II, III
  Mpls,
  PwControlWord, // 4-byte pseudowire control word after the bottom MPLS label
  Vxlan,
  VxlanGpe,
  Nsh,
  Geneve,
  ContrailMirror, // Contrail / Tungsten Fabric "Juniper header" TLVs
  Jmirror,
  Ppp,
  Count, // keep last: size of per-layer tables
}

/** Names used in JSON `layers`, in filters and in text output. Indexed by Layer. */
export const LAYER_NAMES: readonly string[] = [
  'payload',
  'eth',
  'vlan',
  'arp',
  'sll',
  'sll2',
  'loopback',
  'raw',
  'ipv4',
  'ipv6',
  'udp',
  'tcp',
  'icmp',
  'icmpv6',
  'gre',
  'erspan',
  'mpls',
  'pwcw',
  'vxlan',
  'vxlan-gpe',
  'nsh',
  'geneve',
  'contrail-mirror',
  'jmirror',
  'ppp',
];

/** Encapsulation kinds recorded in the tunnel stack (JSON `tunnels[].type`). */
export const enum Tunnel {
  Vxlan = 1,
  VxlanGpe,
  Geneve,
  Gre,
  Mpls,
  Erspan,
  ContrailMirror,
  Jmirror,
  IpInIp, // IPv4/IPv6 carried directly in IPv4/IPv6 (proto 4 / 41)
}

export const TUNNEL_NAMES: readonly string[] = [
  '',
  'vxlan',
  'vxlan-gpe',
  'geneve',
  'gre',
  'mpls',
  'erspan',
  'contrail-mirror',
  'jmirror',
  'ipip',
];

/** Per-packet decode problems (JSON `errors[].kind`). */
export const enum Problem {
  Truncated = 1, // header runs past the captured bytes
  BadLength, // a length field disagrees with the data (larger than what is there, or too small)
  BadVersion, // version field not one we decode (IP version, Geneve version, GRE version…)
  UnknownNext, // next protocol has no decoder (reported only inside a tunnel, where it matters)
  DepthLimit, // more layers than --depth
  LaterFragment, // IP fragment with offset > 0: payload not decoded
  BadChecksum, // only when checksum validation is asked for
  Malformed, // any other structural fault (bad TLV, reserved bits where forbidden…)
}

export const PROBLEM_NAMES: readonly string[] = [
  '',
  'truncated',
  'bad-length',
  'bad-version',
  'unknown-next',
  'depth-limit',
  'later-fragment',
  'bad-checksum',
  'malformed',
];

/** How the payload after the bottom MPLS label was identified (JSON `tunnels[].payloadRule`). */
export const enum MplsRule {
  None = 0,
  LabelMap, // explicit --decode-as / topology
  Reserved, // reserved label (0 IPv4 explicit null, 2 IPv6 explicit null)
  Ip, // first nibble + consistent IPv4/IPv6 header
  Ethernet, // scored Ethernet header at offset 0
  EthernetCw, // control word then Ethernet
  ContrailL2Mcast, // control word + IPv4/UDP/VXLAN (Contrail L2 multicast)
  Raw, // nothing fitted
}

export const MPLS_RULE_NAMES: readonly string[] = [
  '',
  'label-map',
  'reserved-label',
  'ip',
  'ethernet',
  'ethernet-cw',
  'contrail-l2-mcast',
  'raw',
];
