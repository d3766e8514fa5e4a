/**
 * Test glue for the tunnel decoders (A): decode every packet of a corpus capture with the real reader
 * and registry, keep a plain summary per packet, and read the tshark oracle written beside the file.
 */
import { readFileSync } from 'node:fs';
import { createRegistry } from '../../../decoders/index.js';
import { readCapture } from '../../../src/capture/index.js';
import { Layer, LAYER_NAMES, PROBLEM_NAMES, TUNNEL_NAMES } from '../../../src/layers.js';
import { PacketView } from '../../../src/packet.js';
import { peel } from '../../../src/peel.js';
import type { Registry } from '../../../src/registry.js';
import { corpus } from '../../helpers/env.js';

export interface TunnelSummary {
  type: string;
  id: number;
  id2: number;
  flags: number;
  labels: number[];
}

export interface PacketSummary {
  layers: string[];
  tunnels: TunnelSummary[];
  problems: string[];
  /** fields() of every layer of the kind asked for (peelFile's `detail`), outermost first. */
  detail: Array<Record<string, unknown>>;
}

/** The tunnel columns of a decoded view, as plain objects (labels as label values). */
export function tunnelsOf(p: PacketView): TunnelSummary[] {
  const out: TunnelSummary[] = [];
  for (let t = 0; t < p.tunnelCount; t++) {
    const labels: number[] = [];
    const from = p.tunnelLabelStart[t];
    for (let i = from; i < from + p.tunnelLabelCount[t]; i++) labels.push(p.labels[i] >>> 12);
    out.push({ type: TUNNEL_NAMES[p.tunnelKind[t]], id: p.tunnelId[t], id2: p.tunnelId2[t], flags: p.tunnelFlags[t], labels });
  }
  return out;
}

export function summarize(p: PacketView, reg: Registry, detail: Layer = Layer.None): PacketSummary {
  const layers: string[] = [];
  for (let i = 0; i < p.layerCount; i++) layers.push(LAYER_NAMES[p.layerKind[i]]);
  const problems: string[] = [];
  for (let i = 0; i < p.problemCount; i++) problems.push(`${PROBLEM_NAMES[p.problemKind[i]]}@${LAYER_NAMES[p.problemLayer[i]]}`);
  const fields: Array<Record<string, unknown>> = [];
  if (detail !== Layer.None) {
    for (let i = 0; i < p.layerCount; i++) if (p.layerKind[i] === detail) fields.push(reg.modules[detail]!.fields(p, i));
  }
  return { layers, tunnels: tunnelsOf(p), problems, detail: fields };
}

/**
 * Decode every packet of `file` (the view is reused, as in the pipeline; summaries are copies);
 * `detail` asks for fields() of every layer of that kind.
 */
export async function peelFile(file: string, opts: { reg?: Registry; detail?: Layer } = {}): Promise<PacketSummary[]> {
  const reg = opts.reg ?? createRegistry();
  const p = new PacketView();
  const out: PacketSummary[] = [];
  await readCapture(file, {
    onRecord(rec) {
      peel(p, rec, reg);
      out.push(summarize(p, reg, opts.detail));
    },
  });
  return out;
}

/** Rows of `<file>.tshark-fields.tsv` (the corpus oracle): field name -> text, one row per packet. */
export function tsharkOracle(file: string): Array<Record<string, string>> {
  const lines = readFileSync(`${file}.tshark-fields.tsv`, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0 && !l.startsWith('#'));
  const header = lines[0].split('\t');
  return lines.slice(1).map((l) => {
    const cols = l.split('\t');
    return Object.fromEntries(header.map((h, i) => [h, cols[i] ?? '']));
  });
}

/** Comma-joined numeric column ('21,46' -> [21, 46]; '' -> []); hex allowed. */
export function numbers(text: string): number[] {
  return text === '' ? [] : text.split(',').map((s) => Number(s));
}

/** One decoded packet beside tshark's row for it; `what` names the file and frame for messages. */
export interface OraclePair {
  ours: PacketSummary;
  tshark: Record<string, string>;
  what: string;
}

/** Decode corpus file `rel` and pair every packet with its oracle row (the counts must agree). */
export async function withOracle(rel: string, detail?: Layer): Promise<OraclePair[]> {
  const ours = await peelFile(corpus(rel), { detail });
  const oracle = tsharkOracle(corpus(rel));
  if (ours.length !== oracle.length) throw new Error(`${rel}: we read ${ours.length} packets, tshark ${oracle.length}`);
  return ours.map((s, i) => ({ ours: s, tshark: oracle[i], what: `${rel} frame ${i + 1}` }));
}
