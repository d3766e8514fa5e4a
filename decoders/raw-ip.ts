/**
 * Raw IP link types (LINKTYPE_RAW 101, and DLT_RAW's platform values 12 and 14): the packet starts
 * with an IPv4 or IPv6 header, told apart by the version nibble. At the start of a packet an empty
 * layer records that the link type was raw (tshark shows it as `raw`); inside a packet (decode-as
 * `ip`, or a topology saying an MPLS label carries IP of either version) it only dispatches.
 * LINKTYPE_IPV4/IPV6 (228/229) go to IP directly.
 */
import { Layer, Problem } from '../src/layers.js';
import type { PacketView } from '../src/packet.js';
import type { DecoderModule } from './types.js';

export const decoder: DecoderModule = {
  layer: Layer.RawIp,
  name: 'raw',
  aliases: ['raw-ip', 'rawip', 'ip'],
  defaults: { linktype: [101, 12, 14] },

  decode(p: PacketView, off: number): Layer {
    if (off >= p.end) {
      p.problem(Problem.Truncated, Layer.RawIp, off);
      return Layer.None;
    }
    const version = p.buf[off] >>> 4;
    if (version !== 4 && version !== 6) {
      p.problem(Problem.BadVersion, Layer.RawIp, off);
      return Layer.None;
    }
    if (p.layerCount === 0 && p.pushLayer(Layer.RawIp, off, off) < 0) return Layer.None;
    p.next = off;
    return version === 4 ? Layer.Ipv4 : Layer.Ipv6;
  },

  fields(p: PacketView, i: number): Record<string, unknown> {
    return { version: p.buf[p.layerStart[i]] >>> 4 };
  },
};
