/**
 * `peelcap strip`: write each packet's innermost frame (from the first layer after the last tunnel
 * header to the end that layer covers) to pcap or pcapng, timestamps unchanged. Packets without a
 * tunnel are written whole.
 *
 * Link types: an inner Ethernet frame is LINKTYPE_ETHERNET (1); an inner IP packet is LINKTYPE_RAW
 * (101), or gets a synthesized Ethernet header with `eth`. pcap holds one link type, decided by the
 * first frame: later IP packets in an Ethernet file get a synthesized header, frames that cannot be
 * converted without loss are skipped and counted. pcapng declares one interface per link type (and,
 * with `interfacePer`, per overlay network) and carries each packet's tunnel context as a comment.
 */
import { createWriter } from '../capture/index.js';
import type { PacketWriter, WriteFormat } from '../capture/writer.js';
import type { WriteTarget } from '../capture/batch-output.js';
import { hasVni } from '../describe.js';
import { Layer, Tunnel, TUNNEL_NAMES } from '../layers.js';
import type { PacketView } from '../packet.js';
import type { Topology } from '../topology/types.js';
import type { PacketSink } from './sink.js';
import { formatContext } from './text.js';

const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = 101;
const ETH_HEADER = 14;
const SNAPLEN = 262144;

/** Which overlay property gets its own pcapng interface. */
export type InterfacePer = 'vni' | 'label' | 'tunnel';

export interface StripOptions {
  format: WriteFormat;
  out: WriteTarget;
  /** Give inner IP packets a synthesized Ethernet header (all frames become LINKTYPE_ETHERNET). */
  eth?: boolean;
  /** pcapng only: one interface per VNI, MPLS label stack or innermost tunnel. */
  interfacePer?: InterfacePer;
  /** pcapng only: write the tunnel context as the packet comment (default true). */
  comments?: boolean;
  /** Names in the comments. */
  topology?: Topology;
  /** Called at the end with a summary of skipped packets. */
  warn?: (message: string) => void;
}

/**
 * The synthesized Ethernet header for a frame starting with this layer (indexed by Layer; undefined:
 * no EtherType for it). Both addresses 00:00:00:00:00:00: visibly synthetic. Built once: the writer
 * copies it in front of the frame, so the frame is copied only once.
 */
const ETH_HEADS: ReadonlyArray<Uint8Array | undefined> = (() => {
  const heads = new Array<Uint8Array | undefined>(Layer.Count).fill(undefined);
  const types: Array<[Layer, number]> = [
    [Layer.Ipv4, 0x0800],
    [Layer.Ipv6, 0x86dd],
    [Layer.Arp, 0x0806],
    [Layer.Mpls, 0x8847],
  ];
  for (const [kind, type] of types) {
    const h = new Uint8Array(ETH_HEADER);
    h[12] = type >>> 8;
    h[13] = type & 255;
    heads[kind] = h;
  }
  return heads;
})();

function linkName(linktype: number): string {
  return linktype === LINKTYPE_ETHERNET ? 'eth' : linktype === LINKTYPE_RAW ? 'ip' : `linktype-${linktype}`;
}

export class StripSink implements PacketSink {
  private readonly writer: PacketWriter;
  private readonly pcapng: boolean;
  /** pcap: the file's link type (-1 until the first packet). */
  private fileLink = -1;
  /** pcapng: linktype -> group key -> interface index */
  private readonly ifaces = new Map<number, Map<number | string, number>>();
  private readonly groupNames = new Set<string>();
  /** --eth: inner IP packets get a synthesized Ethernet header. */
  private readonly eth: boolean;
  private skippedMismatch = 0;
  private skippedEmpty = 0;
  written = 0;

  constructor(private readonly o: StripOptions) {
    this.writer = createWriter(o.format, o.out);
    this.pcapng = o.format === 'pcapng';
    this.eth = o.eth === true;
  }

