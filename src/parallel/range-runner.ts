/**
 * What a `--jobs` worker does with a byte range of the capture: runs reader -> peel -> filter -> sink
 * over it (parsed after the file's header bytes) and returns the range's output. The parser is moved
 * to the range's place in the file, so frame numbers, offsets, warnings and errors are those of the
 * whole file. Runs in each worker thread, and on the coordinator's own thread for one share.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { Writable } from 'node:stream';
import { CaptureParser } from '../capture/parser.js';
import { CaptureError, type CaptureRecord, type RecordSink } from '../capture/record.js';
import type { CliOptions } from '../cli/args.js';
import { buildFilter, buildRegistry, buildSink, buildTopology, type CliIo } from '../cli/run.js';
import type { CompiledFilter } from '../filter/index.js';
import type { PacketSink } from '../output/sink.js';
import type { StatsSink, StatsSnapshot } from '../output/stats.js';
import { StripSink } from '../output/strip.js';
import { PacketView } from '../packet.js';
import { peel } from '../peel.js';
import type { Registry } from '../registry.js';
import type { Topology } from '../topology/index.js';
import type { DoneMessage, RangeJob, WorkerSetup } from './protocol.js';
import { RangeWalker, readAt, type Walk } from './split.js';

/**
 * Collects everything a sink writes, in order, as bytes (text is UTF-8 encoded): copied at once into
 * one buffer reused from range to range, so the sink's own batch buffers are handed back for reuse.
 */
class Collector extends Writable {
  /** LineOutput may recycle a written batch once its write callback ran (the bytes are copied). */
  readonly releasesChunks = true;
  private buf = new Uint8Array(1 << 16);
  private bytes = 0;

  constructor() {
    super({ decodeStrings: false });
  }

  override _write(chunk: Uint8Array | string, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (this.bytes + b.length > this.buf.length) {
      const grown = new Uint8Array(Math.max(this.buf.length * 2, this.bytes + b.length));
      grown.set(this.buf.subarray(0, this.bytes));
      this.buf = grown;
    }
    this.buf.set(b, this.bytes);
    this.bytes += b.length;
    cb();
  }

  /** What was written since the last take, as one fresh (transferable) array. */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.bytes);
    this.bytes = 0;
    return out;
  }
}

/** Read size of a fallback range that runs to the end of the file. */
const PIECE = 8 << 20;
/** Read size while walking a range: well inside the L2 cache. */
const WALK_PIECE = 256 << 10;

/** What the runner decodes with: the CLI's registry (topology applied), topology and filter. */
export interface RunnerParts {
  reg: Registry;
  topology: Topology | undefined;
  filter: CompiledFilter | undefined;
}

export class RangeRunner {
  private readonly warnings: string[] = [];
  private readonly warn = (m: string): void => {
    this.warnings.push(m);
  };
  /** JSON lines and `frame.number` tests are the only things that show a packet's frame number. */
  private readonly framesShown: boolean;
  private readonly collector = new Collector();
  private readonly sinkOptions: CliOptions;
  private readonly io: CliIo;
  /** The range being read (grown to the largest range; a fallback range is read PIECE bytes at a time). */
  private buf = new Uint8Array(0);
  private readonly view = new PacketView();
  private readonly counts: Int32Array;
  /** Packets before range `summedTo`: ranges come in increasing order, so the sum only grows. */
  private summedTo = 0;
  private summed = 0;
  /** stats: one collector for every range of this runner (interning addresses once), read at the end. */
  private readonly statsSink: StatsSink | undefined;
  /** text and JSON: one sink whose lines are taken after each range (a strip range may choose its link type). */
  private readonly lineSink: PacketSink | undefined;

  /** A runner that builds its own registry, topology and filter from the options (a worker thread). */
  static async create(setup: WorkerSetup): Promise<RangeRunner> {
    const o = setup.options;
    const reg = buildRegistry(o);
    // the coordinator built the same topology first and reported its warnings
    const topology = await buildTopology(o, () => {});
    if (topology) topology.applyTo(reg);
    return new RangeRunner(setup, { reg, topology, filter: buildFilter(o, topology) });
  }

