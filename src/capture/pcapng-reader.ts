/**
 * pcapng reader: any number of sections, each with its own byte order; Interface Description Blocks
 * (link type, snaplen, if_tsresol, if_tsoffset, if_name, if_description); Enhanced, Simple and
 * obsolete Packet Blocks; every other block skipped by its length. Interface indexes are counted
 * across the whole file (section 1's first IDB follows section 0's last).
 */
import { u32, u32le } from '../bytes.js';
import {
  captureError,
  cutOffMessage,
  MAX_UNIT_BYTES,
  type FormatReader,
  type ReaderContext,
} from './format-reader.js';
import {
  firstComment,
  IF_DESCRIPTION,
  IF_NAME,
  IF_TSOFFSET,
  IF_TSRESOL,
  optionText,
  rd16,
  rd32,
  rdI64,
  scanOptions,
} from './pcapng-options.js';
import type { CaptureFormat, InterfaceInfo } from './record.js';
import { divide, unitsToTime, type TimeSlot } from './timestamp.js';

export const BT_SHB = 0x0a0d0d0a;
const BT_IDB = 1;
const BT_PB = 2; // obsolete Packet Block
const BT_SPB = 3;
const BT_NRB = 4;
const BT_ISB = 5;
const BT_EPB = 6;
const BT_SYSTEMD_JOURNAL = 9;
const BT_DSB = 0x0a;
const BT_CUSTOM = 0x00000bad;
const BT_CUSTOM_NOCOPY = 0x40000bad;
/** Blocks we know and deliberately skip (no warning). */
const KNOWN_SKIPPED = new Set([BT_NRB, BT_ISB, BT_SYSTEMD_JOURNAL, BT_DSB, BT_CUSTOM, BT_CUSTOM_NOCOPY, 7, 8]);

const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const MIN_BLOCK = 12;
const MIN_SHB = 28;
const MIN_IDB = 20;
const MIN_EPB = 32;
const MIN_SPB = 16;
/** Block header: type + total length. */
const BLOCK_HEAD = 8;

const pad4 = (n: number): number => (n + 3) & ~3;

export class PcapngReader implements FormatReader {
  readonly format: CaptureFormat = 'pcapng';
  /** Byte order of the current section. */
  private le = true;
  private section = -1;
  /** Interfaces of the whole file; the current section's are interfaces[sectionBase..]. */
  private readonly interfaces: InterfaceInfo[] = [];
  private sectionBase = 0;
  private readonly ts: TimeSlot = { sec: 0.5, nsec: 0.5 }; // doubles from the start: one field representation
  /** Per interface: units per second when they divide 1e9 (the exact fast path), else 0. */
  private readonly tsDivisor: number[] = [];
  /** Per interface: nanoseconds per unit on the fast path. */
  private readonly tsScale: number[] = [];
  private readonly warnedTypes = new Set<number>();
  private badOptionsWarned = false;

  constructor(private readonly ctx: ReaderContext) {}

  needed(b: Uint8Array, pos: number, end: number, base: number): number {
    if (end - pos < MIN_BLOCK) return MIN_BLOCK;
    return this.blockLength(b, pos, base);
  }

  /**
   * Validated total length of the block at b[pos] (12 bytes present). A Section Header Block is
   * read in the byte order its own magic announces.
   */
  private blockLength(b: Uint8Array, pos: number, base: number): number {
    let le = this.le;
    if (u32(b, pos) === BT_SHB) le = this.shbByteOrder(b, pos, base);
    const len = rd32(b, pos + 4, le);
    if (len < MIN_BLOCK || len % 4 !== 0 || len > MAX_UNIT_BYTES) {
      const why = len % 4 !== 0 && len >= MIN_BLOCK ? 'not a multiple of 4' : len < MIN_BLOCK ? 'too small' : 'absurd';
      throw captureError(this.ctx, base + pos, `pcapng block total length ${len} is ${why} (corrupt block)`);
    }
    return len;
  }

  private shbByteOrder(b: Uint8Array, pos: number, base: number): boolean {
    const magic = u32(b, pos + 8);
    if (magic === BYTE_ORDER_MAGIC) return false;
    if (magic === 0x4d3c2b1a) return true;
    throw captureError(
      this.ctx,
      base + pos + 8,
      `pcapng section header has bad byte-order magic 0x${magic.toString(16).padStart(8, '0')} (corrupt or not pcapng)`,
    );
  }

