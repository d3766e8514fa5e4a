/**
 * RangeRunner, the range decoder every `--jobs` thread runs: fed the planned ranges of a capture in
 * any order, its outputs put back in file order are the sequential CLI's output.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTemplates, writeCorpus } from '../../bench/generate.js';
import { parseCommandLine } from '../../src/cli/args.js';
import { buildFilter, buildRegistry } from '../../src/cli/run.js';
import type { DoneMessage, WorkerSetup } from '../../src/parallel/protocol.js';
import { RangeRunner } from '../../src/parallel/range-runner.js';
import { planRanges } from '../../src/parallel/split.js';
import { ensureBuilt, peelcap } from '../cli/run-cli.js';

let dir: string;
let file: string;

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'peelcap-runner-'));
  file = join(dir, 'mix.pcap');
  await writeCorpus(file, 'pcap', 2000, buildTemplates(256));
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A runner over `path` (ranges of 32 KiB) for a command line, with a fresh shared count array. */
function runnerFor(argv: string[], path = file, maxWaitMs?: number) {
  const options = parseCommandLine(argv);
  const plan = planRanges(path, 32 << 10);
  const shared = new SharedArrayBuffer(4 * plan.ranges.length);
  const counts = new Int32Array(shared).fill(-1);
  const setup: WorkerSetup = { options, path, format: plan.format, littleEndian: plan.littleEndian, prefix: plan.prefix, counts: shared };
  const runner = new RangeRunner(setup, { reg: buildRegistry(options), topology: undefined, filter: buildFilter(options, undefined) }, maxWaitMs);
  const job = (id: number) => ({ type: 'range' as const, id, ...plan.ranges[id], base: -1, linktype: -1, stream: false });
  return { runner, plan, counts, job };
}

/** Run every planned range through one runner, in the given order; outputs joined in file order. */
async function runRanges(argv: string[], order: (n: number) => number[]): Promise<{ text: string; done: DoneMessage[]; counts: Int32Array }> {
  const { runner, plan, counts, job } = runnerFor(argv);
  const done: DoneMessage[] = [];
  for (const id of order(plan.ranges.length)) done[id] = await runner.run(job(id));
  const text = done.map((d) => Buffer.from(d.output ?? new Uint8Array(0)).toString('utf8')).join('');
  return { text, done, counts };
}

const reversed = (n: number) => Array.from({ length: n }, (_, i) => n - 1 - i);
const inOrder = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('RangeRunner', () => {
  it('text needs no frame numbers: ranges decode last to first, before any earlier range is counted', async () => {
    const r = await runRanges(['read', file, 'geneve or mpls'], reversed);
    expect(r.done.length).toBeGreaterThan(10);
    for (const d of r.done) {
      expect(d.crash).toBeUndefined();
      expect(d.skipped).toBeUndefined();
    }
    expect(r.text).toBe(peelcap(['read', file, 'geneve or mpls']).stdout);
    // every range published its packet count as it went
    expect([...r.counts].reduce((a, b) => a + b, 0)).toBe(2000);
    expect(r.done.reduce((a, d) => a + d.read, 0)).toBe(2000);
  });

  it('JSON shows frame numbers: each range waits for the counts before it, and numbers like the whole file', async () => {
    const r = await runRanges(['json', file], inOrder);
    const lines = r.text.trim().split('\n');
    expect(lines).toHaveLength(2000);
    expect(lines.map((l) => JSON.parse(l).frame)).toEqual(Array.from({ length: 2000 }, (_, i) => i + 1));
    expect(r.text).toBe(peelcap(['json', file]).stdout);
  });

  it('ready(): a JSON range can start once every earlier range is counted; a text range at once', () => {
    const json = runnerFor(['json', file]);
    expect(json.runner.ready(json.job(0))).toBe(true);
    expect(json.runner.ready(json.job(3))).toBe(false);
    json.counts.set([10, 20], 0);
    expect(json.runner.ready(json.job(3))).toBe(false);
    json.counts[2] = 5;
    expect(json.runner.ready(json.job(3))).toBe(true);
    const text = runnerFor(['read', file]);
    expect(text.runner.ready(text.job(3))).toBe(true);
  });

  it('a range waiting for a count nobody publishes gives up after maxWaitMs instead of hanging', async () => {
    const r = runnerFor(['json', file], file, 300);
    const done = await r.runner.run(r.job(5));
    expect(done.crash).toMatch(/no packet count for range 0 after 0.3 s: a --jobs thread stopped/);
    // its own count was published before it waited: the threads after it are not held up
    expect(r.counts[5]).toBeGreaterThan(0);
  });

  it('stats: the runner keeps one set of counters over all its ranges', async () => {
    const { runner, plan, job } = runnerFor(['stats', file]);
    for (const id of reversed(plan.ranges.length)) await runner.run(job(id));
    expect(runner.statsSnapshot().packets).toBe(2000);
  });
});
