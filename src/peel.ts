import type { CaptureRecord } from './capture/record.js';
import { Layer, Problem } from './layers.js';
import type { PacketView } from './packet.js';
import type { Registry } from './registry.js';

/**
 * Decode one record into `p`, from its link layer (or `first`, to decode bytes that start at some
 * other layer) down to the innermost payload, the depth limit or the first fault. Never throws on
 * packet content; everything found is left in `p`.
 */
export function peel(p: PacketView, rec: CaptureRecord, reg: Registry, first: Layer = reg.linkLayer(rec.linktype)): void {
  p.reset(rec);
  const fns = reg.decoders;
  const depth = reg.depth;
  let layer = first;
  let off = rec.offset;
  while (layer !== Layer.None) {
    if (p.layerCount >= depth) {
      p.problem(Problem.DepthLimit, layer, off);
      break;
    }
    layer = fns[layer](p, off, reg);
    off = p.next;
  }
  p.finish();
}
