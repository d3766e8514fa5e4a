/**
 * Junos / JUNOSe packet mirror ("jmirror", UDP 30030): an 8-byte header, mirror (intercept) id u32 +
 * session id u32, then the mirrored packet with no link layer.
 *
 * The payload kind is guessed from its first four bytes as Wireshark's packet-jmirror.c does:
 *   IPv4 if byte0 == 0x45 (20-byte header); IPv6 if the version nibble is 6; PPP in HDLC-like framing
 *   if `ff 03 x0 21` or `ff 03 00 57`.
 * Older packet-jmirror.c sources also demand a zero IPv6 flow label; tshark 4.0.17 (our oracle) does
 * not (checked: `60 00 00 01`, `61 23 45 67` are decoded as jmirror + IPv6), and neither do we.
 * Anything else is not jmirror (Wireshark then leaves it as UDP data): nothing is recorded and the
 * UDP payload stays undecoded.
 */
import { u32 } from '../src/bytes.js';
import { Layer, Problem, Tunnel } from '../src/layers.js';
import type { PacketView } from '../src/packet.js';
import type { Registry } from '../src/registry.js';
import type { DecoderModule } from './types.js';

const HEADER = 8;

/** Layer of the mirrored packet starting at `o` (4 bytes readable), or Layer.None when it fits none. */
function payloadKind(b: Uint8Array, o: number): Layer {
  const b0 = b[o];
  const b1 = b[o + 1];
  const b2 = b[o + 2];
  const b3 = b[o + 3];
  if (b0 === 0x45) return Layer.Ipv4;
  if (b0 >>> 4 === 6) return Layer.Ipv6;
  if (b0 === 0xff && b1 === 0x03 && (((b2 & 0x0f) === 0 && b3 === 0x21) || (b2 === 0 && b3 === 0x57))) {
    return Layer.Ppp;
  }
  return Layer.None;
}

export const decoder: DecoderModule = {
  layer: Layer.Jmirror,
  name: 'jmirror',
  defaults: { udpPort: [30030] },

  decode(p: PacketView, off: number, _reg: Registry): Layer {
    const b = p.buf;
    if (off + HEADER + 4 > p.end) {
      // Too short to tell; only a capture cut short is worth a problem.
      if (p.end === p.capEnd && p.caplen < p.len) p.problem(Problem.Truncated, Layer.Jmirror, off);
      return Layer.None;
    }
    const next = payloadKind(b, off + HEADER);
    if (next === Layer.None) return Layer.None;
    const li = p.pushLayer(Layer.Jmirror, off, off + HEADER);
    if (li < 0) return Layer.None;
    const t = p.pushTunnel(Tunnel.Jmirror, li);
    if (t >= 0) {
      p.tunnelId[t] = u32(b, off + 4);
      p.tunnelId2[t] = u32(b, off);
    }
    p.next = off + HEADER;
    return next;
  },

  fields(p: PacketView, i: number): Record<string, unknown> {
    const b = p.buf;
    const o = p.layerStart[i];
    return { mid: u32(b, o), sid: u32(b, o + 4) };
  },
};
