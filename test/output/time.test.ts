/**
 * TimeFormatter.write() (bytes, used by `peelcap read`) against format() (the string API) in every
 * mode, and the UTC date/time text against Date.prototype.toISOString().
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteBatch } from '../../src/output/byte-batch.js';
import { TimeFormatter, type TimeMode } from '../../src/output/time.js';

const MODES: TimeMode[] = ['time', 'none', 'epoch', 'delta', 'date', 'since-first'];
const stamp = fc.tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 999_999_999 }));
// runs of packets within one second as well as jumps, so the per-second cache is exercised
const stamps = fc.array(fc.oneof(stamp, fc.constant<[number, number]>([1_700_000_000, 5_000])), { maxLength: 30 });

describe('TimeFormatter.write', () => {
  it('writes the bytes of format() for every mode, in micro and nano seconds', () => {
    fc.assert(
      fc.property(fc.constantFrom(...MODES), fc.boolean(), fc.boolean(), stamps, (mode, nano, utc, list) => {
        const a = new TimeFormatter(mode, nano, utc);
        const b = new TimeFormatter(mode, nano, utc);
        const w = new ByteBatch();
        for (const [sec, nsec] of list) {
          w.pos = 0;
          a.write(w, sec, nsec);
          expect(w.buf.toString('latin1', 0, w.pos)).toBe(b.format(sec, nsec));
        }
      }),
    );
  });

  it('prints UTC date and time as the ISO calendar does', () => {
    fc.assert(
      fc.property(stamp, ([sec, nsec]) => {
        const w = new ByteBatch();
        new TimeFormatter('date', true, true).write(w, sec, nsec);
        const iso = new Date(sec * 1000).toISOString(); // 2023-11-14T22:13:20.000Z
        expect(w.buf.toString('latin1', 0, w.pos)).toBe(`${iso.slice(0, 10)} ${iso.slice(11, 19)}.${String(nsec).padStart(9, '0')}`);
      }),
    );
  });
});
