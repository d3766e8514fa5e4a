/**
 * StatsCollector over crafted packets whose groups are known when they are built (the model): the
 * conversations (both directions in one row), outer endpoint pairs, label stacks of every depth and
 * VLANs, for IPv4 and IPv6. The same packets split between two collectors whose snapshots are merged
 * (after a JSON round trip, as between workers) must give the same rows.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../decoders/index.js';
import { eth, ipv4, ipv6, mpls, tcp, udp, vxlan } from '../../samples/craft.js';
import { StatsCollector, type StatsReport } from '../../src/output/stats.js';
import { decodePacket } from '../helpers/decode.js';

const reg = createRegistry();

interface Flow {
  v6: boolean;
  a: string;
  b: string;
  pa: number;
  pb: number;
  tcp: boolean;
}

interface Pkt {
  flow: number;
  reverse: boolean;
  /** 0: plain, 1: VXLAN (VNI = vni), 2: MPLS stack `labels` */
  tunnel: number;
  vni: number;
  labels: number[];
  vlan: number;
  outer: number;
}

const MACS = { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' };
const OUTER = ['192.0.2.1', '192.0.2.2', '198.51.100.7'];

function frame(flows: Flow[], k: Pkt): Uint8Array {
  const f = flows[k.flow];
  const [src, dst, sport, dport] = k.reverse ? [f.b, f.a, f.pb, f.pa] : [f.a, f.b, f.pa, f.pb];
  const l4 = f.tcp ? tcp({ sport, dport, payload: new Uint8Array(3) }) : udp({ sport, dport, payload: new Uint8Array(5) });
  const ip = f.v6 ? ipv6({ src, dst, payload: l4 }) : ipv4({ src, dst, payload: l4 });
  const tags = k.vlan > 0 ? [{ id: k.vlan }] : undefined;
  if (k.tunnel === 1) {
    const inner = eth({ ...MACS, payload: ip });
    const outer = ipv4({ src: OUTER[k.outer], dst: OUTER[(k.outer + 1) % 3], payload: udp({ sport: 5000, payload: vxlan({ vni: k.vni, payload: inner }) }) });
    return eth({ ...MACS, tags, payload: outer });
  }
  if (k.tunnel === 2) return eth({ ...MACS, tags, payload: mpls({ labels: k.labels, payload: ip }) });
  return eth({ ...MACS, tags, payload: ip });
}

/** Rows keyed the same way whatever order the collector put the two sides of a conversation in. */
function normalized(r: StatsReport) {
  const side = (addr: string, port?: number) => `${addr}.${port ?? ''}`;
  const convs = new Map<string, [number, number]>();
  for (const c of r.conversations) {
    const sides = [side(c.a, c.aport), side(c.b, c.bport)].sort();
    convs.set(`${c.network} ${sides.join(' ')} ${c.proto}`, [c.packets, c.bytes]);
  }
  const rows = (x: { key: string; packets: number; bytes: number }[]) => new Map(x.map((y) => [y.key, [y.packets, y.bytes]]));
  return {
    packets: r.packets,
    bytes: r.bytes,
    conversationCount: r.conversationCount,
    convs,
    endpoints: rows(r.endpoints),
    labelStacks: rows(r.labelStacks),
    vlans: rows(r.vlans),
    vnis: rows(r.vnis),
    tunnels: rows(r.tunnels),
  };
}

const ip4 = fc.tuple(fc.constantFrom(10, 172, 200, 255), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })).map(([a, b, c]) => `${a}.${b}.0.${c}`);
// as ipv6String writes them (the model compares text)
const ip6 = fc.tuple(fc.constantFrom('2001:db8::', 'fe80::1:', '::ffff:10.0.0.'), fc.integer({ min: 1, max: 4 })).map(([p, i]) => `${p}${i}`);
const flow: fc.Arbitrary<Flow> = fc.boolean().chain((v6) =>
  fc.record({
    v6: fc.constant(v6),
    a: v6 ? ip6 : ip4,
    b: v6 ? ip6 : ip4,
    pa: fc.integer({ min: 1, max: 4 }),
    pb: fc.integer({ min: 1, max: 4 }),
    tcp: fc.boolean(),
  }),
);
const pkt = (flows: number): fc.Arbitrary<Pkt> =>
  fc.record({
    flow: fc.integer({ min: 0, max: flows - 1 }),
    reverse: fc.boolean(),
    tunnel: fc.integer({ min: 0, max: 2 }),
    vni: fc.integer({ min: 1, max: 3 }),
    labels: fc.array(fc.integer({ min: 16, max: 19 }), { minLength: 1, maxLength: 7 }),
    vlan: fc.integer({ min: 0, max: 2 }),
    outer: fc.integer({ min: 0, max: 2 }),
  });
