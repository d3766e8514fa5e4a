/**
 * Corrupt input: one clear CaptureError naming the input, the byte offset and the cause, after every
 * packet before the fault; a file cut off inside its last record only warns. Faults are made by
 * editing real corpus captures at record offsets; tshark reading the same edited bytes is the oracle
 * for "this is broken" (it fails too) and for how many packets precede the fault.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pattern, pcapFile } from '../../samples/craft.js';
import { readCapture } from '../../src/capture/index.js';
import { CaptureParser } from '../../src/capture/parser.js';
import { CaptureError } from '../../src/capture/record.js';
import { corpus, describeWith } from '../helpers/env.js';
import { parseFile, parseInChunks, readOracle } from './corpus-files.js';

const tmp = mkdtempSync(join(tmpdir(), 'peelcap-capture-'));

/** tshark on a file: packet rows printed and whether it reported a problem. */
function tshark(path: string): { rows: number; stderr: string; ok: boolean } {
  const r = spawnSync('tshark', ['-n', '-r', path, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' });
  return { rows: r.stdout.split('\n').filter((l) => l !== '').length, stderr: r.stderr, ok: r.status === 0 };
}

function expectCaptureError(e: unknown, name: string, offset: number, cause: RegExp): void {
  expect(e).toBeInstanceOf(CaptureError);
  const err = e as CaptureError;
  expect(err.source).toBe(name);
  expect(err.byteOffset).toBe(offset);
  expect(err.message).toContain(name);
  expect(err.message).toContain(`byte offset ${offset}`);
  expect(err.message).toMatch(cause);
}

/** Parse in whole and in 7-byte chunks: the outcome must not depend on chunking. */
function parseBoth(bytes: Uint8Array, name: string) {
  const a = parseInChunks(bytes, bytes.length || 1, name);
  const b = parseInChunks(bytes, 7, name);
  expect(b.hash).toBe(a.hash);
  return a;
}

describe('not a capture file', () => {
  it('names the magic it found', () => {
    const r = parseBoth(new TextEncoder().encode('hello world, not a pcap'), 'notes.txt');
    expectCaptureError(r.error, 'notes.txt', 0, /not a pcap or pcapng capture file \(magic 0x68656c6c\)/);
  });
  it('recognises gzip and says so', () => {
    const r = parseBoth(Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0), 'x.pcap.gz');
    expectCaptureError(r.error, 'x.pcap.gz', 0, /magic 0x1f8b0800: gzip-compressed/);
  });
  it('empty and tiny inputs', () => {
    expectCaptureError(parseBoth(new Uint8Array(0), 'empty').error, 'empty', 0, /empty input/);
    expectCaptureError(parseBoth(Uint8Array.of(0xd4, 0xc3, 0xb2), 'tiny').error, 'tiny', 0, /only 3 bytes/);
  });
});

describeWith({ corpus: true, tools: ['tshark'] }, 'faults in real captures', () => {
  const vxlanPath = corpus('tcpdump/vxlan.pcap');
  const vxlan = readFileSync(vxlanPath);
  const clean = parseFile(vxlanPath);
  const oracle = readOracle(vxlanPath);

  it('pcap file header cut off', () => {
    const r = parseBoth(vxlan.subarray(0, 10), 'short.pcap');
    expectCaptureError(r.error, 'short.pcap', 0, /pcap file header cut off \(10 of 24 bytes\)/);
  });

  it('absurd caplen in record 3: packets 1-2 delivered, then the error at record 3', () => {
    const bad = Buffer.from(vxlan);
    const at = clean.packets[2].fileOffset;
    bad.writeUInt32LE(0xfffffff0, at + 8); // vxlan.pcap is little-endian
    const file = join(tmp, 'bad-caplen.pcap');
    writeFileSync(file, bad);
    const r = parseBoth(bad, file);
    expectCaptureError(r.error, file, at, /record 3 claims 4294967280 captured bytes/);
    expect(r.packets.map((p) => p.time)).toEqual(oracle.rows.slice(0, 2).map((o) => o.time));
    const t = tshark(file);
    expect(t.ok).toBe(false);
    expect(t.rows).toBe(2);
  });

  it('file cut off inside its last record: warning and cutOff, not an error (tshark agrees on the count)', async () => {
    const n = clean.packets.length;
    const cut = vxlan.subarray(0, vxlan.length - 5);
    const file = join(tmp, 'cut.pcap');
    writeFileSync(file, cut);
    const r = parseBoth(cut, file);
    expect(r.error).toBeUndefined();
    expect(r.packets).toHaveLength(n - 1);
    expect(r.summary!.cutOff).toBe(true);
    const at = clean.packets[n - 1].fileOffset;
    expect(r.warnings).toEqual([expect.stringContaining(`file ends inside record ${n} at byte ${at}`)]);
    expect(r.warnings[0]).toContain(`read ${n - 1} packets`);
    const t = tshark(file);
    expect(t.rows).toBe(n - 1);
    expect(t.stderr).toMatch(/cut short in the middle of a packet/);
    // through readCapture as well
    const warnings: string[] = [];
    const s = await readCapture(file, { onRecord() {}, onWarning: (w) => void warnings.push(w) });
    expect(s).toMatchObject({ packets: n - 1, cutOff: true, bytes: cut.length, format: 'pcap' });
    expect(warnings).toHaveLength(1);
  });

  const ngPath = corpus('zeek/pcapng-multi-interface/pcapng-multi-interface.pcapng');
  const ng = readFileSync(ngPath);
  const ngClean = parseFile(ngPath);
  const le = ng.readUInt32LE(8) === 0x1a2b3c4d;
  const rd = (b: Buffer, o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const wr = (b: Buffer, v: number, o: number) => (le ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o));

  it('pcapng packet naming an interface the section does not have', () => {
    expect(ngClean.interfaces.length).toBe(2);
    const bad = Buffer.from(ng);
    const at = ngClean.packets[1].fileOffset;
    wr(bad, 7, at + 8); // EPB interface id
    const file = join(tmp, 'bad-iface.pcapng');
    writeFileSync(file, bad);
    const r = parseBoth(bad, file);
    expectCaptureError(r.error, file, at, /refers to interface 7 but section 0 has 2 interface description blocks/);
    expect(r.packets).toHaveLength(1);
    const t = tshark(file);
    expect(t.ok).toBe(false);
    expect(t.rows).toBe(1);
  });

  it('pcapng trailing block length differing from the leading one', () => {
    const bad = Buffer.from(ng);
    const at = ngClean.packets[2].fileOffset;
    const len = rd(bad, at + 4);
    wr(bad, len + 4, at + len - 4);
    const file = join(tmp, 'bad-trailer.pcapng');
    writeFileSync(file, bad);
    const r = parseBoth(bad, file);
    expectCaptureError(r.error, file, at, new RegExp(`block total length ${len} in the header but ${len + 4} in the trailer`));
    expect(r.packets).toHaveLength(2);
    const t = tshark(file);
    expect(t.ok).toBe(false);
    expect(t.rows).toBe(2);
  });

  it('pcapng block lengths that are absurd, too small or unaligned', () => {
    const at = ngClean.packets[0].fileOffset;
    for (const [len, why] of [
      [0x7ffffff0, 'absurd'],
      [8, 'too small'],
      [62, 'not a multiple of 4'],
    ] as const) {
      const bad = Buffer.from(ng);
      wr(bad, len, at + 4);
      const r = parseBoth(bad, 'x.pcapng');
      expectCaptureError(r.error, 'x.pcapng', at, new RegExp(`block total length ${len} is ${why}`));
      expect(r.packets).toHaveLength(0);
    }
  });

  it('EPB claiming more captured bytes than its block holds', () => {
    const bad = Buffer.from(ng);
    const at = ngClean.packets[0].fileOffset;
    const len = rd(bad, at + 4);
    wr(bad, len, at + 20);
    const file = join(tmp, 'bad-epb-caplen.pcapng');
    writeFileSync(file, bad);
    const r = parseBoth(bad, file);
    expectCaptureError(r.error, file, at, new RegExp(`claims ${len} captured bytes but the block holds only ${len - 32}`));
    expect(tshark(file).ok).toBe(false);
  });

  it('pcapng cut off inside its last packet block', () => {
    const cut = ng.subarray(0, ng.length - 3);
    const r = parseBoth(cut, 'cut.pcapng');
    const n = ngClean.packets.length;
    expect(r.error).toBeUndefined();
    expect(r.packets).toHaveLength(n - 1);
    expect(r.summary!.cutOff).toBe(true);
    expect(r.warnings.join()).toContain(`file ends inside record ${n} at byte ${ngClean.packets[n - 1].fileOffset}`);
  });

  it('pcapng section header cut off is an error, not a warning', () => {
    const r = parseBoth(ng.subarray(0, 20), 'hdr.pcapng');
    expectCaptureError(r.error, 'hdr.pcapng', 0, /pcapng section header block cut off/);
  });

});

describeWith({ corpus: true, tools: ['capinfos'] }, 'capinfos as a second oracle', () => {
  it('capinfos also refuses the corrupt-trailer corpus file that we reject', () => {
    const path = corpus('libpcap/shb-option-too-long.pcapng');
    const out = spawnSync('capinfos', [path], { encoding: 'utf8' });
    expect(out.status).not.toBe(0);
    expect(out.stderr).toMatch(/damaged or corrupt/);
    expect(parseFile(path).error).toBeInstanceOf(CaptureError);
  });
});

describe('a range parsed before its packet count is known (--jobs)', () => {
  // 10 records of 100 bytes: record i starts at 24 + 116 * i
  const file = pcapFile(Array.from({ length: 10 }, (_, i) => ({ data: pattern(100, i), tsSec: 1_700_000_000 + i })));
  const recordAt = (i: number) => 24 + 116 * i;

  function parseFrom(bytes: Uint8Array, start: number, before: () => number) {
    const frames: number[] = [];
    const warnings: string[] = [];
    const parser = new CaptureParser({ onRecord: (r) => void frames.push(r.frame), onWarning: (m) => void warnings.push(m) }, { name: 'f' });
    parser.push(bytes.subarray(0, 24));
    parser.seek(start, before);
    let error: unknown;
    try {
      parser.push(bytes.subarray(start));
      parser.close();
    } catch (e) {
      error = e;
    }
    return { frames, warnings, error, parser };
  }

  it('numbers records from the range start and never asks for the count when no message needs it', () => {
    let asked = 0;
    const r = parseFrom(file, recordAt(4), () => ++asked && 4);
    expect(r.frames).toEqual([1, 2, 3, 4, 5, 6]);
    expect(r.warnings).toEqual([]);
    expect(asked).toBe(0);
    // the summary is the whole file's: asking for it resolves the count, once
    expect(r.parser.summary().packets).toBe(10);
    expect(r.parser.summary().packets).toBe(10);
    expect(asked).toBe(1);
  });

  it('a cut-off last record is reported with the whole file’s record number, as a full parse reports it', () => {
    const cut = file.subarray(0, file.length - 7);
    const whole = parseInChunks(cut, cut.length, 'f');
    let asked = 0;
    const r = parseFrom(cut, recordAt(6), () => ++asked && 6);
    expect(asked).toBe(1);
    expect(r.warnings).toEqual(whole.warnings);
    expect(r.warnings[0]).toContain('file ends inside record 10 at byte');
  });

  it('a corrupt record is an error naming the whole file’s record number', () => {
    const bad = Buffer.from(file);
    bad.writeUInt32LE(0x7fffffff, recordAt(8) + 8);
    const r = parseFrom(bad, recordAt(5), () => 5);
    expect(r.frames).toEqual([1, 2, 3]);
    expectCaptureError(r.error, 'f', recordAt(8), /record 9 claims 2147483647 captured bytes/);
  });
});
