/**
 * Public entry of the capture layer: read pcap/pcapng from a path, stdin, bytes or a stream, and
 * write pcap/pcapng.
 */
import { PcapWriter } from './pcap-writer.js';
import { PcapngWriter } from './pcapng-writer.js';
import type { WriteTarget } from './batch-output.js';
import type { PacketWriter, WriteFormat } from './writer.js';

export type { PacketWriter, WriteFormat, WriterInterface } from './writer.js';
export type { WriteTarget } from './batch-output.js';
export { PcapWriter } from './pcap-writer.js';
export { PcapngWriter } from './pcapng-writer.js';

/**
 * Open a capture writer. `out` is a path ('-' = stdout) or a writable stream. `close()` flushes and
 * closes a file opened here; stdout and streams passed in are flushed but left open.
 */
export function createWriter(format: WriteFormat, out: WriteTarget): PacketWriter {
  switch (format) {
    case 'pcap':
      return new PcapWriter(out, false);
    case 'pcap-ns':
      return new PcapWriter(out, true);
    case 'pcapng':
      return new PcapngWriter(out);
    default:
      throw new Error(`unknown capture format '${String(format)}' (pcap, pcap-ns, pcapng)`);
  }
}

export { readCapture, type CaptureSource, type ReadOptions } from './read.js';
export { CaptureParser, createRecord, type ReadSummary, type ParserOptions } from './parser.js';
export {
  CaptureError,
  copyRecord,
  LinkType,
  type CaptureFormat,
  type CaptureRecord,
  type InterfaceInfo,
  type OwnedRecord,
  type RecordSink,
} from './record.js';
