/** Project and corpus locations, and a capture-file walker. Free of vitest so scripts can use it. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding package.json, whether this runs from test/ (vitest) or dist/test/ (scripts). */
function findRoot(from: string): string {
  for (let d = from; ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json'))) return d;
    if (dirname(d) === d) return from;
  }
}

export const projectRoot = findRoot(dirname(fileURLToPath(import.meta.url)));
export const corpusDir = join(projectRoot, '..', 'shared', 'corpus');
export const samplesDir = join(projectRoot, 'samples');

/** Every .pcap/.pcapng below `dir`, in a stable order. */
export function walkCaptures(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walkCaptures(p, out);
    else if (/\.(pcap|pcapng)$/.test(e)) out.push(p);
  }
  return out;
}
