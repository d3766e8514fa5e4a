/**
 * Test glue for the tunnel decoder tests: decode one packet held in a byte array with the full
 * registry, the way the capture pipeline does (one record, linktype Ethernet unless told).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry } from '../../../decoders/index.js';
import { pcapFile } from '../../../samples/craft.js';
import type { CaptureRecord } from '../../../src/capture/record.js';
import { LAYER_NAMES, PROBLEM_NAMES } from '../../../src/layers.js';
import { PacketView } from '../../../src/packet.js';
import { peel } from '../../../src/peel.js';
import type { Registry } from '../../../src/registry.js';

/** Decode `data` (captured bytes; `len` = original length when the capture was cut). */
export function peelBytes(data: Uint8Array, opts: { reg?: Registry; len?: number; linktype?: number } = {}): PacketView {
  const rec: CaptureRecord = {
    buf: data,
    offset: 0,
    caplen: data.length,
    len: opts.len ?? data.length,
    tsSec: 1_700_000_000,
    tsNsec: 0,
    iface: 0,
    linktype: opts.linktype ?? 1,
    comment: undefined,
    fileOffset: 0,
    frame: 1,
  };
  const p = new PacketView();
  peel(p, rec, opts.reg ?? createRegistry());
  return p;
}

export function layerNames(p: PacketView): string[] {
  const out: string[] = [];
  for (let i = 0; i < p.layerCount; i++) out.push(LAYER_NAMES[p.layerKind[i]]);
  return out;
}

export function problemNames(p: PacketView): string[] {
  const out: string[] = [];
  for (let i = 0; i < p.problemCount; i++) out.push(`${PROBLEM_NAMES[p.problemKind[i]]}@${LAYER_NAMES[p.problemLayer[i]]}`);
  return out;
}

/** fields() of the first layer of `kind`, through the registry's module. */
export function fieldsOf(p: PacketView, kind: number, reg: Registry = createRegistry()): Record<string, unknown> {
  const i = p.findLayer(kind);
  if (i < 0) throw new Error(`no layer ${LAYER_NAMES[kind]} in ${layerNames(p).join(':')}`);
  return reg.modules[kind]!.fields(p, i);
}

/**
 * tshark's view of packets: writes them to a temporary pcap and returns one row per packet with the
 * requested fields (all occurrences, comma-joined, like the corpus oracle files).
 */
export function tsharkFields(packets: Uint8Array[], fields: string[], decodeAs: string[] = []): string[][] {
  const dir = mkdtempSync(join(tmpdir(), 'peelcap-tb-'));
  const file = join(dir, 'p.pcap');
  writeFileSync(file, pcapFile(packets));
  const args = ['-n', '-r', file, '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=,'];
  for (const d of decodeAs) args.push('-d', d);
  for (const f of fields) args.push('-e', f);
  const out = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const lines = out.split('\n');
  if (lines[lines.length - 1] === '') lines.pop(); // a row of empty fields is an empty line: keep it
  return lines.map((l) => l.split('\t'));
}
