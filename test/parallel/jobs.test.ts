/**
 * `--jobs N`: the built CLI must produce byte-identical output with 2 workers and with 1, on the
 * bundled samples and on a generated overlay corpus, including when a cut guessed by the planner is
 * wrong (the fallback path). Small PEELCAP_RANGE_BYTES values make small files split into many ranges;
 * PEELCAP_THREAD_BYTES=1 lets them use every thread asked for (by default a thread needs ~1 GiB).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTemplates, writeCorpus } from '../../bench/generate.js';
import { eth, icmpEcho, ipv4, pcapFile, pattern, udp } from '../../samples/craft.js';
import { planRanges, RangeWalker, walkRange } from '../../src/parallel/split.js';
import { ensureBuilt, peelcap, type CliResult } from '../cli/run-cli.js';
import { samplesDir } from '../helpers/env.js';

let dir: string;
const files: Record<string, string> = {};

/**
 * Run with --jobs N, a given range size and `threadBytes` of capture per thread beyond the first
 * (1: every thread asked for; 'default': the built-in size).
 */
function run(args: string[], jobs: number, rangeBytes: number, threadBytes: number | 'default' = 1): CliResult {
  process.env.PEELCAP_RANGE_BYTES = String(rangeBytes);
  if (threadBytes !== 'default') process.env.PEELCAP_THREAD_BYTES = String(threadBytes);
  try {
    return peelcap([args[0], '--jobs', String(jobs), ...args.slice(1)]);
  } finally {
    delete process.env.PEELCAP_RANGE_BYTES;
    delete process.env.PEELCAP_THREAD_BYTES;
  }
}

/** A pcap whose second packet carries, as payload, a run of valid-looking pcap records: a cut inside it syncs wrongly. */
function decoyCapture(): Uint8Array {
  const inner = pcapFile(Array.from({ length: 30 }, (_, i) => ({ data: pattern(100, i), tsSec: 1_700_000_000 + i }))).subarray(24);
  const pkt = (i: number, payload: Uint8Array) =>
    eth({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', payload: ipv4({ src: '10.0.0.1', dst: `10.0.${i >> 8}.${i & 255}`, payload }) });
  const records = [pkt(0, icmpEcho({ type: 'request', id: 1, seq: 0 }))];
  records.push(pkt(1, udp({ sport: 40000, dport: 9999, payload: inner })));
  for (let i = 2; i < 60; i++) records.push(pkt(i, icmpEcho({ type: 'request', id: 1, seq: i })));
  return pcapFile(records.map((data, i) => ({ data, tsSec: 1_700_000_000, tsFrac: i })));
}

/** Record start offsets of a pcap, walked plainly (little-endian files written by our writers). */
function pcapBoundaries(b: Uint8Array): number[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: number[] = [];
  for (let pos = 24; pos < b.length; pos += 16 + dv.getUint32(pos + 8, true)) out.push(pos);
  return out;
}

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'peelcap-jobs-'));
  const templates = buildTemplates(512);
  files.pcap = join(dir, 'mix.pcap');
  files.pcapng = join(dir, 'mix.pcapng');
  await writeCorpus(files.pcap, 'pcap', 3000, templates);
  await writeCorpus(files.pcapng, 'pcapng', 3000, templates);
  files.decoy = join(dir, 'decoy.pcap');
  writeFileSync(files.decoy, decoyCapture());
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const COMMANDS: string[][] = [['read'], ['read', '-v'], ['json'], ['json', '-v'], ['stats'], ['stats', '--json']];
const FILTERED: string[][] = [
  ['read', 'geneve and inner.icmp'],
  ['json', 'vni == 5003 or mpls.label == 20'],
  ['stats', 'inner.tcp'],
  ['read', 'frame.number > 1000 and frame.number < 1010'],
];

function sameWithJobs(file: string, args: string[], rangeBytes: number): void {
  const [cmd, ...rest] = args;
  const one = run([cmd, file, ...rest], 1, rangeBytes);
  const two = run([cmd, file, ...rest], 2, rangeBytes);
  expect(one.code, one.stderr).toBe(0);
  expect(two.code, two.stderr).toBe(0);
  expect(one.stdout.length).toBeGreaterThan(0);
  expect(two.stdout).toBe(one.stdout);
  expect(two.stderr).toBe(one.stderr);
}

