/**
 * The plain lookup tables every loader fills. One `Facts` per source (or per live connection); the
 * index merges them in order, later ones overriding earlier ones, and rebuilds when a live source
 * changes. Keys are numbers wherever the packet gives numbers, so lookups never build strings.
 */
import { Layer } from '../layers.js';

/** Where an MPLS label leads on the compute that owns it (Contrail vRouter, static map). */
export interface LabelTarget {
  /** Interface (tap) the label's next hop sends to. */
  interface?: string;
  vm?: string;
  /** Overlay network (VN) name, when a source gives it. */
  network?: string;
  /** MAC / IP of the interface the label reaches. */
  mac?: string;
  ip?: string;
  /** What follows the label: Layer.Ethernet, Layer.RawIp (IPv4 or IPv6 by version nibble) or Layer.None (unknown). */
  payload: Layer;
}

/** Key of an OVN port: (datapath tunnel key, port tunnel key); port keys are unique only inside a datapath. */
export function portKey(datapath: number, port: number): number {
  return datapath * 65536 + port;
}

/** Key of an MPLS label on a tunnel endpoint (same layout as Registry.mplsLabelAt). */
export function labelKey(ipv4: number, label: number): number {
  return ipv4 * 1048576 + label;
}

export class Facts {
  /** OVN datapath tunnel key -> logical switch / router name. */
  readonly datapaths = new Map<number, string>();
  /** portKey(datapath, key) -> logical port or multicast group name. */
  readonly ports = new Map<number, string>();
  /** VNI / GRE key -> network name, where the key alone names the network (static map). */
  readonly vnis = new Map<number, string>();
  /** Outer IPv4 (u32) -> host name (chassis, compute, VTEP). */
  readonly hosts4 = new Map<number, string>();
  /** Outer IPv6 (canonical text) -> host name. */
  readonly hosts6 = new Map<string, string>();
  /** labelKey(endpoint IPv4, label) -> what the label reaches on that endpoint. */
  readonly labels = new Map<number, LabelTarget>();
  /** Host IPv4 -> (tunnel id -> local VLAN on that host) (OVS ML2 br-tun). */
  readonly localVlans = new Map<number, Map<number, number>>();
  /** IPv4 of OVN chassis whose encap is VXLAN: VXLAN packets to or from them carry OVN keys in the VNI. */
  readonly ovnVxlan4 = new Set<number>();
  /** Every VXLAN packet carries OVN keys (static map `ovnVxlan: true`). */
  ovnVxlanAll = false;

  setLocalVlan(host: number, tunnelId: number, vlan: number): void {
    let m = this.localVlans.get(host);
    if (!m) this.localVlans.set(host, (m = new Map()));
    m.set(tunnelId, vlan);
  }

  /** Copy `other` into this, its entries winning. */
  absorb(other: Facts): void {
    for (const [k, v] of other.datapaths) this.datapaths.set(k, v);
    for (const [k, v] of other.ports) this.ports.set(k, v);
    for (const [k, v] of other.vnis) this.vnis.set(k, v);
    for (const [k, v] of other.hosts4) this.hosts4.set(k, v);
    for (const [k, v] of other.hosts6) this.hosts6.set(k, v);
    for (const [k, v] of other.labels) this.labels.set(k, v);
    for (const [h, m] of other.localVlans) for (const [k, v] of m) this.setLocalVlan(h, k, v);
    for (const ip of other.ovnVxlan4) this.ovnVxlan4.add(ip);
    this.ovnVxlanAll ||= other.ovnVxlanAll;
  }

  /** Merge facts in order (later wins). */
  static merge(list: readonly Facts[]): Facts {
    const out = new Facts();
    for (const f of list) out.absorb(f);
    return out;
  }
}
