/**
 * CounterTable against a Map keyed by the joined key words: same counts, same first-seen order,
 * through growth, colliding keys and the entry limit.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CounterTable, DenseCounters } from '../../src/output/counter-table.js';

/** Count `ops` ([key words, bytes]) in a table and in a Map; return both as [key, packets, bytes] lists. */
function countBoth(width: number, ops: Array<[number[], number]>, limit = Infinity) {
  const t = new CounterTable(width, 4);
  const m = new Map<string, [number[], number, number]>();
  let refused = 0;
  for (const [words, bytes] of ops) {
    t.key.set(words);
    const k = words.join(',');
    const had = m.get(k);
    if (had) {
      had[1]++;
      had[2] += bytes;
    } else if (m.size < limit) {
      m.set(k, [words, 1, bytes]);
    } else {
      refused++;
    }
    const ok = t.add(1, bytes, limit);
    expect(ok).toBe(had !== undefined || m.has(k));
  }
  const got: Array<[number[], number, number]> = [];
  for (let e = 0; e < t.size; e++) {
    const w: number[] = [];
    for (let i = 0; i < width; i++) w.push(t.word(e, i));
    got.push([w, t.packets(e), t.bytes(e)]);
  }
  return { got, want: [...m.values()], refused };
}

const word = fc.oneof(fc.integer({ min: -2147483648, max: 2147483647 }), fc.integer({ min: 0, max: 3 }));

describe('CounterTable', () => {
  it('counts like a Map, in first-seen order, through many growths', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }).chain((w) =>
          fc.tuple(fc.constant(w), fc.array(fc.tuple(fc.array(word, { minLength: w, maxLength: w }), fc.integer({ min: 0, max: 1500 })), { maxLength: 400 })),
        ),
        ([w, ops]) => {
          const { got, want } = countBoth(w, ops);
          expect(got).toEqual(want);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('adds no entry beyond the limit but still counts known keys', () => {
    const ops: Array<[number[], number]> = [];
    for (let i = 0; i < 50; i++) ops.push([[i % 20, ((i * 3) % 7) - 3], 100]);
    const { got, want, refused } = countBoth(2, ops, 10);
    expect(got).toEqual(want);
    expect(got).toHaveLength(10);
    expect(refused).toBeGreaterThan(0);
  });

  it('tells keys apart that differ only in one word or in sign', () => {
    const t = new CounterTable(3);
    const keys = [
      [0, 0, 0],
      [0, 0, 1],
      [1, 0, 0],
      [-1, 0, 0],
      [0, -1, 0],
      [2147483647, -2147483648, 0],
    ];
    for (const k of keys) {
      t.key.set(k);
      t.add(1, 10);
    }
    t.key.set([0, 0, 1]);
    t.add(2, 5);
    expect(t.size).toBe(keys.length);
    t.key.set([0, 0, 1]);
    const e = t.find();
    expect(e).toBe(1);
    expect(t.packets(e)).toBe(3);
    expect(t.bytes(e)).toBe(15);
  });

  it('tells apart crowds of keys that differ in one word only (probes cross each other)', () => {
    for (const width of [1, 2, 5, 11]) {
      for (let word = 0; word < width; word++) {
        const t = new CounterTable(width, 4);
        for (let round = 1; round <= 2; round++) {
          for (let i = 0; i < 3000; i++) {
            t.key.fill(7);
            t.key[word] = i * 0x01000193;
            t.add(1, round);
          }
        }
        expect(t.size).toBe(3000);
        const wrong: number[] = [];
        for (let e = 0; e < 3000; e++) {
          if (t.word(e, word) !== ((e * 0x01000193) | 0) || t.packets(e) !== 2 || t.bytes(e) !== 3) wrong.push(e);
        }
        expect(wrong).toEqual([]);
      }
    }
  });

  it('entry() adds with zero counts, count() counts, extras stay with their entry through growth', () => {
    const t = new CounterTable(2, 4, 2);
    for (let i = 0; i < 100; i++) {
      t.key.set([i, -i]);
      const e = t.entry();
      expect(e).toBe(i);
      expect([t.packets(e), t.bytes(e)]).toEqual([0, 0]);
      t.setExtra(e, 0, i * 3);
      t.setExtra(e, 1, 1 - i);
      t.count(e, 1, i);
    }
    t.key.set([42, -42]);
    expect(t.entry(10)).toBe(42); // known keys are found whatever the limit
    t.key.set([1000, 0]);
    expect(t.entry(100)).toBe(-1);
    expect(t.find()).toBe(-1);
    for (let e = 0; e < 100; e++) {
      expect([t.extra(e, 0), t.extra(e, 1), t.packets(e), t.bytes(e)]).toEqual([e * 3, 1 - e, 1, e]);
    }
  });
});

describe('DenseCounters', () => {
  it('counts per small key like a Map, in first-seen order', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 1500 }))), (ops) => {
        const d = new DenseCounters(100);
        const m = new Map<number, [number, number]>();
        for (const [k, bytes] of ops) {
          d.add(k, 1, bytes);
          const c = m.get(k) ?? [0, 0];
          m.set(k, [c[0] + 1, c[1] + bytes]);
        }
        const got: Array<[number, [number, number]]> = [];
        for (let e = 0; e < d.size; e++) got.push([d.key(e), [d.packets(d.key(e)), d.bytes(d.key(e))]]);
        expect(got).toEqual([...m]);
      }),
    );
  });
});
