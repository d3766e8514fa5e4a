import type { Layer } from '../src/layers.js';
import type { PacketView } from '../src/packet.js';
import type { Registry } from '../src/registry.js';

/** Default dispatch keys a decoder claims; the registry writes them into its tables. */
export interface DecoderDefaults {
  linktype?: readonly number[];
  ethertype?: readonly number[];
  ipProto?: readonly number[];
  greProto?: readonly number[];
  /** UDP ports (matched on destination first, then source). */
  udpPort?: readonly number[];
}

/**
 * One protocol layer. `decode` runs on the hot path: it bounds-checks against `p.end`, records its
 * layer (and tunnel, labels, options…) in the view, sets `p.next` to where the next layer starts and
 * returns the next layer's kind, or Layer.None to stop. It never throws: a fault is recorded with
 * `p.problem()` and decoding stops. It allocates nothing.
 *
 * A decoder starts with `if (!p.fits(Layer.X, off, HEADER)) return Layer.None;`.
 *
 * `fields` is the lazy side: it materialises every field of one decoded layer as a plain object
 * (for `-v`, JSON detail and tests). It may allocate.
 */
export interface DecoderModule {
  readonly layer: Layer;
  /** Canonical name (LAYER_NAMES[layer]); decode-as targets accept it and `aliases`. */
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly defaults?: DecoderDefaults;
  decode(p: PacketView, off: number, reg: Registry): Layer;
  fields(p: PacketView, layerIndex: number): Record<string, unknown>;
}
