/**
 * pcapng option lists: (code u16, length u16, value padded to 32 bits)*, ended by opt_endofopt or the
 * end of the block. Options are bounds-checked; a malformed list simply ends the scan.
 */
import { u16, u16le, u32, u32le } from '../bytes.js';

export const OPT_ENDOFOPT = 0;
export const OPT_COMMENT = 1;
export const IF_NAME = 2;
export const IF_DESCRIPTION = 3;
export const IF_TSRESOL = 9;
export const IF_TSOFFSET = 14;

const utf8 = new TextDecoder('utf-8');

export function rd16(b: Uint8Array, i: number, le: boolean): number {
  return le ? u16le(b, i) : u16(b, i);
}

export function rd32(b: Uint8Array, i: number, le: boolean): number {
  return le ? u32le(b, i) : u32(b, i);
}

/** Text of an option value (pcapng strings are UTF-8, not NUL-terminated, though some writers add one). */
export function optionText(b: Uint8Array, start: number, len: number): string {
  let end = start + len;
  while (end > start && b[end - 1] === 0) end--;
  return utf8.decode(b.subarray(start, end));
}

/**
 * Visit options in b[start, end). Returns false if the list is malformed (an option runs past the
 * end); the visitor sees only the well-formed options before that point.
 */
export function scanOptions(
  b: Uint8Array,
  start: number,
  end: number,
  le: boolean,
  visit: (code: number, valueStart: number, valueLen: number) => void,
): boolean {
  let o = start;
  while (end - o >= 4) {
    const code = rd16(b, o, le);
    const len = rd16(b, o + 2, le);
    if (code === OPT_ENDOFOPT) return true;
    if (o + 4 + len > end) return false;
    visit(code, o + 4, len);
    o += 4 + ((len + 3) & ~3);
  }
  return true;
}

/**
 * The first opt_comment of a packet block's options, or undefined. Allocation-free unless there is
 * a comment (this runs for every packet block that carries options, e.g. epb_flags).
 */
export function firstComment(b: Uint8Array, start: number, end: number, le: boolean): string | undefined {
  let o = start;
  while (end - o >= 4) {
    const code = rd16(b, o, le);
    const len = rd16(b, o + 2, le);
    if (code === OPT_ENDOFOPT || o + 4 + len > end) return undefined;
    if (code === OPT_COMMENT) return optionText(b, o + 4, len);
    o += 4 + ((len + 3) & ~3);
  }
  return undefined;
}

/** Signed 64-bit value (if_tsoffset) as a number; exact within ±2^53. */
export function rdI64(b: Uint8Array, i: number, le: boolean): number {
  const hi = le ? u32le(b, i + 4) : u32(b, i);
  const lo = le ? u32le(b, i) : u32(b, i + 4);
  return (hi | 0) * 4294967296 + lo;
}
