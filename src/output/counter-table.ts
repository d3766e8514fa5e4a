/**
 * Packets and bytes per key, where a key is a fixed number of 32-bit words (a conversation's network,
 * addresses and ports; an endpoint pair). Open addressing over typed arrays: counting a packet
 * allocates nothing and hashes integers, where a Map keyed by a composite number above 2^31 boxes
 * the key on every lookup. Entries keep their first-seen order.
 *
 * Layout, for few cache misses per lookup: the slot array holds only entry numbers (4 bytes a slot,
 * power-of-two capacity, at most half full); each entry is one record of its key words and its two
 * counters side by side, so a hit reads one slot and one record.
 */
const EMPTY = 0;
/** Odd multipliers (golden ratio, MurmurHash3 and xxHash constants). */
const M0 = 0x9e3779b1 | 0;
const M1 = 0x85ebca6b | 0;
const M2 = 0xc2b2ae35 | 0;
const M3 = 0x27d4eb2f | 0;
const M4 = 0x165667b1 | 0;
const M5 = 0x2c1b3c6d | 0;

export class CounterTable {
  /** Scratch key: fill key[0..width) then call find(), add() or entry(). */
  readonly key: Int32Array;
  /** Entries so far. */
  size = 0;
  /** slot -> entry index + 1 (EMPTY: free) */
  private slots: Int32Array;
  private mask: number;
  /** Int32 words per record: the key, padding to 8 bytes, packets and bytes as two float64. */
  private readonly rec: number;
  private records: Int32Array;
  /** `records` seen as float64: entry e's packets at e * rec / 2 + width', bytes right after. */
  private counts: Float64Array;
  private readonly countAt: number;
  /** Per-entry words that are not part of the key (`extraWords` of them), e.g. ids kept beside a key. */
  private extras: Int32Array;

  constructor(
    readonly width: number,
    initial = 1024,
    readonly extraWords = 0,
  ) {
    let cap = 16;
    while (cap < initial * 2) cap *= 2;
    this.key = new Int32Array(width);
    this.slots = new Int32Array(cap);
    this.mask = cap - 1;
    const keyWords = (width + 1) & ~1;
    this.rec = keyWords + 4;
    this.countAt = keyWords / 2;
    this.records = new Int32Array((cap / 2) * this.rec);
    this.counts = new Float64Array(this.records.buffer);
    this.extras = new Int32Array((cap / 2) * extraWords);
  }

  /**
   * Hash of the key at k[at..at+width). The widths the stats count on every packet (1, 2, 5) are
   * written out: independent multiplies pipeline, where a loop carries each step into the next.
   */
  private hash(k: Int32Array, at: number): number {
    let h: number;
    switch (this.width) {
      case 1:
        h = Math.imul(k[at], M0);
        break;
      case 2:
        h = (Math.imul(k[at], M0) + Math.imul(k[at + 1], M1)) | 0;
        break;
      case 5:
        h = (Math.imul(k[at], M0) + Math.imul(k[at + 1], M1) + Math.imul(k[at + 2], M2) + Math.imul(k[at + 3], M3) + Math.imul(k[at + 4], M4)) | 0;
        break;
      default:
        h = 0x811c9dc5;
        for (let i = 0; i < this.width; i++) {
          h = Math.imul(h ^ k[at + i], M0);
          h ^= h >>> 15;
        }
    }
    // fold the high bits (where the multiplies put their mixing) into the low ones the mask keeps
    h ^= h >>> 15;
    return Math.imul(h, M5) ^ (h >>> 13);
  }

  /** Entry index of `key`, or -1 when absent. */
  find(): number {
    const w = this.width;
    const rec = this.rec;
    const k = this.key;
    const r = this.records;
    for (let s = this.hash(k, 0) & this.mask; ; s = (s + 1) & this.mask) {
      const e = this.slots[s] - 1;
      if (e < 0) return -1;
      const at = e * rec;
      if (r[at] !== k[0]) continue;
      let i = 1;
      while (i < w && r[at + i] === k[i]) i++;
      if (i === w) return e;
    }
  }

