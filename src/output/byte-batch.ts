/**
 * A growable byte buffer that output lines are written into as ASCII/UTF-8 bytes, digit by digit,
 * so a JSON or text line costs no intermediate strings. Full batches are handed to a LineOutput
 * (which keeps the Buffer), and a fresh one is started.
 */
import type { PacketView } from '../packet.js';
import type { LineOutput } from './line-output.js';
import type { PacketSink } from './sink.js';

/** Hand a batch to the stream once it holds this many bytes. */
const FLUSH_BYTES = 1 << 16;

const HEX_DIGITS = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/** Decimal text of 0..255: OCTET[v * 4] is the length, then up to three ASCII digits. */
const OCTET = new Uint8Array(256 * 4);
for (let v = 0; v < 256; v++) {
  const t = String(v);
  OCTET[v * 4] = t.length;
  for (let k = 0; k < t.length; k++) OCTET[v * 4 + 1 + k] = t.charCodeAt(k);
}

export class ByteBatch {
  buf: Buffer = Buffer.allocUnsafe(FLUSH_BYTES * 2);
  pos = 0;

  /** @param out where full batches go (none: a scratch buffer the caller reads and resets) */
  constructor(private readonly out?: LineOutput) {}

  /** Room for `n` more bytes (lines longer than the buffer grow it). */
  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const b = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(b, 0, 0, this.pos);
    this.buf = b;
  }

  /** An ASCII string (keys, names, addresses, numbers as text): one byte per UTF-16 unit. */
  ascii(s: string): void {
    const n = s.length;
    this.room(n);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Pre-encoded bytes (constant fragments). */
  raw(k: Uint8Array): void {
    const n = k.length;
    this.room(n);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) b[p++] = k[i];
    this.pos = p;
  }

  /** Any string, UTF-8 encoded; the common all-ASCII text is copied byte by byte (no native call). */
  text(s: string): void {
    const n = s.length;
    this.room(n);
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
    this.room(Buffer.byteLength(s));
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /** One byte (an ASCII punctuation character code). */
  byte(c: number): void {
    this.room(1);
    this.buf[this.pos++] = c;
  }

  /** A number as JSON/`String()` writes it: 32-bit unsigned integers digit by digit, anything else as text. */
  num(v: number): void {
    if (v >>> 0 !== v) {
      this.ascii(String(v));
      return;
    }
    this.room(10);
    const b = this.buf;
    if (v < 10) {
      b[this.pos++] = 48 + v;
      return;
    }
    const digits = v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5 : v < 1e6 ? 6 : v < 1e7 ? 7 : v < 1e8 ? 8 : v < 1e9 ? 9 : 10;
    let p = this.pos + digits;
    this.pos = p;
    do {
      const q = (v / 10) >>> 0;
      b[--p] = 48 + v - q * 10;
      v = q;
    } while (v > 0);
  }

  /** Decimal padded with zeros to at least `width` digits, as `String(v).padStart(width, '0')`. */
  padded(v: number, width: number): void {
    if (v >>> 0 !== v || v >= 10 ** width) {
      this.ascii(String(v).padStart(width, '0'));
      return;
    }
    this.room(width);
    const b = this.buf;
    let p = this.pos + width;
    this.pos = p;
    for (let i = 0; i < width; i++) {
      const q = (v / 10) >>> 0;
      b[--p] = 48 + v - q * 10;
      v = q;
    }
  }

  /** IPv4 address at src[i..i+4) as dotted decimal. */
  ipv4(src: Uint8Array, i: number): void {
    this.room(15);
    const b = this.buf;
    let p = this.pos;
    for (let k = 0; k < 4; k++) {
      if (k > 0) b[p++] = 46;
      const o = src[i + k] * 4;
      const n = OCTET[o];
      b[p++] = OCTET[o + 1];
      if (n > 1) b[p++] = OCTET[o + 2];
      if (n > 2) b[p++] = OCTET[o + 3];
    }
    this.pos = p;
  }

  /** Bytes src[start..end) as lowercase hex, with `sep` (a char code, 0 = none) between bytes. */
  hex(src: Uint8Array, start: number, end: number, sep = 0): void {
    this.room((end - start) * 3);
    const b = this.buf;
    let p = this.pos;
    for (let i = start; i < end; i++) {
      if (sep !== 0 && i > start) b[p++] = sep;
      const v = src[i];
      b[p++] = HEX_DIGITS[v >> 4];
      b[p++] = HEX_DIGITS[v & 15];
    }
    this.pos = p;
  }

  /** Drop leading and trailing spaces of what was written since `start` (as String.trim() would). */
  trimSpaces(start: number): void {
    const b = this.buf;
    let from = start;
    while (from < this.pos && b[from] === 32) from++;
    let to = this.pos;
    while (to > from && b[to - 1] === 32) to--;
    b.copyWithin(start, from, to);
    this.pos = start + (to - from);
  }

  /** End of a line: hand the batch over once it is big enough. */
  endLine(): void {
    this.byte(10);
    if (this.pos >= FLUSH_BYTES) this.flush();
  }

  /** Hand what is buffered to the output (the output keeps the Buffer; a new one is started). */
  flush(): void {
    if (this.pos === 0) return;
    const full = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(FLUSH_BYTES * 2);
    this.pos = 0;
    this.out?.writeBytes(full);
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
