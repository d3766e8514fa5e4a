/**
 * A growable byte buffer that output lines are written into as ASCII/UTF-8 bytes, so a JSON or text
 * line costs no intermediate strings. Full batches are handed to a LineOutput, and a fresh buffer
 * (a recycled one when the output gives them back) is started.
 *
 * Besides the checked methods for text of any length (`text`, `ascii`, `utf8`), the module exports
 * unchecked `put*` kernels for the line writers (json-line.ts, text.ts): they take the batch's DataView
 * and a write position held in a local, return the new position, and write whole 2-, 4- or 8-byte
 * words from lookup tables, so a number, an address octet or a constant key costs a few stores
 * instead of a loop of single bytes. Stores
 * may spill up to PUT_SLACK bytes past the returned position (overwritten by the next write, never
 * counted), so callers first `reserve()` (or room()) a worst-case size; reserve() adds PUT_SLACK.
 */
import type { PacketView } from '../packet.js';
import type { LineOutput } from './line-output.js';
import type { PacketSink } from './sink.js';

/**
 * Hand a batch to the stream once it holds this many bytes. Sinks also flush after every input
 * chunk, so with 1 MiB reads this is about one write per chunk: few syscalls, and the buffers are
 * back from the stream (recycled) before the next chunk.
 */
const FLUSH_BYTES = 1 << 20;

/** Buffer size: a full batch plus room for the line that crosses FLUSH_BYTES. */
const BUFFER_BYTES = FLUSH_BYTES + (1 << 17);

/** Bytes a kernel may write past the position it returns (putFrag's two words). */
export const PUT_SLACK = 16;

/** Longest `String(v)` of a number ("-1.7976931348623157e+308"), the bound of one `putNum`. */
export const NUM_MAX = 24;

/** Longest text of an IPv6 address (`::ffff:255.255.255.255` or 8 groups of 4 hex digits). */
export const IPV6_MAX = 39;

// ---------------------------------------------------------------------------------------------
// Lookup tables. Words are little-endian: the first character is the low byte.

/** Little-endian word of the char codes of `s` (up to 4 characters). */
function word(s: string): number {
  let w = 0;
  for (let i = s.length - 1; i >= 0; i--) w = w * 256 + s.charCodeAt(i);
  return w;
}

/** 0..999 without leading zeros; DEC_LEN the digit count. */
const DEC = new Uint32Array(1000);
const DEC_LEN = new Uint8Array(1000);
/** 0..999 as three digits with leading zeros. */
const DEC3 = new Uint32Array(1000);
/** 0..255 followed by '.', DEC_LEN[v] + 1 bytes (IPv4 octets). */
const OCTET_DOT = new Uint32Array(256);
for (let v = 0; v < 1000; v++) {
  const t = String(v);
  DEC[v] = word(t);
  DEC_LEN[v] = t.length;
  DEC3[v] = word(t.padStart(3, '0'));
  if (v < 256) OCTET_DOT[v] = word(`${t}.`);
}

/** Byte values as two lowercase hex digits, and as two digits followed by ':'. */
const HEX2 = new Uint16Array(256);
const HEX2_COLON = new Uint32Array(256);
const HEX_DIGITS = '0123456789abcdef';
for (let v = 0; v < 256; v++) {
  const t = HEX_DIGITS[v >> 4] + HEX_DIGITS[v & 15];
  HEX2[v] = word(t);
  HEX2_COLON[v] = word(`${t}:`);
}

/**
 * A constant fragment (a JSON key, a name) pre-encoded for `putFrag`: element 0 is the byte length,
 * then the bytes zero padded to whole 8-byte words (at least two), each held as the float64 with
 * those bits, so two stores write up to 16 bytes. The text must be ASCII: a word of bytes below
 * 0x80 is never a NaN (an exponent of all ones needs 0x7f and 0xf0+ in its top two bytes), and
 * every other float64 keeps its bits through loads and stores.
 */
export type Fragment = Float64Array;

/** An empty fragment for text of up to `bytes` bytes built at run time (see setFragment). */
export function newFragment(bytes: number): Fragment {
  return new Float64Array(1 + Math.max(2, Math.ceil(bytes / 8)));
}

/** Pre-encode an ASCII constant. */
export function fragment(s: string): Fragment {
  for (let i = 0; i < s.length; i++) fragmentScratch.setUint8(i, s.charCodeAt(i));
  const f = newFragment(s.length);
  setFragment(f, s.length);
  return f;
}

// ---------------------------------------------------------------------------------------------
// Unchecked kernels: write at `p`, return the new position. The caller has reserved the room.

