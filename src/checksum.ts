/**
 * Internet checksum (RFC 1071) over packet bytes in place: IPv4 header, and UDP/TCP with the IPv4 or
 * IPv6 pseudo-header. Sums are kept in plain numbers (exact up to 2^53, far beyond any packet) and
 * folded at the end, so nothing is allocated. Used only when checksum validation is asked for.
 */
import { u16 } from './bytes.js';
import { Layer } from './layers.js';
import type { PacketView } from './packet.js';

/** Outcome of a checksum check, stored per layer in PacketView.layerCheck. */
export const enum ChecksumVerdict {
  NotChecked = 0,
  Good,
  Bad,
  /**
   * Transmit offload not done yet: the field holds only the folded pseudo-header sum (Linux
   * CHECKSUM_PARTIAL), as seen in captures taken on the sending host. Not a fault.
   */
  Partial,
  /** UDP checksum 0: the sender did not compute one (allowed for IPv4, and for IPv6 tunnels, RFC 6935). */
  Absent,
}

/** Names used in fields() (`checksumStatus`), indexed by ChecksumVerdict. */
export const CHECKSUM_VERDICT_NAMES: readonly string[] = ['', 'good', 'bad', 'partial', 'none'];

/** Add the 16-bit big-endian words of b[start, end) to `acc`; an odd last byte is padded with zero. */
export function sum16(b: Uint8Array, start: number, end: number, acc: number): number {
  let s = acc;
  let i = start;
  const last = end - 1;
  for (; i < last; i += 2) s += (b[i] << 8) | b[i + 1];
  if (i < end) s += b[i] << 8;
  return s;
}

/** Fold a running sum into 16 bits with end-around carry (arithmetic, not bitwise: sums may pass 2^32). */
export function fold(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s % 65536) + Math.floor(s / 65536);
  return s;
}

/** True when the IPv4 header at b[off, off + headerLen) carries a correct header checksum. */
export function ipv4HeaderOk(b: Uint8Array, off: number, headerLen: number): boolean {
  return fold(sum16(b, off, off + headerLen, 0)) === 0xffff;
}

/**
 * Pseudo-header sum for the upper-layer packet of `length` bytes and protocol `proto` carried by the
 * IP header at `ipOff` (IPv4: src/dst at 12..20; IPv6: src/dst at 8..40, RFC 8200 §8.1). The IPv6
 * destination is taken from the fixed header (a routing header's final destination is not used).
 */
export function pseudoHeaderSum(b: Uint8Array, ipOff: number, v6: boolean, proto: number, length: number): number {
  const s = v6 ? sum16(b, ipOff + 8, ipOff + 40, 0) : sum16(b, ipOff + 12, ipOff + 20, 0);
  // the length is 32-bit in IPv6 (jumbograms) and may pass 16 bits in GSO/BIG TCP IPv4 super-packets
  return s + proto + (length % 65536) + Math.floor(length / 65536);
}

/**
 * Verdict on the UDP/TCP checksum of b[l4, l4End) whose checksum field is at `fieldOff`, carried by
 * the IP header at `ipOff`. `zeroMeansAbsent` is for UDP, where 0 means "not computed".
 */
export function transportVerdict(
  b: Uint8Array,
  ipOff: number,
  v6: boolean,
  proto: number,
  l4: number,
  l4End: number,
  fieldOff: number,
  zeroMeansAbsent: boolean,
): ChecksumVerdict {
  const field = u16(b, fieldOff);
  if (field === 0 && zeroMeansAbsent) return ChecksumVerdict.Absent;
  const length = l4End - l4;
  const pseudo = pseudoHeaderSum(b, ipOff, v6, proto, length);
  if (fold(sum16(b, l4, l4End, pseudo)) === 0xffff) return ChecksumVerdict.Good;
  // offload pending: the field holds the pseudo-header sum, with the length (Linux) or without it
  // (drivers that let the NIC add it); 0 and 0xffff are the same number in ones' complement
  const withLen = fold(pseudo);
  const noLen = fold(pseudo - (length % 65536) - Math.floor(length / 65536));
  if (sameOnes(field, withLen) || sameOnes(field, noLen)) return ChecksumVerdict.Partial;
  return ChecksumVerdict.Bad;
}

function sameOnes(a: number, b: number): boolean {
  return a === b || (a === 0 && b === 0xffff) || (a === 0xffff && b === 0);
}

/**
 * Check the UDP/TCP checksum of the layer just being decoded at `l4` (checksum field at `fieldOff`),
 * whose data runs to `p.end`. The carrying IP header is layer `ipLayer`. NotChecked when that is not
 * IP or when the capture holds only part of the data (snaplen), which makes any sum meaningless.
 */
export function checkTransport(p: PacketView, ipLayer: number, proto: number, l4: number, fieldOff: number): ChecksumVerdict {
  if (ipLayer < 0) return ChecksumVerdict.NotChecked;
  const k = p.layerKind[ipLayer];
  if (k !== Layer.Ipv4 && k !== Layer.Ipv6) return ChecksumVerdict.NotChecked;
  if (p.wireEnd() > p.end) return ChecksumVerdict.NotChecked;
  return transportVerdict(p.buf, p.layerStart[ipLayer], k === Layer.Ipv6, proto, l4, p.end, fieldOff, proto === 17);
}
