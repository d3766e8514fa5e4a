/**
 * Linux "cooked" capture v1 (LINKTYPE_LINUX_SLL 113), what `tcpdump -i any` writes: a 16-byte pseudo
 * header instead of the link header. Fields: packet type, ARPHRD type, address length, 8 address
 * bytes, protocol (an EtherType for most ARPHRD types).
 */
import { hexString, macString, u16 } from '../src/bytes.js';
import { Layer } from '../src/layers.js';
import type { PacketView } from '../src/packet.js';
import type { Registry } from '../src/registry.js';
import type { DecoderModule } from './types.js';

const HEADER = 16;

/** ARPHRD_* values whose protocol field is not an EtherType. */
const ARPHRD_IPGRE = 778; // protocol field is a GRE protocol type
const ARPHRD_NETLINK = 824; // netlink messages, not network packets

/**
 * Next layer after a cooked header (v1 and v2), from its ARPHRD type and protocol field. Values below
 * 0x0600 are Linux pseudo-protocols (ETH_P_802_3, ETH_P_802_2 LLC, CAN…) that we leave undecoded.
 */
export function cookedNext(reg: Registry, hatype: number, protocol: number): Layer {
  if (hatype === ARPHRD_NETLINK) return Layer.None;
  if (hatype === ARPHRD_IPGRE) return reg.greProto[protocol];
  if (protocol < 0x0600) return Layer.None;
  return reg.ethertype[protocol];
}

/** The link-layer address field as text: a MAC when it is 6 bytes long, else hex. */
export function cookedAddress(b: Uint8Array, at: number, len: number): string {
  const n = len > 8 ? 8 : len;
  return n === 6 ? macString(b, at) : hexString(b, at, at + n);
}

export const decoder: DecoderModule = {
  layer: Layer.Sll,
  name: 'sll',
  aliases: ['linux-sll', 'cooked'],
  defaults: { linktype: [113] },

  decode(p: PacketView, off: number, reg: Registry): Layer {
    if (!p.fits(Layer.Sll, off, HEADER)) return Layer.None;
    if (p.pushLayer(Layer.Sll, off, off + HEADER) < 0) return Layer.None;
    p.next = off + HEADER;
    const b = p.buf;
    return cookedNext(reg, u16(b, off + 2), u16(b, off + 14));
  },

  fields(p: PacketView, i: number): Record<string, unknown> {
    const b = p.buf;
    const o = p.layerStart[i];
    const halen = u16(b, o + 4);
    return {
      pkttype: u16(b, o),
      hatype: u16(b, o + 2),
      halen,
      addr: cookedAddress(b, o + 6, halen),
      protocol: u16(b, o + 14),
    };
  },
};