/** A constant fragment (writes whole words: up to 16 bytes past `p` even for a short one). */
export function putFrag(d: DataView, p: number, f: Fragment): number {
  const n = f[0] | 0;
  d.setFloat64(p, f[1], true);
  d.setFloat64(p + 8, f[2], true);
  return n <= 16 ? p + n : putFragTail(d, p, f, n);
}

/** The words of an `n`-byte fragment longer than 16 bytes after the first two. */
function putFragTail(d: DataView, p: number, f: Fragment, n: number): number {
  const words = (n + 7) >>> 3;
  for (let i = 3; i <= words; i++) d.setFloat64(p + 8 * i - 8, f[i], true);
  return p + n;
}

/**
 * Where fragments are composed without allocating (cached text built at run time): write the
 * ASCII text at 0 with the put* kernels, then `setFragment(f, n)`.
 */
export const fragmentScratch = new DataView(new ArrayBuffer(4096));

/** Make `f` (from newFragment, large enough) the first `n` bytes of fragmentScratch. */
export function setFragment(f: Fragment, n: number): void {
  const words = (n + 7) >>> 3;
  if (words > f.length - 1) throw new RangeError(`fragment of ${n} bytes does not fit`);
  for (let i = n; i < 8 * words; i++) fragmentScratch.setUint8(i, 0);
  for (let i = 0; i < n; i++) if (fragmentScratch.getUint8(i) >= 0x80) throw new RangeError('fragment text is not ASCII');
  f[0] = n;
  for (let i = 1; i <= words; i++) f[i] = fragmentScratch.getFloat64(8 * i - 8, true);
}

/** One byte. */
export function putByte(d: DataView, p: number, c: number): number {
  d.setUint8(p, c);
  return p + 1;
}

/** An ASCII string, one byte per UTF-16 unit (at most `s.length` bytes). */
export function putAscii(d: DataView, p: number, s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) d.setUint8(p + i, s.charCodeAt(i));
  return p + n;
}

/** A number as JSON/`String()` writes it: unsigned 32-bit integers from digit tables, anything else via String() (at most NUM_MAX bytes). */
export function putNum(d: DataView, p: number, v: number): number {
  // Below a million (ports, lengths, VNIs, labels): one or two groups of three digits.
  if (v < 1e6 && v >>> 0 === v) {
    // `(x / 1000) | 0` of an int32 `x` is an integer division by a constant: a multiplication in V8
    const x = v | 0;
    if (x < 1000) {
      d.setUint32(p, DEC[x], true);
      return p + DEC_LEN[x];
    }
    const hi = (x / 1000) | 0;
    d.setUint32(p, DEC[hi], true);
    p += DEC_LEN[hi];
    d.setUint32(p, DEC3[x - hi * 1000], true);
    return p + 3;
  }
  return putLongNum(d, p, v);
}

/** putNum of a million or more, or of anything that is not an unsigned 32-bit integer. */
function putLongNum(d: DataView, p: number, v: number): number {
  if (v >>> 0 !== v) return putAscii(d, p, String(v));
  // the float quotient floors exactly below 2^53
  if (v < 1e9) {
    const x = v | 0;
    const lead = (x / 1000000) | 0;
    d.setUint32(p, DEC[lead], true);
    return put6(d, p + DEC_LEN[lead], x - lead * 1000000);
  }
  const lead = Math.floor(v / 1e9); // at most 4 below 2^32
  d.setUint8(p, 48 + lead);
  return put9(d, p + 1, v - lead * 1e9);
}

/** 0 <= v < 1e6 as six digits with leading zeros. */
function put6(d: DataView, p: number, v: number): number {
  const x = v | 0;
  const hi = (x / 1000) | 0;
  d.setUint32(p, DEC3[hi], true);
  d.setUint32(p + 3, DEC3[x - hi * 1000], true);
  return p + 6;
}

/** 0 <= v < 1e9 as nine digits with leading zeros. */
function put9(d: DataView, p: number, v: number): number {
  const x = v | 0;
  const hi = (x / 1000000) | 0;
  d.setUint32(p, DEC3[hi], true);
  return put6(d, p + 3, x - hi * 1000000);
}

/** `v` padded with zeros to at least 9 digits (nanoseconds), as `String(v).padStart(9, '0')`. */
export function putPadded9(d: DataView, p: number, v: number): number {
  return v >= 0 && v < 1e9 && (v | 0) === v ? put9(d, p, v) : putPadded(d, p, v, 9);
}

