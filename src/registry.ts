import type { DecoderModule } from '../decoders/types.js';
import { Layer, LAYER_NAMES } from './layers.js';
import type { PacketView } from './packet.js';

type DecodeFn = (p: PacketView, off: number, reg: Registry) => Layer;

const noDecoder: DecodeFn = () => Layer.None;

/** A `--decode-as` spec that could not be understood. */
export class DecodeAsError extends Error {
  override name = 'DecodeAsError';
}

/**
 * Dispatch tables: key -> Layer (which is also the decoder's index). Defaults come from the decoder
 * modules as data; `decodeAs` and topology facts are writes to the same tables.
 */
export class Registry {
  readonly ethertype = new Uint8Array(65536);
  readonly ipProto = new Uint8Array(256);
  readonly greProto = new Uint8Array(65536);
  readonly udpPort = new Uint8Array(65536);
  /** First layer by link type (16 bits in both pcap and pcapng). */
  readonly linktypes = new Uint8Array(65536);
  /** Payload after the bottom label, by label (decode-as). */
  readonly mplsLabel = new Map<number, Layer>();
  /** Payload after the bottom label, by (tunnel destination IPv4, label): key = ip * 2^20 + label. */
  readonly mplsLabelAt = new Map<number, Layer>();
  /** Decoder functions indexed by Layer. */
  readonly decoders: DecodeFn[] = new Array<DecodeFn>(Layer.Count).fill(noDecoder);
  readonly modules: (DecoderModule | undefined)[] = new Array(Layer.Count).fill(undefined);
  private readonly byName = new Map<string, Layer>();
  /** Maximum number of layers decoded per packet (--depth). */
  depth = 16;
  /** Validate IP/UDP/TCP checksums (off by default: offloaded checksums look bad). */
  checksums = false;

  register(m: DecoderModule): void {
    this.modules[m.layer] = m;
    this.decoders[m.layer] = m.decode;
    this.byName.set(m.name, m.layer);
    for (const a of m.aliases ?? []) this.byName.set(a, m.layer);
    const d = m.defaults;
    if (!d) return;
    for (const v of d.linktype ?? []) this.linktypes[v] = m.layer;
    for (const v of d.ethertype ?? []) this.ethertype[v] = m.layer;
    for (const v of d.ipProto ?? []) this.ipProto[v] = m.layer;
    for (const v of d.greProto ?? []) this.greProto[v] = m.layer;
    for (const v of d.udpPort ?? []) this.udpPort[v] = m.layer;
  }

  /** Layer that starts a record of this link type (Layer.None: pass through undecoded). */
  linkLayer(linktype: number): Layer {
    return linktype >= 0 && linktype <= 0xffff ? this.linktypes[linktype] : Layer.None;
  }

  /** UDP dispatch: the destination port wins, so a random source port never shadows a tunnel. */
  udp(dst: number, src: number): Layer {
    const d = this.udpPort[dst];
    return d !== Layer.None ? d : this.udpPort[src];
  }

  /** Some label is mapped for one tunnel destination only (`mpls.label==L@IP`): mplsPayload wants the destination. */
  get mplsByDestination(): boolean {
    return this.mplsLabelAt.size > 0;
  }

  /** Payload kind after the bottom label, from explicit maps only (None: use the heuristics). */
  mplsPayload(label: number, tunnelDstIpv4: number): Layer {
    if (this.mplsLabelAt.size > 0 && tunnelDstIpv4 >= 0) {
      const at = this.mplsLabelAt.get(tunnelDstIpv4 * 1048576 + label);
      if (at !== undefined) return at;
    }
    if (this.mplsLabel.size === 0) return Layer.None;
    return this.mplsLabel.get(label) ?? Layer.None;
  }

  /** Layer for a decoder name or alias (as used in decode-as), or undefined. */
  layerByName(name: string): Layer | undefined {
    return this.byName.get(name);
  }

  names(): string[] {
    return [...this.byName.keys()].sort();
  }

  /**
   * Apply a Decode-As spec: `TABLE==VALUE=DECODER`, e.g. `udp.port==8888=contrail-mirror`,
   * `mpls.label==120=eth`, `ethertype==0x9999=vlan`. Tables: udp.port, ip.proto, gre.proto,
   * ethertype (eth.type), mpls.label, linktype. DECODER `none` removes a mapping.
   */
  decodeAs(spec: string): void {
    const m = /^\s*([a-z0-9_.]+)\s*==\s*(0x[0-9a-f]+|\d+)\s*=\s*([a-z0-9_-]+)\s*$/i.exec(spec);
    if (!m) {
      throw new DecodeAsError(
        `bad --decode-as '${spec}': expected TABLE==VALUE=DECODER, e.g. udp.port==8888=contrail-mirror`,
      );
    }
    const table = m[1].toLowerCase();
    const value = Number(m[2]);
    const target = m[3].toLowerCase();
    const layer = target === 'none' ? Layer.None : this.byName.get(target);
    if (layer === undefined) {
      throw new DecodeAsError(`bad --decode-as '${spec}': unknown decoder '${target}' (known: none, ${this.names().join(', ')})`);
    }
    const check = (max: number) => {
      if (!Number.isInteger(value) || value < 0 || value > max) {
        throw new DecodeAsError(`bad --decode-as '${spec}': ${table} value must be 0..${max}`);
      }
    };
    switch (table) {
      case 'udp.port':
        check(65535);
        this.udpPort[value] = layer;
        return;
      case 'ip.proto':
        check(255);
        this.ipProto[value] = layer;
        return;
      case 'gre.proto':
        check(65535);
        this.greProto[value] = layer;
        return;
      case 'ethertype':
      case 'eth.type':
        check(65535);
        this.ethertype[value] = layer;
        return;
      case 'mpls.label':
        check(0xfffff);
        if (layer === Layer.None) this.mplsLabel.delete(value);
        else this.mplsLabel.set(value, layer);
        return;
      case 'linktype':
        check(0xffff);
        this.linktypes[value] = layer;
        return;
      default:
        throw new DecodeAsError(
          `bad --decode-as '${spec}': unknown table '${table}' (known: udp.port, ip.proto, gre.proto, ethertype, mpls.label, linktype)`,
        );
    }
  }
}

export { LAYER_NAMES };
