/**
 * A `--jobs` worker thread: builds the same registry, topology, filter and sink as the sequential
 * CLI, then runs reader -> peel -> filter -> sink over each byte range it is given (parsed after the
 * file's header bytes) and hands the range's output back. The parser is moved to the range's place
 * in the file, so frame numbers, offsets, warnings and errors are those of the whole file.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { Writable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import { CaptureParser } from '../capture/parser.js';
import { CaptureError, type CaptureRecord, type RecordSink } from '../capture/record.js';
import { buildFilter, buildRegistry, buildSink, buildTopology } from '../cli/run.js';
import type { PacketSink } from '../output/sink.js';
import { StatsSink } from '../output/stats.js';
import { StripSink } from '../output/strip.js';
import { PacketView } from '../packet.js';
import { peel } from '../peel.js';
import type { DoneMessage, FromWorker, RangeJob, ToWorker, WorkerSetup } from './protocol.js';
import { RangeWalker, readAt, type Walk } from './split.js';

/**
 * Collects everything a sink writes, in order: text as strings (sent as a string: the coordinator's
 * heap takes it and frees it at its next minor GC), bytes (strip) as buffers.
 */
class Collector extends Writable {
  private text: string[] = [];
  private chunks: Uint8Array[] = [];
  private bytes = 0;

  constructor() {
    super({ decodeStrings: false });
  }

  override _write(chunk: Uint8Array | string, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    if (typeof chunk === 'string') {
      if (chunk.length > 0) this.text.push(chunk);
    } else if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.bytes += chunk.length;
    }
    cb();
  }

  /** What was written so far (a sink writes either text or bytes); starts over. */
  take(): string | Uint8Array {
    if (this.chunks.length === 0) {
      const s = this.text.join('');
      this.text = [];
      return s;
    }
    // one fresh (transferable, never pooled) array
    const out = new Uint8Array(this.bytes);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    this.chunks = [];
    this.bytes = 0;
    return out;
  }
}

const PIECE = 8 << 20;
/** Read size while walking a range: well inside the L2 cache. */
const WALK_PIECE = 256 << 10;

