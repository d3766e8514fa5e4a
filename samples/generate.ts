/**
 * Writes the bundled sample captures (samples/*.pcap, *.pcapng) from the scenario table in
 * samples/scenarios.ts with the project's own writers. Deterministic: no randomness, fixed
 * timestamps, so regenerating gives byte-identical files.
 *
 *   npm run samples                 # into samples/ of the project
 *   node dist/samples/generate.js --out DIR
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createWriter } from '../src/capture/index.js';
import { parseTime, SAMPLE_FILES, type SampleFile, type SamplePacket } from './scenarios.js';

const LINKTYPE_ETHERNET = 1;
const SNAPLEN = 262144;

/** samples/ of the project this module belongs to (works from samples/ and from dist/samples/). */
export function defaultSamplesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the project root (package.json) above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return join(dir, 'samples');
}

/** The packets of one sample file, in the order they are written. */
export function filePackets(f: SampleFile): SamplePacket[] {
  return f.scenarios.flatMap((s) => s.packets()).sort((a, b) => {
    const x = parseTime(a.time);
    const y = parseTime(b.time);
    return x.sec - y.sec || x.nsec - y.nsec;
  });
}

async function writeFile(f: SampleFile, outDir: string): Promise<string> {
  const path = join(outDir, f.file);
  const w = createWriter(f.format, path);
  const ifaceIndex = new Map<string, number>();
  for (const i of f.interfaces ?? [{ name: '', description: '', linktype: LINKTYPE_ETHERNET }]) {
    ifaceIndex.set(i.name, w.addInterface({ linktype: i.linktype, snaplen: SNAPLEN, name: i.name || undefined, description: i.description || undefined }));
  }
  for (const p of filePackets(f)) {
    const iface = ifaceIndex.get(p.iface ?? '');
    if (iface === undefined) throw new Error(`${f.file}: packet at ${p.time} names unknown interface '${p.iface}'`);
    const { sec, nsec } = parseTime(p.time);
    w.writePacket(iface, p.data, 0, p.data.length, p.data.length, sec, nsec, p.comment);
    if (w.congested) await w.drain();
  }
  await w.close();
  return path;
}

/** Write every sample file into `outDir` (created if missing); returns the paths written. */
export async function generateSamples(outDir: string = defaultSamplesDir()): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const f of SAMPLE_FILES) written.push(await writeFile(f, outDir));
  return written;
}

async function main(argv: string[]): Promise<void> {
  const i = argv.indexOf('--out');
  if (i >= 0 && !argv[i + 1]) throw new Error('--out needs a directory');
  const out = i >= 0 ? resolve(argv[i + 1]) : defaultSamplesDir();
  for (const p of await generateSamples(out)) process.stdout.write(`wrote ${p}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`samples: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
