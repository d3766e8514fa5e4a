/**
 * TCP (RFC 9293): ports, sequence numbers, flags, window. The payload is not decoded (no overlay runs
 * over TCP here). When the fixed 20 bytes are present the layer is recorded even if the options are
 * cut short (snaplen), so the ports stay usable.
 */
import { u16, u32 } from '../src/bytes.js';
import { CHECKSUM_VERDICT_NAMES, ChecksumVerdict, checkTransport } from '../src/checksum.js';
import { Layer, Problem } from '../src/layers.js';
import type { PacketView } from '../src/packet.js';
import type { Registry } from '../src/registry.js';
import { flagNames } from './ipv4.js';
import type { DecoderModule } from './types.js';

const FIXED = 20;
const PROTO_TCP = 6;
/** Flag bits from the low end of the 16-bit offset/flags word; AE (ex-NS, RFC 3540) is bit 8. */
const TCP_FLAG_NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'AE'];

export const decoder: DecoderModule = {
  layer: Layer.Tcp,
  name: 'tcp',
  defaults: { ipProto: [PROTO_TCP] },

  decode(p: PacketView, off: number, reg: Registry): Layer {
    if (!p.fits(Layer.Tcp, off, FIXED)) return Layer.None;
    const b = p.buf;
    const hlen = (b[off + 12] >>> 4) * 4;
    const headerEnd = off + hlen;
    const ip = p.layerCount - 1;
    const i = p.pushLayer(Layer.Tcp, off, headerEnd > p.end ? p.end : hlen < FIXED ? off + FIXED : headerEnd);
    if (i < 0) return Layer.None;
    p.next = p.layerEnd[i];
    if (hlen < FIXED) {
      p.problem(Problem.Malformed, Layer.Tcp, off + 12);
      return Layer.None;
    }
    if (headerEnd > p.end) {
      p.problem(Problem.Truncated, Layer.Tcp, off);
      return Layer.None;
    }
    if (reg.checksums) {
      const v = checkTransport(p, ip, PROTO_TCP, off, off + 16);
      p.layerCheck[i] = v;
      if (v === ChecksumVerdict.Bad) p.problem(Problem.BadChecksum, Layer.Tcp, off + 16);
    }
    return Layer.None;
  },

  fields(p: PacketView, i: number): Record<string, unknown> {
    const b = p.buf;
    const o = p.layerStart[i];
    const flags = u16(b, o + 12) & 0x1ff;
    const f: Record<string, unknown> = {
      sport: u16(b, o),
      dport: u16(b, o + 2),
      seq: u32(b, o + 4),
      ack: u32(b, o + 8),
      hdrLen: (b[o + 12] >>> 4) * 4,
      flags,
      flagNames: flagNames(flags, TCP_FLAG_NAMES),
      win: u16(b, o + 14),
      checksum: u16(b, o + 16),
      urp: u16(b, o + 18),
    };
    if (p.layerCheck[i] !== ChecksumVerdict.NotChecked) f.checksumStatus = CHECKSUM_VERDICT_NAMES[p.layerCheck[i]];
    return f;
  },
};