  parse(b: Uint8Array, pos: number, end: number, base: number): number {
    const ctx = this.ctx;
    let le = this.le;
    while (end - pos >= MIN_BLOCK) {
      const rawType = u32(b, pos);
      const len = le ? u32le(b, pos + 4) : u32(b, pos + 4);
      // rare cases (a new section in its own byte order, a bad length) take the checked path
      const blockLen =
        rawType === BT_SHB || len < MIN_BLOCK || (len & 3) !== 0 || len > MAX_UNIT_BYTES ? this.blockLength(b, pos, base) : len;
      if (end - pos < blockLen) break;
      if (rawType === BT_SHB) le = this.le = this.shbByteOrder(b, pos, base);
      const trailer = le ? u32le(b, pos + blockLen - 4) : u32(b, pos + blockLen - 4);
      if (trailer !== blockLen) {
        throw captureError(
          ctx,
          base + pos,
          `pcapng block total length ${blockLen} in the header but ${trailer} in the trailer (corrupt block)`,
        );
      }
      const type = le ? u32le(b, pos) : rawType;
      if (type === BT_EPB) {
        // the hot path: one EPB = one packet
        this.packetBlock(b, pos, blockLen, base, le ? u32le(b, pos + 8) : u32(b, pos + 8), false);
        pos += blockLen;
        if (!ctx.emit()) break;
        continue;
      }
      if (this.section < 0 && type !== BT_SHB) {
        throw captureError(ctx, base + pos, `pcapng file does not start with a section header block`);
      }
      let emitted = false;
      switch (type) {
        case BT_PB:
          emitted = this.packetBlock(b, pos, blockLen, base, rd16(b, pos + 8, le), true);
          break;
        case BT_SPB:
          emitted = this.simplePacketBlock(b, pos, blockLen, base);
          break;
        case BT_IDB:
          this.interfaceBlock(b, pos, blockLen, base);
          break;
        case BT_SHB:
          this.sectionHeader(b, pos, blockLen, base);
          break;
        default:
          this.skip(type, base + pos);
      }
      pos += blockLen;
      if (emitted && !ctx.emit()) break;
    }
    return pos;
  }

  cutOff(b: Uint8Array, pos: number, end: number, base: number): string {
    if (this.section < 0) {
      throw captureError(this.ctx, base + pos, `pcapng section header block cut off (${end - pos} bytes)`);
    }
    const have = end - pos;
    const need = have >= MIN_BLOCK ? this.blockLength(b, pos, base) : MIN_BLOCK;
    const type = have >= 4 ? rd32(b, pos, this.le) : -1;
    if (type === BT_EPB || type === BT_SPB || type === BT_PB || type === -1) {
      return cutOffMessage(this.ctx, base + pos, have, need);
    }
    return `file ends inside a pcapng block of type 0x${type.toString(16)} at byte ${base + pos} (${have} of ${need} bytes present): read ${this.ctx.packets} packets`;
  }

  /** Fill the record from an EPB or an obsolete PB (same layout after the interface id). */
  private packetBlock(b: Uint8Array, pos: number, len: number, base: number, ifaceId: number, obsolete: boolean): boolean {
    const le = this.le;
    if (len < MIN_EPB || ifaceId >= this.interfaces.length - this.sectionBase) this.packetBlockFault(pos + base, len, ifaceId, obsolete);
    const index = this.sectionBase + ifaceId;
    const iface = this.interfaces[index];
    const caplen = le ? u32le(b, pos + 20) : u32(b, pos + 20);
    if (caplen > len - MIN_EPB) {
      throw captureError(
        this.ctx,
        base + pos,
        `${obsolete ? 'packet block' : 'enhanced packet block'} claims ${caplen} captured bytes but the block holds only ${len - MIN_EPB} (corrupt block)`,
      );
    }
    const hi = le ? u32le(b, pos + 12) : u32(b, pos + 12);
    const lo = le ? u32le(b, pos + 16) : u32(b, pos + 16);
    const ts = this.ts;
    const divisor = this.tsDivisor[index];
    if (divisor !== 0) {
      divide(hi, lo, divisor, ts);
      ts.nsec *= this.tsScale[index];
    } else {
      unitsToTime(hi, lo, iface.tsResolution, ts);
    }
    const rec = this.ctx.rec;
    rec.buf = b;
    rec.offset = pos + 28;
    rec.caplen = caplen;
    rec.len = le ? u32le(b, pos + 24) : u32(b, pos + 24);
    rec.tsSec = ts.sec + iface.tsOffset;
    rec.tsNsec = ts.nsec;
    rec.iface = index;
    rec.linktype = iface.linktype;
    // Options follow the data padded to 32 bits (a block without padding simply has no options).
    const optStart = pos + 28 + pad4(caplen);
    const optEnd = pos + len - 4;
    rec.comment = optStart < optEnd ? firstComment(b, optStart, optEnd, le) : undefined;
    rec.fileOffset = base + pos;
    return true;
  }

  private packetBlockFault(fileOffset: number, len: number, ifaceId: number, obsolete: boolean): never {
    const what = obsolete ? 'packet block' : 'enhanced packet block';
    if (len < MIN_EPB) throw captureError(this.ctx, fileOffset, `${what} of ${len} bytes is too short`);
    if (this.section < 0) throw captureError(this.ctx, fileOffset, `pcapng file does not start with a section header block`);
    this.iface(ifaceId, fileOffset, what);
    throw new Error('unreachable');
  }

