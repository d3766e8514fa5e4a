/**
 * CounterTable against a Map keyed by the joined key words: same counts, same first-seen order,
 * through growth, colliding keys and the entry limit.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CounterTable } from '../../src/output/counter-table.js';

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
        fc.integer({ min: 1, max: 5 }).chain((w) =>
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
});
