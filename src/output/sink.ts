/**
 * What the pipeline hands decoded packets to. Only sinks materialise strings or objects.
 */
import type { InterfaceInfo } from '../capture/record.js';
import type { PacketView } from '../packet.js';

export interface PacketSink {
  /** One packet that passed the filter. The view is reused for the next packet: copy what you keep. */
  packet(p: PacketView): void;
  /** An input interface (the pcap header or a pcapng IDB). */
  interface?(info: InterfaceInfo): void;
  /** After each input chunk: a promise while the output is congested (the reader waits for it). */
  afterChunk?(): Promise<void> | undefined;
  /** End of input: flush and finish. */
  end(): Promise<void>;
}