  /** Simple Packet Block: interface 0 of the section, no timestamp, caplen = min(len, snaplen). */
  private simplePacketBlock(b: Uint8Array, pos: number, len: number, base: number): boolean {
    if (len < MIN_SPB) throw captureError(this.ctx, base + pos, `simple packet block of ${len} bytes is too short`);
    const iface = this.iface(0, base + pos, 'simple packet block');
    const origLen = rd32(b, pos + 8, this.le);
    const caplen = iface.snaplen !== 0 && origLen > iface.snaplen ? iface.snaplen : origLen;
    if (caplen > len - MIN_SPB) {
      throw captureError(
        this.ctx,
        base + pos,
        `simple packet block needs ${caplen} captured bytes but holds only ${len - MIN_SPB} (corrupt block)`,
      );
    }
    const rec = this.ctx.rec;
    rec.buf = b;
    rec.offset = pos + 12;
    rec.caplen = caplen;
    rec.len = origLen;
    rec.tsSec = 0;
    rec.tsNsec = 0;
    rec.iface = iface.index;
    rec.linktype = iface.linktype;
    rec.comment = undefined;
    rec.fileOffset = base + pos;
    return true;
  }

  /** The section's interface `id`, or a CaptureError naming the block. */
  private iface(id: number, fileOffset: number, what: string): InterfaceInfo {
    const count = this.interfaces.length - this.sectionBase;
    if (id >= count) {
      throw captureError(
        this.ctx,
        fileOffset,
        `${what} refers to interface ${id} but section ${this.section} has ${count} interface description block${count === 1 ? '' : 's'}`,
      );
    }
    return this.interfaces[this.sectionBase + id];
  }

  private sectionHeader(b: Uint8Array, pos: number, len: number, base: number): void {
    if (len < MIN_SHB) throw captureError(this.ctx, base + pos, `pcapng section header block of ${len} bytes is too short`);
    const major = rd16(b, pos + 12, this.le);
    const minor = rd16(b, pos + 14, this.le);
    // 1.2 was written by some old tools and is read as 1.0 by libpcap and Wireshark.
    if (major !== 1 || (minor !== 0 && minor !== 2)) {
      throw captureError(this.ctx, base + pos + 12, `unsupported pcapng version ${major}.${minor} (only 1.0 is defined)`);
    }
    this.section++;
    this.sectionBase = this.interfaces.length;
  }

  private interfaceBlock(b: Uint8Array, pos: number, len: number, base: number): void {
    const le = this.le;
    if (len < MIN_IDB) throw captureError(this.ctx, base + pos, `interface description block of ${len} bytes is too short`);
    const info: InterfaceInfo = {
      index: this.interfaces.length,
      linktype: rd16(b, pos + 8, le),
      snaplen: rd32(b, pos + 12, le),
      name: undefined,
      description: undefined,
      tsResolution: 1e6,
      tsOffset: 0,
      fcsBytes: 0,
      section: this.section,
    };
    const wellFormed = scanOptions(b, pos + 16, pos + len - 4, le, (code, at, n) => {
      if (code === IF_NAME) info.name ??= optionText(b, at, n);
      else if (code === IF_DESCRIPTION) info.description ??= optionText(b, at, n);
      else if (code === IF_TSRESOL && n >= 1) this.setResolution(info, b[at], base + pos);
      else if (code === IF_TSOFFSET && n >= 8) info.tsOffset = rdI64(b, at, le);
    });
    if (!wellFormed) this.warnBadOptions(base + pos);
    const fast = info.tsResolution <= 1e9 && 1e9 % info.tsResolution === 0;
    this.tsDivisor.push(fast ? info.tsResolution : 0);
    this.tsScale.push(fast ? 1e9 / info.tsResolution : 0);
    this.interfaces.push(info);
    this.ctx.addInterface(info);
  }

  /** if_tsresol: 10^-v seconds, or 2^-(v & 0x7f) with the high bit set. */
  private setResolution(info: InterfaceInfo, v: number, fileOffset: number): void {
    const pow2 = (v & 0x80) !== 0;
    const exp = v & 0x7f;
    if ((pow2 && exp > 63) || (!pow2 && exp > 19)) {
      this.ctx.warn(`interface ${info.index}: if_tsresol 0x${v.toString(16)} at byte ${fileOffset} is out of range; using microseconds`);
      return;
    }
    info.tsResolution = pow2 ? 2 ** exp : 10 ** exp;
  }

  private warnBadOptions(fileOffset: number): void {
    if (this.badOptionsWarned) return;
    this.badOptionsWarned = true;
    this.ctx.warn(`malformed option list in the block at byte ${fileOffset}: options after the fault ignored (further ones not reported)`);
  }

  private skip(type: number, fileOffset: number): void {
    // Local-use blocks (high bit) and newer standard ones: skipping by length is always safe.
    if (KNOWN_SKIPPED.has(type) || this.warnedTypes.has(type)) return;
    this.warnedTypes.add(type);
    this.ctx.warn(`skipped pcapng block of unknown type 0x${type.toString(16)} at byte ${fileOffset} (further ones not reported)`);
  }
}
