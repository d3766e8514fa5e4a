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
  ): void {
    if (iface < 0 || iface >= this.interfaces || !Number.isInteger(iface)) {
      throw new Error(`pcapng writer: interface ${iface} was not declared (call addInterface first)`);
    }
    const commentBytes = optionValue('opt_comment', comment);
    const optBytes = commentBytes ? optionSize(commentBytes.length) + 4 : 0;
    const dataBytes = pad4(caplen);
    const total = 28 + dataBytes + optBytes + 4;
    const at = this.out.reserve(total);
    const b = this.out.bytes;
    const v = this.out.view;
    v.setUint32(at, EPB, true);
    v.setUint32(at + 4, total, true);
    v.setUint32(at + 8, iface, true);
    v.setUint32(at + 12, nsHigh32(tsSec, tsNsec), true);
    v.setUint32(at + 16, nsLow32(tsSec, tsNsec), true);
    v.setUint32(at + 20, caplen, true);
    v.setUint32(at + 24, len, true);
    b.set(buf.subarray(start, start + caplen), at + 28);
    let o = at + 28 + caplen;
    // padding must be zero (the batch buffer is not zero-filled)
    while (o < at + 28 + dataBytes) b[o++] = 0;
    if (commentBytes) {
      o = writeOption(b, o, OPT_COMMENT, commentBytes);
      v.setUint32(o, OPT_END, true);
      o += 4;
    }
    v.setUint32(o, total, true);
  }
}

/** if_tsresol value 9: 10^-9 s units. */
const TSRESOL_NS = Uint8Array.of(9);

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
  let end = o + 4 + value.length;
  const padded = o + 4 + pad4(value.length);
  while (end < padded) b[end++] = 0;
  return padded;
}
