/**
 * Exact timestamps and link-type fields: the integer conversions against a BigInt reference, and
 * unusual pcapng resolutions / offsets and pcap FCS bits against tshark.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nsHigh32, nsLow32, unitsToTime, type TimeSlot } from '../../src/capture/timestamp.js';
import { ascii, cat, pcapFile, pattern } from '../../samples/craft.js';
import { describeWith } from '../helpers/env.js';
import { parseInChunks, timeString } from './corpus-files.js';

const tmp = mkdtempSync(join(tmpdir(), 'peelcap-ts-'));

/** Reference: truncating division in BigInt. */
function reference(v: bigint, per: bigint): string {
  return timeString(Number(v / per), Number(((v % per) * 1_000_000_000n) / per));
}

const RESOLUTIONS = [1, 1e3, 1e6, 1e9, 1e12, 1e19, 2 ** 8, 2 ** 20, 2 ** 32, 2 ** 40, 2 ** 63];

describe('64-bit timestamp conversions', () => {
  it('unitsToTime equals BigInt division for every resolution', () => {
    const slot: TimeSlot = { sec: 0, nsec: 0 };
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.constantFrom(...RESOLUTIONS), (v, per) => {
        unitsToTime(Number(v >> 32n), Number(v & 0xffffffffn), per, slot);
        expect(timeString(slot.sec, slot.nsec)).toBe(reference(v, BigInt(per)));
      }),
      { numRuns: 5000 },
    );
  });

  it('nsHigh32/nsLow32 split sec * 1e9 + nsec exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 34 - 1 }), fc.integer({ min: 0, max: 999_999_999 }), (sec, nsec) => {
        const v = BigInt(sec) * 1_000_000_000n + BigInt(nsec);
        expect(nsHigh32(sec, nsec)).toBe(Number(v >> 32n));
        expect(nsLow32(sec, nsec)).toBe(Number(v & 0xffffffffn));
      }),
      { numRuns: 5000 },
    );
  });
});

// --- a minimal pcapng builder for IDB options our writer does not emit (resolutions, offsets) ---

function u32(v: number, le: boolean): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, le);
  return b;
}
function u16(v: number, le: boolean): Uint8Array {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, v, le);
  return b;
}
const pad = (b: Uint8Array): Uint8Array => cat(b, new Uint8Array((4 - (b.length % 4)) % 4));
function block(type: number, body: Uint8Array, le: boolean): Uint8Array {
  const len = 12 + pad(body).length;
  return cat(u32(type, le), u32(len, le), pad(body), u32(len, le));
}
function option(code: number, value: Uint8Array, le: boolean): Uint8Array {
  return cat(u16(code, le), u16(value.length, le), pad(value));
}
const shb = (le: boolean) => block(0x0a0d0d0a, cat(u32(0x1a2b3c4d, le), u16(1, le), u16(0, le), u32(-1, le), u32(-1, le)), le);
function idb(le: boolean, name: string, tsresol: number | undefined, tsoffset: bigint | undefined): Uint8Array {
  const opts: Uint8Array[] = [option(2, ascii(name), le)];
  if (tsresol !== undefined) opts.push(option(9, Uint8Array.of(tsresol), le));
  if (tsoffset !== undefined) {
    const v = new Uint8Array(8);
    new DataView(v.buffer).setBigInt64(0, tsoffset, le);
    opts.push(option(14, v, le));
  }
  opts.push(new Uint8Array(4));
  return block(1, cat(u16(1, le), u16(0, le), u32(0, le), ...opts), le);
}
function epb(le: boolean, iface: number, ts: bigint, data: Uint8Array): Uint8Array {
  return block(6, cat(u32(iface, le), u32(Number(ts >> 32n), le), u32(Number(ts & 0xffffffffn), le), u32(data.length, le), u32(data.length, le), data), le);
}

function tsharkTimes(file: string, field = 'frame.time_epoch'): string[] {
  const r = spawnSync('tshark', ['-n', '-r', file, '-T', 'fields', '-e', field], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\n').filter((l) => l !== '');
}

describeWith({ tools: ['tshark'] }, 'pcapng resolutions and offsets against tshark', () => {
  const frame = pattern(60);
  // [if_tsresol byte, if_tsoffset]: 2^-20, 2^-8, 10^-3, 10^-9 with a negative offset, default µs with an offset
  const ifaces: Array<[number | undefined, bigint | undefined]> = [
    [0x80 | 20, undefined],
    [0x80 | 8, undefined],
    [3, undefined],
    [9, -5n],
    [undefined, 1_000_000n],
  ];
  const stamps = [0n, 1n, 1_234_567_890_123n, 0xfffffffffffn, 1_700_000_000_123_456n];

  for (const le of [true, false]) {
    it(`${le ? 'little' : 'big'}-endian section`, () => {
      const parts = [shb(le), ...ifaces.map(([r, o], i) => idb(le, `if${i}`, r, o))];
      for (let i = 0; i < ifaces.length; i++) for (const ts of stamps) parts.push(epb(le, i, ts, frame));
      const bytes = cat(...parts);
      const file = join(tmp, `res-${le ? 'le' : 'be'}.pcapng`);
      writeFileSync(file, bytes);
      const r = parseInChunks(bytes, 5, file);
      expect(r.error).toBeUndefined();
      expect(r.interfaces.map((i) => [i.name, i.tsResolution, i.tsOffset])).toEqual([
        ['if0', 2 ** 20, 0],
        ['if1', 256, 0],
        ['if2', 1000, 0],
        ['if3', 1e9, -5],
        ['if4', 1e6, 1_000_000],
      ]);
      expect(r.packets.map((g) => g.time)).toEqual(tsharkTimes(file));
    });
  }
});

describeWith({ tools: ['tshark'] }, 'pcap link-type field: FCS bits', () => {
  const frame = cat(pattern(60), Uint8Array.of(0xde, 0xad, 0xbe, 0xef));
  for (const [field, fcsBytes] of [
    [0x24000001, 4], // F flag + 2 16-bit words
    [0x00000001, 0],
  ] as const) {
    it(`link-type field 0x${field.toString(16)} → Ethernet with ${fcsBytes} FCS bytes (tshark agrees)`, () => {
      const bytes = pcapFile([frame], { linktype: field });
      const file = join(tmp, `fcs-${field.toString(16)}.pcap`);
      writeFileSync(file, bytes);
      const r = parseInChunks(bytes, bytes.length, file);
      expect(r.interfaces[0]).toMatchObject({ linktype: 1, fcsBytes });
      expect(r.packets[0].linktype).toBe(1);
      expect(tsharkTimes(file, 'eth.fcs')).toEqual(fcsBytes ? ['0xdeadbeef'] : []);
    });
  }
});