async function start(setup: WorkerSetup): Promise<void> {
  const port = parentPort!;
  const o = setup.options;
  const warnings: string[] = [];
  const warn = (m: string): void => {
    warnings.push(m);
  };
  const reg = buildRegistry(o);
  const topology = await buildTopology(o, warn);
  if (topology) topology.applyTo(reg);
  const filter = buildFilter(o, topology);
  const collector = new Collector();
  // every range's sink listens on the collector: drop their listeners between ranges
  collector.setMaxListeners(0);
  // strip writes its pcap bytes to "stdout", which is the collector here
  const sinkOptions = o.command === 'strip' ? { ...o, write: '-' } : o;
  const io = { stdout: collector, stderr: collector };
  let buf = new Uint8Array(PIECE + (1 << 20));
  const view = new PacketView();
  const bases = new Map<number, (base: number) => void>();
  const known = new Map<number, number>();
  const waitBase = (id: number): Promise<number> => {
    const b = known.get(id);
    if (b !== undefined) return Promise.resolve(b);
    return new Promise((resolve) => bases.set(id, resolve));
  };

  const readRange = (fd: number, pos: number, n: number): number => {
    if (buf.length < n) buf = new Uint8Array(n);
    return readAt(fd, buf, pos, n);
  };

  /** Read a range into buf piece by piece, walking each piece while it is in the cache. */
  const readAndWalk = (fd: number, pos: number, n: number): { got: number; walk: Walk } => {
    if (buf.length < n) buf = new Uint8Array(n);
    const walker = new RangeWalker(setup.format, setup.littleEndian);
    let got = 0;
    while (got < n) {
      const k = readSync(fd, buf, got, Math.min(WALK_PIECE, n - got), pos + got);
      if (k === 0) break;
      got += k;
      walker.advance(buf, got);
    }
    return { got, walk: walker.result(got) };
  };

  // stats: one collector for every range of this worker (interning addresses once), sent at the end
  const statsSink = o.command === 'stats' ? (buildSink(o, io, reg, topology, warn, () => {}) as StatsSink) : undefined;

  // the file is opened per range: a worker may be stopped between two ranges without leaking it
  const runRange = async (job: RangeJob): Promise<DoneMessage> => {
    const fd = openSync(setup.path, 'r');
    try {
      return await decodeRange(job, fd);
    } finally {
      closeSync(fd);
    }
  };

  const decodeRange = async (job: RangeJob, fd: number): Promise<DoneMessage> => {
    warnings.length = 0;
    let base = job.base;
    let n = 0;
    if (!job.stream) {
      // walk the records first: it proves the cut after the range, and the count numbers the next range
      const { got, walk } = readAndWalk(fd, job.start, job.end - job.start);
      n = got;
      const proven = walk.exact && !walk.structural && n === job.end - job.start;
      post({ type: 'count', id: job.id, packets: walk.packets, proven });
      if (!proven) return { type: 'done', id: job.id, read: 0, matched: 0, warnings: [], skipped: true };
      if (base < 0) base = await waitBase(job.id);
    }
    const sink: PacketSink = statsSink ?? buildSink(sinkOptions, io, reg, topology, warn, () => {});
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
      onWarning: warn,
    };
    const parser = new CaptureParser(records, { name: o.input });
    let error: DoneMessage['error'];
    try {
      parser.push(setup.prefix);
      // from here on, frame numbers, offsets and messages are the whole file's
      parser.seek(job.start, base);
      if (!job.stream) {
        parser.push(buf.subarray(0, n));
      } else {
        for (let pos = job.start; pos < job.end; ) {
          const k = readRange(fd, pos, Math.min(PIECE, job.end - pos));
          if (k === 0) break;
          parser.push(buf.subarray(0, k));
          pos += k;
        }
      }
      parser.end();
    } catch (e) {
      if (!(e instanceof CaptureError)) throw e;
      error = { source: e.source, byteOffset: e.byteOffset, cause: e.cause_ };
    }
    const done: DoneMessage = { type: 'done', id: job.id, read, matched, warnings: [] };
    if (statsSink) {
      done.first = first;
      done.last = last;
    } else {
      await sink.end();
      if (sink instanceof StripSink) done.written = sink.written;
      done.output = collector.take();
    }
    collector.removeAllListeners('drain');
    collector.removeAllListeners('error');
    done.warnings = [...warnings];
    if (error) done.error = error;
    return done;
  };

  const post = (m: FromWorker): void => {
    port.postMessage(m, m.type === 'done' && m.output instanceof Uint8Array ? [m.output.buffer as ArrayBuffer] : []);
  };

  // Ranges run one at a time, in the order they arrive; base messages may arrive while one waits.
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (m: ToWorker) => {
    if (m.type === 'base') {
      known.set(m.id, m.base);
      bases.get(m.id)?.(m.base);
      bases.delete(m.id);
      return;
    }
    if (m.type === 'stats') {
      queue = queue.then(() => post({ type: 'stats', stats: statsSink!.stats.snapshot() }));
      return;
    }
    queue = queue.then(async () => {
      try {
        post(await runRange(m));
      } catch (e) {
        const err = e as Error;
        post({ type: 'done', id: m.id, read: 0, matched: 0, warnings: [], crash: `${err?.message ?? String(e)}\n${err?.stack ?? ''}` });
      }
    });
  });
}

start(workerData as WorkerSetup).catch((e: unknown) => {
  // setup failed (topology, filter): the coordinator validated these already, so this is a bug
  parentPort?.postMessage({ type: 'done', id: -1, read: 0, matched: 0, warnings: [], crash: String((e as Error)?.stack ?? e) });
});
