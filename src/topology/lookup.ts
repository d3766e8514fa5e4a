/**
 * The Topology behind `loadTopology`: merged facts plus a cache of TunnelNames objects. A packet's
 * keys are turned into two numbers (the tunnel's own ids; the ingress port and the outer endpoints as
 * small interned ids), so a cache hit costs two map lookups and builds no string. IPv6 outer
 * addresses are looked up by text, which is built only when some IPv6 host is known.
 */
import { LRUCache } from 'lru-cache';
import { ipv6String } from '../bytes.js';
import { Layer, Tunnel } from '../layers.js';
import type { PacketView } from '../packet.js';
import type { Registry } from '../registry.js';
import { Facts, labelKey, portKey } from './facts.js';
import { canonicalIpv6, ipv4ToU32 } from './ip.js';
import type { Topology, TunnelNames } from './types.js';

/** Outer-IP ids beyond this are not cached (the key has 16 bits for each endpoint). */
const MAX_ENDPOINT = 0xffff;
const OVN_VXLAN_MCAST = 2048;
const OVN_MCAST = 32768;

export interface TopologyIndexOptions {
  /** Distinct tunnel ids kept in the cache (default 65536). */
  cacheSize?: number;
}

export class TopologyIndex implements Topology {
  private facts = new Facts();
  /** Outer IPv4 -> endpoint id (1-based; 0 = unknown). */
  private endpoint4 = new Map<number, number>();
  private endpoint6 = new Map<string, number>();
  /** Endpoint id -> IPv4 (u32) or IPv6 text. */
  private endpointIp: (number | string)[] = [0];
  private cache: LRUCache<number, Map<number, TunnelNames | null>>;
  private readonly cacheSize: number;

  constructor(
    private layers: Facts[],
    private readonly closers: (() => void)[] = [],
    opts: TopologyIndexOptions = {},
  ) {
    this.cacheSize = opts.cacheSize ?? 65536;
    this.cache = new LRUCache({ max: this.cacheSize });
    this.rebuild();
  }

  /** Replace layer `i` (a live source changed) and rebuild. */
  replaceLayer(i: number, facts: Facts): void {
    this.layers[i] = facts;
    this.rebuild();
  }

  /** The merged facts (read-only use: tests, `stats`, the CLI's name listings). */
  get merged(): Facts {
    return this.facts;
  }

  private rebuild(): void {
    const f = Facts.merge(this.layers);
    const e4 = new Map<number, number>();
    const e6 = new Map<string, number>();
    const ips: (number | string)[] = [0];
    const add4 = (ip: number) => {
      if (!e4.has(ip)) e4.set(ip, ips.push(ip) - 1);
    };
    for (const ip of f.hosts4.keys()) add4(ip);
    for (const ip of f.localVlans.keys()) add4(ip);
    for (const ip of f.ovnVxlan4) add4(ip);
    for (const k of f.labels.keys()) add4(Math.floor(k / 1048576));
    for (const ip of f.hosts6.keys()) if (!e6.has(ip)) e6.set(ip, ips.push(ip) - 1);
    this.facts = f;
    this.endpoint4 = e4;
    this.endpoint6 = e6;
    this.endpointIp = ips;
    this.cache = new LRUCache({ max: this.cacheSize });
  }

  tunnelNames(p: PacketView, t: number): TunnelNames | undefined {
    if (t < 0 || t >= p.tunnelCount) return undefined;
    const kind = p.tunnelKind[t];
    let src = 0;
    let dst = 0;
    const ipL = p.tunnelOuterIp[t];
    if (ipL >= 0) {
      const b = p.buf;
      const o = p.layerStart[ipL];
      if (p.layerKind[ipL] === Layer.Ipv4) {
        src = this.endpoint4.get(((b[o + 12] << 24) | (b[o + 13] << 16) | (b[o + 14] << 8) | b[o + 15]) >>> 0) ?? 0;
        dst = this.endpoint4.get(((b[o + 16] << 24) | (b[o + 17] << 16) | (b[o + 18] << 8) | b[o + 19]) >>> 0) ?? 0;
      } else if (p.layerKind[ipL] === Layer.Ipv6 && this.endpoint6.size > 0) {
        src = this.endpoint6.get(ipv6String(b, o + 8)) ?? 0;
        dst = this.endpoint6.get(ipv6String(b, o + 24)) ?? 0;
      }
    }
    let id = p.tunnelId[t];
    let inport = -1;
    let outport = -1;
    if (kind === Tunnel.Geneve) {
      inport = p.tunnelOvnIn[t];
      outport = p.tunnelOvnOut[t];
    } else if (kind === Tunnel.Mpls && p.tunnelLabelCount[t] > 0) {
      id = p.labels[p.tunnelLabelStart[t] + p.tunnelLabelCount[t] - 1] >>> 12; // bottom label names the target
    }
    if (src > MAX_ENDPOINT || dst > MAX_ENDPOINT || id > 0xffffffff) {
      return this.resolve(kind, id, inport, outport, src, dst) ?? undefined;
    }
    // k1: kind | tunnel id | OVN egress port; k2: OVN ingress port | endpoints. Each < 2^53.
    const k1 = kind * 2 ** 42 + (kind === Tunnel.Geneve ? (id + 1) * 131072 + (outport + 1) : id + 1);
    const k2 = (inport + 1) * 4294967296 + src * 65536 + dst;
    let inner = this.cache.get(k1);
    if (inner === undefined) {
      inner = new Map();
      this.cache.set(k1, inner);
    }
    let names = inner.get(k2);
    if (names === undefined) {
      names = this.resolve(kind, id, inport, outport, src, dst);
      if (inner.size >= 4096) inner.clear();
      inner.set(k2, names);
    }
    return names ?? undefined;
  }

