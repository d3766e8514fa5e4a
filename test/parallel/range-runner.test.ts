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

/** Run every planned range through one runner, in the given order; outputs joined in file order. */
async function runRanges(argv: string[], order: (n: number) => number[]): Promise<{ text: string; done: DoneMessage[]; counts: Int32Array }> {
  const options = parseCommandLine(argv);
  const plan = planRanges(file, 32 << 10);
  const counts = new SharedArrayBuffer(4 * plan.ranges.length);
  new Int32Array(counts).fill(-1);
  const setup: WorkerSetup = { options, path: file, format: plan.format, littleEndian: plan.littleEndian, prefix: plan.prefix, counts };
  const reg = buildRegistry(options);
  const runner = new RangeRunner(setup, { reg, topology: undefined, filter: buildFilter(options, undefined) });
  const done: DoneMessage[] = [];
  for (const id of order(plan.ranges.length)) done[id] = await runner.run({ type: 'range', id, ...plan.ranges[id], base: -1, linktype: -1, stream: false });
  const text = done.map((d) => Buffer.from(d.output ?? new Uint8Array(0)).toString('utf8')).join('');
  return { text, done, counts: new Int32Array(counts) };
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

  it('stats: the runner keeps one set of counters over all its ranges', async () => {
    const options = parseCommandLine(['stats', file]);
    const plan = planRanges(file, 32 << 10);
    const counts = new SharedArrayBuffer(4 * plan.ranges.length);
    new Int32Array(counts).fill(-1);
    const runner = new RangeRunner(
      { options, path: file, format: plan.format, littleEndian: plan.littleEndian, prefix: plan.prefix, counts },
      { reg: buildRegistry(options), topology: undefined, filter: undefined },
    );
    for (const id of reversed(plan.ranges.length)) await runner.run({ type: 'range', id, ...plan.ranges[id], base: -1, linktype: -1, stream: false });
    expect(runner.statsSnapshot().packets).toBe(2000);
  });
});
