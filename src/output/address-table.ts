/**
 * Interns IPv4 and IPv6 addresses to small ids (0, 1, 2… in first-seen order, one id space for
 * both families) over typed arrays: open addressing, linear probing, power-of-two capacity, at
 * most half full, doubled when it would be fuller. Interning reads the address bytes in place and
 * allocates nothing; the text of an address is made only when asked for (a report, a snapshot).
 */
import { ipv4String, ipv6String, u32 } from '../bytes.js';
import { parseIpv4, parseIpv6 } from '../filter/literals.js';

/** v4 slot: [key, id + 1]; v6 slot: [id + 1, word0, word1, word2, word3]. id + 1 = 0: free. */
const V4_STRIDE = 2;
const V6_STRIDE = 5;

export class AddressTable {
  /** Ids handed out so far. */
  size = 0;
  private v4: Int32Array;
  /** slot count - 1, and 32 - log2(slot count): a hash's top bits pick the first slot */
  private v4Mask: number;
  private v4Shift: number;
  private v4Used = 0;
  private v6: Int32Array;
  private v6Mask: number;
  private v6Shift: number;
  private v6Used = 0;
  /** id -> the address bytes (16 per id; an IPv4 address in the first 4) and their length. */
  private bytes: Uint8Array;
  private lens: Uint8Array;
  /** id -> text, made on demand. */
  private readonly texts: string[] = [];

  /** @param limit ids handed out at most; a new address beyond it gets -1. */
  constructor(
    readonly limit: number,
    initial = 1024,
  ) {
    let cap = 16;
    while (cap < initial * 2) cap *= 2;
    const bits = 31 - Math.clz32(cap);
    this.v4 = new Int32Array(cap * V4_STRIDE);
    this.v4Mask = cap - 1;
    this.v4Shift = 32 - bits;
    this.v6 = new Int32Array(cap * V6_STRIDE);
    this.v6Mask = cap - 1;
    this.v6Shift = 32 - bits;
    this.bytes = new Uint8Array(cap * 16);
    this.lens = new Uint8Array(cap);
  }

  /** Id of the IPv4 address at b[i..i+4); -1 when it is new and the table is full. */
  v4Id(b: Uint8Array, i: number): number {
    const k = int32At(b, i);
    const t = this.v4;
    const mask = this.v4Mask;
    for (let s = v4Hash(k) >>> this.v4Shift; ; s = (s + 1) & mask) {
      const at = s * V4_STRIDE;
      const e = t[at + 1];
      if (e === 0) return this.addV4(k, s, b, i);
      if (t[at] === k) return e - 1;
    }
  }

  /** Id of the IPv6 address at b[i..i+16); -1 when it is new and the table is full. */
  v6Id(b: Uint8Array, i: number): number {
    const w0 = int32At(b, i);
    const w1 = int32At(b, i + 4);
    const w2 = int32At(b, i + 8);
    const w3 = int32At(b, i + 12);
    const t = this.v6;
    const mask = this.v6Mask;
    for (let s = v6Hash(w0, w1, w2, w3) >>> this.v6Shift; ; s = (s + 1) & mask) {
      const at = s * V6_STRIDE;
      const e = t[at];
      if (e === 0) return this.addV6(s, b, i);
      if (t[at + 4] === w3 && t[at + 3] === w2 && t[at + 2] === w1 && t[at + 1] === w0) return e - 1;
    }
  }

  /** Id of an address of `len` (4 or 16) bytes at b[i]; -1 when it is new and the table is full. */
  id(b: Uint8Array, i: number, len: number): number {
    return len === 4 ? this.v4Id(b, i) : this.v6Id(b, i);
  }

  /**
   * Id of an address given as text (as `text()` writes it: merging snapshots); -1 when it is new
   * and the table is full, or when the text is not an address.
   */
  idOfText(text: string): number {
    const b = text.includes(':') ? parseIpv6(text) : parseIpv4(text);
    return b === undefined ? -1 : this.id(b, 0, b.length);
  }

  /** Length in bytes of the address of `id`: 4 (IPv4) or 16 (IPv6). */
  length(id: number): number {
    return this.lens[id];
  }

  /** Big-endian word `i` of the address of `id` as int32 (an IPv4 address has only word 0). */
  word(id: number, i: number): number {
    return int32At(this.bytes, id * 16 + 4 * i);
  }

  /** The address of `id` as text (dotted quad, or RFC 5952 IPv6 as tshark prints it). */
  text(id: number): string {
    let t = this.texts[id];
    if (t === undefined) {
      t = this.lens[id] === 4 ? ipv4String(this.bytes, id * 16) : ipv6String(this.bytes, id * 16);
      this.texts[id] = t;
    }
    return t;
  }

