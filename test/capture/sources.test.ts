/**
 * readCapture sources (path, bytes, Node Readable, stdin '-') give identical packets; limit,
 * AbortSignal and the sink's afterChunk backpressure are honoured.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { readCapture, type CaptureSource, type ReadOptions } from '../../src/capture/index.js';
import { corpus, describeWith, projectRoot } from '../helpers/env.js';
import { collector, parseInChunks, type ParseResult } from './corpus-files.js';

async function read(source: CaptureSource, opts: ReadOptions = {}): Promise<ParseResult> {
  const c = collector();
  const summary = await readCapture(source, c.sink, opts);
  return c.finish(undefined, summary);
}

const FILE = 'synthetic/multi_iface_encaps.pcapng';

describeWith({ corpus: true }, 'readCapture sources', () => {
  const path = corpus(FILE);
  const bytes = readFileSync(path);
  const ref = parseInChunks(bytes, bytes.length, path);

  it('a path, in small read chunks', async () => {
    const r = await read(path, { chunkSize: 100 });
    expect(r.hash).toBe(ref.hash);
    expect(r.summary).toMatchObject({ format: 'pcapng', packets: ref.packets.length, bytes: statSync(path).size, cutOff: false });
    expect(r.summary!.interfaces.length).toBe(ref.interfaces.length);
  });

  it('bytes in memory, whole and sliced', async () => {
    expect((await read(bytes, { name: path })).hash).toBe(ref.hash);
    expect((await read(new Uint8Array(bytes), { name: path, chunkSize: 13 })).hash).toBe(ref.hash);
  });

  it('a Node Readable: the stdout of `cat file`', async () => {
    const child = spawn('cat', [path]);
    const r = await read(child.stdout, { name: path });
    expect(r.hash).toBe(ref.hash);
  });

  it("stdin ('-') in a child process, written back to stdout ('-')", () => {
    const fixture = join(projectRoot, 'test/capture/fixtures/stdin-to-stdout.ts');
    const out = spawnSync(join(projectRoot, 'node_modules/.bin/vite-node'), [fixture, 'pcapng'], {
      input: bytes,
      cwd: projectRoot,
      maxBuffer: 64 << 20,
    });
    expect(out.status, String(out.stderr)).toBe(0);
    const back = parseInChunks(out.stdout, 4096, 'stdout');
    expect(back.error).toBeUndefined();
    const strip = (r: ParseResult) => r.packets.map((g) => ({ ...g, fileOffset: 0 }));
    expect(strip(back)).toEqual(strip(ref));
  });

  it('the name defaults to the path and appears in errors', async () => {
    await expect(read(corpus('libpcap/pcap-invalid-version-1.pcap'))).rejects.toThrow(
      `${corpus('libpcap/pcap-invalid-version-1.pcap')}: unsupported pcap version 1.4`,
    );
    await expect(read(Uint8Array.of(1, 2, 3, 4, 5))).rejects.toThrow(/^buffer: not a pcap or pcapng capture file \(magic 0x01020304\)/);
  });

  it('limit stops after N packets', async () => {
    for (const source of [path, bytes] as CaptureSource[]) {
      const r = await read(source, { limit: 3, chunkSize: 64 });
      expect(r.packets.map((g) => g.frame)).toEqual([1, 2, 3]);
      expect(r.summary!.packets).toBe(3);
      expect(r.packets).toEqual(ref.packets.slice(0, 3));
    }
  });

  it('an AbortSignal stops the read', async () => {
    const ac = new AbortController();
    let seen = 0;
    const p = readCapture(
      path,
      {
        onRecord: () => {
          if (++seen === 2) ac.abort(new Error('stop here'));
        },
      },
      { signal: ac.signal, chunkSize: 64 },
    );
    await expect(p).rejects.toThrow('stop here');
    expect(seen).toBeLessThan(ref.packets.length);
  });

  it('afterChunk backpressure: no record is delivered while its promise is pending', async () => {
    let pending = false;
    let chunks = 0;
    let records = 0;
    await readCapture(
      path,
      {
        onRecord: () => {
          expect(pending).toBe(false);
          records++;
        },
        afterChunk: () => {
          chunks++;
          pending = true;
          return new Promise<void>((resolve) =>
            setTimeout(() => {
              pending = false;
              resolve();
            }, 1),
          );
        },
      },
      { chunkSize: 256 },
    );
    expect(records).toBe(ref.packets.length);
    expect(chunks).toBe(Math.ceil(bytes.length / 256));
  });
});
