/**
 * Chunk boundaries must not matter: every corpus and sample capture fed in chunks of 1, 7, 4096
 * bytes and 1 MiB yields the same packets (bytes + metadata hashed), warnings and errors.
 */
import { existsSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { corpus, corpusDir, describeWith, samplesDir } from '../helpers/env.js';
import { corpusCaptures, parseInChunks, walkCaptures } from './corpus-files.js';

const CHUNKS = [1, 7, 4096, 1 << 20];

function sameForEveryChunking(path: string, name: string): void {
  const bytes = readFileSync(path);
  const whole = parseInChunks(bytes, bytes.length || 1, name, false);
  for (const chunk of CHUNKS) {
    const r = parseInChunks(bytes, chunk, name, false);
    expect({ chunk, hash: r.hash, error: r.error?.message }).toEqual({ chunk, hash: whole.hash, error: whole.error?.message });
    expect(r.summary?.packets).toBe(whole.summary?.packets);
  }
}

describeWith({ corpus: true }, 'chunking invariance over the corpus', () => {
  for (const rel of corpusCaptures()) {
    it(rel, () => sameForEveryChunking(corpus(rel), rel));
  }
  it('covers a corpus of real size', () => {
    expect(corpusDir).toBeTruthy();
    expect(corpusCaptures().length).toBeGreaterThan(150);
  });
});

describeWith({}, 'chunking invariance over the generated samples', () => {
  const samples = existsSync(samplesDir) ? walkCaptures(samplesDir) : [];
  it.skipIf(samples.length === 0)('samples exist', () => expect(samples.length).toBeGreaterThan(0));
  for (const p of samples) it(p.slice(samplesDir.length), () => sameForEveryChunking(p, p));
});
