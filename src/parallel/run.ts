/**
 * `--jobs N` for a capture file: cut it into ranges at record boundaries (split.ts), run the normal
 * pipeline on each range (range-runner.ts) on this thread and N - 1 worker threads, and write the
 * ranges' outputs in file order, so the result is the same as with one thread. A bounded window of
 * ranges is in flight, so memory stays flat whatever the file size. Stats are merged from per-runner
 * counters; strip output keeps the pcap link type the first written packet chose.
 */
import { once } from 'node:events';
import { createWriteStream, statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { CliOptions } from '../cli/args.js';
import { buildSink, readFailure, type CliIo } from '../cli/run.js';
import { CaptureError } from '../capture/record.js';
import { StatsSink } from '../output/stats.js';
import type { Registry } from '../registry.js';
import type { Topology } from '../topology/index.js';
import type { StatsSnapshot } from '../output/stats.js';
import type { CompiledFilter } from '../filter/index.js';
import type { DoneMessage, FromWorker, RangeJob, ToWorker, WorkerSetup } from './protocol.js';
import { RangeRunner } from './range-runner.js';
import { planRanges, RANGE_BYTES, type SplitPlan } from './split.js';

export interface ParallelContext {
  reg: Registry;
  topology: Topology | undefined;
  filter: CompiledFilter | undefined;
  warn: (m: string) => void;
}

/** Ranges decoded ahead of the one being written, per worker: bounds the output held in memory. */
const AHEAD_PER_WORKER = 4;
/**
 * Ranges queued in a worker at once: enough to keep it busy while this thread, which runs ranges
 * too, is inside one of its own (new ranges are sent between them).
 */
const QUEUED_PER_WORKER = 3;
const PCAP_HEADER = 24;
/**
 * Capture bytes per thread beyond the first: a thread costs about 0.3 s of CPU to boot its V8 isolate
 * and compile the decoders again, and pays that back only past about 1 GB on the bench corpora (two
 * cores: 444 MB ran 15-21% slower with --jobs 2, 4.4 GB 16-35% faster). PEELCAP_THREAD_BYTES overrides it.
 */
const THREAD_BYTES = 1 << 30;
/**
 * The coordinator's own runner waits for a worker's range count only inside a damaged range (a
 * message naming a record number), and gives up after this long rather than hang on a dead worker.
 */
const LOCAL_MAX_WAIT_MS = 60_000;

/**
 * Why `--jobs` cannot apply to this command line, or undefined when it can. These cases run on
 * one thread (after a note), as their output depends on every packet before them.
 */
export function whyNotParallel(o: CliOptions): string | undefined {
  if (o.iface !== undefined) return 'a live capture is read by one thread';
  if (o.input === undefined || o.input === '-') return 'stdin is read by one thread (give a file to split it)';
  if (o.count !== undefined) return '-c needs the packets in order: reading with one thread';
  if (o.command === 'strip' && o.format === 'pcapng') return 'strip to pcapng is written by one thread';
  if ((o.command === 'read' || o.command === 'live') && (o.time === 'delta' || o.time === 'since-first')) {
    return 'relative timestamps need every earlier packet: reading with one thread';
  }
  return undefined;
}

/**
 * Run the command over the file with `o.jobs` workers. Resolves with the exit code, or undefined when
 * the file should be read by one thread after all (not splittable, too small, unreadable: the
 * sequential path then reports any error exactly as usual).
 */
export async function runParallel(o: CliOptions, io: CliIo, ctx: ParallelContext): Promise<number | undefined> {
  const why = whyNotParallel(o);
  if (why !== undefined) {
    ctx.warn(`--jobs ignored: ${why}`);
    return undefined;
  }
  let size: number;
  try {
    size = statSync(o.input!).size;
  } catch {
    return undefined;
  }
  const perThread = envBytes('PEELCAP_THREAD_BYTES', 1, THREAD_BYTES);
  const threads = Math.min(o.jobs, 1 + Math.floor(size / perThread));
  if (threads < o.jobs) {
    const mib = (n: number): string => `${Math.round(n / 2 ** 20)} MiB`;
    ctx.warn(
      `--jobs ${o.jobs}: ${threads === 1 ? 'one thread' : `${threads} threads`} for this ${mib(size)} capture (a thread beyond the first pays for its start-up from about ${mib(perThread)} of capture)`,
    );
  }
  if (threads < 2) return undefined;
  let plan: SplitPlan;
  try {
    plan = planRanges(o.input!, envBytes('PEELCAP_RANGE_BYTES', 1024, RANGE_BYTES));
  } catch {
    return undefined;
  }
  if (plan.ranges.length < 2) return undefined;
  return new Coordinator({ ...o, jobs: threads }, io, ctx, plan).run();
}

/** A size from the environment (tests split small files over threads, tuning), else `fallback`. */
function envBytes(name: string, min: number, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v >= min ? v : fallback;
}

/**
 * Which warnings are the same for --jobs: every range parses the file header (same warning each
 * time), and a reader's "further ones not reported" warning comes once per range.
 */
export function warningKey(m: string): string {
  return m.includes('further ones not reported') && !m.includes('0x') ? m.replace(/\d+/g, '#') : m;
}

/** Sum the leading counts of messages that differ only in them ("12 packets skipped: …"). */
export function mergeCountedWarnings(messages: string[]): string[] {
  const sums = new Map<string, number>();
  const out: string[] = [];
  for (const m of messages) {
    const x = /^(\d+) (.*)$/s.exec(m);
    if (!x) {
      if (!out.includes(m)) out.push(m);
      continue;
    }
    const rest = x[2];
    if (!sums.has(rest)) out.push(rest);
    sums.set(rest, (sums.get(rest) ?? 0) + Number(x[1]));
  }
  return out.map((m) => (sums.has(m) ? `${sums.get(m)} ${m}` : m));
}

/** What the coordinator sends ranges to: a worker thread, or the runner on its own thread. */
interface RangeThread {
  postMessage(m: ToWorker): void;
  terminate(): Promise<unknown>;
}

/**
 * The coordinator's own share of the ranges: a RangeRunner on this thread, fed like a worker. This
 * thread would otherwise only wait for messages; a range here also costs no extra V8 isolate to boot
 * and warm up, which on a small file is most of what a worker costs.
 */
class LocalThread implements RangeThread {
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly runner: RangeRunner,
    private readonly deliver: (m: FromWorker) => void,
  ) {}

  postMessage(m: ToWorker): void {
    this.queue = this.queue.then(async () => {
      // one range per event-loop turn: worker messages and output writes are handled in between
      await new Promise((resolve) => setImmediate(resolve));
      // never block this thread on a worker's count: poll, handling messages meanwhile
      while (!this.stopped && m.type === 'range' && !this.runner.ready(m)) await new Promise((resolve) => setTimeout(resolve, 1));
      if (this.stopped) return;
      const reply: FromWorker = m.type === 'stats' ? { type: 'stats', stats: this.runner.statsSnapshot() } : await this.runner.run(m);
      if (!this.stopped) this.deliver(reply);
    });
  }

  terminate(): Promise<void> {
    this.stopped = true;
    return Promise.resolve();
  }
}

