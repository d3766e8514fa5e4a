/**
 * Ethernet II (IEEE 802.3 with an EtherType >= 0x0600). An 802.3 length field (< 0x0600) means
 * LLC follows, which we leave undecoded.
 */
import { macString, u16 } from '../src/bytes.js';
import { Layer } from '../src/layers.js';
import type { PacketView } from '../src/packet.js';
import type { Registry } from '../src/registry.js';
import type { DecoderModule } from './types.js';

const HEADER = 14;

export const decoder: DecoderModule = {
  layer: Layer.Ethernet,
  name: 'eth',
  aliases: ['ethernet', 'ether'],
  defaults: { linktype: [1], ethertype: [0x6558], greProto: [0x6558] },

  decode(p: PacketView, off: number, reg: Registry): Layer {
    if (!p.fits(Layer.Ethernet, off, HEADER)) return Layer.None;
    if (p.pushLayer(Layer.Ethernet, off, off + HEADER) < 0) return Layer.None;
    p.next = off + HEADER;
    const type = u16(p.buf, off + 12);
    if (type < 0x0600) return Layer.None; // 802.3 length: LLC payload
    return reg.ethertype[type];
  },

  fields(p: PacketView, i: number): Record<string, unknown> {
    const b = p.buf;
    const o = p.layerStart[i];
    return { dst: macString(b, o), src: macString(b, o + 6), type: u16(b, o + 12) };
  },
};