  /**
   * @param maxWaitMs how long to wait for another thread's range count before giving up (the
   *   coordinator's thread gives up, so a worker that died cannot hang it)
   */
  constructor(
    private readonly setup: WorkerSetup,
    private readonly parts: RunnerParts,
    private readonly maxWaitMs = Infinity,
  ) {
    const o = setup.options;
    this.framesShown = o.command === 'json' || (parts.filter?.fields.includes('frame.number') ?? false);
    // every strip range's sink listens on the collector: drop their listeners between ranges
    this.collector.setMaxListeners(0);
    // strip writes its pcap bytes to "stdout", which is the collector here
    this.sinkOptions = o.command === 'strip' ? { ...o, write: '-' } : o;
    this.io = { stdout: this.collector, stderr: this.collector };
    this.counts = new Int32Array(setup.counts);
    this.statsSink = o.command === 'stats' ? (this.newSink() as StatsSink) : undefined;
    this.lineSink = o.command === 'read' || o.command === 'json' ? this.newSink() : undefined;
  }

  /** The counters of every range run so far (stats). */
  statsSnapshot(): StatsSnapshot {
    return this.statsSink!.stats.snapshot();
  }

  /** Run one range; a failure other than a damaged capture comes back as `crash`. */
  async run(job: RangeJob): Promise<DoneMessage> {
    try {
      // the file is opened per range: a worker may be stopped between two ranges without leaking it
      const fd = openSync(this.setup.path, 'r');
      try {
        return await this.decodeRange(job, fd);
      } finally {
        closeSync(fd);
      }
    } catch (e) {
      const err = e as Error;
      return { type: 'done', id: job.id, read: 0, matched: 0, warnings: [], crash: `${err?.message ?? String(e)}\n${err?.stack ?? ''}` };
    }
  }

  private newSink(): PacketSink {
    return buildSink(this.sinkOptions, this.io, this.parts.reg, this.parts.topology, this.warn, () => {});
  }

  /**
   * Whether run(job) can start without waiting for another thread: true unless the range's frame
   * numbers show and an earlier range's count is not published yet. (The coordinator's thread,
   * which must keep handling messages, runs a range only once it is ready.)
   */
  ready(job: RangeJob): boolean {
    return job.stream || job.base >= 0 || !this.framesShown || this.knownBase(job.id) >= 0;
  }

  /** Packets before range `id` if every earlier range's count is published, else -1. */
  private knownBase(id: number): number {
    if (id < this.summedTo) {
      this.summedTo = 0;
      this.summed = 0;
    }
    for (; this.summedTo < id; this.summedTo++) {
      const c = Atomics.load(this.counts, this.summedTo);
      if (c < 0) return -1;
      this.summed += c;
    }
    return this.summed;
  }

  /** Packets before range `id`: waits for the earlier ranges' counts (each is published once its runner has walked it). */
  private baseOf(id: number): number {
    const deadline = Date.now() + this.maxWaitMs;
    for (;;) {
      const base = this.knownBase(id);
      if (base >= 0) return base;
      // a bounded wait, so that terminate() always gets a say
      Atomics.wait(this.counts, this.summedTo, -1, 100);
      if (Date.now() > deadline) throw new Error(`no packet count for range ${this.summedTo} after ${this.maxWaitMs / 1000} s: a --jobs thread stopped`);
    }
  }

  /**
   * Read a range into buf piece by piece, walking each piece while it is in the cache, and hand the
   * whole records walked so far to `decode` (buf offsets [from, to)) as they come.
   */
  private readAndWalk(fd: number, pos: number, n: number, decode?: (from: number, to: number) => void): { got: number; walk: Walk } {
    const buf = this.room(n);
    const walker = new RangeWalker(this.setup.format, this.setup.littleEndian);
    let got = 0;
    let fed = 0;
    while (got < n) {
      const k = readSync(fd, buf, got, Math.min(WALK_PIECE, n - got), pos + got);
      if (k === 0) break;
      got += k;
      walker.advance(buf, got);
      if (decode !== undefined && walker.walked > fed) {
        decode(fed, walker.walked);
        fed = walker.walked;
      }
    }
    return { got, walk: walker.result(got) };
  }

  private room(n: number): Uint8Array {
    if (this.buf.length < n) this.buf = new Uint8Array(n);
    return this.buf;
  }

