/**
 * AddressTable against a Map keyed by the address bytes: same ids in first-seen order across both
 * families, through growth, colliding prefixes and the id limit; text as bytes.ts formats it, and
 * back (merging snapshots goes through the text).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ipv4String, ipv6String } from '../../src/bytes.js';
import { AddressTable } from '../../src/output/address-table.js';

/** Addresses drawn from a small pool (so they repeat), with v6 ones sharing prefixes. */
const v4 = fc.oneof(
  fc.uint8Array({ minLength: 4, maxLength: 4 }),
  fc.constantFrom(...[0, 1, 2, 3].map((i) => Uint8Array.of(10, 0, 0, i))),
  fc.constantFrom(Uint8Array.of(255, 255, 255, 255), Uint8Array.of(0, 0, 0, 0), Uint8Array.of(128, 0, 0, 1)),
);
const v6 = fc.oneof(
  fc.uint8Array({ minLength: 16, maxLength: 16 }),
  // differ only in one late byte: same first words
  fc.integer({ min: 0, max: 3 }).map((i) => Uint8Array.of(0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, i)),
  // the IPv4 bytes 10.0.0.x as an IPv6 address (::a00:x): must not meet the IPv4 one
  fc.integer({ min: 0, max: 3 }).map((i) => Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, i)),
  fc.integer({ min: 0, max: 3 }).map((i) => Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, i)),
);
const address = fc.oneof(v4, v6);

/** Each address at a random offset inside a larger buffer, as in a packet. */
const placed = fc.tuple(address, fc.integer({ min: 0, max: 7 })).map(([a, at]) => {
  const buf = new Uint8Array(at + a.length + 3).fill(0xee);
  buf.set(a, at);
  return { a, buf, at };
});

const keyOf = (a: Uint8Array) => `${a.length}:${Array.from(a).join('.')}`;
const textOf = (a: Uint8Array) => (a.length === 4 ? ipv4String(a, 0) : ipv6String(a, 0));

describe('AddressTable', () => {
  it('hands out ids like a Map in first-seen order, through many growths, and keeps the text', () => {
    fc.assert(
      fc.property(fc.array(placed, { maxLength: 3000 }), (ops) => {
        const t = new AddressTable(2 ** 26, 4);
        const model = new Map<string, number>();
        const byId: Uint8Array[] = [];
        for (const { a, buf, at } of ops) {
          const k = keyOf(a);
          let want = model.get(k);
          if (want === undefined) {
            want = model.size;
            model.set(k, want);
            byId.push(a);
          }
          expect(a.length === 4 ? t.v4Id(buf, at) : t.v6Id(buf, at)).toBe(want);
        }
        expect(t.size).toBe(model.size);
        expect(t.allText()).toEqual(byId.map(textOf));
        byId.forEach((a, id) => {
          expect(t.length(id)).toBe(a.length);
          for (let i = 0; i < a.length / 4; i++) {
            expect(t.word(id, i) >>> 0).toBe(new DataView(a.buffer, a.byteOffset).getUint32(4 * i));
          }
        });
      }),
      { numRuns: 60 },
    );
  });

  it('finds an address by its text: the same id as by its bytes', () => {
    fc.assert(
      fc.property(fc.array(address, { minLength: 1, maxLength: 200 }), (addrs) => {
        const t = new AddressTable(2 ** 26, 4);
        const ids = addrs.map((a) => t.id(a, 0, a.length));
        const n = t.size;
        addrs.forEach((a, i) => expect(t.idOfText(textOf(a))).toBe(ids[i]));
        expect(t.size).toBe(n);
        // a new address given as text is a new id, found afterwards by its bytes
        const fresh = new AddressTable(2 ** 26, 4);
        addrs.forEach((a) => fresh.idOfText(textOf(a)));
        addrs.forEach((a, i) => expect(fresh.id(a, 0, a.length)).toBe(ids[i]));
      }),
      { numRuns: 100 },
    );
  });

  it('tells apart crowds of addresses that differ in one word only (probes cross each other)', () => {
    for (const word of [0, 1, 2, 3]) {
      const t = new AddressTable(2 ** 26, 4);
      const addr = (i: number) => {
        const a = Uint8Array.of(0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        new DataView(a.buffer).setUint32(4 * word, i * 0x01000193);
        return a;
      };
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < 5000; i++) expect(t.v6Id(addr(i), 0)).toBe(i);
      }
      expect(t.size).toBe(5000);
    }
    const t = new AddressTable(2 ** 26, 4);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 5000; i++) expect(t.v4Id(Uint8Array.of(10, 0, i >> 8, i & 255), 0)).toBe(i);
    }
  });

  it('gives -1 to new addresses beyond the limit but still finds the known ones', () => {
    const t = new AddressTable(3, 4);
    const a = (i: number) => Uint8Array.of(192, 0, 2, i);
    expect([0, 1, 2].map((i) => t.v4Id(a(i), 0))).toEqual([0, 1, 2]);
    expect(t.v4Id(a(3), 0)).toBe(-1);
    expect(t.v6Id(new Uint8Array(16), 0)).toBe(-1);
    expect(t.v4Id(a(1), 0)).toBe(1);
    expect(t.size).toBe(3);
    expect(t.idOfText('not an address')).toBe(-1);
  });
});
