/**
 * Packet views with one tunnel, filled the way the decoders fill them (outer IP layer, carrier,
 * tunnel header, tunnel columns), so the topology can be tested before a capture is decoded.
 */
import type { CaptureRecord } from '../../src/capture/record.js';
import { Layer, Tunnel } from '../../src/layers.js';
import { PacketView } from '../../src/packet.js';

export interface TunnelSpec {
  kind: Tunnel;
  /** Outer source / destination IPv4 (dotted) or IPv6 (16 bytes given as text is not needed here). */
  src: string;
  dst: string;
  id?: number;
  ovnIn?: number;
  ovnOut?: number;
  /** MPLS label values, top first. */
  labels?: number[];
  /** MPLS carrier: 'gre' (MPLSoGRE) or 'udp' (MPLSoUDP). */
  carrier?: 'gre' | 'udp';
}

function ipv4Bytes(s: string): number[] {
  return s.split('.').map(Number);
}

export function tunnelView(spec: TunnelSpec): { p: PacketView; t: number } {
  const p = new PacketView();
  const buf = new Uint8Array(128);
  buf.set(ipv4Bytes(spec.src), 14 + 12);
  buf.set(ipv4Bytes(spec.dst), 14 + 16);
  p.reset({ buf, offset: 0, caplen: 128, len: 128, frame: 1, tsSec: 0, tsNsec: 0, iface: 0, linktype: 1, comment: undefined, fileOffset: 0 } satisfies CaptureRecord);
  p.pushLayer(Layer.Ethernet, 0, 14);
  p.pushLayer(Layer.Ipv4, 14, 34);
  let off = 34;
  const carrier = spec.kind === Tunnel.Gre || (spec.kind === Tunnel.Mpls && spec.carrier === 'gre') ? Layer.Gre : Layer.Udp;
  p.pushLayer(carrier, off, off + (carrier === Layer.Gre ? 4 : 8));
  off += carrier === Layer.Gre ? 4 : 8;
  const header = { [Tunnel.Geneve]: Layer.Geneve, [Tunnel.Vxlan]: Layer.Vxlan, [Tunnel.Mpls]: Layer.Mpls, [Tunnel.Gre]: Layer.Gre } as Record<number, Layer>;
  const li = spec.kind === Tunnel.Gre ? 2 : p.pushLayer(header[spec.kind], off, off + 8);
  const t = p.pushTunnel(spec.kind, li);
  p.tunnelId[t] = spec.id ?? (spec.labels ? spec.labels[0] : -1);
  if (spec.ovnIn !== undefined) p.tunnelOvnIn[t] = spec.ovnIn;
  if (spec.ovnOut !== undefined) p.tunnelOvnOut[t] = spec.ovnOut;
  spec.labels?.forEach((l, i) => p.addLabel(((l << 12) | ((i === spec.labels!.length - 1 ? 1 : 0) << 8) | 64) >>> 0));
  return { p, t };
}

/** Geneve with the OVN option data as tcpdump prints it (e.g. "00020001"). */
export function geneveOvn(src: string, dst: string, vni: number, optionData: string): { p: PacketView; t: number } {
  const v = parseInt(optionData, 16) >>> 0;
  return tunnelView({ kind: Tunnel.Geneve, src, dst, id: vni, ovnIn: (v >>> 16) & 0x7fff, ovnOut: v & 0xffff });
}