/** `v` padded with zeros to at least `width` digits, as `String(v).padStart(width, '0')`. */
export function putPadded(d: DataView, p: number, v: number, width: number): number {
  // nanosecond and microsecond fractions
  if (width === 9 && v >= 0 && v < 1e9 && (v | 0) === v) return put9(d, p, v);
  if (width === 6 && v >= 0 && v < 1e6 && (v | 0) === v) return put6(d, p, v);
  if (v >>> 0 !== v || v >= 10 ** width) return putAscii(d, p, String(v).padStart(width, '0'));
  for (let i = width - 1; i >= 0; i--) {
    const q = Math.floor(v / 10);
    d.setUint8(p + i, 48 + v - q * 10);
    v = q;
  }
  return p + width;
}

/** IPv4 address at src[i..i+4) as dotted decimal (at most 15 bytes). */
export function putIpv4(d: DataView, p: number, src: Uint8Array, i: number): number {
  return putIpv4Number(d, p, ((src[i] << 24) | (src[i + 1] << 16) | (src[i + 2] << 8) | src[i + 3]) >>> 0);
}

/** An IPv4 address held as a 32-bit number, dotted decimal (at most 15 bytes). */
export function putIpv4Number(d: DataView, p: number, v: number): number {
  let o = v >>> 24;
  d.setUint32(p, OCTET_DOT[o], true);
  p += DEC_LEN[o] + 1;
  o = (v >>> 16) & 255;
  d.setUint32(p, OCTET_DOT[o], true);
  p += DEC_LEN[o] + 1;
  o = (v >>> 8) & 255;
  d.setUint32(p, OCTET_DOT[o], true);
  p += DEC_LEN[o] + 1;
  o = v & 255;
  d.setUint32(p, DEC[o], true);
  return p + DEC_LEN[o];
}

/**
 * Bytes src[start, end) as they are when all are ASCII (then the same as their text); -1 when one is
 * not (the caller writes the decoded text instead over whatever was copied).
 */
export function putAsciiBytes(d: DataView, p: number, src: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    const c = src[i];
    if (c >= 0x80) return -1;
    d.setUint8(p++, c);
  }
  return p;
}

/** Room for `n` more bytes after position `p` (the batch may get a new buffer: use the returned view). */
export function room(w: ByteBatch, p: number, n: number): DataView {
  w.pos = p;
  w.reserve(n);
  return w.dv;
}

/** MAC address at src[i..i+6) as `aa:bb:cc:dd:ee:ff` (17 bytes). */
export function putMac(d: DataView, p: number, src: Uint8Array, i: number): number {
  for (let k = 0; k < 5; k++) d.setUint32(p + 3 * k, HEX2_COLON[src[i + k]], true);
  d.setUint16(p + 15, HEX2[src[i + 5]], true);
  return p + 17;
}

/** Bytes src[start..end) as lowercase hex, with `sep` (a char code, 0 = none) between bytes. */
export function putHex(d: DataView, p: number, src: Uint8Array, start: number, end: number, sep = 0): number {
  if (sep === 0) {
    for (let i = start; i < end; i++, p += 2) d.setUint16(p, HEX2[src[i]], true);
    return p;
  }
  for (let i = start; i < end; i++) {
    if (i > start) d.setUint8(p++, sep);
    d.setUint16(p, HEX2[src[i]], true);
    p += 2;
  }
  return p;
}

/** One IPv6 group (0..0xffff) as hex without leading zeros. */
function putGroup16(d: DataView, p: number, g: number): number {
  const hi = g >> 8;
  const lo = g & 255;
  if (hi === 0) {
    if (lo < 16) {
      d.setUint8(p, HEX_CODES[lo]);
      return p + 1;
    }
    d.setUint16(p, HEX2[lo], true);
    return p + 2;
  }
  if (hi < 16) {
    d.setUint8(p, HEX_CODES[hi]);
    d.setUint16(p + 1, HEX2[lo], true);
    return p + 3;
  }
  d.setUint16(p, HEX2[hi], true);
  d.setUint16(p + 2, HEX2[lo], true);
  return p + 4;
}
const HEX_CODES = Uint8Array.from(HEX_DIGITS, (c) => c.charCodeAt(0));

/**
 * IPv6 address at src[i..i+16) as src/bytes.ts ipv6String() writes it (RFC 5952: lowercase, the
 * longest run of two or more zero groups as '::', IPv4-mapped as ::ffff:a.b.c.d), at most IPV6_MAX bytes.
 */
