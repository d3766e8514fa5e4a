/**
 * Smoke test of the benchmark command: `--quick` must complete and write a results table with a row
 * for every task. No timing is asserted (the benchmark itself is the place for numbers).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../cli/run-cli.js';
import { projectRoot } from '../helpers/env.js';

const script = join(projectRoot, 'dist', 'bench', 'run.js');
let dir: string;

/** Compile when dist/bench is missing or older than bench/*.ts (type errors elsewhere still emit). */
function ensureBenchBuilt(): void {
  const sources = readdirSync(join(projectRoot, 'bench'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => statSync(join(projectRoot, 'bench', f)).mtimeMs);
  if (existsSync(script) && statSync(script).mtimeMs >= Math.max(...sources)) return;
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: projectRoot, stdio: 'pipe' });
  } catch {
    // a missing script fails below
  }
}

beforeAll(() => {
  ensureBuilt();
  ensureBenchBuilt();
  dir = mkdtempSync(join(tmpdir(), 'peelcap-bench-'));
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('npm run bench -- --quick', () => {
  it('runs every task and writes the results table', () => {
    const out = join(dir, 'RESULTS.md');
    const r = spawnSync(process.execPath, [script, '--quick', '--out', out], { cwd: projectRoot, encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(r.status, r.stderr).toBe(0);
    const md = readFileSync(out, 'utf8');
    expect(r.stdout).toBe(md);
    const rows = md.split('\n').filter((l) => l.startsWith('| '));
    const taskRows = (title: string) => rows.filter((l) => l.startsWith(`| ${title}`));
    for (const title of ['decode + count', 'inner filter', 'decapsulate to pcap', 'JSON lines', '--jobs 2', 'peak memory']) {
      expect(taskRows(title).length, title).toBeGreaterThan(0);
    }
    // each peelcap row names the command and a measured rate or the reason it failed
    for (const row of rows.filter((l) => l.includes('| peelcap |'))) {
      expect(row).toMatch(/\| \d+(\.\d+)? [Mk] \||FAILED/);
    }
    expect(md).toMatch(/## Targets/);
    expect(md).toMatch(/Node v\d+/);
    expect(md).toMatch(/CPUs \(nproc\)/);
  }, 300_000);
});
