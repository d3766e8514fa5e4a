/**
 * Long fuzz campaign: `npm run fuzz -- --minutes N [--seed S]`. Runs the same targets as the test
 * suite with fresh random seeds until the time is up; every failing input is shrunk by fast-check,
 * saved to test/fuzz/regressions/ (replayed by the tests from then on) and reported.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { corpusDir, samplesDir } from '../helpers/paths.js';
import { captureFiles, mutated, packetsOf, type SeedPacket } from './inputs.js';
import { saveRegression } from './regressions.js';
import { decodeCase, filterCase, LINKTYPES, readerCase } from './targets.js';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '5' }, seed: { type: 'string' } } });
const minutes = Number(values.minutes);
if (!(minutes > 0)) {
  console.error('usage: npm run fuzz -- --minutes N [--seed S]');
  process.exit(2);
}
const deadline = Date.now() + minutes * 60_000;
let seed = values.seed !== undefined ? Number(values.seed) : Date.now() % 2 ** 31;

const seeds: SeedPacket[] = [
  ...packetsOf(join(samplesDir, 'overlays.pcap')),
  ...packetsOf(join(samplesDir, 'multi-iface.pcapng')),
];
try {
  for (const f of captureFiles(corpusDir)) seeds.push(...packetsOf(f, f, 50));
} catch {
  console.error(`(no corpus at ${corpusDir}: fuzzing from the samples only)`);
}
const files = [join(samplesDir, 'overlays.pcap'), join(samplesDir, 'multi-iface.pcapng')].map((f) => new Uint8Array(readFileSync(f)));

const input = fc.oneof(
  fc.tuple(fc.constantFrom(...LINKTYPES), fc.uint8Array({ maxLength: 300 })).map(([lt, b]) => ({ t: 'decode' as const, lt, b })),
  fc.integer({ min: 0, max: seeds.length - 1 }).chain((i) => mutated(seeds[i].bytes).map((b) => ({ t: 'decode' as const, lt: seeds[i].linktype, b }))),
  fc.integer({ min: 0, max: files.length - 1 }).chain((i) => mutated(files[i]).map((b) => ({ t: 'reader' as const, lt: 0, b }))),
  fc.string({ maxLength: 60 }).map((s) => ({ t: 'filter' as const, lt: 0, b: new TextEncoder().encode(s) })),
);
const prop = fc.property(input, ({ t, lt, b }) => {
  if (t === 'decode') decodeCase(b, lt);
  else if (t === 'reader') readerCase(b, 61);
  else filterCase(new TextDecoder().decode(b));
});

let runs = 0;
let failures = 0;
while (Date.now() < deadline) {
  const r = fc.check(prop, { numRuns: 20_000, seed });
  runs += r.numRuns;
  if (r.failed && r.counterexample) {
    failures++;
    const [{ t, lt, b }] = r.counterexample;
    const file = saveRegression(t, lt, b);
    console.error(`FAIL (${t}, seed ${seed}): ${String(r.errorInstance)}\n  saved ${file}`);
  }
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  process.stderr.write(`\r${runs} cases, ${failures} failures, ${Math.max(0, Math.round((deadline - Date.now()) / 1000))} s left `);
}
console.error(`\ndone: ${runs} cases, ${failures} failing inputs saved`);
process.exit(failures > 0 ? 1 : 0);