function stripSame(file: string, rangeBytes: number, extra: string[] = []): void {
  const a = join(dir, 'one.pcap');
  const b = join(dir, 'two.pcap');
  const one = run(['strip', file, '-w', a, ...extra], 1, rangeBytes);
  const two = run(['strip', file, '-w', b, ...extra], 2, rangeBytes);
  expect(one.code, one.stderr).toBe(0);
  expect(two.code, two.stderr).toBe(0);
  expect(two.stderr.replaceAll(b, 'OUT')).toBe(one.stderr.replaceAll(a, 'OUT'));
  const x = readFileSync(a);
  const y = readFileSync(b);
  expect(x.length).toBeGreaterThan(24);
  expect(Buffer.compare(x, y)).toBe(0);
}

describe('--jobs 2 gives the same output as --jobs 1', () => {
  for (const kind of ['pcap', 'pcapng'] as const) {
    describe(`generated corpus (${kind}, 3000 packets, 64 KiB ranges)`, () => {
      for (const args of [...COMMANDS, ...FILTERED]) {
        it(args.join(' '), () => sameWithJobs(files[kind], args, 65536));
      }
      it('strip -w out.pcap', () => stripSame(files[kind], 65536));
      it('strip --eth -w out.pcap', () => stripSame(files[kind], 65536, ['--eth']));
    });
  }

  for (const f of ['overlays.pcap', 'ovn-geneve.pcap', 'contrail-mirror.pcap', 'multi-iface.pcapng']) {
    describe(`samples/${f} (1 KiB ranges)`, () => {
      for (const args of COMMANDS) it(args.join(' '), () => sameWithJobs(join(samplesDir, f), args, 1024));
      if (f.endsWith('.pcap')) it('strip', () => stripSame(join(samplesDir, f), 1024));
    });
  }

  it('--jobs 3 and 5 (this thread and several workers) give the same output as well', () => {
    for (const args of [['json'], ['read', 'geneve and inner.icmp'], ['stats']]) {
      const [cmd, ...rest] = args;
      const one = run([cmd, files.pcap, ...rest], 1, 32768);
      for (const jobs of [3, 5]) {
        const many = run([cmd, files.pcap, ...rest], jobs, 32768);
        expect(many.code, many.stderr).toBe(0);
        expect(many.stdout).toBe(one.stdout);
      }
    }
  });

  it('a wrongly guessed cut falls back to one range and changes nothing', () => {
    for (const args of [['read'], ['json'], ['stats']]) sameWithJobs(files.decoy, args, 1024);
    stripSame(files.decoy, 1024);
  });
});

describe('--jobs on captures too small for the threads asked for', () => {
  it('by default a capture below ~1 GiB runs on one thread, with a note', () => {
    const one = run(['read', files.pcap], 1, 65536, 'default');
    const two = run(['read', files.pcap], 2, 65536, 'default');
    expect(two.code).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    expect(two.stderr).toMatch(/--jobs 2: one thread for this \d+ MiB capture \(a thread beyond the first pays for its start-up from about 1024 MiB of capture\)/);
    expect(one.stderr).not.toMatch(/--jobs/);
  });

  it('threads are capped at one per PEELCAP_THREAD_BYTES beyond the first', () => {
    const size = readFileSync(files.pcap).length;
    const one = run(['stats', files.pcap], 1, 65536);
    const capped = run(['stats', files.pcap], 5, 65536, Math.floor(size / 2));
    expect(capped.code).toBe(0);
    expect(capped.stdout).toBe(one.stdout);
    expect(capped.stderr).toMatch(/--jobs 5: 3 threads for this/);
    expect(run(['stats', files.pcap], 3, 65536, Math.floor(size / 2)).stderr).not.toMatch(/--jobs/);
  });
});

