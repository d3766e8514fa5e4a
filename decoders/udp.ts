/**
 * UDP (RFC 768). The length field narrows the decode window when consistent; 0 (IPv6 jumbograms,
 * RFC 2675, and GSO super-packets) means "the enclosing data". Dispatch is by port, destination first.
 */
import { u16 } from '../src/bytes.js';
import { CHECKSUM_VERDICT_NAMES, ChecksumVerdict, checkTransport } from '../src/checksum.js';
import { Layer, Problem } from '../src/layers.js';
import type { PacketView } from '../src/packet.js';
import type { Registry } from '../src/registry.js';
import type { DecoderModule } from './types.js';

const HEADER = 8;
const PROTO_UDP = 17;

export const decoder: DecoderModule = {
  layer: Layer.Udp,
  name: 'udp',
  defaults: { ipProto: [PROTO_UDP] },

  decode(p: PacketView, off: number, reg: Registry): Layer {
    if (!p.fits(Layer.Udp, off, HEADER)) return Layer.None;
    const b = p.buf;
    const ulen = u16(b, off + 4);
    let lengthOk = true;
    if (ulen !== 0) {
      if (ulen < HEADER || off + ulen > p.wireEnd()) lengthOk = false;
      else if (off + ulen < p.end) p.end = off + ulen;
    }
    const ip = p.layerCount - 1;
    const i = p.pushLayer(Layer.Udp, off, off + HEADER);
    if (i < 0) return Layer.None;
    p.next = off + HEADER;
    if (!lengthOk) {
      p.problem(Problem.BadLength, Layer.Udp, off + 4);
      // shorter than the header itself: the payload cannot be located
      if (ulen < HEADER) return Layer.None;
    } else if (reg.checksums) {
      const v = checkTransport(p, ip, PROTO_UDP, off, off + 6);
      p.layerCheck[i] = v;
      if (v === ChecksumVerdict.Bad) p.problem(Problem.BadChecksum, Layer.Udp, off + 6);
    }
    return reg.udp(u16(b, off + 2), u16(b, off));
  },

  fields(p: PacketView, i: number): Record<string, unknown> {
    const b = p.buf;
    const o = p.layerStart[i];
    const f: Record<string, unknown> = {
      sport: u16(b, o),
      dport: u16(b, o + 2),
      len: u16(b, o + 4),
      checksum: u16(b, o + 6),
    };
    if (p.layerCheck[i] !== ChecksumVerdict.NotChecked) f.checksumStatus = CHECKSUM_VERDICT_NAMES[p.layerCheck[i]];
    return f;
  },
};
