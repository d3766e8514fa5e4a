/**
 * readCapture: drive a CaptureParser from a path, stdin, bytes or a readable stream, honouring the
 * sink's backpressure (afterChunk), a packet limit and an AbortSignal.
 */
import { createReadStream } from 'node:fs';
import { CaptureParser, type ReadSummary } from './parser.js';
import type { RecordSink } from './record.js';

/** A path ('-' = stdin), the whole capture in memory, or a readable byte stream. */
export type CaptureSource = string | Uint8Array | NodeJS.ReadableStream;

export interface ReadOptions {
  /** Name used in errors and warnings; default: the path, 'stdin', 'buffer' or 'stream'. */
  name?: string;
  /** Stop after this many packets (>= 1). */
  limit?: number;
  /** Abort the read between chunks; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Bytes per chunk for files (read size) and in-memory input (slice size). Default 1 MiB. */
  chunkSize?: number;
}

const DEFAULT_CHUNK = 1 << 20;

/**
 * Read a capture and deliver its interfaces, packets and warnings to `sink`. Resolves with a
 * summary; rejects with CaptureError for a corrupt file (after delivering every packet before the
 * fault). A file cut off inside its last record only warns (summary.cutOff).
 *
 * `sink.onRecord` gets one reused record whose bytes are a view into the current chunk (copy with
 * `copyRecord` to keep one). `sink.afterChunk` is awaited after every chunk (backpressure). A
 * stream passed in is consumed; when reading stops early (limit, error, abort) it is destroyed.
 */
export async function readCapture(source: CaptureSource, sink: RecordSink, opts: ReadOptions = {}): Promise<ReadSummary> {
  const parser = new CaptureParser(sink, { name: opts.name ?? sourceName(source), limit: opts.limit });
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK;
  const signal = opts.signal;
  signal?.throwIfAborted();
  if (source instanceof Uint8Array) {
    for (let at = 0; at < source.length && !parser.done; at += chunkSize) {
      parser.push(source.subarray(at, Math.min(at + chunkSize, source.length)));
      await sink.afterChunk?.();
      signal?.throwIfAborted();
    }
    return parser.end();
  }
  const stream = openStream(source, chunkSize);
  try {
    for await (const chunk of stream as AsyncIterable<Uint8Array | string>) {
      if (typeof chunk === 'string') throw new TypeError(`${parser.name}: stream is in text mode (setEncoding); captures are binary`);
      parser.push(chunk);
      await sink.afterChunk?.();
      signal?.throwIfAborted();
      if (parser.done) break;
    }
  } finally {
    // A stream we opened is ours to release (breaking out of for-await already destroys it).
    if (typeof source === 'string' && source !== '-') (stream as NodeJS.ReadableStream & { destroy(): void }).destroy();
  }
  return parser.end();
}

function openStream(source: string | NodeJS.ReadableStream, chunkSize: number): NodeJS.ReadableStream {
  if (typeof source !== 'string') return source;
  if (source === '-') return process.stdin;
  return createReadStream(source, { highWaterMark: chunkSize });
}

function sourceName(source: CaptureSource): string {
  if (typeof source === 'string') return source === '-' ? 'stdin' : source;
  return source instanceof Uint8Array ? 'buffer' : 'stream';
}