describe('--jobs on inputs it does not split', () => {
  it('-c reads with one thread, with a note', () => {
    const one = run(['read', files.pcap, '-c', '5'], 1, 65536);
    const two = run(['read', files.pcap, '-c', '5'], 2, 65536);
    expect(two.stdout).toBe(one.stdout);
    expect(two.stdout.trim().split('\n')).toHaveLength(5);
    expect(two.stderr).toMatch(/--jobs ignored: -c/);
  });

  it('stdin reads with one thread, with a note', () => {
    const bytes = readFileSync(files.pcap);
    process.env.PEELCAP_RANGE_BYTES = '65536';
    const r = peelcap(['stats', '--jobs', '2', '-'], bytes);
    delete process.env.PEELCAP_RANGE_BYTES;
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(peelcap(['stats', files.pcap]).stdout);
    expect(r.stderr).toMatch(/--jobs ignored: stdin/);
  });

  it('a damaged file reports the same error, after the same packets', () => {
    const whole = readFileSync(files.pcap);
    const cut = join(dir, 'cut.pcap');
    // the last record loses its tail: a cut-off warning; a corrupt length mid-file: an error
    writeFileSync(cut, whole.subarray(0, whole.length - 7));
    sameWithJobs(cut, ['read'], 65536);
    const bad = Buffer.from(whole);
    const at = pcapBoundaries(bad)[2000];
    bad.writeUInt32LE(0x7fffffff, at + 8);
    const broken = join(dir, 'broken.pcap');
    writeFileSync(broken, bad);
    const one = run(['json', broken], 1, 65536);
    const two = run(['json', broken], 2, 65536);
    expect(one.code).toBe(1);
    expect(two.code).toBe(1);
    expect(two.stderr).toBe(one.stderr);
    expect(one.stderr).toContain(`byte offset ${at}`);
    // --jobs writes every packet before the fault; the sequential run stops with its last batch unflushed
    expect(two.stdout.split('\n').filter(Boolean)).toHaveLength(2000);
    expect(two.stdout.startsWith(one.stdout)).toBe(true);
    // text and stats show no frame numbers, so their workers decode before the counts of the ranges
    // before them are known: the error's record number (2001) still is the whole file's
    for (const cmd of ['read', 'stats']) {
      const a = run([cmd, broken], 1, 65536);
      const b = run([cmd, broken], 2, 65536);
      expect(b.code).toBe(1);
      expect(b.stderr).toBe(a.stderr);
      expect(b.stderr).toContain('record 2001 claims');
    }
  });
});

describe('range planning', () => {
  it('cuts a pcap only at record boundaries and covers the file', () => {
    const b = readFileSync(files.pcap);
    const truth = new Set(pcapBoundaries(b));
    const plan = planRanges(files.pcap, 65536);
    expect(plan.ranges.length).toBeGreaterThan(10);
    expect(plan.prefix.length).toBe(24);
    expect(plan.ranges[0].start).toBe(24);
    expect(plan.ranges[plan.ranges.length - 1].end).toBe(b.length);
    for (let i = 0; i < plan.ranges.length; i++) {
      const r = plan.ranges[i];
      expect(truth.has(r.start)).toBe(true);
      if (i > 0) expect(r.start).toBe(plan.ranges[i - 1].end);
      const walk = walkRange(b.subarray(r.start, r.end), r.end - r.start, 'pcap', true);
      expect(walk.exact).toBe(true);
    }
  });

  it('cuts a pcapng at block boundaries after the SHB and IDB', () => {
    const b = readFileSync(files.pcapng);
    const plan = planRanges(files.pcapng, 65536);
    expect(plan.format).toBe('pcapng');
    // the prefix ends where the first Enhanced Packet Block (type 6) starts
    expect(b.readUInt32LE(plan.prefix.length)).toBe(6);
    let packets = 0;
    for (const r of plan.ranges) {
      expect(b.readUInt32LE(r.start)).toBe(6);
      const walk = walkRange(b.subarray(r.start, r.end), r.end - r.start, 'pcapng', true);
      expect(walk.exact).toBe(true);
      expect(walk.structural).toBe(false);
      packets += walk.packets;
    }
    expect(packets).toBe(3000);
  });

  it('walking a range piece by piece, as a worker reads it, proves the same as walking it whole', () => {
    for (const [file, format] of [[files.pcap, 'pcap'], [files.pcapng, 'pcapng'], [files.decoy, 'pcap']] as const) {
      const b = readFileSync(file);
      for (const r of planRanges(file, 1024).ranges) {
        const range = b.subarray(r.start, r.end);
        const whole = walkRange(range, range.length, format, true);
        // pieces of 1..700 bytes: records and block headers are cut everywhere; what is not read yet is junk
        const w = new RangeWalker(format, true);
        const buf = new Uint8Array(range.length).fill(0xff);
        for (let got = 0, step = 1; got < range.length; step = (step * 7 + 3) % 700 + 1) {
          const upto = Math.min(range.length, got + step);
          buf.set(range.subarray(got, upto), got);
          got = upto;
          w.advance(buf, got);
        }
        expect(w.result(range.length)).toEqual(whole);
      }
    }
  });

  it('a decoy inside a packet can fool the guess, and the walk of the range before it catches that', () => {
    const b = readFileSync(files.decoy);
    const truth = new Set(pcapBoundaries(b));
    const plan = planRanges(files.decoy, 1024);
    const wrong = plan.ranges.findIndex((r) => !truth.has(r.start));
    expect(wrong).toBeGreaterThan(0);
    const before = plan.ranges[wrong - 1];
    expect(walkRange(b.subarray(before.start, before.end), before.end - before.start, 'pcap', true).exact).toBe(false);
  });
});
