/**
 * GRE (RFC 2784 with the RFC 2890 key and sequence number; RFC 1701 routing tolerated), PPTP's
 * enhanced GRE (version 1, RFC 2637: key = payload length + call id, optional acknowledgment), and
 * GRE-in-UDP (RFC 8086, port 4754) — the same header, just carried by UDP.
 *
 * The protocol type is an EtherType (RFC 2784 §2.4): the GRE table decides first (decode-as, ERSPAN),
 * then the EtherType table, so every EtherType decoder works inside GRE without registering twice.
 * ERSPAN tells type I from type II by this header's S bit; it reads it from this layer.
 */
import { u16, u32 } from '../src/bytes.js';
import { CHECKSUM_VERDICT_NAMES, ChecksumVerdict, fold, sum16 } from '../src/checksum.js';
import { Layer, Problem, Tunnel } from '../src/layers.js';
import { type PacketView, TunnelFlag } from '../src/packet.js';
import type { Registry } from '../src/registry.js';
import type { DecoderModule } from './types.js';

/** Flag bits of the first 16-bit word (RFC 1701 names). */
export const GRE_CHECKSUM = 0x8000;
export const GRE_ROUTING = 0x4000;
export const GRE_KEY = 0x2000;
export const GRE_SEQUENCE = 0x1000;
const GRE_ACK = 0x0080; // version 1 only
const VERSION_MASK = 7;
/** Bits that must be zero: strict source route, recursion, flags (and, in v1, C, R, A's neighbours). */
const RESERVED_V0 = 0x0ff8;
const RESERVED_V1 = 0xcf78;

export const decoder: DecoderModule = {
  layer: Layer.Gre,
  name: 'gre',
  aliases: ['gre-in-udp'],
  defaults: { ipProto: [47], udpPort: [4754] },

  decode(p: PacketView, off: number, reg: Registry): Layer {
    const b = p.buf;
    const end = p.end;
    if (off + 4 > end) {
      p.problem(Problem.Truncated, Layer.Gre, off);
      return Layer.None;
    }
    const word = u16(b, off);
    const version = word & VERSION_MASK;
    if (version > 1) {
      p.problem(Problem.BadVersion, Layer.Gre, off);
      return Layer.None;
    }
    const pptp = version === 1;
    let at = off + 4;
    const csumAt = word & (GRE_CHECKSUM | GRE_ROUTING) ? at : -1;
    if (csumAt >= 0) at += 4;
    const keyAt = word & GRE_KEY ? at : -1;
    if (keyAt >= 0) at += 4;
    const seqAt = word & GRE_SEQUENCE ? at : -1;
    if (seqAt >= 0) at += 4;
    if (pptp && word & GRE_ACK) at += 4;
    if (at > end) {
      p.problem(Problem.Truncated, Layer.Gre, off);
      return Layer.None;
    }
    if (!pptp && word & GRE_ROUTING) {
      // RFC 1701 source route entries, ended by a NULL entry (family 0, length 0)
      for (;;) {
        if (at + 4 > end) {
          p.problem(Problem.Truncated, Layer.Gre, off);
          return Layer.None;
        }
        const family = u16(b, at);
        const len = b[at + 3];
        at += 4 + len;
        if (family === 0 && len === 0) break;
      }
      if (at > end) {
        p.problem(Problem.Truncated, Layer.Gre, off);
        return Layer.None;
      }
    }
    const li = p.pushLayer(Layer.Gre, off, at);
    if (li < 0) return Layer.None;
    if (reg.checksums && word & GRE_CHECKSUM && p.wireEnd() === end) {
      // checksum over the GRE header and payload: only when the capture holds all of it
      const good = fold(sum16(b, off, end, 0)) === 0xffff;
      p.layerCheck[li] = good ? ChecksumVerdict.Good : ChecksumVerdict.Bad;
      if (!good) p.problem(Problem.BadChecksum, Layer.Gre, off);
    }
    const t = p.pushTunnel(Tunnel.Gre, li);
    if (t >= 0) {
      let flags = word;
      if (pptp) flags |= TunnelFlag.GrePptp;
      if (word & (pptp ? RESERVED_V1 : RESERVED_V0)) flags |= TunnelFlag.ReservedNonZero;
      if (li > 0 && p.layerKind[li - 1] === Layer.Udp) flags |= TunnelFlag.GreInUdp;
      p.tunnelFlags[t] = flags;
      // PPTP's key is payload length + call id: the call id is what identifies the session
      if (keyAt >= 0) p.tunnelId[t] = pptp ? u16(b, keyAt + 2) : u32(b, keyAt);
      if (seqAt >= 0) p.tunnelId2[t] = u32(b, seqAt);
    }
    p.next = at;
    const proto = u16(b, off + 2);
    const mapped = reg.greProto[proto];
    const next = mapped !== Layer.None ? mapped : reg.ethertype[proto];
    if (next === Layer.None && at < end) p.problem(Problem.UnknownNext, Layer.Gre, at);
    return next;
  },

  fields(p: PacketView, i: number): Record<string, unknown> {
    const b = p.buf;
    const o = p.layerStart[i];
    const word = u16(b, o);
    const version = word & VERSION_MASK;
    const out: Record<string, unknown> = { flags: word, version, proto: u16(b, o + 2) };
    let at = o + 4;
    if (word & (GRE_CHECKSUM | GRE_ROUTING)) {
      out.checksum = u16(b, at);
      if (p.layerCheck[i] !== ChecksumVerdict.NotChecked) out.checksumStatus = CHECKSUM_VERDICT_NAMES[p.layerCheck[i]];
      if (word & GRE_ROUTING) out.offset = u16(b, at + 2);
      at += 4;
    }
    if (word & GRE_KEY) {
      if (version === 1) {
        out.paylen = u16(b, at);
        out.callid = u16(b, at + 2);
      } else out.key = u32(b, at);
      at += 4;
    }
    if (word & GRE_SEQUENCE) {
      out.seq = u32(b, at);
      at += 4;
    }
    if (version === 1 && word & GRE_ACK) out.ack = u32(b, at);
    return out;
  },
};