  /** Every address as text, by id. */
  allText(): string[] {
    const out = new Array<string>(this.size);
    for (let id = 0; id < this.size; id++) out[id] = this.text(id);
    return out;
  }

  private addV4(k: number, s: number, b: Uint8Array, i: number): number {
    const id = this.newId(b, i, 4);
    if (id < 0) return -1;
    if ((this.v4Used + 1) * 2 > this.v4Mask + 1) {
      this.growV4();
      s = this.freeV4(k);
    }
    this.v4Used++;
    this.v4[s * V4_STRIDE] = k;
    this.v4[s * V4_STRIDE + 1] = id + 1;
    return id;
  }

  private addV6(s: number, b: Uint8Array, i: number): number {
    const id = this.newId(b, i, 16);
    if (id < 0) return -1;
    if ((this.v6Used + 1) * 2 > this.v6Mask + 1) {
      this.growV6();
      s = this.freeV6(id);
    }
    this.v6Used++;
    this.putV6(s, id);
    return id;
  }

  /** Next id, with its bytes kept for the text; -1 when full. */
  private newId(b: Uint8Array, i: number, len: number): number {
    if (this.size >= this.limit) return -1;
    const id = this.size++;
    if (id === this.lens.length) {
      const bytes = new Uint8Array(this.bytes.length * 2);
      bytes.set(this.bytes);
      this.bytes = bytes;
      const lens = new Uint8Array(this.lens.length * 2);
      lens.set(this.lens);
      this.lens = lens;
    }
    for (let j = 0; j < len; j++) this.bytes[id * 16 + j] = b[i + j];
    this.lens[id] = len;
    return id;
  }

  /** First free v4 slot for key k (k is known to be absent). */
  private freeV4(k: number): number {
    let s = v4Hash(k) >>> this.v4Shift;
    while (this.v4[s * V4_STRIDE + 1] !== 0) s = (s + 1) & this.v4Mask;
    return s;
  }

  /** First free v6 slot for the address of `id` (known to be absent). */
  private freeV6(id: number): number {
    const o = id * 16;
    let s = v6Hash(int32At(this.bytes, o), int32At(this.bytes, o + 4), int32At(this.bytes, o + 8), int32At(this.bytes, o + 12)) >>> this.v6Shift;
    while (this.v6[s * V6_STRIDE] !== 0) s = (s + 1) & this.v6Mask;
    return s;
  }

  private putV6(s: number, id: number): void {
    const at = s * V6_STRIDE;
    const o = id * 16;
    this.v6[at] = id + 1;
    this.v6[at + 1] = int32At(this.bytes, o);
    this.v6[at + 2] = int32At(this.bytes, o + 4);
    this.v6[at + 3] = int32At(this.bytes, o + 8);
    this.v6[at + 4] = int32At(this.bytes, o + 12);
  }

  private growV4(): void {
    const old = this.v4;
    this.v4 = new Int32Array(old.length * 2);
    this.v4Mask = this.v4Mask * 2 + 1;
    this.v4Shift--;
    for (let at = 0; at < old.length; at += V4_STRIDE) {
      if (old[at + 1] === 0) continue;
      const s = this.freeV4(old[at]);
      this.v4[s * V4_STRIDE] = old[at];
      this.v4[s * V4_STRIDE + 1] = old[at + 1];
    }
  }

  private growV6(): void {
    const old = this.v6;
    this.v6 = new Int32Array(old.length * 2);
    this.v6Mask = this.v6Mask * 2 + 1;
    this.v6Shift--;
    for (let at = 0; at < old.length; at += V6_STRIDE) {
      if (old[at] === 0) continue;
      const id = old[at] - 1;
      this.putV6(this.freeV6(id), id);
    }
  }
}

/** Big-endian 32-bit word as int32 (the key form). */
function int32At(b: Uint8Array, i: number): number {
  return u32(b, i) | 0;
}

/** Fibonacci hashing: the caller keeps the top bits, which depend on every bit of k. */
function v4Hash(k: number): number {
  return Math.imul(k ^ (k >>> 16), 0x9e3779b1);
}

function v6Hash(w0: number, w1: number, w2: number, w3: number): number {
  let h = Math.imul(w0 ^ (w0 >>> 16), 0x85ebca6b) ^ w1;
  h = Math.imul(h ^ (h >>> 16), 0xc2b2ae35) ^ w2;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) ^ w3;
  return Math.imul(h ^ (h >>> 16), 0x9e3779b1);
}
