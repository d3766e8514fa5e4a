/**
 * Property-based robustness (issue 8): no input makes a decoder, the reader or the filter compiler
 * throw, loop or overflow. Together these run well over 100 000 generated cases.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Layer, Problem } from '../../src/layers.js';
import { corpusDir, hasCorpus, samplesDir } from '../helpers/env.js';
import { captureFiles, greBomb, mplsNoBottomBomb, mutated, packetsOf, vxlanBomb, type SeedPacket } from './inputs.js';
import { loadRegressions } from './regressions.js';
import { decodeCase, filterCase, lastView, LINKTYPES, readerCase, START_LAYERS } from './targets.js';

const samplePackets: SeedPacket[] = [
  ...packetsOf(join(samplesDir, 'overlays.pcap'), 'overlays.pcap'),
  ...packetsOf(join(samplesDir, 'multi-iface.pcapng'), 'multi-iface.pcapng'),
];
const corpusPackets: SeedPacket[] = hasCorpus
  ? captureFiles(corpusDir, 256 * 1024).flatMap((f) => packetsOf(f, f.slice(corpusDir.length + 1), 20))
  : [];

const bytes = (max: number) => fc.uint8Array({ minLength: 0, maxLength: max });

describe('decoders on hostile packets', () => {
  it('has sample packets to mutate', () => {
    expect(samplePackets.length).toBeGreaterThan(20);
  });

  it('random bytes under every link type (40 000 cases)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...LINKTYPES), bytes(200), (lt, b) => {
        decodeCase(b, lt);
      }),
      { numRuns: 40_000 },
    );
  });

  it('random bytes handed straight to every tunnel decoder (30 000 cases)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...START_LAYERS), bytes(160), (first, b) => {
        decodeCase(b, 1, first);
      }),
      { numRuns: 30_000 },
    );
  });

  it('mutations of sample and corpus packets: bytes, bits, lying lengths, cuts (25 000 cases)', () => {
    const seeds = [...samplePackets, ...corpusPackets];
    const arb = fc.integer({ min: 0, max: seeds.length - 1 }).chain((i) => mutated(seeds[i].bytes).map((b) => ({ s: seeds[i], b })));
    fc.assert(
      fc.property(arb, ({ s, b }) => {
        decodeCase(b, s.linktype);
      }),
      { numRuns: 25_000 },
    );
  });

  it('every prefix of every sample packet decodes to a prefix of the intact layers', () => {
    let cases = 0;
    for (const s of samplePackets) {
      const full = decodeCase(s.bytes, s.linktype);
      for (let n = 0; n < s.bytes.length; n++) {
        const got = decodeCase(s.bytes.subarray(0, n), s.linktype);
        cases++;
        // Every layer found in a truncated copy is the layer found at that position in the intact one.
        expect(got, `${s.name} cut at ${n}`).toEqual(full.slice(0, got.length));
        if (got.length < full.length) expect(lastView().problemCount, `${s.name} cut at ${n}: no problem reported`).toBeGreaterThan(0);
      }
    }
    expect(cases).toBeGreaterThan(1000);
  });

  it('VXLAN in VXLAN 1000 deep stops at the depth limit and says so', () => {
    const kinds = decodeCase(vxlanBomb(1000), 1);
    expect(kinds.length).toBe(16);
    const p = lastView();
    expect([...p.problemKind.subarray(0, p.problemCount)]).toContain(Problem.DepthLimit);
  });

  it('GRE in GRE 1000 deep stops at the depth limit', () => {
    const kinds = decodeCase(greBomb(1000), 1);
    expect(kinds.length).toBe(16);
    expect(kinds.filter((k) => k === Layer.Gre).length).toBeGreaterThan(3);
  });

  it('an MPLS stack of 10 000 labels without a bottom bit is bounded and reported', () => {
    decodeCase(mplsNoBottomBomb(10_000), 1);
    const p = lastView();
    expect(p.labelCount).toBeLessThanOrEqual(64);
    expect(p.problemCount).toBeGreaterThan(0);
  });

  it('zero-length and maximal-length records', () => {
    for (const lt of LINKTYPES) expect(decodeCase(new Uint8Array(0), lt)).toEqual([]);
    const big = new Uint8Array(262_144);
    big.set(vxlanBomb(3));
    const kinds = decodeCase(big, 1);
    expect(kinds).toContain(Layer.Vxlan);
  });
});

describe('capture reader on hostile files', () => {
  const files = [join(samplesDir, 'overlays.pcap'), join(samplesDir, 'multi-iface.pcapng')];
  const seeds = files.map((f) => new Uint8Array(readFileSync(f)));

  it('mutated sample files: only CaptureError, never a crash (3 000 cases)', () => {
    const arb = fc.integer({ min: 0, max: seeds.length - 1 }).chain((i) => mutated(seeds[i]));
    fc.assert(
      fc.property(arb, fc.constantFrom(1, 7, 64, 4096), (b, chunk) => {
        readerCase(b, chunk);
      }),
      { numRuns: 3_000 },
    );
  });

  it('random bytes behind valid pcap and pcapng magics (4 000 cases)', () => {
    const heads = seeds.map((s) => s.subarray(0, 32));
    fc.assert(
      fc.property(fc.constantFrom(...heads), bytes(400), (h, tail) => {
        const b = new Uint8Array(h.length + tail.length);
        b.set(h);
        b.set(tail, h.length);
        readerCase(b, 97);
      }),
      { numRuns: 4_000 },
    );
  });
});

describe('filter compiler on hostile text', () => {
  const tokens = ['vni', 'ip.src', 'inner.', 'outer.', 'tunnel[', ']', '0', '-1', '==', '!=', '<', 'in', '{', '}', '..', '(', ')', 'and', 'or', 'not', '!', '&&', '||', '"', 'x', '10.0.0.0/8', '::1', '02:00:00:00:00:01', '0x', '.', ' ', 'geneve', 'ovn.inport', 'mpls.label', 'contains'];
  it('token soup and random strings give a FilterError or a working predicate (8 000 cases)', () => {
    decodeCase(vxlanBomb(2), 1);
    fc.assert(
      fc.property(fc.oneof(fc.array(fc.constantFrom(...tokens), { maxLength: 12 }).map((t) => t.join('')), fc.string({ maxLength: 40 })), (text) => {
        filterCase(text);
      }),
      { numRuns: 8_000 },
    );
  });
});

const regressions = loadRegressions();
(regressions.length > 0 ? describe : describe.skip)('saved fuzz regressions', () => {
  for (const r of regressions) {
    it(`${r.file} no longer breaks its target`, () => {
      if (r.target === 'decode') decodeCase(r.bytes, r.linktype);
      else if (r.target === 'reader') readerCase(r.bytes);
      else filterCase(new TextDecoder().decode(r.bytes));
    });
  }
});
