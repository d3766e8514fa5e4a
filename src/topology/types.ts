import type { PacketView } from '../packet.js';
import type { Registry } from '../registry.js';

/** Names behind one tunnel header's numbers. Absent fields are unknown. */
export interface TunnelNames {
  /** Overlay network: OVN datapath (logical switch/router), Contrail VN, Neutron network… */
  network?: string;
  /** OVN logical ingress port. */
  inport?: string;
  /** OVN logical egress port, or multicast group name. */
  outport?: string;
  /** Host names of the outer source / destination IPs (chassis, compute, VTEP). */
  src?: string;
  dst?: string;
  /** Interface the label or port leads to (Contrail tap, OVS port). */
  interface?: string;
  /** VM behind that interface. */
  vm?: string;
  /** MAC / IP of that interface (Contrail: the next hop's destination MAC, the vif address). */
  mac?: string;
  ip?: string;
  /** Local VLAN the tunnel id maps to on the receiving host (OVS ML2). */
  localVlan?: number;
}

/**
 * One lookup interface over every loaded topology source. Lookups are by the numbers the decoders
 * found; implementations cache (the same keys recur packet after packet) and return the same object
 * for the same keys, so callers must not mutate what they get.
 */
export interface Topology {
  /** Names for tunnel `t` of the decoded packet, or undefined when nothing is known. */
  tunnelNames(p: PacketView, t: number): TunnelNames | undefined;
  /** Host name of an IP address (chassis hostname, compute name), if known. */
  hostName(ip: string): string | undefined;
  /** Write what the topology knows about payloads into the registry (e.g. Contrail label -> eth/ip). */
  applyTo(reg: Registry): void;
  /** Free resources (a live OVSDB connection). */
  close(): void;
}

/** True when the names say what the tunnel's own keys mean (not just which hosts it ran between). */
export function namesKeys(n: TunnelNames | undefined): boolean {
  return n !== undefined && (n.network !== undefined || n.inport !== undefined || n.outport !== undefined || n.interface !== undefined || n.vm !== undefined);
}

/** One-line text of a tunnel's key names: `network2 net2-router1->vm2`, `tap93d2dja8-22 (VFW001)`. */
export function namesText(n: TunnelNames): string {
  const parts: string[] = [];
  if (n.network !== undefined) parts.push(n.network);
  if (n.inport !== undefined || n.outport !== undefined) parts.push(`${n.inport ?? '?'}->${n.outport ?? '?'}`);
  if (n.interface !== undefined) parts.push(n.interface);
  if (n.vm !== undefined) parts.push(`(${n.vm})`);
  return parts.join(' ');
}