class Coordinator {
  private readonly ranges;
  private readonly workers: RangeThread[] = [];
  /** Ranges sent to each worker and not done yet, oldest first. */
  private readonly inFlight: number[][] = [];
  /** Packets per range, -1 until its runner has walked it; shared with every runner (WorkerSetup.counts). */
  private readonly counts: Int32Array;
  private readonly results: (DoneMessage | undefined)[] = [];
  /** First range whose start-of-next-range proof failed: it and all later ranges run as one. */
  private failAt = Infinity;
  private fallbackSent = false;
  private nextDispatch = 0;
  private nextWrite = 0;
  private readonly rerun: number[] = [];
  private finished = false;
  private writing = false;
  private resolve!: (code: number | undefined) => void;
  private reject!: (e: unknown) => void;
  /** stats: the merged counters print through a normal StatsSink. */
  private readonly statsSink: StatsSink | undefined;
  private readonly out: NodeJS.WritableStream | undefined;
  private readonly stripWarnings: string[] = [];
  private linktype = -1;
  private headerWritten = false;
  private firstHeader: Uint8Array | undefined;
  private written = 0;
  /** stats: time of the first and last counted packet, from the ranges in order. */
  private first: [number, number] = [-1, 0];
  private last: [number, number] = [-1, 0];
  private readonly snapshots: StatsSnapshot[] = [];
  private readonly warned = new Set<string>();

  constructor(
    private readonly o: CliOptions,
    private readonly io: CliIo,
    private readonly ctx: ParallelContext,
    private readonly plan: SplitPlan,
  ) {
    this.ranges = plan.ranges;
    this.counts = new Int32Array(new SharedArrayBuffer(4 * plan.ranges.length)).fill(-1);
    if (o.command === 'stats') {
      this.statsSink = buildSink(o, io, ctx.reg, ctx.topology, ctx.warn, () => {}) as StatsSink;
    } else if (o.command === 'strip') {
      this.out = o.write === '-' ? io.stdout : createWriteStream(o.write!);
    } else {
      this.out = io.stdout;
    }
  }

