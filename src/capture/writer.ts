/** The interface shared by the pcap and pcapng writers. */
export interface WriterInterface {
  linktype: number;
  snaplen?: number;
  /** pcapng if_name / if_description (ignored by pcap). */
  name?: string;
  description?: string;
}

export interface PacketWriter {
  /**
   * Declare an interface and get its index. pcap has exactly one: a second call with another link
   * type throws (use pcapng to mix link types).
   */
  addInterface(i: WriterInterface): number;
  /**
   * Append one packet, data = `head` (if given) followed by buf[start, start + caplen): the record's
   * captured length is `head.length + caplen`, `len` is the original length of the data as written
   * (head included). `head` lets a caller prepend a synthesized header without copying the frame
   * twice. `comment` is written by pcapng only.
   */
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
  ): void;
  /** True while the destination is congested; await `drain()` before writing much more. */
  readonly congested: boolean;
  drain(): Promise<void>;
  /** Flush and finish; resolves when the destination has taken everything (a file is closed). */
  close(): Promise<void>;
}

export type WriteFormat = 'pcap' | 'pcap-ns' | 'pcapng';
