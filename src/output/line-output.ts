/**
 * Batched text output for the line sinks: lines are appended to one string that goes to the stream
 * in a single write once it passes BATCH_CHARS, so a million packets cost a few hundred writes. The
 * stream's backpressure is surfaced through `afterChunk()` (the reader awaits it before reading on),
 * and a closed reader on the other end (`peelcap … | head`) is a normal way to stop, not an error.
 */

import { WriteStream } from 'node:fs';

/** Flush threshold in UTF-16 units: large enough to amortise write calls. */
export const BATCH_CHARS = 1 << 16;

export class LineOutput {
  private pending = '';
  private waiting: Promise<void> | undefined;
  private release: (() => void) | undefined;
  private error: Error | undefined;
  /**
   * The stream is done with a chunk when its write callback runs: stdout (a file, pipe, socket or
   * terminal), sockets and file streams are, and any stream that says so (`releasesChunks: true`,
   * e.g. one that copies each chunk as it takes it). Transforms may still hold it.
   */
  private readonly releasesChunks: boolean;
  /** The reader of our output went away (EPIPE): stop producing, exit quietly. */
  broken = false;

  /**
   * @param out destination (process.stdout or any writable)
   * @param onBroken called once when the destination's reader has gone (EPIPE)
   */
  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly onBroken: () => void = () => {},
  ) {
    this.releasesChunks =
      out === process.stdout ||
      isSocket(out) ||
      out instanceof WriteStream ||
      (out as { releasesChunks?: unknown }).releasesChunks === true;
    out.on('error', (e: NodeJS.ErrnoException) => this.fail(e));
    out.on('drain', () => this.releaseWaiter());
  }

  write(s: string): void {
    this.pending += s;
    if (this.pending.length >= BATCH_CHARS) this.flush();
  }

  /**
   * Bytes that are already batched (ByteBatch): written as they are, after any pending text. The
   * stream keeps `b`; `done(b)` is called once the stream no longer needs it (so the buffer can be
   * reused), when the stream is known to let go of written chunks (not, e.g., a PassThrough).
   */
  writeBytes(b: Uint8Array, done?: (b: Uint8Array) => void): void {
    this.flush();
    if (this.broken) return;
    if (done === undefined || !this.releasesChunks) this.send(b);
    else this.send(b, (e) => e || done(b));
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const s = this.pending;
    this.pending = '';
    this.send(s);
  }

  private send(s: string | Uint8Array, cb?: (e?: Error | null) => void): void {
    if (this.broken) return;
    if (!this.out.write(s, cb) && !this.waiting) {
      this.waiting = new Promise<void>((resolve) => (this.release = resolve));
    }
  }

  /** A promise while the destination is congested (the reader waits for it), else undefined. */
  afterChunk(): Promise<void> | undefined {
    this.flush();
    if (this.error) return Promise.reject(this.error);
    return this.waiting;
  }

  /** Write what is left and wait until the stream has taken it. */
  end(): Promise<void> {
    this.flush();
    if (this.broken) return Promise.resolve();
    if (this.error) return Promise.reject(this.error);
    return new Promise<void>((resolve, reject) => {
      this.out.write('', (e?: Error | null) => {
        if (e && !this.broken) reject(e);
        else resolve();
      });
    });
  }

  private releaseWaiter(): void {
    const r = this.release;
    this.waiting = undefined;
    this.release = undefined;
    r?.();
  }

  private fail(e: NodeJS.ErrnoException): void {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') {
      if (!this.broken) {
        this.broken = true;
        this.releaseWaiter();
        this.onBroken();
      }
      return;
    }
    this.error ??= e;
    this.releaseWaiter();
  }
}

/**
 * A net.Socket (pipe, TCP or terminal stream), told by a method of its own: importing node:net for
 * an instanceof costs every command a few milliseconds of start-up when stdout is a file.
 */
function isSocket(out: object): boolean {
  return typeof (out as { setNoDelay?: unknown }).setNoDelay === 'function';
}
