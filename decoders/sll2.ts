/**
 * Linux "cooked" capture v2 (LINKTYPE_LINUX_SLL2 276): 20-byte pseudo header with the protocol first,
 * then reserved, interface index, ARPHRD type, packet type, address length and 8 address bytes.
 */
import { u16, u32 } from '../src/bytes.js';
import { Layer } from '../src/layers.js';
import type { PacketView } from '../src/packet.js';
import type { Registry } from '../src/registry.js';
import { cookedAddress, cookedNext } from './sll.js';
import type { DecoderModule } from './types.js';

const HEADER = 20;

export const decoder: DecoderModule = {
  layer: Layer.Sll2,
  name: 'sll2',
  aliases: ['linux-sll2'],
  defaults: { linktype: [276] },

  decode(p: PacketView, off: number, reg: Registry): Layer {
    if (!p.fits(Layer.Sll2, off, HEADER)) return Layer.None;
    if (p.pushLayer(Layer.Sll2, off, off + HEADER) < 0) return Layer.None;
    p.next = off + HEADER;
    const b = p.buf;
    return cookedNext(reg, u16(b, off + 8), u16(b, off));
  },

  fields(p: PacketView, i: number): Record<string, unknown> {
    const b = p.buf;
    const o = p.layerStart[i];
    const halen = b[o + 11];
    return {
      protocol: u16(b, o),
      ifindex: u32(b, o + 4),
      hatype: u16(b, o + 8),
      pkttype: b[o + 10],
      halen,
      addr: cookedAddress(b, o + 12, halen),
    };
  },
};
