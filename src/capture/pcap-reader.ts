/**
 * Classic libpcap file reader: both byte orders, microsecond (0xa1b2c3d4) and nanosecond
 * (0xa1b23c4d) magic. The link-type field's upper bits carry the FCS length (tcpdump linktypes:
 * bit 26 = "F" flag, bits 28-31 = FCS length in 16-bit words) and are stripped.
 */
import { u16, u16le, u32, u32le } from '../bytes.js';
import {
  captureError,
  cutOffMessage,
  MAX_UNIT_BYTES,
  type FormatReader,
  type ReaderContext,
} from './format-reader.js';
import type { CaptureFormat, InterfaceInfo } from './record.js';

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
const FILE_HEADER = 24;
const RECORD_HEADER = 16;

const LINKTYPE_MASK = 0x0000ffff;
/** Bits 16-25: reserved, must be zero (libpcap and Wireshark refuse the file otherwise). */
const RESERVED_MASK = 0x03ff0000;
const FCS_PRESENT = 0x04000000;

/** The pcap magic as written by a machine of either byte order; undefined if not pcap. */
export function pcapMagic(b: Uint8Array, pos: number): { littleEndian: boolean; nano: boolean } | undefined {
  const be = u32(b, pos);
  const le = u32le(b, pos);
  if (be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS) return { littleEndian: false, nano: be === PCAP_MAGIC_NS };
  if (le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS) return { littleEndian: true, nano: le === PCAP_MAGIC_NS };
  return undefined;
}

export class PcapReader implements FormatReader {
  readonly format: CaptureFormat;
  private headerDone = false;

  constructor(
    private readonly ctx: ReaderContext,
    private readonly le: boolean,
    private readonly nano: boolean,
  ) {
    this.format = nano ? 'pcap-ns' : 'pcap';
  }

  needed(b: Uint8Array, pos: number, end: number, base: number): number {
    if (!this.headerDone) return FILE_HEADER;
    if (end - pos < RECORD_HEADER) return RECORD_HEADER;
    return RECORD_HEADER + this.checkedCaplen(b, pos, base);
  }

  private checkedCaplen(b: Uint8Array, pos: number, base: number): number {
    const caplen = this.le ? u32le(b, pos + 8) : u32(b, pos + 8);
    if (caplen > MAX_UNIT_BYTES) {
      throw captureError(
        this.ctx,
        base + pos,
        `record ${this.ctx.packets + 1} claims ${caplen} captured bytes (more than ${MAX_UNIT_BYTES}: corrupt record header)`,
      );
    }
    return caplen;
  }

  parse(b: Uint8Array, pos: number, end: number, base: number): number {
    if (!this.headerDone) {
      if (end - pos < FILE_HEADER) return pos;
      this.readFileHeader(b, pos, base);
      pos += FILE_HEADER;
    }
    const ctx = this.ctx;
    const rec = ctx.rec;
    const le = this.le;
    const nano = this.nano;
    while (end - pos >= RECORD_HEADER) {
      const caplen = le ? u32le(b, pos + 8) : u32(b, pos + 8);
      if (caplen > MAX_UNIT_BYTES) this.checkedCaplen(b, pos, base);
      if (end - pos - RECORD_HEADER < caplen) break;
      let sec = le ? u32le(b, pos) : u32(b, pos);
      let frac = le ? u32le(b, pos + 4) : u32(b, pos + 4);
      let nsec = nano ? frac : frac * 1000;
      if (nsec >= 1e9) {
        // Out-of-range fraction (tcpdump prints "invalid ns"): carry it into the seconds.
        const carry = Math.floor(nsec / 1e9);
        this.warnBadFraction(frac, base + pos);
        sec += carry;
        nsec -= carry * 1e9;
      }
      rec.buf = b;
      rec.offset = pos + RECORD_HEADER;
      rec.caplen = caplen;
      rec.len = le ? u32le(b, pos + 12) : u32(b, pos + 12);
      rec.tsSec = sec;
      rec.tsNsec = nsec;
      rec.fileOffset = base + pos;
      pos += RECORD_HEADER + caplen;
      if (!ctx.emit()) break;
    }
    return pos;
  }

  cutOff(b: Uint8Array, pos: number, end: number, base: number): string {
    if (!this.headerDone) {
      throw captureError(this.ctx, base + pos, `pcap file header cut off (${end - pos} of ${FILE_HEADER} bytes)`);
    }
    return cutOffMessage(this.ctx, base + pos, end - pos, this.needed(b, pos, end, base));
  }

  private badFractions = 0;
  /** Names the record by byte offset, like every reader message (a --jobs worker may not know frame numbers yet). */
  private warnBadFraction(frac: number, fileOffset: number): void {
    if (this.badFractions++ === 0) {
      this.ctx.warn(
        `record at byte ${fileOffset}: timestamp fraction ${frac} ${this.nano ? 'ns' : 'µs'} is out of range; carried into the seconds (further ones not reported)`,
      );
    }
  }

  private readFileHeader(b: Uint8Array, pos: number, base: number): void {
    const le = this.le;
    const major = le ? u16le(b, pos + 4) : u16(b, pos + 4);
    const minor = le ? u16le(b, pos + 6) : u16(b, pos + 6);
    if (major !== 2) {
      throw captureError(this.ctx, base + pos + 4, `unsupported pcap version ${major}.${minor} (only 2.x is defined)`);
    }
    if (minor > 4) this.ctx.warn(`pcap version 2.${minor} is newer than 2.4; reading it as 2.4 (as Wireshark does)`);
    const snaplen = le ? u32le(b, pos + 16) : u32(b, pos + 16);
    const field = le ? u32le(b, pos + 20) : u32(b, pos + 20);
    if (field & RESERVED_MASK) {
      this.ctx.warn(
        `pcap link-type field has reserved bits set (0x${(field & RESERVED_MASK).toString(16).padStart(8, '0')}); ignored (libpcap and Wireshark refuse such files)`,
      );
    }
    const linktype = field & LINKTYPE_MASK;
    const fcsBytes = field & FCS_PRESENT ? (field >>> 28) * 2 : 0;
    this.headerDone = true;
    const rec = this.ctx.rec;
    rec.iface = 0;
    rec.linktype = linktype;
    rec.comment = undefined;
    const info: InterfaceInfo = {
      index: 0,
      linktype,
      snaplen,
      name: undefined,
      description: undefined,
      tsResolution: this.nano ? 1e9 : 1e6,
      tsOffset: 0,
      fcsBytes,
      section: 0,
    };
    this.ctx.addInterface(info);
  }
}
