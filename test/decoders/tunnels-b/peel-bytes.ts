/**
 * Test glue for the tunnel decoder tests (B): the L2-L4 harness's one-packet decode and helpers,
 * with the full registry (tunnels included) by default, and tshark's view of crafted packets.
 */
import { createRegistry } from '../../../decoders/index.js';
import type { Layer } from '../../../src/layers.js';
import type { PacketView } from '../../../src/packet.js';
import type { Registry } from '../../../src/registry.js';
import { tsharkFields as tsharkFileFields } from '../../helpers/tshark.js';
import { decode, fields, names, problems, tempPcap } from '../l2l4/harness.js';

const fullRegistry = createRegistry();

/** Decode `data` (captured bytes; `len` = original length when the capture was cut). */
export function peelBytes(data: Uint8Array, opts: { reg?: Registry; len?: number; linktype?: number } = {}): PacketView {
  return decode(data, { ...opts, reg: opts.reg ?? fullRegistry });
}

export { names as layerNames, problems as problemNames };

/** fields() of the outermost layer of `kind`. */
export function fieldsOf(p: PacketView, kind: Layer, reg: Registry = fullRegistry): Record<string, unknown> {
  return fields(p, kind, 0, reg);
}

/**
 * tshark's view of crafted packets: one row per packet with the requested fields (all occurrences,
 * comma-joined, as in the corpus oracle files).
 */
export function tsharkFields(packets: Uint8Array[], wanted: string[], decodeAs: string[] = []): string[][] {
  // frame.number first keeps a row whose other fields are all empty from vanishing
  const rows = tsharkFileFields(tempPcap(packets), ['frame.number', ...wanted], { decodeAs });
  return rows.map((r) => wanted.map((f) => r[f]));
}
