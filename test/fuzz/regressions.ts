/**
 * The regression folder: inputs that once broke a fuzz target, saved by the campaign, replayed by
 * the tests. File name = `<target>-<linktype or 0>-<sha1 prefix>.bin` (filter inputs: `.txt`).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../helpers/paths.js';

export const regressionDir = join(projectRoot, 'test', 'fuzz', 'regressions');

export type Target = 'decode' | 'reader' | 'filter';

export interface Regression {
  file: string;
  target: Target;
  linktype: number;
  bytes: Uint8Array;
}

export function saveRegression(target: Target, linktype: number, bytes: Uint8Array): string {
  mkdirSync(regressionDir, { recursive: true });
  const id = createHash('sha1').update(bytes).digest('hex').slice(0, 12);
  const file = join(regressionDir, `${target}-${linktype}-${id}.${target === 'filter' ? 'txt' : 'bin'}`);
  writeFileSync(file, bytes);
  return file;
}

export function loadRegressions(): Regression[] {
  if (!existsSync(regressionDir)) return [];
  return readdirSync(regressionDir)
    .map((f) => /^(decode|reader|filter)-(\d+)-[0-9a-f]+\.(bin|txt)$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({
      file: m[0],
      target: m[1] as Target,
      linktype: Number(m[2]),
      bytes: new Uint8Array(readFileSync(join(regressionDir, m[0]))),
    }));
}