  /**
   * pcap: fix the file's link type before the first packet (instead of taking the first frame's), so
   * outputs written in parts by several workers agree. No effect on pcapng.
   */
  presetLinktype(linktype: number): void {
    if (this.pcapng || this.fileLink >= 0) return;
    this.fileLink = linktype;
    this.writer.addInterface({ linktype, snaplen: SNAPLEN });
  }

  packet(p: PacketView): void {
    let start: number;
    let end: number;
    let kind: number;
    let link: number;
    let len: number;
    if (p.tunnelCount === 0) {
      start = p.start;
      end = p.capEnd;
      kind = p.layerCount > 0 ? p.layerKind[0] : Layer.None;
      link = p.linktype;
      len = p.len;
    } else {
      const first = p.innerStart;
      if (first < 0) {
        this.skippedEmpty++;
        return;
      }
      start = p.layerStart[first];
      end = p.layerLimit[first];
      kind = p.layerKind[first];
      if (kind === Layer.Ethernet) link = LINKTYPE_ETHERNET;
      else if (kind === Layer.Ipv4 || kind === Layer.Ipv6) link = LINKTYPE_RAW;
      else link = -1; // no link type of its own: only with a synthesized Ethernet header
      // wire length minus the outer headers and any trailer (padding, FCS) beyond the inner frame
      len = Math.max(end - start, p.len - (start - p.start) - (p.capEnd - end));
    }

    let synth = false;
    if ((this.eth && (kind === Layer.Ipv4 || kind === Layer.Ipv6)) || link < 0) {
      if (ETH_HEADS[kind] === undefined) {
        this.skippedMismatch++;
        return;
      }
      synth = true;
      link = LINKTYPE_ETHERNET;
    }

    if (!this.pcapng) {
      if (this.fileLink < 0) {
        this.fileLink = link;
        this.writer.addInterface({ linktype: link, snaplen: SNAPLEN });
      } else if (link !== this.fileLink) {
        if (this.fileLink === LINKTYPE_ETHERNET && ETH_HEADS[kind] !== undefined && link === LINKTYPE_RAW) synth = true;
        else {
          this.skippedMismatch++;
          return;
        }
      }
      this.emit(p, 0, start, end, len, kind, synth, undefined);
      return;
    }
    const iface = this.interfaceFor(p, synth ? LINKTYPE_ETHERNET : link);
    let comment: string | undefined;
    if (this.o.comments !== false) {
      const ctx = p.tunnelCount > 0 ? formatContext(p, this.o.topology) : '';
      comment = ctx && p.comment ? `${ctx}; ${p.comment}` : ctx || p.comment;
    }
    this.emit(p, iface, start, end, len, kind, synth, comment);
  }

  private emit(
    p: PacketView,
    iface: number,
    start: number,
    end: number,
    len: number,
    kind: number,
    synth: boolean,
    comment: string | undefined,
  ): void {
    const head = synth ? ETH_HEADS[kind] : undefined;
    this.writer.writePacket(iface, p.buf, start, end - start, synth ? len + ETH_HEADER : len, p.tsSec, p.tsNsec, comment, head);
    this.written++;
  }

  /** pcapng interface for this link type and overlay group, declared on first use. */
  private interfaceFor(p: PacketView, link: number): number {
    let groups = this.ifaces.get(link);
    if (groups === undefined) this.ifaces.set(link, (groups = new Map()));
    const key = this.groupKey(p);
    let idx = groups.get(key);
    if (idx === undefined) {
      let name = this.groupName(p);
      if (this.groupNames.has(name)) name = `${name} (${linkName(link)})`;
      this.groupNames.add(name);
      idx = this.writer.addInterface({
        linktype: link,
        snaplen: SNAPLEN,
        name,
        description: `peelcap strip: ${linkName(link)} frames${this.o.interfacePer ? ` of ${name}` : ''}`,
      });
      groups.set(key, idx);
    }
    return idx;
  }

