/**
 * Messages between the `--jobs` coordinator (main thread) and its range workers.
 */
import type { CliOptions } from '../cli/args.js';
import type { StatsSnapshot } from '../output/stats.js';
import type { SplitFormat } from './split.js';

/** What every worker is started with. */
export interface WorkerSetup {
  options: CliOptions;
  path: string;
  format: SplitFormat;
  littleEndian: boolean;
  /** pcap global header, or pcapng SHB + IDBs: parsed before every range. */
  prefix: Uint8Array;
  /**
   * Int32 per range: its packet count once a worker has walked it, -1 before. Workers number their
   * range's packets from the counts of the ranges before it, read here without a round trip through
   * the coordinator (which, with every core busy, answered late).
   */
  counts: SharedArrayBuffer;
}

/** Main -> worker: process one range. */
export interface RangeJob {
  type: 'range';
  id: number;
  start: number;
  end: number;
  /** Packets before the range (frame numbers continue from it); -1: sum the shared counts. */
  base: number;
  /** strip to pcap: the link type the output file already has (-1: the range decides). */
  linktype: number;
  /** A fallback range running to the end of the file: read it in pieces, no boundary proof needed. */
  stream: boolean;
}

/** Main -> worker (stats): every range is done, send the counters. */
export interface StatsRequest {
  type: 'stats';
}

export type ToWorker = RangeJob | StatsRequest;

/** Worker -> main: the range's output. */
export interface DoneMessage {
  type: 'done';
  id: number;
  /** Packets read and packets that passed the filter. */
  read: number;
  matched: number;
  /** Text/JSON lines (UTF-8) or pcap bytes (strip), in packet order. */
  output?: Uint8Array;
  /** stats: time of the range's first and last packet ([sec, nsec]; [-1, 0] when it has none). */
  first?: [number, number];
  last?: [number, number];
  /** strip: packets written. */
  written?: number;
  warnings: string[];
  /** The range does not stand: its end is no proven record boundary, or it holds a pcapng SHB/IDB. */
  skipped?: boolean;
  /** A corrupt capture inside the range: packets before it are in `output`. */
  error?: { source: string; byteOffset: number; cause: string };
  /** Any other failure. */
  crash?: string;
}

/** Worker -> main (stats): the counters of every range this worker ran. */
export interface StatsMessage {
  type: 'stats';
  stats: StatsSnapshot;
}

export type FromWorker = DoneMessage | StatsMessage;
