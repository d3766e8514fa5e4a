/** Test kit: decode crafted packet bytes into a PacketView with the full registry. */
import { createRegistry } from '../../decoders/index.js';
import type { PacketView } from '../../src/packet.js';
import { decodePacket, type DecodeOptions } from '../helpers/decode.js';
import * as c from '../../samples/craft.js';

export const reg = createRegistry();

/** Decode one packet (Ethernet link type unless given) into a fresh view. */
export function decode(data: Uint8Array, opts: DecodeOptions = {}): PacketView {
  return decodePacket(data, reg, opts);
}

const M1 = '02:00:00:00:00:01';
const M2 = '02:00:00:00:00:02';
const HV1 = '52:54:00:aa:00:01';
const HV2 = '52:54:00:aa:00:02';

/** An inner VM-to-VM frame: Ethernet / IPv4 / ICMP echo or TCP. */
export function vmFrame(o: { src?: string; dst?: string; tcp?: { sport: number; dport: number }; tags?: c.VlanTag[] } = {}): Uint8Array {
  const l4 = o.tcp ? c.tcp({ sport: o.tcp.sport, dport: o.tcp.dport, flags: 'S' }) : c.icmpEcho({ type: 'request', id: 1, seq: 1 });
  return c.eth({ src: M1, dst: M2, tags: o.tags, payload: c.ipv4({ src: o.src ?? '192.168.0.1', dst: o.dst ?? '192.168.0.2', payload: l4 }) });
}

/** Outer Ethernet / IPv4 / UDP carrying `payload` (port inferred from it). */
export function underlay(payload: Uint8Array, o: { src?: string; dst?: string; tags?: c.VlanTag[]; sport?: number } = {}): Uint8Array {
  return c.eth({ src: HV1, dst: HV2, tags: o.tags, payload: c.ipv4({ src: o.src ?? '172.20.0.21', dst: o.dst ?? '172.20.0.23', payload: c.udp({ sport: o.sport ?? 49152, payload }) }) });
}

export { c };
