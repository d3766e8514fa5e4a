/**
 * IEEE 802.1Q VLAN tag (TPID 0x8100), 802.1ad service tag (0x88a8) and the pre-standard QinQ TPIDs
 * 0x9100 / 0x9200. The TPID sits in the previous header; this layer is the 4 bytes after it:
 * TCI (PCP 3 bits, DEI 1, VID 12) and the next EtherType. Stacked tags are one layer each, to any depth.
 */
import { u16 } from '../src/bytes.js';
import { Layer, Problem } from '../src/layers.js';
import type { PacketView } from '../src/packet.js';
import type { Registry } from '../src/registry.js';
import type { DecoderModule } from './types.js';

const HEADER = 4;

/**
 * The TPID that introduced the tag at layer index `i` (i = p.layerCount while decoding): the type field
 * of the previous header. It is the two bytes before the tag after Ethernet, a tag or SLL; GRE and
 * Geneve keep their protocol type at +2 and SLL2 at +0, ahead of optional fields.
 */
function tpidOf(p: PacketView, i: number, off: number): number {
  if (i > 0) {
    const prev = i - 1;
    const k = p.layerKind[prev];
    const s = p.layerStart[prev];
    if (k === Layer.Gre || k === Layer.Geneve) return u16(p.buf, s + 2);
    if (k === Layer.Sll2) return u16(p.buf, s);
    if (k === Layer.Ethernet || k === Layer.Vlan || k === Layer.Sll) return u16(p.buf, off - 2);
  }
  return 0x8100; // reached by decode-as from a header without an EtherType field
}

export const decoder: DecoderModule = {
  layer: Layer.Vlan,
  name: 'vlan',
  aliases: ['dot1q', '802.1q', 'qinq', '802.1ad'],
  defaults: { ethertype: [0x8100, 0x88a8, 0x9100, 0x9200], greProto: [0x8100] },

  decode(p: PacketView, off: number, reg: Registry): Layer {
    if (!p.fits(Layer.Vlan, off, HEADER)) return Layer.None;
    const tpid = tpidOf(p, p.layerCount, off);
    if (p.pushLayer(Layer.Vlan, off, off + HEADER) < 0) return Layer.None;
    const b = p.buf;
    if (!p.addVlan(tpid, u16(b, off))) p.problem(Problem.DepthLimit, Layer.Vlan, off);
    p.next = off + HEADER;
    const type = u16(b, off + 2);
    if (type < 0x0600) return Layer.None; // 802.3 length: LLC payload
    return reg.ethertype[type];
  },

  fields(p: PacketView, i: number): Record<string, unknown> {
    const o = p.layerStart[i];
    const tci = u16(p.buf, o);
    return {
      id: tci & 0xfff,
      pcp: tci >>> 13,
      dei: (tci >>> 12) & 1,
      tpid: tpidOf(p, i, o),
      type: u16(p.buf, o + 2),
    };
  },
};
