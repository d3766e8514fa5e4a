/**
 * Test environment: where ../shared/corpus is, and which external tools are present.
 * On a developer machine a missing corpus or tool skips the tests that need it; under CI (CI=true)
 * nothing may skip, so a missing one fails loudly instead.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from 'vitest';
import { corpusDir } from './paths.js';

export { corpusDir, projectRoot, samplesDir } from './paths.js';
export const inCI = process.env.CI === 'true';

export const hasCorpus = existsSync(join(corpusDir, 'INDEX.md'));

function toolPresent(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const cache = new Map<string, boolean>();
export function hasTool(tool: string): boolean {
  let v = cache.get(tool);
  if (v === undefined) cache.set(tool, (v = toolPresent(tool)));
  return v;
}

/** describe() that needs ../shared/corpus and the named tools; skips (or, under CI, fails) without them. */
export function describeWith(needs: { corpus?: boolean; tools?: string[] }, name: string, fn: () => void): void {
  const missing: string[] = [];
  if (needs.corpus && !hasCorpus) missing.push(`corpus at ${corpusDir}`);
  for (const t of needs.tools ?? []) if (!hasTool(t)) missing.push(`tool '${t}'`);
  if (missing.length === 0) {
    describe(name, fn);
  } else if (inCI) {
    describe(name, () => {
      throw new Error(`CI=true but missing ${missing.join(', ')}: .ci/run must install it`);
    });
  } else {
    describe.skip(`${name} (missing ${missing.join(', ')})`, fn);
  }
}

/** Absolute path of a corpus file, e.g. corpus('tcpdump/vxlan.pcap'). */
export function corpus(rel: string): string {
  return join(corpusDir, rel);
}
