/**
 * The direct JSON writer (json-line.ts) against the object path it replaces:
 * `JSON.stringify(describePacket(p))` is the reference, byte for byte, on every packet of the samples
 * and of ../shared/corpus, on damaged copies of those packets, and on text that needs escaping.
 * Also ByteBatch's number/address/text writers against String(), src/bytes.ts and Buffer.from().
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../decoders/index.js';
import { CaptureParser } from '../../src/capture/index.js';
import type { CaptureRecord } from '../../src/capture/record.js';
import { describePacket } from '../../src/describe.js';
import { hexString, ipv4FromU32, ipv6String, macString } from '../../src/bytes.js';
import { ByteBatch, fragment, putAsciiBytes, putFrag, putHex, putIpv4, putIpv4Number, putIpv6, putNum, putPadded } from '../../src/output/byte-batch.js';
import { writeJsonLine } from '../../src/output/json-line.js';
import { MAX_LAYERS, PacketView } from '../../src/packet.js';
import { peel } from '../../src/peel.js';
import { decodePacket } from '../helpers/decode.js';
import { corpusDir, describeWith, samplesDir } from '../helpers/env.js';

const reg = createRegistry();
const w = new ByteBatch();

function viaWriter(p: PacketView): string {
  w.pos = 0;
  writeJsonLine(w, p);
  return w.buf.toString('utf8', 0, w.pos);
}

const viaObject = (p: PacketView): string => `${JSON.stringify(describePacket(p))}\n`;

/** Every packet of a capture file: [writer line, object line, packet bytes]; stops quietly at a corrupt tail. */
function linesOf(file: string): { mismatches: string[]; packets: Uint8Array[] } {
  const v = new PacketView();
  const mismatches: string[] = [];
  const packets: Uint8Array[] = [];
  const p = new CaptureParser(
    {
      onRecord(rec: CaptureRecord) {
        peel(v, rec, reg);
        const a = viaWriter(v);
        const b = viaObject(v);
        if (a !== b) mismatches.push(`${file} frame ${v.frame}:\n  ${a}  ${b}`);
        if (packets.length < 50 && rec.linktype === 1) packets.push(rec.buf.slice(rec.offset, rec.offset + rec.caplen));
      },
    } as never,
    {},
  );
  try {
    p.push(readFileSync(file));
    p.end();
  } catch {
    // corrupt files: the packets before the fault were compared
  }
  return { mismatches, packets };
}

function captures(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const f = join(dir, e);
    if (statSync(f).isDirectory()) out.push(...captures(f));
    else if (/\.(pcap|pcapng|cap)$/.test(e)) out.push(f);
  }
  return out.sort();
}