  /** Entry index of `key`, added (with zero counts) if absent while size < `limit`; else -1. */
  entry(limit = Infinity): number {
    const e = this.find();
    if (e >= 0 || this.size >= limit) return e;
    return this.insert();
  }

  /** Count `packets` and `bytes` for entry `e`. */
  count(e: number, packets: number, bytes: number): void {
    const c = e * (this.rec >> 1) + this.countAt;
    this.counts[c] += packets;
    this.counts[c + 1] += bytes;
  }

  /**
   * Count `packets` and `bytes` for `key`. A new key is added only while size < `limit`; returns
   * false when it was not (the caller counts it elsewhere).
   */
  add(packets: number, bytes: number, limit = Infinity): boolean {
    let e = this.find();
    if (e < 0) {
      if (this.size >= limit) return false;
      e = this.insert();
    }
    this.count(e, packets, bytes);
    return true;
  }

  private insert(): number {
    if ((this.size + 1) * 2 > this.mask + 1) this.grow();
    const e = this.size++;
    this.records.set(this.key, e * this.rec);
    this.place(e);
    return e;
  }

  private place(e: number): void {
    for (let s = this.hash(this.records, e * this.rec) & this.mask; ; s = (s + 1) & this.mask) {
      if (this.slots[s] === EMPTY) {
        this.slots[s] = e + 1;
        return;
      }
    }
  }

  private grow(): void {
    const cap = (this.mask + 1) * 2;
    this.slots = new Int32Array(cap);
    this.mask = cap - 1;
    const records = new Int32Array((cap / 2) * this.rec);
    records.set(this.records);
    this.records = records;
    this.counts = new Float64Array(records.buffer);
    const extras = new Int32Array((cap / 2) * this.extraWords);
    extras.set(this.extras);
    this.extras = extras;
    for (let e = 0; e < this.size; e++) this.place(e);
  }

  /** Word `i` of entry `e`'s key. */
  word(e: number, i: number): number {
    return this.records[e * this.rec + i];
  }

  /** Extra word `i` of entry `e`. */
  extra(e: number, i: number): number {
    return this.extras[e * this.extraWords + i];
  }

  setExtra(e: number, i: number, v: number): void {
    this.extras[e * this.extraWords + i] = v;
  }

  packets(e: number): number {
    return this.counts[e * (this.rec >> 1) + this.countAt];
  }

  bytes(e: number): number {
    return this.counts[e * (this.rec >> 1) + this.countAt + 1];
  }
}

/**
 * Packets and bytes per small integer key (a VLAN id, a protocol kind): plain arrays indexed by the
 * key, no hashing. Keys keep their first-seen order, like a Map's.
 */
export class DenseCounters {
  /** Keys counted so far. */
  size = 0;
  private readonly seen: Uint8Array;
  private readonly order: Int32Array;
  private readonly packetCounts: Float64Array;
  private readonly byteCounts: Float64Array;

  /** @param keys keys are 0 .. keys-1 */
  constructor(readonly keys: number) {
    this.seen = new Uint8Array(keys);
    this.order = new Int32Array(keys);
    this.packetCounts = new Float64Array(keys);
    this.byteCounts = new Float64Array(keys);
  }

  add(k: number, packets: number, bytes: number): void {
    if (this.seen[k] === 0) {
      this.seen[k] = 1;
      this.order[this.size++] = k;
    }
    this.packetCounts[k] += packets;
    this.byteCounts[k] += bytes;
  }

  /** The `e`-th key counted (first-seen order). */
  key(e: number): number {
    return this.order[e];
  }

  packets(k: number): number {
    return this.packetCounts[k];
  }

  bytes(k: number): number {
    return this.byteCounts[k];
  }
}