  /** Numeric key of the packet's overlay group (string only for label stacks deeper than two). */
  private groupKey(p: PacketView): number | string {
    switch (this.o.interfacePer) {
      case 'vni': {
        const t = lastTunnel(p, hasVni);
        return t < 0 ? 0 : p.tunnelId[t] + 1;
      }
      case 'label': {
        const t = lastTunnel(p, (k) => k === Tunnel.Mpls);
        if (t < 0) return 0;
        const n = p.tunnelLabelCount[t];
        const s = p.tunnelLabelStart[t];
        if (n === 1) return 1 + (p.labels[s] >>> 12);
        if (n === 2) return 2 ** 21 + (p.labels[s] >>> 12) * 2 ** 20 + (p.labels[s + 1] >>> 12);
        return labelText(p, t);
      }
      case 'tunnel': {
        const t = p.tunnelCount - 1;
        return t < 0 ? 0 : p.tunnelKind[t] * 2 ** 33 + p.tunnelId[t] + 1;
      }
      default:
        return 0;
    }
  }

  private groupName(p: PacketView): string {
    switch (this.o.interfacePer) {
      case 'vni': {
        const t = lastTunnel(p, hasVni);
        return t < 0 ? 'no-vni' : `vni-${p.tunnelId[t]}`;
      }
      case 'label': {
        const t = lastTunnel(p, (k) => k === Tunnel.Mpls);
        return t < 0 ? 'no-label' : `label-${labelText(p, t)}`;
      }
      case 'tunnel': {
        const t = p.tunnelCount - 1;
        if (t < 0) return 'no-tunnel';
        const kind = p.tunnelKind[t];
        if (kind === Tunnel.Mpls) return `mpls-${labelText(p, t)}`;
        const id = p.tunnelId[t];
        if (kind === Tunnel.Gre) return id >= 0 ? `gre-key-${id}` : 'gre';
        if (kind === Tunnel.ContrailMirror || kind === Tunnel.IpInIp) return TUNNEL_NAMES[kind];
        return id >= 0 ? `${TUNNEL_NAMES[kind]}-${id}` : TUNNEL_NAMES[kind];
      }
      default:
        return p.tunnelCount > 0 ? `inner-${linkName(this.linkOfInner(p))}` : 'original';
    }
  }

  private linkOfInner(p: PacketView): number {
    const k = p.innerStart >= 0 ? p.layerKind[p.innerStart] : Layer.None;
    return k === Layer.Ethernet || this.eth || (k !== Layer.Ipv4 && k !== Layer.Ipv6) ? LINKTYPE_ETHERNET : LINKTYPE_RAW;
  }

  afterChunk(): Promise<void> | undefined {
    return this.writer.congested ? this.writer.drain() : undefined;
  }

  async end(): Promise<void> {
    if (!this.pcapng && this.fileLink < 0) this.writer.addInterface({ linktype: LINKTYPE_ETHERNET, snaplen: SNAPLEN });
    await this.writer.close();
    if (this.skippedMismatch > 0) {
      this.o.warn?.(
        `${this.skippedMismatch} packets skipped: their inner frame's link type differs from the pcap file's ` +
          `(${linkName(this.fileLink)}); use --eth, or --format pcapng to keep every frame`,
      );
    }
    if (this.skippedEmpty > 0) {
      this.o.warn?.(`${this.skippedEmpty} packets skipped: nothing decodable inside their innermost tunnel header`);
    }
  }
}

/** Index of the innermost tunnel whose kind passes `test`, or -1. */
function lastTunnel(p: PacketView, test: (kind: number) => boolean): number {
  for (let t = p.tunnelCount - 1; t >= 0; t--) if (test(p.tunnelKind[t])) return t;
  return -1;
}

function labelText(p: PacketView, t: number): string {
  let s = '';
  for (let i = p.tunnelLabelStart[t], e = i + p.tunnelLabelCount[t]; i < e; i++) s += `${s ? '-' : ''}${p.labels[i] >>> 12}`;
  return s;
}
