/**
 * What a capture reader hands on for every packet. One object is reused for every record of a
 * stream (the hot path allocates nothing per packet): a consumer that keeps a record past its
 * callback must copy what it needs (`copyRecord`).
 */
export interface CaptureRecord {
  /** The chunk the packet lies in; the packet is `buf.subarray(offset, offset + caplen)`. */
  buf: Uint8Array;
  /** Start of the packet data inside `buf`. */
  offset: number;
  /** Bytes captured (present in `buf`). */
  caplen: number;
  /** Original length on the wire. */
  len: number;
  /** Timestamp, whole seconds since the epoch (exact: a double holds any 53-bit integer). */
  tsSec: number;
  /** Timestamp, nanoseconds within the second, 0..999 999 999. */
  tsNsec: number;
  /** Interface index: 0 in pcap; in pcapng the IDB's index counted across the whole file. */
  iface: number;
  /** LINKTYPE_* of the interface (FCS bits stripped; see InterfaceInfo.fcsBytes). */
  linktype: number;
  /** pcapng `opt_comment` of the packet, if any (first one). */
  comment: string | undefined;
  /** Byte offset of the record (header included) in the input stream. */
  fileOffset: number;
  /** 1-based frame number in the stream. */
  frame: number;
}

/** One capture interface: the pcap file header, or one pcapng IDB. */
export interface InterfaceInfo {
  /** Index as used by CaptureRecord.iface. */
  index: number;
  linktype: number;
  snaplen: number;
  /** Interface name (pcapng if_name) if known. */
  name: string | undefined;
  /** Interface description (pcapng if_description) if known. */
  description: string | undefined;
  /** Timestamp units per second as given by the file (1e6 for pcap µs, 1e9 for ns, 2^k…). */
  tsResolution: number;
  /** pcapng if_tsoffset in seconds (0 if absent). */
  tsOffset: number;
  /** FCS length in bytes announced by the pcap link-type field (0 if none). */
  fcsBytes: number;
  /** Section number in a pcapng file (0-based), 0 for pcap. */
  section: number;
}

export type CaptureFormat = 'pcap' | 'pcap-ns' | 'pcapng';

/** Common LINKTYPE_* values (https://www.tcpdump.org/linktypes.html). */
export const enum LinkType {
  Null = 0,
  Ethernet = 1,
  Raw = 101,
  Loop = 108,
  LinuxSll = 113,
  Ipv4 = 228,
  Ipv6 = 229,
  LinuxSll2 = 276,
  RawOpenBsd = 12, // some systems write DLT_RAW's value (12 or 14) instead of LINKTYPE_RAW
  RawAlt = 14,
}

/** Copy of a record that outlives the reader callback: the packet bytes in `data` instead of a chunk view. */
export type OwnedRecord = Omit<CaptureRecord, 'buf' | 'offset'> & { data: Uint8Array };

export function copyRecord(r: CaptureRecord): OwnedRecord {
  return {
    // a copy even when the chunk is a Node Buffer, whose slice() is a view
    data: new Uint8Array(r.buf.subarray(r.offset, r.offset + r.caplen)),
    caplen: r.caplen,
    len: r.len,
    tsSec: r.tsSec,
    tsNsec: r.tsNsec,
    iface: r.iface,
    linktype: r.linktype,
    comment: r.comment,
    fileOffset: r.fileOffset,
    frame: r.frame,
  };
}

/** A structurally broken capture: names the input, the byte offset and the cause. */
export class CaptureError extends Error {
  constructor(
    readonly source: string,
    readonly byteOffset: number,
    readonly cause_: string,
  ) {
    super(`${source}: ${cause_} at byte offset ${byteOffset}`);
    this.name = 'CaptureError';
  }
}

/** Callbacks a reader drives. `onRecord` gets the reused record object. */
export interface RecordSink {
  onRecord(rec: CaptureRecord): void;
  onInterface?(info: InterfaceInfo): void;
  /** Recoverable oddities (file cut off in its last record, unknown block types skipped…). */
  onWarning?(message: string): void;
  /**
   * Called after each input chunk has been parsed. A sink that writes output returns a promise while
   * its destination is congested; the reader awaits it before pulling more input (backpressure).
   */
  afterChunk?(): Promise<void> | undefined;
}