export function putIpv6(d: DataView, p: number, src: Uint8Array, i: number): number {
  // the first longest run of zero groups
  let bestStart = -1;
  let bestLen = 0;
  for (let k = 0; k < 8; ) {
    if (src[i + 2 * k] !== 0 || src[i + 2 * k + 1] !== 0) {
      k++;
      continue;
    }
    let j = k;
    while (j < 8 && src[i + 2 * j] === 0 && src[i + 2 * j + 1] === 0) j++;
    if (j - k > bestLen) {
      bestStart = k;
      bestLen = j - k;
    }
    k = j;
  }
  if (bestLen < 2) bestStart = -1;
  if (bestStart === 0 && bestLen === 5 && src[i + 10] === 0xff && src[i + 11] === 0xff) {
    p = putFrag(d, p, MAPPED_PREFIX);
    return putIpv4(d, p, src, i + 12);
  }
  for (let k = 0; k < 8; k++) {
    if (k === bestStart) {
      d.setUint16(p, COLON2, true);
      p += 2;
      k += bestLen - 1;
      continue;
    }
    if (k > 0 && k !== bestStart + bestLen) d.setUint8(p++, 58);
    p = putGroup16(d, p, (src[i + 2 * k] << 8) | src[i + 2 * k + 1]);
  }
  return p;
}
const MAPPED_PREFIX = fragment('::ffff:');
const COLON2 = word('::');

// ---------------------------------------------------------------------------------------------

/** Buffers that an output has finished with, kept for the next batches. */
const SPARE_MAX = 4;

/** First buffer of a batch without an output (string APIs, tests). */
const SCRATCH_BYTES = 1 << 12;

export class ByteBatch {
  buf: Buffer;
  /** View of `buf` for the put* kernels (renewed with buf). */
  dv: DataView;
  pos = 0;
  private readonly spare: Buffer[] = [];
  /** Given to the output with each batch: the output calls it once the stream is done with the bytes. */
  private readonly recycle = (b: Uint8Array): void => {
    const whole = b as Buffer;
    if (whole.byteOffset === 0 && whole.buffer.byteLength === BUFFER_BYTES && this.spare.length < SPARE_MAX) {
      this.spare.push(Buffer.from(whole.buffer, 0, BUFFER_BYTES));
    }
  };

  /** @param out where full batches go (none: a scratch buffer the caller reads and resets, grown as needed) */
  constructor(private readonly out?: LineOutput) {
    this.buf = Buffer.allocUnsafe(out ? BUFFER_BYTES : SCRATCH_BYTES);
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  }

  /**
   * Room for `n` more bytes plus PUT_SLACK (a line longer than the buffer grows it). Call before the
   * put* kernels, and again after anything that wrote through the checked methods.
   */
  reserve(n: number): void {
    if (this.pos + n + PUT_SLACK > this.buf.length) this.grow(n + PUT_SLACK);
  }

  private grow(n: number): void {
    const b = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(b, 0, 0, this.pos);
    this.setBuffer(b);
  }

  private setBuffer(b: Buffer): void {
    this.buf = b;
    this.dv = new DataView(b.buffer, b.byteOffset, b.length);
  }

  /** An ASCII string (keys, names, addresses, numbers as text): one byte per UTF-16 unit. */
  ascii(s: string): void {
    const n = s.length;
    this.reserve(n);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Any string, UTF-8 encoded; the common all-ASCII text is copied byte by byte (no native call). */
  text(s: string): void {
    const n = s.length;
    this.reserve(n);
    const b = this.buf;
    const start = this.pos;
    let p = start;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.pos = start;
        this.utf8(s);
        return;
      }
      b[p++] = c;
    }
    this.pos = p;
  }

  /** Any string, UTF-8 encoded. */
  utf8(s: string): void {
    this.reserve(Buffer.byteLength(s));
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /** One byte (an ASCII punctuation character code). */
  byte(c: number): void {
    this.reserve(1);
    this.buf[this.pos++] = c;
  }

  /** End of a line: hand the batch over once it is big enough. */
  endLine(): void {
    this.byte(10);
    if (this.pos >= FLUSH_BYTES) this.flush();
  }

  /** Hand what is buffered to the output (which keeps the bytes until it calls back); start another buffer. */
  flush(): void {
    if (this.pos === 0) return;
    const full = this.buf.subarray(0, this.pos);
    this.setBuffer(this.spare.pop() ?? Buffer.allocUnsafe(BUFFER_BYTES));
    this.pos = 0;
    this.out?.writeBytes(full, this.recycle);
  }
}

/**
 * A sink that writes lines into a ByteBatch over a LineOutput: the batch is handed on after every
 * input chunk (so backpressure reaches the reader) and at the end. Subclasses write `packet`.
 */
export abstract class BatchedLineSink implements PacketSink {
  protected readonly batch: ByteBatch;

  constructor(protected readonly out: LineOutput) {
    this.batch = new ByteBatch(out);
  }

  abstract packet(p: PacketView): void;

  afterChunk(): Promise<void> | undefined {
    this.batch.flush();
    return this.out.afterChunk();
  }

  end(): Promise<void> {
    this.batch.flush();
    return this.out.end();
  }
}
