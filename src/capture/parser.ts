/**
 * CaptureParser: synchronous, incremental. Feed it chunks of any size with push(); it sniffs the
 * format from the first bytes and delivers packets to a RecordSink as views into the chunk. Only a
 * record that straddles two chunks is copied, into a carry buffer that grows to the largest such
 * record and is then reused, so memory stays flat for any input size.
 */
import { hexString, u32 } from '../bytes.js';
import { MAX_UNIT_BYTES, type FormatReader, type ReaderContext } from './format-reader.js';
import { pcapMagic, PcapReader } from './pcap-reader.js';
import { BT_SHB, PcapngReader } from './pcapng-reader.js';
import {
  CaptureError,
  type CaptureFormat,
  type CaptureRecord,
  type InterfaceInfo,
  type RecordSink,
} from './record.js';

/** What a finished read reports. */
export interface ReadSummary {
  format: CaptureFormat;
  /** Packets delivered. */
  packets: number;
  /** Input bytes parsed (the file size when the whole input was read). */
  bytes: number;
  interfaces: InterfaceInfo[];
  /** True when the input ended inside its last record (a warning was issued). */
  cutOff: boolean;
}

export interface ParserOptions {
  /** Name of the input in errors and warnings (default 'input'). */
  name?: string;
  /** Stop after this many packets. */
  limit?: number;
}

const MAGIC_BYTES = 4;

/** A blank CaptureRecord (for a reader's reused record, or a test or fuzz harness feeding peel()). */
export function createRecord(): CaptureRecord {
  return {
    buf: new Uint8Array(0),
    offset: 0,
    caplen: 0,
    len: 0,
    tsSec: 0,
    tsNsec: 0,
    iface: 0,
    linktype: 0,
    comment: undefined,
    fileOffset: 0,
    frame: 0,
  };
}

export class CaptureParser implements ReaderContext {
  readonly name: string;
  readonly rec: CaptureRecord = createRecord();
  /** Packets delivered (the last frame number); relative to the range start while `lateBase` is set. */
  private count = 0;
  /** seek() without a packet count: asked for the packets before the range when a message needs them. */
  private lateBase: (() => number) | undefined;
  readonly interfaces: InterfaceInfo[] = [];

  private reader: FormatReader | undefined;
  private readonly limit: number;
  /** File offset of the next byte not yet parsed (start of the carry when there is one). */
  private offset = 0;
  private carry = new Uint8Array(0);
  private carryLen = 0;
  private stopped = false;
  private ended = false;
  private cutOff = false;

  constructor(
    private readonly sink: RecordSink,
    opts: ParserOptions = {},
  ) {
    this.name = opts.name ?? 'input';
    this.limit = opts.limit ?? Infinity;
  }

  /** True once the packet limit is reached: further input is ignored. */
  get done(): boolean {
    return this.stopped;
  }

  /** Parse a chunk. Records are views into `chunk` and valid only during the onRecord callback. */
  push(chunk: Uint8Array): void {
    if (this.stopped) return;
    if (this.ended) throw new Error('CaptureParser: push() after end()');
    let pos = 0;
    const end = chunk.length;
    // First finish the unit left over from the previous chunk, copying only what it still needs.
    while (this.carryLen > 0) {
      const need = this.needed(this.carry, 0, this.carryLen);
      if (need > this.carryLen) {
        const take = Math.min(need - this.carryLen, end - pos);
        this.appendCarry(chunk, pos, take);
        pos += take;
        if (this.carryLen < need) return; // the chunk is used up
        continue; // with its header complete, the unit may turn out longer
      }
      const readerBefore = this.reader;
      const used = this.feed(this.carry, 0, this.carryLen, this.offset);
      this.offset += used;
      this.carry.copyWithin(0, used, this.carryLen);
      this.carryLen -= used;
      if (this.stopped) return;
      if (used === 0 && readerBefore === this.reader) throw new Error('CaptureParser: no progress (reader bug)');
    }
    const used = this.feed(chunk, pos, end, this.offset - pos) - pos;
    this.offset += used;
    pos += used;
    if (!this.stopped && pos < end) this.appendCarry(chunk, pos, end - pos);
  }

