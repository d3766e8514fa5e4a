/**
 * pcapng writer (little-endian): one Section Header Block, one Interface Description Block per
 * declared interface (if_name, if_description, if_tsresol = 9 so timestamps are nanoseconds), and an
 * Enhanced Packet Block per packet with an optional opt_comment. IDBs may be added between packets.
 */
import { BatchedWriter, type WriteTarget } from './batch-output.js';
import { DEFAULT_SNAPLEN } from './pcap-writer.js';
import { nsHigh32, nsLow32 } from './timestamp.js';
import type { PacketWriter, WriterInterface } from './writer.js';

const SHB = 0x0a0d0d0a;
const IDB = 0x00000001;
const EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_END = 0;
const OPT_COMMENT = 1;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;

const pad4 = (n: number): number => (n + 3) & ~3;

/** Size of an option (header + value padded to 32 bits). */
const optionSize = (valueBytes: number): number => 4 + pad4(valueBytes);

export class PcapngWriter extends BatchedWriter implements PacketWriter {
  private interfaces = 0;

  constructor(target: WriteTarget) {
    super(target);
    this.writeSectionHeader();
  }

  private writeSectionHeader(): void {
    const total = 28;
    const at = this.out.reserve(total);
    const b = this.out.bytes;
    b.writeUInt32LE(SHB, at);
    b.writeUInt32LE(total, at + 4);
    b.writeUInt32LE(BYTE_ORDER_MAGIC, at + 8);
    b.writeUInt16LE(1, at + 12);
    b.writeUInt16LE(0, at + 14);
    b.writeInt32LE(-1, at + 16); // section length: unknown
    b.writeInt32LE(-1, at + 20);
    b.writeUInt32LE(total, at + 24);
  }

  addInterface(i: WriterInterface): number {
    const name = optionValue('if_name', i.name);
    const desc = optionValue('if_description', i.description);
    const optBytes =
      (name ? optionSize(name.length) : 0) + (desc ? optionSize(desc.length) : 0) + optionSize(1) + 4;
    const total = 16 + optBytes + 4;
    const at = this.out.reserve(total);
    const b = this.out.bytes;
    b.writeUInt32LE(IDB, at);
    b.writeUInt32LE(total, at + 4);
    b.writeUInt16LE(i.linktype, at + 8);
    b.writeUInt16LE(0, at + 10);
    b.writeUInt32LE(i.snaplen ?? DEFAULT_SNAPLEN, at + 12);
    let o = at + 16;
    if (name) o = writeOption(b, o, IF_NAME, name);
    if (desc) o = writeOption(b, o, IF_DESCRIPTION, desc);
    o = writeOption(b, o, IF_TSRESOL, TSRESOL_NS);
    b.writeUInt32LE(OPT_END, o); // opt_endofopt: code 0, length 0
    b.writeUInt32LE(total, o + 4);
    return this.interfaces++;
  }

  writePacket(
    iface: number,
    buf: Uint8Array,
    start: number,
    caplen: number,
    len: number,
    tsSec: number,
    tsNsec: number,
    comment?: string,
    head?: Uint8Array,
  ): void {
    if (iface < 0 || iface >= this.interfaces || !Number.isInteger(iface)) {
      throw new Error(`pcapng writer: interface ${iface} was not declared (call addInterface first)`);
    }
    const headLen = head === undefined ? 0 : head.length;
    const captured = headLen + caplen;
    // the comment goes straight into the batch as UTF-8: no Buffer per packet
    const commentLen = comment === undefined ? -1 : utf8Length('opt_comment', comment);
    const optBytes = commentLen >= 0 ? optionSize(commentLen) + 4 : 0;
    const dataBytes = pad4(captured);
    const total = 28 + dataBytes + optBytes + 4;
    const out = this.out;
    const at = out.reserve(total);
    const b = out.bytes;
    const v = out.view;
    v.setUint32(at, EPB, true);
    v.setUint32(at + 4, total, true);
    v.setUint32(at + 8, iface, true);
    v.setUint32(at + 12, nsHigh32(tsSec, tsNsec), true);
    v.setUint32(at + 16, nsLow32(tsSec, tsNsec), true);
    v.setUint32(at + 20, captured, true);
    v.setUint32(at + 24, len, true);
    let o = at + 28;
    for (let i = 0; i < headLen; i++) b[o++] = head![i];
    b.set(buf.subarray(start, start + caplen), o);
    o += caplen;
    // padding must be zero (the batch buffer is not zero-filled)
    while (o < at + 28 + dataBytes) b[o++] = 0;
    if (commentLen >= 0) {
      v.setUint16(o, OPT_COMMENT, true);
      v.setUint16(o + 2, commentLen, true);
      b.write(comment!, o + 4, commentLen, 'utf8');
      o = zeroPad(b, o + 4 + commentLen, o + 4 + pad4(commentLen));
      v.setUint32(o, OPT_END, true);
      o += 4;
    }
    v.setUint32(o, total, true);
  }
}

/** if_tsresol value 9: 10^-9 s units. */
const TSRESOL_NS = Uint8Array.of(9);

/** UTF-8 length of a string option; an option length field has 16 bits. */
function utf8Length(option: string, s: string): number {
  const n = Buffer.byteLength(s, 'utf8');
  if (n > 0xffff) throw new Error(`pcapng writer: ${option} is ${n} bytes, the limit is 65535`);
  return n;
}

/** Zero b[from, to) (option padding; the batch buffer is not zero-filled); returns `to`. */
function zeroPad(b: Uint8Array, from: number, to: number): number {
  while (from < to) b[from++] = 0;
  return to;
}

/** UTF-8 bytes of a string option; an option length field has 16 bits. */
function optionValue(option: string, s: string | undefined): Buffer | undefined {
  if (s === undefined) return undefined;
  const v = Buffer.from(s, 'utf8');
  if (v.length > 0xffff) throw new Error(`pcapng writer: ${option} is ${v.length} bytes, the limit is 65535`);
  return v;
}

/** Write one option (code, length, value, zero padding) at `o`; returns the offset after it. */
function writeOption(b: Buffer, o: number, code: number, value: Uint8Array): number {
  b.writeUInt16LE(code, o);
  b.writeUInt16LE(value.length, o + 2);
  b.set(value, o + 4);
  return zeroPad(b, o + 4 + value.length, o + 4 + pad4(value.length));
}
