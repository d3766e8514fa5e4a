/**
 * The contract between the chunk-feeding CaptureParser and one file format's reader. A reader works
 * in "units" (a file header, a pcap record, a pcapng block): it parses every complete unit of a byte
 * range and tells the parser how many bytes an incomplete unit needs, so the parser copies exactly
 * that unit (and nothing else) into its carry buffer when it straddles two chunks.
 */
import { CaptureError, type CaptureFormat, type CaptureRecord, type InterfaceInfo } from './record.js';

/** What a reader calls back into (implemented by CaptureParser). */
export interface ReaderContext {
  /** Input name used in errors. */
  readonly name: string;
  /** The one reused record; the reader fills it, then calls emit(). */
  readonly rec: CaptureRecord;
  /** Packets delivered so far. */
  readonly packets: number;
  /** Deliver `rec` (assigns the frame number); false when reading must stop (limit reached). */
  emit(): boolean;
  /** Announce a new interface. */
  addInterface(info: InterfaceInfo): void;
  warn(message: string): void;
}

export interface FormatReader {
  readonly format: CaptureFormat;
  /**
   * Total size of the unit starting at b[pos], as far as b[pos, end) tells: the header size while
   * the header itself is incomplete. Throws CaptureError for an impossible length, so a corrupt
   * length never makes the parser buffer gigabytes. `base` is the file offset of b[0].
   */
  needed(b: Uint8Array, pos: number, end: number, base: number): number;
  /** Parse every complete unit in b[pos, end); return where the first incomplete one starts (or where emit() said stop). */
  parse(b: Uint8Array, pos: number, end: number, base: number): number;
  /**
   * The input ended with an incomplete unit at b[pos, end): return the warning for a packet cut
   * off, or throw CaptureError when even the file header is incomplete.
   */
  cutOff(b: Uint8Array, pos: number, end: number, base: number): string;
}

/** Largest record/block accepted: beyond this a length field is corrupt, not a packet (bounds memory). */
export const MAX_UNIT_BYTES = 256 * 1024 * 1024;

export function captureError(ctx: ReaderContext, fileOffset: number, cause: string): CaptureError {
  return new CaptureError(ctx.name, fileOffset, cause);
}

/** Standard warning for input cut off inside a packet record. */
export function cutOffMessage(ctx: ReaderContext, fileOffset: number, have: number, need: number): string {
  const n = ctx.packets;
  return `file ends inside record ${n + 1} at byte ${fileOffset} (${have} of ${need} bytes present): read ${n} packets`;
}
