/**
 * Run the BUILT peelcap binary as a user would (package.json "bin": the bundle made by
 * scripts/bundle.mjs), and read tshark's view of a capture as an independent oracle.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../helpers/env.js';
import { tsharkFields as tsharkRows } from '../helpers/tshark.js';

/** What `npm install` links as the peelcap command. */
export const bin = join(projectRoot, (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { bin: { peelcap: string } }).bin.peelcap);

function newestSource(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newestSource(p));
    else if (e.name.endsWith('.ts')) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

/**
 * Build (tsc, then the bundle) when the bin is missing or older than a source file or the bundle
 * script (`npm test` builds first anyway).
 */
export function ensureBuilt(): void {
  const built = existsSync(bin) ? statSync(bin).mtimeMs : 0;
  const bundler = join(projectRoot, 'scripts', 'bundle.mjs');
  const sources = Math.max(newestSource(join(projectRoot, 'src')), newestSource(join(projectRoot, 'decoders')), statSync(bundler).mtimeMs);
  if (built >= sources) return;
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: projectRoot, stdio: 'pipe' });
  } catch {
    // type errors elsewhere still emit JavaScript: bundle what was emitted
  }
  execFileSync(process.execPath, [bundler], { cwd: projectRoot, stdio: 'pipe' });
  if (!existsSync(bin)) throw new Error(`build failed: ${bin} missing`);
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run peelcap with `args`; stdin from `input`; TZ=UTC so wall-clock times are stable. */
export function peelcap(args: string[], input?: Uint8Array): CliResult {
  const r = spawnSync(process.execPath, [bin, ...args], {
    input,
    env: { ...process.env, TZ: 'UTC' },
    maxBuffer: 256 * 1024 * 1024,
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `peelcap json …` parsed. */
export function peelcapJson(args: string[]): Record<string, any>[] {
  const r = peelcap(['json', ...args]);
  if (r.code !== 0) throw new Error(`peelcap json ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/** tshark -T fields, one record per frame: field -> all occurrences (outermost first). */
export function tsharkFields(file: string, fields: string[], decodeAs: string[] = []): Record<string, string[]>[] {
  return tsharkRows(file, fields, { decodeAs }).map((row) => {
    const rec: Record<string, string[]> = {};
    for (const f of fields) rec[f] = row[f] ? row[f].split(',') : [];
    return rec;
  });
}
