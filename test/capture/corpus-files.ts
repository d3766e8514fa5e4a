/**
 * Shared by the capture tests: the corpus capture list, the tshark oracle rows beside each file, and
 * a reader that collects what our parser delivers (records copied, so they outlive the callback).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CaptureParser, type ReadSummary } from '../../src/capture/parser.js';
import type { CaptureRecord, InterfaceInfo, RecordSink } from '../../src/capture/record.js';
import { corpusDir, walkCaptures } from '../helpers/paths.js';

export { walkCaptures };


/** Every capture in the corpus, as paths relative to it. */
export function corpusCaptures(): string[] {
  return walkCaptures(corpusDir).map((p) => relative(corpusDir, p));
}

export interface OracleRow {
  frame: number;
  /** frame.interface_id ('' for pcap and for pcapng non-packet records). */
  iface: string;
  /** frame.time_epoch as printed ('' for blocks without a timestamp). */
  time: string;
  len: number;
}

export interface Oracle {
  rows: OracleRow[];
  /** tshark's error text when it could not read the file, else ''. */
  error: string;
}

export function readOracle(path: string): Oracle {
  const lines = readFileSync(`${path}.tshark-fields.tsv`, 'utf8').split('\n');
  const rows: OracleRow[] = [];
  const errors: string[] = [];
  for (const l of lines) {
    if (l === '' || l.startsWith('#') || l.startsWith('frame.number')) continue;
    if (!/^\d+\t/.test(l)) {
      errors.push(l);
      continue;
    }
    const f = l.split('\t');
    rows.push({ frame: Number(f[0]), iface: f[1], time: f[2], len: Number(f[3]) });
  }
  return { rows, error: errors.join(' ').trim() };
}

/** A delivered packet, copied out of the reused record. */
export interface Got {
  frame: number;
  iface: number;
  section: number;
  linktype: number;
  time: string;
  caplen: number;
  len: number;
  comment: string | undefined;
  fileOffset: number;
  data: Uint8Array;
}

export const timeString = (sec: number, nsec: number): string => `${sec}.${String(nsec).padStart(9, '0')}`;

export interface ParseResult {
  packets: Got[];
  interfaces: InterfaceInfo[];
  warnings: string[];
  error: Error | undefined;
  summary: ReadSummary | undefined;
  /** Hash of every packet's bytes and metadata, in order (plus the outcome). */
  hash: string;
}

/** A RecordSink that copies and hashes what it gets; finish() gives the ParseResult. */
export function collector(keep = true) {
  const packets: Got[] = [];
  const interfaces: InterfaceInfo[] = [];
  const warnings: string[] = [];
  const h = createHash('sha256');
  const meta = new Float64Array(8);
  const sink: RecordSink = {
    onRecord(r: CaptureRecord) {
      const data = r.buf.subarray(r.offset, r.offset + r.caplen);
      meta.set([r.frame, r.iface, r.linktype, r.tsSec, r.tsNsec, r.caplen, r.len, r.fileOffset]);
      h.update(new Uint8Array(meta.buffer));
      h.update(data);
      h.update(r.comment ?? '\u0000');
      if (keep) {
        packets.push({
          frame: r.frame,
          iface: r.iface,
          section: interfaces[r.iface].section,
          linktype: r.linktype,
          time: timeString(r.tsSec, r.tsNsec),
          caplen: r.caplen,
          len: r.len,
          comment: r.comment,
          fileOffset: r.fileOffset,
          data: new Uint8Array(data), // a plain copy (the chunk may be a Buffer)
        });
      }
    },
    onInterface: (i) => void interfaces.push(i),
    onWarning: (w) => void warnings.push(w),
  };
  const finish = (error: Error | undefined, summary: ReadSummary | undefined): ParseResult => {
    h.update(`${error?.message}|${warnings.join('|')}|${JSON.stringify(interfaces)}`);
    return { packets, interfaces, warnings, error, summary, hash: h.digest('hex') };
  };
  return { sink, finish };
}

/** Parse `bytes` fed in chunks of `chunk` bytes through CaptureParser. */
export function parseInChunks(bytes: Uint8Array, chunk: number, name = 'input', keep = true): ParseResult {
  const c = collector(keep);
  const parser = new CaptureParser(c.sink, { name });
  let error: Error | undefined;
  let summary: ReadSummary | undefined;
  try {
    for (let at = 0; at < bytes.length; at += chunk) parser.push(bytes.subarray(at, Math.min(at + chunk, bytes.length)));
    summary = parser.end();
  } catch (e) {
    error = e as Error;
  }
  return c.finish(error, summary);
}

export function parseFile(path: string, chunk = 1 << 20, name = path): ParseResult {
  return parseInChunks(readFileSync(path), chunk, name);
}