  run(): Promise<number | undefined> {
    const setup: WorkerSetup = {
      options: this.o,
      path: this.o.input!,
      format: this.plan.format,
      littleEndian: this.plan.littleEndian,
      prefix: this.plan.prefix,
      counts: this.counts.buffer as SharedArrayBuffer,
    };
    const n = Math.min(this.o.jobs, this.ranges.length);
    const done = new Promise<number | undefined>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // worker.js beside this module: dist/src/parallel/worker.js for the library, and for the CLI
    // bundle dist/bin/worker.js, the bundled worker that scripts/bundle.mjs writes beside it
    const script = new URL('./worker.js', import.meta.url);
    // this thread runs ranges too: N jobs are N - 1 worker threads and this one
    const { reg, topology, filter } = this.ctx;
    this.workers.push(new LocalThread(new RangeRunner(setup, { reg, topology, filter }, LOCAL_MAX_WAIT_MS), (m) => this.onMessage(0, m)));
    this.inFlight.push([]);
    for (let i = 1; i < n; i++) {
      const w = new Worker(script, { workerData: setup });
      w.on('message', (m: FromWorker) => this.onMessage(i, m));
      w.on('error', (e) => this.fail(e));
      this.workers.push(w);
      this.inFlight.push([]);
    }
    for (let i = 0; i < n; i++) this.dispatch(i);
    return done.finally(() => Promise.all(this.workers.map((w) => w.terminate())));
  }

  private fail(e: unknown): void {
    if (this.finished) return;
    this.finished = true;
    this.reject(e);
  }

  private send(worker: number, m: ToWorker): void {
    this.workers[worker].postMessage(m);
  }

  /** Packets before range `id`, when every earlier range has been counted. */
  private baseOf(id: number): number {
    let sum = 0;
    for (let i = 0; i < id; i++) {
      const c = Atomics.load(this.counts, i);
      if (c < 0) return -1;
      sum += c;
    }
    return sum;
  }

  private dispatch(worker: number): void {
    if (this.finished || this.inFlight[worker].length >= QUEUED_PER_WORKER) return;
    let job: RangeJob | undefined;
    const link = this.o.command === 'strip' ? this.linktype : -1;
    if (this.rerun.length > 0) {
      const id = this.rerun.shift()!;
      job = { type: 'range', id, ...this.ranges[id], base: this.baseOf(id), linktype: link, stream: false };
    } else if (this.failAt !== Infinity) {
      // everything from the failed cut on is one range, run once all before it are written
      if (!this.fallbackSent && this.nextWrite === this.failAt) {
        this.fallbackSent = true;
        const id = this.failAt;
        job = { type: 'range', id, start: this.ranges[id].start, end: this.plan.size, base: this.baseOf(id), linktype: link, stream: true };
      }
    } else if (this.nextDispatch < this.ranges.length && this.nextDispatch - this.nextWrite < AHEAD_PER_WORKER * this.workers.length) {
      const id = this.nextDispatch++;
      // the worker sums the earlier ranges' counts itself, when it needs them
      job = { type: 'range', id, ...this.ranges[id], base: -1, linktype: link, stream: false };
    }
    if (!job) return;
    this.inFlight[worker].push(job.id);
    this.send(worker, job);
    // a second range waits in the worker's queue: no idle round trip between two ranges
    this.dispatch(worker);
  }

  private onMessage(worker: number, m: FromWorker): void {
    if (this.finished) return;
    if (m.type === 'stats') {
      this.snapshots.push(m.stats);
      if (this.snapshots.length === this.workers.length) void this.finishStats();
      return;
    }
    if (m.skipped) {
      // the range's end is no proven boundary (or it holds a new SHB/IDB)
      this.failAt = Math.min(this.failAt, m.id);
      if (this.statsSink) {
        // each worker's counters may already hold ranges past the cut: count on one thread instead
        this.finished = true;
        this.resolve(undefined);
        return;
      }
    }
    if (m.crash !== undefined) {
      this.fail(new Error(`--jobs worker failed: ${m.crash}`));
      return;
    }
    const q = this.inFlight[worker];
    q.splice(q.indexOf(m.id), 1);
    // results of ranges at or after a failed cut are replaced by the fallback run
    const isFallback = this.fallbackSent && m.id === this.failAt;
    if (!m.skipped && (m.id < this.failAt || isFallback)) this.results[m.id] = m;
    this.dispatchAll();
    void this.flush();
  }

