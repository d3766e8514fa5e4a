/**
 * The high-level library API: open a capture and get decoded packets as plain objects, through
 * `for await` or a Node object-mode Transform stream. Built on the same zero-copy pipeline as the
 * CLI; objects are made only for packets that pass the filter.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { createRegistry } from '../decoders/index.js';
import { CaptureParser, type CaptureSource, type ReadSummary } from './capture/index.js';
import type { CaptureRecord, InterfaceInfo } from './capture/record.js';
import { describePacket, type DecodedPacket } from './describe.js';
import { compileFilter } from './filter/index.js';
import { PacketView } from './packet.js';
import { peel } from './peel.js';
import { runPipeline, type PacketFilter } from './pipeline.js';
import type { Registry } from './registry.js';
import type { Topology } from './topology/types.js';

/** How packets are decoded and which are kept. */
export interface DecodeOptions {
  /** A filter in peelcap's filter language (`'vni 8 and icmp'`) or a predicate over the view. */
  filter?: string | PacketFilter;
  /** Decode-As specs, e.g. `['udp.port==8888=contrail-mirror']`. */
  decodeAs?: readonly string[];
  /** Names for VNIs, labels, OVN ports and hosts (from `loadTopology`). */
  topology?: Topology;
  /** Maximum layers decoded per packet (default 16). */
  depth?: number;
  /** Validate IP/UDP/TCP checksums. */
  checksums?: boolean;
  /** Stop after this many packets (that passed the filter). */
  count?: number;
  /** Add `detail` (every field of every layer) to each packet. */
  detail?: boolean;
  /** Use this registry instead of a fresh `createRegistry()` (decodeAs/depth/checksums still apply). */
  registry?: Registry;
  /** Name of the input in errors (default: the path, 'stdin', 'buffer' or 'stream'). */
  name?: string;
  /** Called with recoverable remarks about the input (e.g. a file cut off in its last packet). */
  onWarning?: (message: string) => void;
}

/** Build the registry and filter described by `o`. */
export function prepare(o: DecodeOptions): { reg: Registry; filter: PacketFilter | undefined } {
  const reg = o.registry ?? createRegistry();
  if (o.depth !== undefined) reg.depth = o.depth;
  if (o.checksums !== undefined) reg.checksums = o.checksums;
  for (const spec of o.decodeAs ?? []) reg.decodeAs(spec);
  o.topology?.applyTo(reg);
  let filter: PacketFilter | undefined;
  if (typeof o.filter === 'function') filter = o.filter;
  else if (o.filter !== undefined && o.filter.trim() !== '') filter = compileFilter(o.filter, { topology: o.topology });
  return { reg, filter };
}

/** Packets buffered ahead of a slow `for await` consumer before reading pauses. */
const QUEUE_HIGH = 1024;

/**
 * Decode a capture and yield each packet as a {@link DecodedPacket} (the `peelcap json` shape).
 *
 * @param source a path, `'-'` (stdin), the capture bytes, or a readable byte stream
 * @example
 * for await (const pkt of decodePackets('capture.pcap', { filter: 'geneve' })) {
 *   console.log(pkt.vnis, pkt.inner?.src, pkt.inner?.dst);
 * }
 */
