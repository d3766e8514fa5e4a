/**
 * Batched binary output for the capture writers: little-endian fields and packet bytes are appended
 * to a 4 MiB buffer that goes to the destination in one write when full, so a capture of millions of
 * small packets costs a hundred writes, not millions.
 *
 * Batch buffers are reused once the destination is done with them: a fresh Buffer per batch
 * costs page faults and garbage collections. A file we open ourselves is written with `fs.write` on
 * its descriptor, one write in flight while the next batch fills, so the kernel's page-cache copy
 * runs on a thread-pool thread beside the decoding (measured on a 1 M-packet strip: no more CPU than
 * `fs.writeSync` from the main thread, and less than a write stream). stdout keeps its stream (a pipe
 * needs its backpressure); Node has written a chunk when the write callback runs, so its buffers are
 * reused too. A caller's stream may keep the chunks it is given (a collector, a PassThrough): it gets
 * a fresh buffer per batch.
 */
import { close as closeFd, openSync, write as writeFd } from 'node:fs';

/**
 * Default batch size. Each file write comes back through the event loop, and a full queue makes the
 * decoding wait for it: 4 MiB batches made a 1 M-packet strip ~20% faster than 1 MiB ones (measured).
 */
export const BATCH_BYTES = 4 << 20;

/** Batches queued for (or in) a file write before the output counts as congested: one in flight, one waiting. */
const MAX_QUEUED = 2;

/** Where a writer sends its bytes: a path ('-' = stdout) or an already-open stream. */
export type WriteTarget = NodeJS.WritableStream | string;

/** A filled batch on its way to the file. */
interface Pending {
  buf: Buffer;
  /** Bytes to write, and how many the kernel has taken so far (a FIFO may take less per call). */
  length: number;
  done: number;
}

export class BatchOutput {
  private buf: Buffer;
  /** DataView over `buf`: faster than Buffer.writeUInt32LE (no per-call range checks). */
  private dv: DataView;
  private pos = 0;
  /** Usable length of `buf`; 0 once closed or failed, so that `reserve` takes its slow path and throws. */
  private limit: number;
  /** File descriptor of a file we opened, or -1. */
  private fd = -1;
  /** File: batches not yet written, the first one being written. */
  private readonly queue: Pending[] = [];
  /** File: called once the queue has emptied (after close()). */
  private onIdle: (() => void) | undefined;
  /** The destination stream when there is no file. */
  private readonly out: NodeJS.WritableStream | undefined;
  /** Stream: whether a buffer may be reused once the write callback has run. */
  private readonly recycle: boolean;
  /** Batch buffers free for reuse. */
  private readonly spare: Buffer[] = [];
  private error: Error | undefined;
  private waiting = false;
  private drainWaiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private closed = false;

  constructor(target: WriteTarget, private readonly batchBytes = BATCH_BYTES) {
    if (typeof target === 'string' && target !== '-') {
      try {
        this.fd = openSync(target, 'w');
      } catch (e) {
        // reported by the first write, as a stream would (the caller learns of it while writing)
        this.error = e as Error;
      }
      this.recycle = false;
    } else {
      this.out = target === '-' ? process.stdout : target;
      // process.stdout (file, pipe or tty) keeps no reference to a chunk once its write callback ran
      this.recycle = this.out === process.stdout;
      this.out.on('error', this.onError);
      this.out.on('drain', this.onDrain);
    }
    this.buf = Buffer.allocUnsafe(batchBytes);
    this.dv = viewOf(this.buf);
    this.limit = this.error ? 0 : batchBytes;
  }

