import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../../decoders/index.js';
import { cat, erspan2, erspan3, eth, gre, hex, icmpEcho, ipv4, ipv6, udp } from '../../../samples/craft.js';
import { Layer, Tunnel } from '../../../src/layers.js';
import { corpus, describeWith } from '../../helpers/env.js';
import { fieldsOf, layerNames, peelBytes, problemNames, tsharkFields } from '../tunnels-b/peel-bytes.js';
import { peelFile, withOracle } from './corpus-peel.js';

const mirrored = () =>
  eth({
    src: '00:1d:e5:48:e6:c1',
    dst: '00:00:5e:00:01:01',
    tags: [{ id: 1011 }],
    payload: ipv4({ src: '10.48.6.1', dst: '10.48.6.2', payload: icmpEcho({ type: 'request', id: 3, seq: 4 }) }),
  });

function overIp(greBytes: Uint8Array): Uint8Array {
  return eth({
    src: '00:10:18:b3:8f:10',
    dst: '88:1d:fc:c9:dc:03',
    payload: ipv4({ src: '192.168.1.172', dst: '192.168.1.249', proto: 47, payload: greBytes }),
  });
}

const MIRRORED_STACK = ['eth', 'vlan', 'ipv4', 'icmp'];
const ERSPAN_AT = 14 + 20;