  /**
   * Publish a walked range's count (for the other runners and the coordinator); true when its end is
   * proven to be the next range's start, so its packets stand.
   */
  private publish(job: RangeJob, got: number, walk: Walk): boolean {
    Atomics.store(this.counts, job.id, walk.packets);
    Atomics.notify(this.counts, job.id);
    return walk.exact && !walk.structural && got === job.end - job.start;
  }

  private async decodeRange(job: RangeJob, fd: number): Promise<DoneMessage> {
    const { reg, filter } = this.parts;
    const view = this.view;
    this.warnings.length = 0;
    let base = job.base;
    // a range read and walked before decoding (when its frame numbers must be known first)
    let walkedFirst = -1;
    if (!job.stream && base < 0 && this.framesShown) {
      // walk first: its count numbers the next range; then wait for the earlier ranges' counts
      const { got, walk } = this.readAndWalk(fd, job.start, job.end - job.start);
      if (!this.publish(job, got, walk)) return skipped(job);
      walkedFirst = got;
      base = this.baseOf(job.id);
    }
    const sink: PacketSink = this.statsSink ?? this.lineSink ?? this.newSink();
    if (job.linktype >= 0 && sink instanceof StripSink) sink.presetLinktype(job.linktype);
    let read = 0;
    let matched = 0;
    const first: [number, number] = [-1, 0];
    const last: [number, number] = [-1, 0];
    const records: RecordSink = {
      onRecord(rec: CaptureRecord): void {
        read++;
        peel(view, rec, reg);
        if (filter !== undefined && !filter(view)) return;
        if (matched++ === 0) {
          first[0] = rec.tsSec;
          first[1] = rec.tsNsec;
        }
        last[0] = rec.tsSec;
        last[1] = rec.tsNsec;
        sink.packet(view);
      },
      onInterface(info) {
        sink.interface?.(info);
      },
      onWarning: this.warn,
    };
    const parser = new CaptureParser(records, { name: this.setup.options.input });
    let error: DoneMessage['error'];
    const parse = (run: () => void): void => {
      if (error !== undefined) return;
      try {
        run();
      } catch (e) {
        if (!(e instanceof CaptureError)) throw e;
        error = { source: e.source, byteOffset: e.byteOffset, cause: e.cause_ };
      }
    };
    parse(() => {
      parser.push(this.setup.prefix);
      // from here on, offsets and messages (and frame numbers, once known) are the whole file's
      parser.seek(job.start, base >= 0 ? base : () => this.baseOf(job.id));
    });
    if (job.stream) {
      for (let pos = job.start; pos < job.end && error === undefined; ) {
        const buf = this.room(PIECE);
        const k = readAt(fd, buf, pos, Math.min(PIECE, job.end - pos));
        if (k === 0) break;
        parse(() => parser.push(buf.subarray(0, k)));
        pos += k;
      }
    } else if (walkedFirst >= 0) {
      parse(() => parser.push(this.buf.subarray(0, walkedFirst)));
    } else {
      // decode each piece as it is walked, while it is in the cache; the walk still runs to the end after an error
      const { got, walk } = this.readAndWalk(fd, job.start, job.end - job.start, (from, to) => parse(() => parser.push(this.buf.subarray(from, to))));
      if (!this.publish(job, got, walk)) {
        // the range does not stand: forget what it wrote (stats then run on one thread)
        await this.flushOutput(sink);
        this.collector.take();
        return skipped(job);
      }
    }
    parse(() => parser.close());
    const done: DoneMessage = { type: 'done', id: job.id, read, matched, warnings: [] };
    if (this.statsSink) {
      done.first = first;
      done.last = last;
    } else {
      await this.flushOutput(sink);
      if (sink instanceof StripSink) done.written = sink.written;
      done.output = this.collector.take();
    }
    done.warnings = [...this.warnings];
    if (error) done.error = error;
    return done;
  }

  /** Everything the range's sink wrote is in the collector (and a strip range's sink is done). */
  private async flushOutput(sink: PacketSink): Promise<void> {
    if (sink === this.statsSink) return;
    if (sink === this.lineSink) {
      await sink.afterChunk?.();
      return;
    }
    await sink.end();
    this.collector.removeAllListeners('drain');
    this.collector.removeAllListeners('error');
  }
}

const skipped = (job: RangeJob): DoneMessage => ({ type: 'done', id: job.id, read: 0, matched: 0, warnings: [], skipped: true });