  /** True while the destination has more than it can take: await `drain()` before writing much more. */
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
    const at = this.pos;
    if (at + n > this.limit) return this.reserveSlow(n);
    this.pos = at + n;
    return at;
  }

  /** The batch is full (or we are closed or failed): flush, and grow for a record bigger than a batch. */
  private reserveSlow(n: number): number {
    if (this.error) throw this.error;
    if (this.closed) throw new Error('capture writer: write after close()');
    this.flush();
    if (n > this.buf.length) {
      // a one-off buffer for this record; the next flush goes back to batch-sized ones
      this.buf = Buffer.allocUnsafe(n);
      this.dv = viewOf(this.buf);
      this.limit = n;
    }
    this.pos = n;
    return 0;
  }

  /** The current batch buffer; valid for offsets returned by the last `reserve`. */
  get bytes(): Buffer {
    return this.buf;
  }

  /** DataView of the current batch buffer (same offsets as `bytes`). */
  get view(): DataView {
    return this.dv;
  }

  /** Hand the filled part of the batch to the destination and continue in a free buffer. */
  flush(): void {
    const n = this.pos;
    if (n === 0 || this.error) return;
    const full = this.buf;
    this.pos = 0;
    this.buf = this.spare.pop() ?? Buffer.allocUnsafe(this.batchBytes);
    this.dv = viewOf(this.buf);
    this.limit = this.closed ? 0 : this.batchBytes;
    if (this.fd >= 0) {
      this.queue.push({ buf: full, length: n, done: 0 });
      if (this.queue.length === 1) this.writeNext();
      if (this.queue.length >= MAX_QUEUED) this.waiting = true;
      return;
    }
    const chunk = full.subarray(0, n);
    const ok = this.recycle
      ? this.out!.write(chunk, (e?: Error | null) => {
          if (!e) this.release(full);
        })
      : this.out!.write(chunk);
    if (!ok) this.waiting = true;
  }

  /** Write the first queued batch; position null continues at the file offset (one write at a time keeps the order). */
  private writeNext(): void {
    const p = this.queue[0];
    writeFd(this.fd, p.buf, p.done, p.length - p.done, null, this.onWritten);
  }

  private readonly onWritten = (e: Error | null, written: number): void => {
    if (e) {
      this.queue.length = 0;
      this.fail(e);
      this.onIdle?.();
      return;
    }
    const p = this.queue[0];
    p.done += written;
    if (p.done < p.length) return this.writeNext();
    this.queue.shift();
    this.release(p.buf);
    if (this.queue.length > 0) this.writeNext();
    else this.onIdle?.();
    if (this.waiting && this.queue.length < MAX_QUEUED) this.releaseWaiters();
  };

  /** A batch buffer the destination is done with; a one-off oversized one is dropped. */
  private release(b: Buffer): void {
    if (b.length === this.batchBytes && this.spare.length < MAX_QUEUED) this.spare.push(b);
  }

  /** Flush, then close our own file or wait until a stream has taken the last bytes. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.limit = 0;
    if (this.out === undefined) return this.closeFile();
    this.flush();
    const out = this.out;
    return new Promise<void>((resolve, reject) => {
      if (this.error) return reject(this.error);
      const done = (e?: Error | null) => {
        out.removeListener('error', reject);
        this.detach();
        if (e || this.error) reject(e ?? this.error);
        else resolve();
      };
      out.once('error', reject);
      // An empty write's callback runs after every earlier write has been handed on.
      out.write(new Uint8Array(0), (e?: Error | null) => done(e));
    });
  }

  /** Write what is left, then close the descriptor; rejects with the first error. */
  private closeFile(): Promise<void> {
    this.flush();
    return new Promise<void>((resolve, reject) => {
      const finish = (): void => {
        this.onIdle = undefined;
        if (this.fd < 0) return this.error ? reject(this.error) : resolve();
        const fd = this.fd;
        this.fd = -1;
        closeFd(fd, (e) => {
          if (e) this.fail(e);
          if (this.error) reject(this.error);
          else resolve();
        });
      };
      if (this.queue.length === 0) finish();
      else this.onIdle = finish;
    });
  }

  private readonly onError = (e: Error): void => this.fail(e);
  private readonly onDrain = (): void => this.releaseWaiters();

  /** Leave a borrowed stream as we found it (no listeners piling up across writers). */
  private detach(): void {
    this.out!.removeListener('error', this.onError);
    this.out!.removeListener('drain', this.onDrain);
  }

  private releaseWaiters(): void {
    this.waiting = false;
    const ws = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of ws) w.resolve();
  }

  private fail(e: Error): void {
    if (!this.error) this.error = e;
    this.limit = 0;
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
