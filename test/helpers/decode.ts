/** Decode one packet's bytes the way the pipeline does, into a fresh PacketView (test glue). */
import { createRecord } from '../../src/capture/index.js';
import { PacketView } from '../../src/packet.js';
import { peel } from '../../src/peel.js';
import type { Registry } from '../../src/registry.js';

export interface DecodeOptions {
  /** LINKTYPE of the record (default Ethernet). */
  linktype?: number;
  /** Original length when the capture was cut short (default: the data's length). */
  len?: number;
  frame?: number;
  iface?: number;
}

export function decodePacket(data: Uint8Array, reg: Registry, opts: DecodeOptions = {}): PacketView {
  const rec = createRecord();
  rec.buf = data;
  rec.caplen = data.length;
  rec.len = opts.len ?? data.length;
  rec.linktype = opts.linktype ?? 1;
  rec.frame = opts.frame ?? 1;
  rec.iface = opts.iface ?? 0;
  const p = new PacketView();
  peel(p, rec, reg);
  return p;
}