describe('erspan: the three types', () => {
  it('type I: GRE 0x88be without the sequence bit, no header, Ethernet right away', () => {
    const p = peelBytes(overIp(gre({ proto: 0x88be, payload: mirrored() })));
    expect(problemNames(p)).toEqual([]);
    expect(layerNames(p)).toEqual(['eth', 'ipv4', 'gre', 'erspan', ...MIRRORED_STACK]);
    expect(p.layerEnd[3]).toBe(p.layerStart[3]); // an empty header
    expect([p.tunnelKind[1], p.tunnelId[1], p.tunnelId2[1], p.tunnelFlags[1]]).toEqual([Tunnel.Erspan, -1, 1, 0]);
    expect(fieldsOf(p, Layer.Erspan)).toEqual({ type: 1 });
  });

  it('type II: session, vlan, cos, index', () => {
    const p = peelBytes(overIp(gre({ key: 9, payload: erspan2({ session: 666, vlan: 342, cos: 6, index: 32760, payload: mirrored() }) })));
    expect(problemNames(p)).toEqual([]);
    expect(layerNames(p)).toEqual(['eth', 'ipv4', 'gre', 'erspan', ...MIRRORED_STACK]);
    expect(p.layerEnd[3] - p.layerStart[3]).toBe(8);
    expect([p.tunnelId[1], p.tunnelId2[1], p.tunnelFlags[1]]).toEqual([666, 2, 342]);
    expect(fieldsOf(p, Layer.Erspan)).toEqual({ type: 2, version: 1, vlan: 342, cos: 6, t: 0, session: 666, en: 0, index: 32760 });
  });

  it('type III: 12-byte header, frame type Ethernet', () => {
    const h = erspan3({ session: 101, vlan: 20, cos: 5, timestamp: 0x34760b01, sgt: 256, hwid: 9, egress: true, payload: mirrored() });
    const p = peelBytes(overIp(gre({ payload: h })));
    expect(problemNames(p)).toEqual([]);
    expect(layerNames(p)).toEqual(['eth', 'ipv4', 'gre', 'erspan', ...MIRRORED_STACK]);
    expect(p.layerEnd[3] - p.layerStart[3]).toBe(12);
    expect([p.tunnelId[1], p.tunnelId2[1], p.tunnelFlags[1]]).toEqual([101, 3, 20]);
    expect(fieldsOf(p, Layer.Erspan)).toEqual({
      type: 3, version: 2, vlan: 20, cos: 5, t: 0, session: 101, bso: 0, timestamp: 0x34760b01, sgt: 256,
      p: 0, ft: 0, hwid: 9, d: 1, gra: 0, o: 0,
    });
  });

  it('type III with the 8-byte platform-specific sub-header (O bit)', () => {
    const h = erspan3({ session: 3, vlan: 7, payload: new Uint8Array(0) });
    h[11] |= 1;
    const sub = hex('0c 00 00 00 12 34 56 78'); // platform id 3
    const p = peelBytes(overIp(gre({ proto: 0x22eb, payload: cat(h, sub, mirrored()) })));
    expect(problemNames(p)).toEqual([]);
    expect(layerNames(p)).toEqual(['eth', 'ipv4', 'gre', 'erspan', ...MIRRORED_STACK]);
    expect(p.layerEnd[3] - p.layerStart[3]).toBe(20);
    const f = fieldsOf(p, Layer.Erspan);
    expect([f.o, f.platformId, f.platform]).toEqual([1, 3, '0c00000012345678']);
  });

  it('type III frame type 2 carries a bare IP packet; other frame types stay undecoded', () => {
    const ipPayload = (ft: number, payload: Uint8Array) => {
      const h = erspan3({ session: 1, payload: new Uint8Array(0) });
      h[10] |= ft << 2;
      return overIp(gre({ proto: 0x22eb, seq: 1, payload: cat(h, payload) }));
    };
    const v4 = peelBytes(ipPayload(2, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', payload: icmpEcho({ type: 'reply', id: 1, seq: 1 }) })));
    expect(layerNames(v4)).toEqual(['eth', 'ipv4', 'gre', 'erspan', 'ipv4', 'icmp']);
    const v6 = peelBytes(ipPayload(2, ipv6({ src: '2001:db8::1', dst: '2001:db8::2', next: 59, payload: new Uint8Array(0) })));
    expect(layerNames(v6)).toEqual(['eth', 'ipv4', 'gre', 'erspan', 'ipv6']);
    const ft7 = peelBytes(ipPayload(7, mirrored()));
    expect(layerNames(ft7)).toEqual(['eth', 'ipv4', 'gre', 'erspan']);
    expect(problemNames(ft7)).toEqual(['unknown-next@erspan']);
    expect(ft7.tunnelId2[1]).toBe(3);
  });
});

describe('erspan: faults and other carriers', () => {
  it('refuses an unknown version and truncated headers without recording an ERSPAN tunnel', () => {
    const v3 = peelBytes(overIp(gre({ proto: 0x88be, seq: 5, payload: cat(hex('3000 0001 0000 0000'), mirrored()) })));
    expect(problemNames(v3)).toEqual(['bad-version@erspan']);
    expect(layerNames(v3)).toEqual(['eth', 'ipv4', 'gre']);
    const short2 = peelBytes(overIp(gre({ proto: 0x88be, seq: 5, payload: hex('1000 0001 0000') })));
    expect(problemNames(short2)).toEqual(['truncated@erspan']);
    expect(short2.problemOffset[0]).toBe(ERSPAN_AT + 8);
    const h = erspan3({ session: 3, payload: new Uint8Array(0) });
    h[11] |= 1;
    const shortSub = peelBytes(overIp(gre({ proto: 0x22eb, payload: cat(h, hex('0c 00 00')) })));
    expect(problemNames(shortSub)).toEqual(['truncated@erspan']);
    for (const p of [v3, short2, shortSub]) expect(p.tunnelCount).toBe(1); // the GRE tunnel only
  });

  it('reached by decode-as on a UDP port (no GRE below), the version nibble decides', () => {
    const reg = createRegistry();
    reg.decodeAs('udp.port==7932=erspan');
    const pkt = eth({
      src: '00:10:18:b3:8f:10',
      dst: '88:1d:fc:c9:dc:03',
      payload: ipv4({ src: '10.0.0.1', dst: '10.0.0.2', payload: udp({ sport: 40000, dport: 7932, payload: erspan2({ session: 12, payload: mirrored() }) }) }),
    });
    const p = peelBytes(pkt, { reg });
    expect(layerNames(p)).toEqual(['eth', 'ipv4', 'udp', 'erspan', ...MIRRORED_STACK]);
    expect([p.tunnelId[0], p.tunnelId2[0]]).toEqual([12, 2]);
  });
});

describeWith({ tools: ['tshark'] }, 'erspan vs tshark 4.0.17 on crafted packets', () => {
  it('agrees on version, span id and vlan for types I, II and III', () => {
    const pkts = [
      overIp(gre({ proto: 0x88be, payload: mirrored() })),
      overIp(gre({ payload: erspan2({ session: 1023, vlan: 4095, index: 7, payload: mirrored() }) })),
      overIp(gre({ payload: erspan3({ session: 512, vlan: 100, payload: mirrored() }) })),
    ];
    const rows = tsharkFields(pkts, ['erspan.version', 'erspan.spanid', 'erspan.vlan', 'vlan.id']);
    const ours = pkts.map((x) => peelBytes(x));
    // tshark numbers the header version (1 = type II, 2 = type III); we number the type (1, 2, 3)
    expect(rows.map((r) => r[0])).toEqual(['', '1', '2']);
    expect(ours.map((p) => p.tunnelId2[1])).toEqual([1, 2, 3]);
    expect(ours.map((p) => (p.tunnelId[1] < 0 ? '' : String(p.tunnelId[1])))).toEqual(rows.map((r) => r[1]));
    expect(ours.slice(1).map((p) => String(p.tunnelFlags[1] & 0xfff))).toEqual(rows.slice(1).map((r) => r[2]));
    for (const [i, p] of ours.entries()) expect(String(p.vlanTci[0] & 0xfff)).toBe(rows[i][3]);
  });
});

describeWith({ corpus: true }, 'erspan on the corpus (vs the tshark oracle)', () => {
  const files = [
    'tcpdump/erspan-type-i-1.pcap',
    'tcpdump/erspan-type-i-2.pcap',
    'tcpdump/erspan-type-i-3.pcap',
    'tcpdump/erspan-type-i-4.pcap',
    'tcpdump/erspan-type-ii-1.pcap',
    'tcpdump/erspan-type-ii-2.pcap',
    'tcpdump/erspan-type-ii-3.pcap',
    'tcpdump/erspan-type-iii-ft-0.pcap',
    'tcpdump/erspan-type-iii-ft-7.pcap',
    'zeek/erspanI/erspanI.pcap',
    'zeek/erspanII/erspanII.pcap',
    'zeek/erspanIII/erspanIII.pcap',
    'suricata-verify/decode-erspan-typeI-02/input.pcap',
  ];
  for (const f of files) {
    it(f, async () => {
      let seen = 0;
      for (const { ours: s, tshark: o, what } of await withOracle(f)) {
        const er = s.tunnels.filter((t) => t.type === 'erspan');
        if (!o['frame.protocols'].includes('erspan')) {
          expect(er, what).toEqual([]);
          continue;
        }
        seen++;
        expect(er.length, what).toBe(1);
        const t = er[0];
        expect(t.id2, what).toBe(o['erspan.version'] === '' ? 1 : Number(o['erspan.version']) + 1);
        expect(t.id, what).toBe(o['erspan.spanid'] === '' ? -1 : Number(o['erspan.spanid']));
        if (t.id2 > 1) expect(t.flags & 0xfff, what).toBe(Number(o['erspan.vlan']));
        // the mirrored frame's VLAN tags, where tshark decoded them
        expect(s.layers.filter((x) => x === 'vlan').length, what).toBe(o['vlan.id'] === '' ? 0 : o['vlan.id'].split(',').length);
      }
      expect(seen).toBeGreaterThan(0);
    });
  }

  it('erspan-type-iii-ft-7: frame type 7 is left undecoded (tshark: data; tcpdump: "Frame type unknown")', async () => {
    const ours = await peelFile(corpus('tcpdump/erspan-type-iii-ft-7.pcap'));
    for (const s of ours) {
      expect(s.layers).toEqual(['eth', 'ipv4', 'gre', 'erspan']);
      expect(s.problems).toEqual(['unknown-next@erspan']);
    }
  });

  it('erspan-type-iii-pb-1: raw-IP IPv6 + dstopts + GRE, the platform sub-header is cut off by the capture', async () => {
    // tcpdump: "erspan type3 session 0 bso Short cos 0 ft Ethernet [|erspan]"; tshark shows the
    // 12-byte header (vlan 3373) and marks it truncated. We keep the GRE tunnel and report the cut.
    const [s] = await peelFile(corpus('tcpdump/erspan-type-iii-pb-1.pcap'));
    expect(s.layers).toEqual(['raw', 'ipv6', 'gre']);
    expect(s.tunnels.map((t) => t.type)).toEqual(['gre']);
    expect(s.tunnels[0].id2).toBe(4280811777); // GRE sequence, as tcpdump prints it
    expect(s.problems).toEqual(['truncated@erspan']);
  });
});
