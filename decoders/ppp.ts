/**
 * PPP (RFC 1661) as carried by PPTP enhanced GRE (0x880b), jmirror and the PPP link types: optional
 * HDLC-like address/control bytes ff 03 (RFC 1662), then a 2-byte protocol, or 1 byte when protocol
 * field compression left out the leading zero (an odd first byte). IPv4, IPv6 and MPLS are followed;
 * control protocols (LCP, IPCP…) end the decode.
 */
import { u16 } from '../src/bytes.js';
import { Layer, Problem } from '../src/layers.js';
import type { PacketView } from '../src/packet.js';
import type { DecoderModule } from './types.js';

const PPP_IPV4 = 0x0021;
const PPP_IPV6 = 0x0057;
const PPP_MPLS_UNICAST = 0x0281;
const PPP_MPLS_MULTICAST = 0x0283;

/** Size of the address/control bytes at `off`: 2 after the all-stations address 0xff (never a protocol). */
function framing(b: Uint8Array, off: number): number {
  return b[off] === 0xff ? 2 : 0;
}

/** The protocol field at `at` and its size (1 when compressed). */
function protocolAt(b: Uint8Array, at: number): number {
  return b[at] & 1 ? b[at] : u16(b, at);
}

export const decoder: DecoderModule = {
  layer: Layer.Ppp,
  name: 'ppp',
  // LINKTYPE_PPP 9, LINKTYPE_PPP_HDLC 50
  defaults: { linktype: [9, 50], greProto: [0x880b] },

  decode(p: PacketView, off: number): Layer {
    const b = p.buf;
    const at = off < p.end ? off + framing(b, off) : off;
    if (at >= p.end) {
      p.problem(Problem.Truncated, Layer.Ppp, off);
      return Layer.None;
    }
    const size = b[at] & 1 ? 1 : 2;
    if (at + size > p.end) {
      p.problem(Problem.Truncated, Layer.Ppp, off);
      return Layer.None;
    }
    if (p.pushLayer(Layer.Ppp, off, at + size) < 0) return Layer.None;
    p.next = at + size;
    switch (protocolAt(b, at)) {
      case PPP_IPV4:
        return Layer.Ipv4;
      case PPP_IPV6:
        return Layer.Ipv6;
      case PPP_MPLS_UNICAST:
      case PPP_MPLS_MULTICAST:
        return Layer.Mpls;
      default:
        return Layer.None;
    }
  },

  fields(p: PacketView, i: number): Record<string, unknown> {
    const b = p.buf;
    const o = p.layerStart[i];
    const hdlc = framing(b, o) === 2;
    const f: Record<string, unknown> = { protocol: protocolAt(b, o + (hdlc ? 2 : 0)) };
    if (hdlc) {
      f.address = b[o];
      f.control = b[o + 1];
    }
    return f;
  },
};
