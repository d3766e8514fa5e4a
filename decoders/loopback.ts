/**
 * BSD loopback encapsulation: a 4-byte address family before the IP packet. LINKTYPE_NULL (0) writes
 * it in the capturing host's byte order, LINKTYPE_LOOP (108) in network order. AF_INET is 2
 * everywhere; AF_INET6 differs by OS (Linux 10, NetBSD/OpenBSD 24, FreeBSD 28, macOS 30).
 */
import { u32, u32le } from '../src/bytes.js';
import { Layer } from '../src/layers.js';
import type { PacketView } from '../src/packet.js';
import type { DecoderModule } from './types.js';

const HEADER = 4;
const LINKTYPE_NULL = 0;

/**
 * The address family at `off`. For LINKTYPE_NULL the byte order is unknown, but families are small
 * numbers: if the first two bytes are zero the value is big-endian, else little-endian.
 */
function family(p: PacketView, off: number): number {
  const b = p.buf;
  if (p.linktype !== LINKTYPE_NULL || (b[off] | b[off + 1]) === 0) return u32(b, off);
  return u32le(b, off);
}

export const decoder: DecoderModule = {
  layer: Layer.Loopback,
  name: 'loopback',
  aliases: ['null', 'loop'],
  defaults: { linktype: [0, 108] },

  decode(p: PacketView, off: number): Layer {
    if (!p.fits(Layer.Loopback, off, HEADER)) return Layer.None;
    if (p.pushLayer(Layer.Loopback, off, off + HEADER) < 0) return Layer.None;
    p.next = off + HEADER;
    switch (family(p, off)) {
      case 2:
        return Layer.Ipv4;
      case 10:
      case 24:
      case 28:
      case 30:
        return Layer.Ipv6;
      default:
        return Layer.None;
    }
  },

  fields(p: PacketView, i: number): Record<string, unknown> {
    return { family: family(p, p.layerStart[i]) };
  },
};
