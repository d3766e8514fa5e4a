/**
 * Batches from a ByteBatch through LineOutput: every byte arrives in order whether the stream hands
 * written buffers back for reuse (a file stream) or keeps them (a PassThrough holds its chunks until
 * they are read, so those must never be reused).
 */
import { mkdtempSync, readFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type AddressInfo } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ByteBatch } from '../../src/output/byte-batch.js';
import { LineOutput } from '../../src/output/line-output.js';

/** Several MiB of distinct lines written as a sink does: lines, then a flush per "input chunk". */
async function writeLines(out: LineOutput): Promise<string> {
  const batch = new ByteBatch(out);
  let expected = '';
  for (let chunk = 0; chunk < 12; chunk++) {
    for (let i = 0; i < 20_000; i++) {
      const line = `chunk ${chunk} line ${i} ${'x'.repeat(i % 97)}`;
      batch.ascii(line);
      batch.endLine();
      expected += `${line}\n`;
    }
    batch.flush();
    await out.afterChunk();
    await new Promise((r) => setImmediate(r)); // let write callbacks run, as between reads
  }
  batch.flush();
  await out.end();
  return expected;
}

/** Where `got` first differs from `want` (-1: equal); cheap to report for megabytes of text. */
function firstDifference(got: string, want: string): number {
  const n = Math.min(got.length, want.length);
  for (let i = 0; i < n; i++) if (got.charCodeAt(i) !== want.charCodeAt(i)) return i;
  return got.length === want.length ? -1 : n;
}

describe('LineOutput with ByteBatch', () => {
  it('delivers every byte through a stream that keeps its chunks (PassThrough)', async () => {
    const pass = new PassThrough({ highWaterMark: 1 << 30 });
    const expected = await writeLines(new LineOutput(pass));
    pass.end();
    // read only now: had a batch buffer been reused after its write callback, this would differ
    const chunks: Buffer[] = [];
    for await (const c of pass) chunks.push(c as Buffer);
    expect(firstDifference(Buffer.concat(chunks).toString('latin1'), expected)).toBe(-1);
  });

  it('reuses batch buffers with a stream that says it copies what it takes (releasesChunks), and only then', async () => {
    for (const copies of [true, false]) {
      const seen = new Set<ArrayBuffer>();
      let text = '';
      const sink = Object.assign(
        new Writable({
          write(chunk: Buffer, _enc, cb) {
            seen.add(chunk.buffer as ArrayBuffer);
            text += chunk.toString('latin1'); // copied at once, as the --jobs collector does
            cb();
          },
        }),
        copies ? { releasesChunks: true } : {},
      );
      const expected = await writeLines(new LineOutput(sink));
      expect(firstDifference(text, expected)).toBe(-1);
      // a few buffers go round when they come back; a fresh one per batch (>= 12 flushes) when they do not
      if (copies) expect(seen.size).toBeLessThanOrEqual(5);
      else expect(seen.size).toBeGreaterThanOrEqual(12);
    }
  });

  it('delivers every byte through a TCP socket (a socket too hands written buffers back)', async () => {
    let received = '';
    const server = createServer((c) => c.on('data', (d: Buffer) => (received += d.toString('latin1'))));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = connect(port, '127.0.0.1');
    await new Promise((resolve) => client.once('connect', resolve));
    // which buffers LineOutput hands the socket: recognised as a socket, it gets a few, over and over
    const seen = new Set<ArrayBufferLike>();
    const write = client.write.bind(client) as (...a: unknown[]) => boolean;
    client.write = ((chunk: Uint8Array | string, ...rest: unknown[]) => {
      if (typeof chunk !== 'string') seen.add(chunk.buffer);
      return write(chunk, ...rest);
    }) as typeof client.write;
    const expected = await writeLines(new LineOutput(client));
    expect(seen.size).toBeLessThanOrEqual(5);
    await new Promise<void>((resolve) => client.end(resolve));
    while (received.length < expected.length) await new Promise((r) => setTimeout(r, 10));
    server.close();
    expect(firstDifference(received, expected)).toBe(-1);
  });

  it('delivers every byte through a file stream (whose written buffers are reused)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'peelcap-lines-')), 'out.txt');
    const stream = createWriteStream(file);
    const expected = await writeLines(new LineOutput(stream));
    await new Promise<void>((resolve, reject) => stream.end((e?: Error | null) => (e ? reject(e) : resolve())));
    expect(firstDifference(readFileSync(file, 'latin1'), expected)).toBe(-1);
  });
});
