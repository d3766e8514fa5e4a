/**
 * Topology parsers on random and mutated dumps (issue 8): loading any text gives a topology or a
 * TopologyError naming the file — never another exception — and a loaded topology answers lookups
 * for real packets without throwing.
 */
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../decoders/index.js';
import { loadTopology, TopologyError } from '../../src/topology/index.js';
import type { PacketView } from '../../src/packet.js';
import { projectRoot, samplesDir } from '../helpers/paths.js';
import { decodePacket } from '../helpers/decode.js';
import { packetsOf } from './inputs.js';

function filesBelow(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? filesBelow(p) : /\.(txt|json|xml)$/.test(e) ? [p] : [];
  });
}

const seeds = filesBelow(join(projectRoot, 'test', 'topology', 'fixtures')).map((f) => ({
  // keep the host folder's name: it can carry the compute's IP
  folder: basename(dirname(f)),
  name: basename(f),
  text: readFileSync(f, 'utf8'),
}));

const reg = createRegistry();
const views: PacketView[] = [...packetsOf(join(samplesDir, 'overlays.pcap'), 'overlays.pcap')].map((s) => decodePacket(s.bytes, reg, { linktype: s.linktype }));

const tmp = mkdtempSync(join(tmpdir(), 'peelcap-topo-fuzz-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let caseNo = 0;

/** Mutations at the text level: lines dropped or doubled, characters replaced, junk inserted, cut. */
const edit = fc.oneof(
  fc.record({ k: fc.constant('drop-line' as const), at: fc.nat() }),
  fc.record({ k: fc.constant('dup-line' as const), at: fc.nat() }),
  fc.record({ k: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ k: fc.constant('char' as const), at: fc.nat(), s: fc.constantFrom('{', '}', '"', ':', ',', '[', ']', '\n', ' ', '0', '-1', '99999999999999999999', 'x', '\t', '|', '/') }),
  fc.record({ k: fc.constant('insert' as const), at: fc.nat(), s: fc.string({ maxLength: 12 }) }),
);

function mutate(text: string, edits: { k: string; at: number; s?: string }[]): string {
  let t = text;
  for (const e of edits) {
    const lines = t.split('\n');
    const li = lines.length > 0 ? e.at % lines.length : 0;
    const ci = t.length > 0 ? e.at % t.length : 0;
    if (e.k === 'drop-line') lines.splice(li, 1);
    else if (e.k === 'dup-line') lines.splice(li, 0, lines[li] ?? '');
    if (e.k === 'drop-line' || e.k === 'dup-line') t = lines.join('\n');
    else if (e.k === 'cut') t = t.slice(0, ci);
    else if (e.k === 'char') t = t.slice(0, ci) + e.s + t.slice(ci + 1);
    else t = t.slice(0, ci) + e.s + t.slice(ci);
  }
  return t;
}

async function loadCase(folder: string, name: string, text: string): Promise<'loaded' | 'rejected'> {
  const dir = join(tmp, String(caseNo++), folder);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, text);
  let topo;
  try {
    topo = await loadTopology([file]);
  } catch (e) {
    if (!(e instanceof TopologyError)) throw e;
    expect(e.message).toContain(name);
    return 'rejected';
  }
  try {
    for (const p of views) for (let t = 0; t < p.tunnelCount; t++) topo.tunnelNames(p, t);
    topo.hostName('172.20.0.23');
    topo.applyTo(createRegistry());
  } finally {
    topo.close();
  }
  return 'loaded';
}

describe('topology parsers on hostile dumps', () => {
  it('has fixtures of every kind to mutate', () => {
    expect(seeds.length).toBeGreaterThan(10);
  });

  it('mutated dumps load or fail with a TopologyError naming the file (1 500 cases)', async () => {
    const outcomes = { loaded: 0, rejected: 0 };
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 5 }), async (i, edits) => {
        const s = seeds[i];
        outcomes[await loadCase(s.folder, s.name, mutate(s.text, edits))]++;
      }),
      { numRuns: 1_500 },
    );
    // both outcomes occur: the mutations reach the parsers' error paths and their happy paths
    expect(outcomes.loaded).toBeGreaterThan(0);
    expect(outcomes.rejected).toBeGreaterThan(0);
  });

  it('random text loads (as nothing known) or fails cleanly (500 cases)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), async (text) => {
        await loadCase('host', 'dump.txt', text);
      }),
      { numRuns: 500 },
    );
  });
});