  /** Build the names for one key set (cache miss). Null when nothing is known. */
  private resolve(kind: number, id: number, inport: number, outport: number, src: number, dst: number): TunnelNames | null {
    const f = this.facts;
    const n: TunnelNames = {
      network: undefined,
      inport: undefined,
      outport: undefined,
      src: this.hostOfEndpoint(src),
      dst: this.hostOfEndpoint(dst),
      interface: undefined,
      vm: undefined,
      mac: undefined,
      ip: undefined,
      localVlan: undefined,
    };
    const srcIp = this.endpointIp[src];
    const dstIp = this.endpointIp[dst];
    if (kind === Tunnel.Geneve && id >= 0) {
      n.network = f.datapaths.get(id) ?? f.vnis.get(id);
      if (inport >= 0) n.inport = f.ports.get(portKey(id, inport));
      if (outport >= 0) n.outport = f.ports.get(portKey(id, outport));
    } else if ((kind === Tunnel.Vxlan || kind === Tunnel.VxlanGpe || kind === Tunnel.Gre) && id >= 0) {
      const ovn =
        kind !== Tunnel.Gre &&
        (f.ovnVxlanAll || (typeof srcIp === 'number' && f.ovnVxlan4.has(srcIp)) || (typeof dstIp === 'number' && f.ovnVxlan4.has(dstIp)));
      if (ovn) {
        // OVN VXLAN mode: VNI = 12-bit datapath | 12-bit egress port (>= 2048: multicast), no ingress port.
        const dp = id & 0xfff;
        const out = id >>> 12;
        n.network = f.datapaths.get(dp);
        n.outport = f.ports.get(portKey(dp, out >= OVN_VXLAN_MCAST ? OVN_MCAST | (out & (OVN_VXLAN_MCAST - 1)) : out));
      }
      n.network ??= f.vnis.get(id);
      if (typeof dstIp === 'number' && dst > 0) n.localVlan = f.localVlans.get(dstIp)?.get(id);
    } else if (kind === Tunnel.Mpls && id >= 0 && typeof dstIp === 'number' && dst > 0) {
      const target = f.labels.get(labelKey(dstIp, id));
      if (target) {
        n.interface = target.interface;
        n.vm = target.vm;
        n.network = target.network;
        n.mac = target.mac;
        n.ip = target.ip;
      }
    }
    for (const k in n) if (n[k as keyof TunnelNames] !== undefined) return n;
    return null;
  }

  private hostOfEndpoint(ep: number): string | undefined {
    if (ep === 0) return undefined;
    const ip = this.endpointIp[ep];
    return typeof ip === 'number' ? this.facts.hosts4.get(ip) : this.facts.hosts6.get(ip);
  }

  hostName(ip: string): string | undefined {
    const v4 = ipv4ToU32(ip);
    if (v4 >= 0) return this.facts.hosts4.get(v4);
    const v6 = canonicalIpv6(ip);
    return v6 === undefined ? undefined : this.facts.hosts6.get(v6);
  }

  /** Labels whose payload the topology knows become exact (endpoint, label) entries of the MPLS decoder. */
  applyTo(reg: Registry): void {
    for (const [k, t] of this.facts.labels) if (t.payload !== Layer.None) reg.mplsLabelAt.set(k, t.payload);
  }

  close(): void {
    for (const c of this.closers.splice(0)) c();
  }
}