describe('writeJsonLine', () => {
  it('writes the same bytes as JSON.stringify(describePacket()) for every sample packet', () => {
    const files = captures(samplesDir);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(linesOf(f).mismatches).toEqual([]);
  });

  it('escapes a pcapng comment and Contrail VN names as JSON.stringify does', () => {
    const { packets } = linesOf(join(samplesDir, 'contrail-mirror.pcap'));
    expect(packets.length).toBeGreaterThan(0);
    const p = decodePacket(packets[0], reg);
    p.comment = 'quote " backslash \\ newline \n tab \t control \u0001 é 😀 lone \ud800';
    expect(viaWriter(p)).toBe(viaObject(p));
    expect(JSON.parse(viaWriter(p)).comment).toBe(p.comment);
  });

  it('agrees on damaged packets (bytes changed, cut short)', () => {
    const seeds = captures(samplesDir).flatMap((f) => linesOf(f).packets);
    fc.assert(
      fc.property(
        fc.nat(seeds.length - 1),
        fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 8 }),
        fc.nat(),
        (which, edits, cut) => {
          const data = seeds[which].slice();
          for (const [at, v] of edits) data[at % data.length] = v;
          const p = decodePacket(data.subarray(0, 1 + (cut % data.length)), reg, { len: data.length });
          expect(viaWriter(p)).toBe(viaObject(p));
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('writeJsonLine header and layer list', () => {
  // Synthetic views: any layer stack (the writer caches the text of stacks it has seen, in a table
  // with a few probes per stack, and the seconds of the previous timestamp) and any header numbers.
  const layerStacks = fc.array(fc.nat(255), { maxLength: MAX_LAYERS });
  const header = fc.record({
    frame: fc.oneof(fc.nat(2000), fc.nat(2 ** 40)),
    tsSec: fc.oneof(fc.constantFrom(1_700_000_000, 0), fc.nat(2 ** 33)),
    tsNsec: fc.oneof(fc.nat(999_999_999), fc.constant(1e9 + 5)),
    iface: fc.nat(40),
    caplen: fc.nat(70_000),
    len: fc.nat(2 ** 32),
  });

  function view(kinds: number[], h: { frame: number; tsSec: number; tsNsec: number; iface: number; caplen: number; len: number }): PacketView {
    const v = new PacketView();
    Object.assign(v, h);
    v.layerCount = kinds.length;
    v.layerKind.set(kinds);
    return v;
  }

  it('writes the same bytes as the object path for any layer stack and header numbers', () => {
    // few distinct stacks, each seen again: cache hits; many: collisions and overwritten slots
    const few = fc.constantFrom(...Array.from({ length: 8 }, (_, i) => Array.from({ length: i + 2 }, (_, k) => (k * 7 + i) % 40)));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.oneof(few, layerStacks), header), { minLength: 1, maxLength: 300 }), (packets) => {
        for (const [kinds, h] of packets) {
          const v = view(kinds, h);
          expect(viaWriter(v)).toBe(viaObject(v));
        }
      }),
      { numRuns: 200 },
    );
  });
});

describeWith({ corpus: true }, 'writeJsonLine on ../shared/corpus', () => {
  it('writes the same bytes as the object path for every packet of every capture', () => {
    const files = captures(corpusDir);
    expect(files.length).toBeGreaterThan(50);
    const mismatches = files.flatMap((f) => linesOf(f).mismatches);
    expect(mismatches.slice(0, 5)).toEqual([]);
  });
});

describe('ByteBatch', () => {
  const text = (write: (b: ByteBatch) => void): string => {
    w.pos = 0;
    write(w);
    return w.buf.toString('latin1', 0, w.pos);
  };

  /** Write with a put* kernel at b.pos (after reserving `n` bytes). */
  const put = (n: number, k: (d: DataView, p: number) => number) => (b: ByteBatch) => {
    b.reserve(n);
    b.pos = k(b.dv, b.pos);
  };
  const num = (v: number) => put(24, (d, p) => putNum(d, p, v));

  it('putNum() writes numbers as String() does', () => {
    for (const v of [0, 9, 10, 99, 100, 65535, 1e9 - 1, 1e9, 2 ** 32 - 1, 2 ** 32, -1, -0, 1.5, NaN, 1e21]) {
      expect(text(num(v))).toBe(String(v));
    }
    fc.assert(fc.property(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), (v) => text(num(v)) === String(v)));
  });

  it("putPadded() writes String(v).padStart(width, '0')", () => {
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 2 * 10 ** 9 }), fc.integer({ min: 1, max: 9 }), (v, width) => {
        expect(text(put(24, (d, p) => putPadded(d, p, v, width)))).toBe(String(v).padStart(width, '0'));
      }),
    );
  });

  it('putIpv4() writes dotted decimal', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (a) => {
        expect(text(put(15, (d, p) => putIpv4(d, p, a, 0)))).toBe(Array.from(a).join('.'));
      }),
    );
  });

  it('putIpv4Number() writes an address held as a 32-bit number as ipv4FromU32() does', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (v) => text(put(15, (d, p) => putIpv4Number(d, p, v))) === ipv4FromU32(v)));
  });

  it('putAsciiBytes() copies ASCII bytes as their text, and returns -1 for bytes that are not', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(20), (a, lead) => {
        const src = new Uint8Array(lead + a.length);
        src.set(a, lead);
        w.pos = 0;
        w.byte(33);
        w.reserve(a.length);
        const end = putAsciiBytes(w.dv, w.pos, src, lead, lead + a.length);
        const ascii = a.every((c) => c < 0x80);
        expect(end).toBe(ascii ? 1 + a.length : -1);
        if (ascii) expect(w.buf.toString('latin1', 0, end)).toBe(`!${String.fromCharCode(...a)}`);
      }),
    );
  });

  it('putIpv6() writes what ipv6String() does (zero runs, IPv4-mapped)', () => {
    const group = fc.oneof(fc.constant(0), fc.constant(0xffff), fc.nat(0xf), fc.nat(0xff), fc.nat(0xfff), fc.nat(0xffff));
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), fc.nat(3), (groups, at) => {
        const a = new Uint8Array(3 + 16);
        groups.forEach((g, k) => {
          a[at + 2 * k] = g >> 8;
          a[at + 2 * k + 1] = g & 255;
        });
        expect(text(put(39, (d, p) => putIpv6(d, p, a, at)))).toBe(ipv6String(a, at));
      }),
      { numRuns: 2000 },
    );
    const mapped = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 10, 0, 200, 7]);
    expect(text(put(39, (d, p) => putIpv6(d, p, mapped, 0)))).toBe('::ffff:10.0.200.7');
  });

  it('putHex() writes MAC addresses and hex strings as src/bytes.ts does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 6, maxLength: 300 }), (a) => {
        expect(text(put(17, (d, p) => putHex(d, p, a, 0, 6, 58)))).toBe(macString(a, 0));
        expect(text(put(2 * a.length, (d, p) => putHex(d, p, a, 0, a.length)))).toBe(hexString(a, 0, a.length));
      }),
    );
  });

  it('fragments of any length write their text exactly, whatever the bytes after them', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 80 }), fc.string(), (s, after) => {
        expect(text((b) => {
          b.reserve(s.length);
          b.pos = putFrag(b.dv, b.pos, fragment(s));
          b.ascii(after.replace(/[^\x20-\x7e]/g, '?'));
        })).toBe(s + after.replace(/[^\x20-\x7e]/g, '?'));
      }),
    );
    expect(() => fragment('é')).toThrow(RangeError);
  });

  it('text() and utf8() write what Buffer.from(s) encodes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        w.pos = 0;
        w.text(s);
        expect(Buffer.compare(w.buf.subarray(0, w.pos), Buffer.from(s))).toBe(0);
      }),
    );
  });

  it('grows for a line longer than its buffer and hands full batches to the output in order', () => {
    const got: Buffer[] = [];
    const b = new ByteBatch({ writeBytes: (x: Uint8Array) => got.push(Buffer.from(x)) } as never);
    const long = 'x'.repeat(300_000);
    b.ascii(long);
    b.endLine();
    b.ascii('tail');
    b.endLine();
    b.flush();
    expect(Buffer.concat(got).toString()).toBe(`${long}\ntail\n`);
  });
});
