/**
 * Classic pcap writer (little-endian, version 2.4), microsecond or nanosecond timestamps.
 * A pcap file has one link type for all packets: the file header is written when the (single)
 * interface is declared.
 */
import { BatchedWriter, type WriteTarget } from './batch-output.js';
import type { PacketWriter, WriterInterface } from './writer.js';

const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;
const FILE_HEADER = 24;
const RECORD_HEADER = 16;
/** Snaplen announced when the caller gives none: what tcpdump uses by default. */
export const DEFAULT_SNAPLEN = 262144;

export class PcapWriter extends BatchedWriter implements PacketWriter {
  private linktype = -1;

  /** `nanosecond` selects the 0xa1b23c4d magic (timestamps keep full ns precision). */
  constructor(target: WriteTarget, private readonly nanosecond: boolean) {
    super(target);
  }

  addInterface(i: WriterInterface): number {
    if (this.linktype !== -1) {
      if (i.linktype === this.linktype) return 0;
      throw new Error(
        `pcap holds one link type: cannot add link type ${i.linktype} to a file of link type ${this.linktype} (write pcapng)`,
      );
    }
    this.linktype = i.linktype;
    const at = this.out.reserve(FILE_HEADER);
    const b = this.out.bytes;
    b.writeUInt32LE(this.nanosecond ? MAGIC_NS : MAGIC_US, at);
    b.writeUInt16LE(2, at + 4);
    b.writeUInt16LE(4, at + 6);
    b.writeInt32LE(0, at + 8); // thiszone
    b.writeUInt32LE(0, at + 12); // sigfigs
    b.writeUInt32LE(i.snaplen ?? DEFAULT_SNAPLEN, at + 16);
    b.writeUInt32LE(i.linktype >>> 0, at + 20);
    return 0;
  }

  writePacket(
    iface: number,
    buf: Uint8Array,
    start: number,
    caplen: number,
    len: number,
    tsSec: number,
    tsNsec: number,
    _comment?: string,
    head?: Uint8Array,
  ): void {
    if (iface !== 0 || this.linktype === -1) {
      throw new Error(`pcap writer: interface ${iface} was not declared (call addInterface first)`);
    }
    const headLen = head === undefined ? 0 : head.length;
    const out = this.out;
    const at = out.reserve(RECORD_HEADER + headLen + caplen);
    const b = out.bytes;
    const v = out.view;
    v.setUint32(at, tsSec >>> 0, true);
    // tsNsec < 1e9 fits in 31 bits: | 0 truncates like Math.floor
    v.setUint32(at + 4, this.nanosecond ? tsNsec : (tsNsec / 1000) | 0, true);
    v.setUint32(at + 8, headLen + caplen, true);
    v.setUint32(at + 12, len, true);
    let o = at + RECORD_HEADER;
    // a short head byte by byte: cheaper than another TypedArray.set call
    for (let i = 0; i < headLen; i++) b[o++] = head![i];
    b.set(buf.subarray(start, start + caplen), o);
  }
}
