/**
 * Batched binary output for the capture writers: little-endian fields and packet bytes are appended
 * to a ~1 MiB buffer that is handed to the destination stream in one `write` when full, so a capture
 * of millions of small packets costs a few hundred stream writes, not millions.
 */
import { createWriteStream } from 'node:fs';

/** Default batch size: large enough to amortise stream overhead, small enough to stay in cache. */
export const BATCH_BYTES = 1 << 20;

/** Where a writer sends its bytes: a path ('-' = stdout) or an already-open stream. */
export type WriteTarget = NodeJS.WritableStream | string;

export class BatchOutput {
  private buf: Buffer;
  /** DataView over `buf`: faster than Buffer.writeUInt32LE (no per-call range checks). */
  private dv: DataView;
  private pos = 0;
  private readonly out: NodeJS.WritableStream;
  /** We end (close) only a stream we opened ourselves: never stdout, never a caller's stream. */
  private readonly ownsStream: boolean;
  private error: Error | undefined;
  private waiting = false;
  private drainWaiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private closed = false;

  constructor(target: WriteTarget, private readonly batchBytes = BATCH_BYTES) {
    if (typeof target === 'string') {
      this.ownsStream = target !== '-';
      // room for a few batches: encoding goes on while the last one is written (16 KiB would stall on every batch)
      this.out = target === '-' ? process.stdout : createWriteStream(target, { highWaterMark: 4 * batchBytes });
    } else {
      this.ownsStream = false;
      this.out = target;
    }
    this.buf = Buffer.allocUnsafe(batchBytes);
    this.dv = viewOf(this.buf);
    this.out.on('error', this.onError);
    this.out.on('drain', this.onDrain);
  }

  /** True while the destination has refused more data (its buffer is above its highWaterMark). */
  get congested(): boolean {
    return this.waiting;
  }

  /** Resolves once the destination has drained (at once if it is not congested). */
  drain(): Promise<void> {
    if (this.error) return Promise.reject(this.error);
    if (!this.waiting) return Promise.resolve();
    return new Promise((resolve, reject) => this.drainWaiters.push({ resolve, reject }));
  }

  /** Make room for `n` contiguous bytes and return the offset to write them at. */
  reserve(n: number): number {
    if (this.error) throw this.error;
    if (this.closed) throw new Error('capture writer: write after close()');
    if (this.pos + n > this.buf.length) {
      this.flush();
      if (n > this.buf.length) {
        this.buf = Buffer.allocUnsafe(n);
        this.dv = viewOf(this.buf);
      }
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  /** The current batch buffer; valid for offsets returned by the last `reserve`. */
  get bytes(): Buffer {
    return this.buf;
  }

  /** DataView of the current batch buffer (same offsets as `bytes`). */
  get view(): DataView {
    return this.dv;
  }

  /** Hand the filled part of the batch to the stream; the stream keeps it, so start a fresh one. */
  flush(): void {
    if (this.pos === 0) return;
    const chunk = this.buf.subarray(0, this.pos);
    this.pos = 0;
    if (!this.closed) {
      this.buf = Buffer.allocUnsafe(this.batchBytes);
      this.dv = viewOf(this.buf);
    }
    if (!this.out.write(chunk)) this.waiting = true;
  }

  /** Flush, then end our own file or wait until a borrowed stream has taken the last bytes. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.flush();
    return new Promise<void>((resolve, reject) => {
      if (this.error) return reject(this.error);
      const done = (e?: Error | null) => {
        this.out.removeListener('error', reject);
        this.detach();
        if (e || this.error) reject(e ?? this.error);
        else resolve();
      };
      this.out.once('error', reject);
      if (this.ownsStream) {
        // 'close' (not 'finish') means the file descriptor is closed and the data is in the file.
        this.out.once('close', () => done());
        this.out.end();
      } else {
        // An empty write's callback runs after every earlier write has been handed on.
        this.out.write(new Uint8Array(0), (e?: Error | null) => done(e));
      }
    });
  }

  private readonly onError = (e: Error): void => this.fail(e);
  private readonly onDrain = (): void => this.releaseWaiters();

  /** Leave a borrowed stream as we found it (no listeners piling up across writers). */
  private detach(): void {
    this.out.removeListener('error', this.onError);
    this.out.removeListener('drain', this.onDrain);
  }

  private releaseWaiters(): void {
    this.waiting = false;
    const ws = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of ws) w.resolve();
  }

  private fail(e: Error): void {
    if (!this.error) this.error = e;
    const ws = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of ws) w.reject(e);
  }
}

function viewOf(b: Buffer): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** What both writers share: a BatchOutput and the PacketWriter flow-control methods over it. */
export abstract class BatchedWriter {
  protected readonly out: BatchOutput;

  constructor(target: WriteTarget) {
    this.out = new BatchOutput(target);
  }

  get congested(): boolean {
    return this.out.congested;
  }

  drain(): Promise<void> {
    return this.out.drain();
  }

  close(): Promise<void> {
    return this.out.close();
  }
}
