/**
 * Packets and bytes per key, where a key is a fixed number of 32-bit words (a conversation's network,
 * addresses and ports; an endpoint pair). Open addressing over typed arrays: counting a packet
 * allocates nothing and hashes integers, where a Map keyed by a composite number above 2^31 boxes
 * the key on every lookup. Entries keep their first-seen order.
 */
const EMPTY = 0;

export class CounterTable {
  /** Scratch key: fill key[0..width) then call add(). */
  readonly key: Int32Array;
  /** Entries so far. */
  size = 0;
  /** slot -> entry index + 1 (EMPTY: free); capacity is a power of two, at most half full. */
  private slots: Int32Array;
  private mask: number;
  private words: Int32Array;
  private packetCounts: Float64Array;
  private byteCounts: Float64Array;

  constructor(
    readonly width: number,
    initial = 1024,
  ) {
    let cap = 16;
    while (cap < initial * 2) cap *= 2;
    this.key = new Int32Array(width);
    this.slots = new Int32Array(cap);
    this.mask = cap - 1;
    this.words = new Int32Array((cap / 2) * width);
    this.packetCounts = new Float64Array(cap / 2);
    this.byteCounts = new Float64Array(cap / 2);
  }

  private hash(k: Int32Array, at: number): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < this.width; i++) {
      h = Math.imul(h ^ k[at + i], 0x9e3779b1);
      h ^= h >>> 15;
    }
    return h;
  }

  /** Entry index of `key`, or -1 when absent. */
  find(): number {
    const w = this.width;
    const k = this.key;
    for (let s = this.hash(k, 0) & this.mask; ; s = (s + 1) & this.mask) {
      const e = this.slots[s];
      if (e === EMPTY) return -1;
      const base = (e - 1) * w;
      let same = true;
      for (let i = 0; i < w; i++) {
        if (this.words[base + i] !== k[i]) {
          same = false;
          break;
        }
      }
      if (same) return e - 1;
    }
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
    this.packetCounts[e] += packets;
    this.byteCounts[e] += bytes;
    return true;
  }

  private insert(): number {
    if ((this.size + 1) * 2 > this.slots.length) this.grow();
    const e = this.size++;
    this.words.set(this.key, e * this.width);
    this.packetCounts[e] = 0;
    this.byteCounts[e] = 0;
    this.place(e);
    return e;
  }

  private place(e: number): void {
    for (let s = this.hash(this.words, e * this.width) & this.mask; ; s = (s + 1) & this.mask) {
      if (this.slots[s] === EMPTY) {
        this.slots[s] = e + 1;
        return;
      }
    }
  }

  private grow(): void {
    const cap = this.slots.length * 2;
    this.slots = new Int32Array(cap);
    this.mask = cap - 1;
    const words = new Int32Array((cap / 2) * this.width);
    words.set(this.words);
    this.words = words;
    const p = new Float64Array(cap / 2);
    p.set(this.packetCounts);
    this.packetCounts = p;
    const b = new Float64Array(cap / 2);
    b.set(this.byteCounts);
    this.byteCounts = b;
    for (let e = 0; e < this.size; e++) this.place(e);
  }

  /** Word `i` of entry `e`'s key. */
  word(e: number, i: number): number {
    return this.words[e * this.width + i];
  }

  packets(e: number): number {
    return this.packetCounts[e];
  }

  bytes(e: number): number {
    return this.byteCounts[e];
  }
}
