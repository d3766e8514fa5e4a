/**
 * Every capture of ../shared/corpus (tcpdump's malformed and heap-overflow regression files and
 * libpcap's invalid files included) through every reading command of the built binary: no crash,
 * no stack trace, exit 0 — or exit 1 with one message naming the file, exactly where our reader
 * rejects the file structurally.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { CaptureError, CaptureParser } from '../../src/capture/index.js';
import { bin, ensureBuilt } from '../cli/run-cli.js';
import { corpusDir, describeWith } from '../helpers/env.js';
import { walkCaptures } from '../helpers/paths.js';

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  stdoutBytes: number;
}

function run(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, TZ: 'UTC' } });
    let stderr = '';
    let stdoutBytes = 0;
    child.stdout.on('data', (d: Buffer) => (stdoutBytes += d.length));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code, signal) => resolve({ code, signal, stderr, stdoutBytes }));
  });
}

/** Our reader's verdict on a file, in-process: undefined when it reads to the end. */
function readerRejection(file: string): CaptureError | undefined {
  const parser = new CaptureParser({ onRecord() {} }, { name: file });
  try {
    parser.push(readFileSync(file));
    parser.end();
    return undefined;
  } catch (e) {
    if (e instanceof CaptureError) return e;
    throw e;
  }
}

const COMMANDS: string[][] = [['read', '-v'], ['json', '-v'], ['stats'], ['strip', '-w', '-', '--format', 'pcapng'], ['stats', '--checksums']];

describeWith({ corpus: true }, 'corpus sweep through every command', () => {
  beforeAll(() => ensureBuilt());
  const files = walkCaptures(corpusDir);

  it('covers the whole corpus', () => {
    expect(files.length).toBeGreaterThan(150);
  });

  it('no command crashes or prints a stack trace on any corpus file', async () => {
    const jobs = files.flatMap((f) => COMMANDS.map((c) => ({ f, args: [...c, f] })));
    const verdicts = new Map(files.map((f) => [f, readerRejection(f)]));
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const { f, args } = jobs[next++];
        const r = await run(args);
        const rejected = verdicts.get(f);
        const what = `peelcap ${args.join(' ')}`;
        if (r.signal !== null) failures.push(`${what}: killed by ${r.signal}`);
        else if (/\n\s+at .+:\d+:\d+/.test(r.stderr)) failures.push(`${what}: stack trace\n${r.stderr}`);
        else if (rejected === undefined && r.code !== 0) failures.push(`${what}: exit ${r.code}\n${r.stderr}`);
        else if (rejected !== undefined) {
          if (r.code !== 1) failures.push(`${what}: rejected file gave exit ${r.code}`);
          if (!r.stderr.includes(basename(f)) || !r.stderr.includes(`offset ${rejected.byteOffset}`)) {
            failures.push(`${what}: error does not name the file and offset ${rejected.byteOffset}: ${r.stderr}`);
          }
        }
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    expect(failures).toEqual([]);
    // the sweep did meet files the reader rejects, and they were checked above
    expect([...verdicts.values()].filter(Boolean).length).toBeGreaterThan(3);
  }, 600_000);
});