export async function* decodePackets(source: CaptureSource, opts: DecodeOptions = {}): AsyncGenerator<DecodedPacket, void> {
  const { reg, filter } = prepare(opts);
  const queue: DecodedPacket[] = [];
  let wake: (() => void) | undefined;
  let resume: (() => void) | undefined;
  let finished = false;
  let failure: unknown;
  const stop = new AbortController();
  const describe = { reg, detail: opts.detail, topology: opts.topology };
  const signal = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const run = runPipeline({
    source,
    name: opts.name,
    reg,
    filter,
    count: opts.count,
    onWarning: opts.onWarning,
    signal: stop.signal,
    sink: {
      packet(p) {
        queue.push(describePacket(p, describe));
        signal();
      },
      afterChunk() {
        if (queue.length < QUEUE_HIGH) return undefined;
        return new Promise<void>((r) => (resume = r));
      },
      end: async () => {},
    },
  }).then(
    () => {
      finished = true;
      signal();
    },
    (e: unknown) => {
      failure = e;
      finished = true;
      signal();
    },
  );
  try {
    for (;;) {
      if (queue.length > 0) {
        // hand over what is buffered, then let the reader go on
        const batch = queue.splice(0, queue.length);
        const r = resume;
        resume = undefined;
        r?.();
        for (const pkt of batch) yield pkt;
        continue;
      }
      if (finished) break;
      await new Promise<void>((r) => (wake = r));
    }
    if (failure !== undefined) throw failure;
  } finally {
    // the consumer broke out early: stop reading
    if (!finished) {
      stop.abort('consumer stopped');
      const r = resume;
      resume = undefined;
      r?.();
      await run;
    }
  }
}

/** An opened capture: iterate it with `for await`, or read it with low-level zero-copy callbacks. */
export class Capture implements AsyncIterable<DecodedPacket> {
  constructor(
    readonly source: CaptureSource,
    readonly options: DecodeOptions = {},
  ) {}

  /** Decoded packets as plain objects. */
  [Symbol.asyncIterator](): AsyncIterator<DecodedPacket> {
    return decodePackets(this.source, this.options)[Symbol.asyncIterator]();
  }

  /**
   * The fast path: `fn` gets the reused {@link PacketView} of every packet that passes the filter
   * (valid only during the call; nothing is allocated per packet). Resolves with the read summary.
   */
  async forEachView(fn: (p: PacketView) => void): Promise<ReadSummary | undefined> {
    const { reg, filter } = prepare(this.options);
    const r = await runPipeline({
      source: this.source,
      name: this.options.name,
      reg,
      filter,
      count: this.options.count,
      onWarning: this.options.onWarning,
      sink: { packet: fn, end: async () => {} },
    });
    return r.summary;
  }
}

/**
 * Open a capture for decoding. Nothing is read until you iterate.
 *
 * @example
 * const cap = openCapture(fs.readFileSync('x.pcap'), { decodeAs: ['udp.port==8472=vxlan'] });
 * for await (const pkt of cap) if (pkt.errors) console.log(pkt.frame, pkt.errors);
 */
export function openCapture(source: CaptureSource, opts: DecodeOptions = {}): Capture {
  return new Capture(source, opts);
}

/**
 * A Node Transform stream: capture bytes in (any chunking), {@link DecodedPacket} objects out
 * (object mode), with stream backpressure.
 *
 * @example
 * fs.createReadStream('x.pcap').pipe(new PeelTransform({ filter: 'vxlan' })).on('data', (pkt) => …);
 */
export class PeelTransform extends Transform {
  private readonly parser: CaptureParser;
  private readonly view = new PacketView();
  /** Interfaces seen so far (pcap header / pcapng IDBs). */
  readonly interfaces: InterfaceInfo[] = [];

  constructor(opts: DecodeOptions = {}) {
    super({ writableObjectMode: false, readableObjectMode: true });
    const { reg, filter } = prepare(opts);
    const describe = { reg, detail: opts.detail, topology: opts.topology };
    const view = this.view;
    let matched = 0;
    const count = opts.count ?? Infinity;
    this.parser = new CaptureParser(
      {
        onRecord: (rec: CaptureRecord) => {
          if (matched >= count) return;
          peel(view, rec, reg);
          if (filter && !filter(view)) return;
          matched++;
          this.push(describePacket(view, describe));
        },
        onInterface: (i) => this.interfaces.push(i),
        onWarning: (m) => (opts.onWarning ? opts.onWarning(m) : this.emit('warning', m)),
      },
      { name: opts.name ?? 'stream' },
    );
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.parser.push(chunk);
      done();
    } catch (e) {
      done(e as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      this.parser.end();
      done();
    } catch (e) {
      done(e as Error);
    }
  }
}
