/**
 * source -> reader -> peel -> (names, lazy) -> filter -> sink. One PacketView is reused for every
 * packet; the record callback allocates nothing, so the sink is the only place that may.
 */
import { readCapture, type CaptureSource, type ReadSummary } from './capture/index.js';
import type { CaptureRecord, InterfaceInfo, RecordSink } from './capture/record.js';
import { PacketView } from './packet.js';
import { peel } from './peel.js';
import type { Registry } from './registry.js';
import type { PacketSink } from './output/sink.js';

/** A compiled filter: true keeps the packet. */
export type PacketFilter = (p: PacketView) => boolean;

export interface PipelineOptions {
  source: CaptureSource;
  /** Input name in errors and warnings. */
  name?: string;
  reg: Registry;
  filter?: PacketFilter;
  /** Stop after this many packets have passed the filter. */
  count?: number;
  sink: PacketSink;
  onWarning?: (message: string) => void;
  /** Called after every input chunk with the file offset of the last record and packets read. */
  onProgress?: (fileOffset: number, packets: number) => void;
  /** Stops reading between chunks (Ctrl-C, output closed); the pipeline then ends normally. */
  signal?: AbortSignal;
}

export interface PipelineResult {
  /** Packets read from the input. */
  read: number;
  /** Packets that passed the filter and went to the sink. */
  matched: number;
  /** Why reading stopped. */
  stopped: 'end' | 'count' | 'signal';
  summary?: ReadSummary;
}

/** Reason used for our own abort once `count` packets have matched. */
const COUNT_REACHED = Symbol('count reached');

export async function runPipeline(o: PipelineOptions): Promise<PipelineResult> {
  const view = new PacketView();
  const { reg, filter, sink } = o;
  const count = o.count ?? Infinity;
  const ctl = new AbortController();
  const external = o.signal;
  const onExternal = () => ctl.abort(external?.reason);
  if (external?.aborted) onExternal();
  else external?.addEventListener('abort', onExternal, { once: true });

  let read = 0;
  let matched = 0;
  let lastOffset = 0;
  let done = false;
  const records: RecordSink = {
    onRecord(rec: CaptureRecord): void {
      if (done) return; // the rest of a chunk after the count was reached
      read++;
      lastOffset = rec.fileOffset;
      peel(view, rec, reg);
      if (filter !== undefined && !filter(view)) return;
      sink.packet(view);
      if (++matched >= count) {
        done = true;
        ctl.abort(COUNT_REACHED);
      }
    },
    onInterface(info: InterfaceInfo): void {
      sink.interface?.(info);
    },
    onWarning(message: string): void {
      o.onWarning?.(message);
    },
    afterChunk(): Promise<void> | undefined {
      o.onProgress?.(lastOffset, read);
      return sink.afterChunk?.();
    },
  };

  let summary: ReadSummary | undefined;
  let stopped: PipelineResult['stopped'] = 'end';
  try {
    // Without a filter the reader itself can stop at the count, mid-chunk.
    summary = await readCapture(o.source, records, {
      name: o.name,
      limit: filter === undefined && Number.isFinite(count) ? count : undefined,
      signal: ctl.signal,
    });
    if (matched >= count) stopped = 'count';
  } catch (e) {
    if (!ctl.signal.aborted || (e !== ctl.signal.reason && !(e instanceof Error && e.name === 'AbortError'))) {
      // a corrupt input: still deliver the output of every packet before the fault
      await sink.end().catch(() => {});
      throw e;
    }
    stopped = ctl.signal.reason === COUNT_REACHED ? 'count' : 'signal';
  } finally {
    external?.removeEventListener('abort', onExternal);
  }
  await sink.end();
  return { read, matched, stopped, summary };
}