const capture = fc.array(flow, { minLength: 1, maxLength: 12 }).chain((flows) => fc.tuple(fc.constant(flows), fc.array(pkt(flows.length), { minLength: 1, maxLength: 150 })));

describe('StatsCollector', () => {
  it('counts conversations, endpoints, label stacks and VLANs as the packets were built', () => {
    fc.assert(
      fc.property(capture, ([flows, pkts]) => {
        const s = new StatsCollector();
        const model = { convs: new Map<string, [number, number]>(), endpoints: new Map<string, [number, number]>(), stacks: new Map<string, [number, number]>(), vlans: new Map<string, [number, number]>() };
        const bump = (m: Map<string, [number, number]>, k: string, len: number) => {
          const c = m.get(k) ?? [0, 0];
          m.set(k, [c[0] + 1, c[1] + len]);
        };
        for (const k of pkts) {
          const data = frame(flows, k);
          s.add(decodePacket(data, reg));
          const f = flows[k.flow];
          const sides = [`${f.a}.${f.pa}`, `${f.b}.${f.pb}`].sort();
          const network = k.tunnel === 1 ? `vxlan ${k.vni}` : k.tunnel === 2 ? `mpls ${k.labels[k.labels.length - 1]}` : 'none';
          bump(model.convs, `${network} ${sides.join(' ')} ${f.tcp ? 'tcp' : 'udp'}`, data.length);
          if (k.tunnel === 1) bump(model.endpoints, `${OUTER[k.outer]} > ${OUTER[(k.outer + 1) % 3]}`, data.length);
          if (k.tunnel === 2) bump(model.stacks, k.labels.join(','), data.length);
          if (k.vlan > 0) bump(model.vlans, String(k.vlan), data.length);
        }
        const got = normalized(s.report(1e9));
        expect(got.packets).toBe(pkts.length);
        expect(got.convs).toEqual(model.convs);
        expect(got.conversationCount).toBe(model.convs.size);
        expect(got.endpoints).toEqual(model.endpoints);
        expect(got.labelStacks).toEqual(model.stacks);
        expect(got.vlans).toEqual(model.vlans);
      }),
      { numRuns: 150 },
    );
  });

  it('merging the snapshots of two collectors over parts of the packets gives the same groups', () => {
    fc.assert(
      fc.property(capture, fc.array(fc.boolean(), { minLength: 150, maxLength: 150 }), ([flows, pkts], which) => {
        const all = new StatsCollector();
        const parts = [new StatsCollector(), new StatsCollector()];
        pkts.forEach((k, i) => {
          const data = frame(flows, k);
          all.add(decodePacket(data, reg));
          parts[which[i] ? 1 : 0].add(decodePacket(data, reg));
        });
        const merged = new StatsCollector();
        for (const p of parts) merged.merge(JSON.parse(JSON.stringify(p.snapshot())));
        expect(normalized(merged.report(1e9))).toEqual(normalized(all.report(1e9)));
      }),
      { numRuns: 150 },
    );
  });

  it('lists the top conversations by packets, then bytes, then text, whatever the table order', () => {
    const flows: Flow[] = Array.from({ length: 30 }, (_, i) => ({ v6: i % 2 === 1, a: i % 2 ? `2001:db8::${i}` : `10.0.0.${i}`, b: i % 2 ? '2001:db8::ff' : '10.0.0.255', pa: 1000 + i, pb: 53, tcp: false }));
    const s = new StatsCollector();
    // flow i gets 1 + i % 4 packets: many ties at every count
    for (let i = 0; i < 30; i++) {
      for (let n = 0; n <= i % 4; n++) s.add(decodePacket(frame(flows, { flow: i, reverse: n % 2 === 1, tunnel: 0, vni: 0, labels: [], vlan: 0, outer: 0 }), reg));
    }
    const full = s.report(1000).conversations;
    expect(full).toHaveLength(30);
    for (const top of [1, 5, 7, 8, 15, 29]) expect(s.report(top).conversations).toEqual(full.slice(0, top));
    for (let i = 1; i < full.length; i++) {
      const [x, y] = [full[i - 1], full[i]];
      expect(x.packets > y.packets || (x.packets === y.packets && (x.bytes > y.bytes || (x.bytes === y.bytes && x.key <= y.key)))).toBe(true);
    }
  });
});