  private dispatchAll(): void {
    for (let w = 0; w < this.workers.length; w++) this.dispatch(w);
  }

  /** Write finished ranges in file order. */
  private async flush(): Promise<void> {
    if (this.writing || this.finished) return;
    this.writing = true;
    try {
      for (;;) {
        const id = this.nextWrite;
        const r = this.results[id];
        if (!r) break;
        const fallback = id === this.failAt;
        if (!(await this.emit(r))) {
          // strip: the range chose another link type; run it again with the file's
          this.results[id] = undefined;
          this.rerun.push(id);
          this.dispatchAll();
          break;
        }
        this.results[id] = undefined;
        this.nextWrite++;
        if (r.error) {
          // like the sequential pipeline: stats print nothing for a damaged file
          if (!this.statsSink) await this.finishOutput();
          const e = new CaptureError(r.error.source, r.error.byteOffset, r.error.cause);
          throw readFailure(e, this.o.input!) ?? e;
        }
        if (fallback || this.nextWrite >= this.ranges.length) {
          if (this.statsSink) {
            // every range is counted: collect the workers' counters (finishStats ends the run)
            for (let w = 0; w < this.workers.length; w++) this.send(w, { type: 'stats' });
            return;
          }
          await this.finishOutput();
          this.finished = true;
          this.resolve(0);
          return;
        }
        this.dispatchAll();
      }
    } catch (e) {
      this.fail(e);
    } finally {
      this.writing = false;
    }
    if (!this.finished && this.results[this.nextWrite]) void this.flush();
  }

  /** Write one range's output; false when a strip range must be redone with the file's link type. */
  private async emit(r: DoneMessage): Promise<boolean> {
    if (this.statsSink) {
      if (r.first && r.first[0] >= 0 && this.first[0] < 0) this.first = r.first;
      if (r.last && r.last[0] >= 0) this.last = r.last;
      this.warnAll(r.warnings);
      return true;
    }
    let out = r.output ?? new Uint8Array(0);
    if (this.o.command === 'strip') {
      let bytes: Uint8Array = out;
      this.firstHeader ??= bytes.slice(0, PCAP_HEADER);
      if (!r.written) {
        bytes = new Uint8Array(0); // only the file header of a range that wrote nothing
      } else {
        const link = new DataView(bytes.buffer, bytes.byteOffset).getUint32(20, true);
        if (!this.headerWritten) {
          this.headerWritten = true;
          this.linktype = link;
        } else if (link !== this.linktype) {
          return false;
        } else {
          bytes = bytes.subarray(PCAP_HEADER);
        }
        this.written += r.written;
      }
      out = bytes;
      // "N packets skipped: …" comes from every range: summed at the end
      for (const w of r.warnings) {
        if (/^\d+ packets? skipped/.test(w)) this.stripWarnings.push(w);
        else this.warnAll([w]);
      }
    } else {
      this.warnAll(r.warnings);
    }
    if (out.length > 0 && !this.out!.write(out)) await once(this.out!, 'drain');
    return true;
  }

  private warnAll(messages: string[]): void {
    for (const m of messages) {
      const key = warningKey(m);
      if (this.warned.has(key)) continue;
      this.warned.add(key);
      this.ctx.warn(m);
    }
  }

  /** stats: merge the workers' counters (their ranges interleave: first/last come from the range order) and print. */
  private async finishStats(): Promise<void> {
    try {
      for (const s of this.snapshots) {
        s.first = this.first[0] >= 0 ? this.first : null;
        s.last = this.last[0] >= 0 ? this.last : null;
        this.statsSink!.stats.merge(s);
      }
      await this.statsSink!.end();
      this.finished = true;
      this.resolve(0);
    } catch (e) {
      this.fail(e);
    }
  }

  private async finishOutput(): Promise<void> {
    const out = this.out!;
    if (this.o.command === 'strip') {
      if (!this.headerWritten && this.firstHeader) out.write(this.firstHeader);
      for (const w of mergeCountedWarnings(this.stripWarnings)) this.ctx.warn(w);
    }
    if (this.o.command === 'strip' && this.o.write !== '-') {
      const closed = once(out, 'close');
      out.end();
      await closed;
      if (!this.o.quiet) this.io.stderr.write(`${this.written} packet${this.written === 1 ? '' : 's'} written to ${this.o.write}\n`);
    } else {
      await new Promise<void>((resolve) => out.write('', () => resolve()));
    }
  }
}