  /**
   * Continue as if the next pushed byte were at file offset `fileOffset`, after `packetsBefore`
   * packets: a `--jobs` worker parses the file header, then jumps to its byte range, and frame
   * numbers, offsets, warnings and errors stay those of the whole file. Only between records.
   *
   * `packetsBefore` may be a function, for a worker that does not know the count yet and whose
   * output shows no frame numbers: records are then numbered from the range start, and the function
   * is called (once) only if a message, an error or the summary needs the whole file's count.
   */
  seek(fileOffset: number, packetsBefore: number | (() => number)): void {
    if (this.carryLen > 0) throw new Error('CaptureParser: seek() inside a record');
    this.offset = fileOffset;
    if (typeof packetsBefore === 'number') {
      this.count = packetsBefore;
      this.lateBase = undefined;
    } else {
      this.count = 0;
      this.lateBase = packetsBefore;
    }
  }

  /** Packets delivered so far in the whole file. */
  get packets(): number {
    if (this.lateBase !== undefined) {
      this.count += this.lateBase();
      this.lateBase = undefined;
    }
    return this.count;
  }

  /** The input is complete: report a cut-off last record, or throw if there was no capture at all. */
  end(): ReadSummary {
    this.close();
    return this.summary();
  }

  /** end() without the summary (whose packet count a late-numbered range would have to wait for). */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    if (!this.stopped && this.carryLen > 0) this.finishCutOff();
    else if (!this.reader) this.noCapture();
  }

  summary(): ReadSummary {
    return {
      format: this.reader?.format ?? 'pcap',
      packets: this.packets,
      bytes: this.offset + (this.stopped ? 0 : this.carryLen),
      interfaces: this.interfaces,
      cutOff: this.cutOff,
    };
  }

  // ReaderContext

  emit(): boolean {
    const rec = this.rec;
    rec.frame = ++this.count;
    this.sink.onRecord(rec);
    if (this.count >= this.limit) this.stopped = true;
    return !this.stopped;
  }

  addInterface(info: InterfaceInfo): void {
    this.interfaces.push(info);
    this.sink.onInterface?.(info);
  }

  warn(message: string): void {
    this.sink.onWarning?.(`${this.name}: ${message}`);
  }

  // internals

  /** Bytes the unit at b[pos] needs in total. */
  private needed(b: Uint8Array, pos: number, end: number): number {
    if (!this.reader) return MAGIC_BYTES;
    return this.reader.needed(b, pos, end, this.offset - pos);
  }

  /** Parse complete units of b[pos, end) (b[pos] is at file offset base + pos); returns where parsing stopped. */
  private feed(b: Uint8Array, pos: number, end: number, base: number): number {
    if (!this.reader) {
      if (end - pos < MAGIC_BYTES) return pos;
      this.reader = this.sniff(b, pos, base);
    }
    return this.reader.parse(b, pos, end, base);
  }

  private sniff(b: Uint8Array, pos: number, base: number): FormatReader {
    const pcap = pcapMagic(b, pos);
    if (pcap) return new PcapReader(this, pcap.littleEndian, pcap.nano);
    if (u32(b, pos) === BT_SHB) return new PcapngReader(this);
    const magic = hexString(b, pos, pos + MAGIC_BYTES);
    const hint = b[pos] === 0x1f && b[pos + 1] === 0x8b ? ': gzip-compressed, decompress it first' : '';
    throw new CaptureError(this.name, base + pos, `not a pcap or pcapng capture file (magic 0x${magic}${hint})`);
  }

  private appendCarry(b: Uint8Array, pos: number, n: number): void {
    const want = this.carryLen + n;
    if (want > this.carry.length) {
      // Grow geometrically, bounded by the largest legal unit plus a header.
      const grown = new Uint8Array(Math.min(Math.max(want, this.carry.length * 2, 4096), MAX_UNIT_BYTES + 64));
      grown.set(this.carry.subarray(0, this.carryLen));
      this.carry = grown;
    }
    this.carry.set(b.subarray(pos, pos + n), this.carryLen);
    this.carryLen = want;
  }

  private finishCutOff(): void {
    if (!this.reader) this.noCapture();
    const message = this.reader!.cutOff(this.carry, 0, this.carryLen, this.offset);
    this.cutOff = true;
    this.warn(message);
  }

  private noCapture(): never {
    const have = this.carryLen;
    const what = have === 0 ? 'empty input' : `only ${have} byte${have === 1 ? '' : 's'}`;
    throw new CaptureError(this.name, 0, `not a pcap or pcapng capture file (${what})`);
  }
}
