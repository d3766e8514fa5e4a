import { describe, expect, it } from 'vitest';
import { cat, eth, hex, icmpEcho, icmpv6Echo, ipv4, ipv6, mpls, nsh, udp, vxlan, vxlanGpe } from '../../../samples/craft.js';
import { Layer, Tunnel } from '../../../src/layers.js';
import { TunnelFlag } from '../../../src/packet.js';
import { corpus, describeWith } from '../../helpers/env.js';
import { fieldsOf, layerNames, peelBytes, problemNames, tsharkFields } from '../tunnels-b/peel-bytes.js';
import { numbers, peelFile, tsharkOracle, withOracle } from './corpus-peel.js';

const icmp4 = () => ipv4({ src: '10.0.0.1', dst: '10.0.0.2', payload: icmpEcho({ type: 'request', id: 1, seq: 2 }) });
const icmp6 = () => ipv6({ src: '2001:db8::1', dst: '2001:db8::2', payload: icmpv6Echo({ type: 'request', id: 1, seq: 2 }) });
const frame = (payload: Uint8Array = icmp4(), src = 'fa:16:3e:3b:53:26', dst = 'fa:16:3e:a7:95:87') => eth({ src, dst, payload });

/** Ethernet/IPv4/UDP around an overlay header (dport inferred from it unless given). */
function overUdp(payload: Uint8Array, dport?: number): Uint8Array {
  return eth({
    src: '52:54:00:0c:eb:7c',
    dst: '52:54:00:1a:2b:3c',
    payload: ipv4({ src: '10.0.10.14', dst: '10.0.10.15', payload: udp({ sport: 52000, dport, payload }) }),
  });
}

const VXLAN_AT = 14 + 20 + 8;
const INNER = ['eth', 'ipv4', 'icmp'];

describe('vxlan', () => {
  it('takes the VNI when the I flag is set, on 4789 and on 8472 (Linux default)', () => {
    for (const port of [4789, 8472]) {
      const p = peelBytes(overUdp(vxlan({ vni: 0xabcdef, payload: frame() }), port));
      expect(problemNames(p)).toEqual([]);
      expect(layerNames(p)).toEqual(['eth', 'ipv4', 'udp', 'vxlan', ...INNER]);
      expect([p.tunnelKind[0], p.tunnelId[0], p.tunnelId2[0], p.tunnelFlags[0]]).toEqual([Tunnel.Vxlan, 0xabcdef, -1, 0x08]);
      expect(fieldsOf(p, Layer.Vxlan)).toEqual({ flags: 0x08, vni: 0xabcdef });
    }
  });

  it('without the I flag the VNI is not valid (-1), the frame is still decoded', () => {
    const p = peelBytes(overUdp(vxlan({ vni: 5, flags: 0, payload: frame() })));
    expect(p.tunnelId[0]).toBe(-1);
    expect(layerNames(p)).toEqual(['eth', 'ipv4', 'udp', 'vxlan', ...INNER]);
    expect(fieldsOf(p, Layer.Vxlan).vniValid).toBe(false);
  });

  it('Group Policy: G flag, policy id in id2, D and A bits, not counted as reserved', () => {
    const h = vxlan({ vni: 100, gbp: 0x1234, payload: frame() });
    h[1] = 0x48; // D (don't learn) + A (policy applied)
    const p = peelBytes(overUdp(h));
    expect(p.tunnelId[0]).toBe(100);
    expect(p.tunnelId2[0]).toBe(0x1234);
    expect(p.tunnelFlags[0]).toBe(0x88 | TunnelFlag.VxlanGbp);
    expect(fieldsOf(p, Layer.Vxlan)).toEqual({ flags: 0x88, vni: 100, gbp: 0x1234, d: true, a: true });
  });

  it('tolerates and flags non-zero reserved bits', () => {
    for (const [at, v] of [[0, 0x0c], [1, 0x01], [3, 0xff], [7, 0x01]] as const) {
      const h = vxlan({ vni: 7, payload: frame() });
      h[at] |= v;
      const p = peelBytes(overUdp(h));
      expect(layerNames(p), `byte ${at}`).toEqual(['eth', 'ipv4', 'udp', 'vxlan', ...INNER]);
      expect(p.tunnelFlags[0] & TunnelFlag.ReservedNonZero, `byte ${at}`).toBe(TunnelFlag.ReservedNonZero);
      expect(p.tunnelId[0]).toBe(7);
    }
    // with G set, byte 1's other bits are still reserved
    const g = vxlan({ vni: 7, gbp: 1, payload: frame() });
    g[1] = 0x01;
    expect(peelBytes(overUdp(g)).tunnelFlags[0] & TunnelFlag.ReservedNonZero).toBe(TunnelFlag.ReservedNonZero);
  });

  it('decodes a bare IPv4 / IPv6 payload (Contrail L3 VXLAN routing) as IP', () => {
    const v4 = peelBytes(overUdp(vxlan({ vni: 48, payload: icmp4() })));
    expect(layerNames(v4)).toEqual(['eth', 'ipv4', 'udp', 'vxlan', 'ipv4', 'icmp']);
    const v6 = peelBytes(overUdp(vxlan({ vni: 48, payload: icmp6() })));
    expect(layerNames(v6)).toEqual(['eth', 'ipv4', 'udp', 'vxlan', 'ipv6', 'icmpv6']);
  });

  it('keeps Ethernet when the frame merely starts with a 4/6 nibble (MAC 46:…, 66:…)', () => {
    for (const dst of ['46:00:00:54:00:00', '66:00:00:54:00:00']) {
      const p = peelBytes(overUdp(vxlan({ vni: 9, payload: frame(icmp4(), '02:00:00:00:00:01', dst) })));
      expect(layerNames(p), dst).toEqual(['eth', 'ipv4', 'udp', 'vxlan', ...INNER]);
    }
  });

  it('a header cut short is truncated; an empty payload just ends', () => {
    const cut = peelBytes(overUdp(hex('08 00 00 00 00 00'), 4789));
    expect(problemNames(cut)).toEqual(['truncated@vxlan']);
    expect(cut.problemOffset[0]).toBe(VXLAN_AT);
    expect(cut.tunnelCount).toBe(0);
    const empty = peelBytes(overUdp(hex('08 00 00 00 00 00 07 00'), 4789));
    expect(layerNames(empty)).toEqual(['eth', 'ipv4', 'udp', 'vxlan']);
    expect(problemNames(empty)).toEqual([]);
  });
});

describe('vxlan-gpe and nsh', () => {
  it('GPE → NSH → IPv4: next protocol in id2, SPI/SI in the NSH fields', () => {
    const p = peelBytes(overUdp(vxlanGpe({ vni: 0xffffff, payload: nsh({ spi: 0x123456, si: 254, payload: icmp4() }) })));
    expect(problemNames(p)).toEqual([]);
    expect(layerNames(p)).toEqual(['eth', 'ipv4', 'udp', 'vxlan-gpe', 'nsh', 'ipv4', 'icmp']);
    expect([p.tunnelKind[0], p.tunnelId[0], p.tunnelId2[0], p.tunnelFlags[0]]).toEqual([Tunnel.VxlanGpe, 0xffffff, 4, 0x0c]);
    expect(fieldsOf(p, Layer.VxlanGpe)).toEqual({ flags: 0x0c, version: 0, i: true, p: true, b: false, o: false, next: 4, vni: 0xffffff });
    expect(fieldsOf(p, Layer.Nsh)).toEqual({ version: 0, o: 0, ttl: 63, length: 2, mdtype: 2, next: 1, spi: 0x123456, si: 254 });
  });

  it('GPE dispatches IPv4, IPv6, Ethernet, NSH and MPLS by next protocol', () => {
    const cases: Array<[Uint8Array, string[]]> = [
      [icmp4(), ['ipv4', 'icmp']],
      [icmp6(), ['ipv6', 'icmpv6']],
      [frame(), INNER],
      [mpls({ labels: [16, 17], payload: icmp4() }), ['mpls', 'ipv4', 'icmp']],
    ];
    for (const [payload, stack] of cases) {
      const p = peelBytes(overUdp(vxlanGpe({ vni: 1, payload })));
      expect(layerNames(p).slice(4)).toEqual(stack);
    }
  });

  it('GPE: unknown next protocol and a non-zero version are reported', () => {
    const unknown = peelBytes(overUdp(vxlanGpe({ vni: 1, next: 0x80, payload: icmp4() })));
    expect(layerNames(unknown)).toEqual(['eth', 'ipv4', 'udp', 'vxlan-gpe']);
    expect(problemNames(unknown)).toEqual(['unknown-next@vxlan-gpe']);
    const h = vxlanGpe({ vni: 1, payload: icmp4() });
    h[0] |= 0x10;
    expect(problemNames(peelBytes(overUdp(h)))).toEqual(['bad-version@vxlan-gpe']);
  });

  it('NSH MD type 1 (fixed 16-byte context) and MD type 2 with TLVs: the length field places the payload', () => {
    const md1 = cat(hex('0fc6 0101 000abc 07'), hex('00112233 44556677 8899aabb ccddeeff'), icmp4());
    const p1 = peelBytes(overUdp(vxlanGpe({ vni: 2, next: 4, payload: md1 })));
    expect(layerNames(p1).slice(4)).toEqual(['nsh', 'ipv4', 'icmp']);
    expect(fieldsOf(p1, Layer.Nsh)).toMatchObject({ mdtype: 1, length: 6, next: 1, spi: 0xabc, si: 7, context: '00112233445566778899aabbccddeeff' });
    const md2 = cat(hex('0fc6 0201 000001 ff'), hex('0001 02 01 12345678 0002 03 01 12345678'), icmp4());
    const p2 = peelBytes(overUdp(vxlanGpe({ vni: 2, next: 4, payload: md2 })));
    expect(layerNames(p2).slice(4)).toEqual(['nsh', 'ipv4', 'icmp']);
    expect(p2.layerEnd[4] - p2.layerStart[4]).toBe(24);
  });

  it('NSH faults: version, lengths that cannot be, a header past the data', () => {
    const at = (b: Uint8Array) => problemNames(peelBytes(overUdp(vxlanGpe({ vni: 2, next: 4, payload: b }))));
    expect(at(cat(hex('4fc2 0201 000001 ff'), icmp4()))).toEqual(['bad-version@nsh']);
    expect(at(cat(hex('0fc1 0201 000001 ff'), icmp4()))).toEqual(['bad-length@nsh']); // 1 word < 2
    expect(at(cat(hex('0fc2 0101 000001 ff'), icmp4()))).toEqual(['bad-length@nsh']); // MD type 1 must be 6 words
    expect(at(hex('0fff 0201 000001 ff 00000000'))).toEqual(['truncated@nsh']); // 63 words
  });

  it('NSH is also reached by EtherType 0x894f', () => {
    const p = peelBytes(eth({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', payload: nsh({ spi: 5, si: 3, payload: frame() }) }));
    expect(layerNames(p)).toEqual(['eth', 'nsh', ...INNER]);
  });
});

describeWith({ tools: ['tshark'] }, 'vxlan / gpe / nsh vs tshark 4.0.17 on crafted packets', () => {
  it('agrees on VNI, group policy id and G flag', () => {
    const pkts = [
      overUdp(vxlan({ vni: 1, payload: frame() })),
      overUdp(vxlan({ vni: 16777215, gbp: 0xbeef, payload: frame() })),
      overUdp(vxlan({ vni: 4096, gbp: 0, payload: frame() })),
    ];
    const rows = tsharkFields(pkts, ['vxlan.vni', 'vxlan.gbp', 'vxlan.flag_g']);
    pkts.forEach((x, i) => {
      const p = peelBytes(x);
      expect(String(p.tunnelId[0])).toBe(rows[i][0]);
      expect(rows[i][2]).toBe(p.tunnelFlags[0] & TunnelFlag.VxlanGbp ? '1' : '0');
      if (p.tunnelFlags[0] & TunnelFlag.VxlanGbp) expect(String(p.tunnelId2[0])).toBe(rows[i][1]);
    });
  });

  it('agrees on GPE next protocol and NSH SPI/SI', () => {
    const pkts = [overUdp(vxlanGpe({ vni: 77, payload: nsh({ spi: 0x10203, si: 9, payload: icmp4() }) })), overUdp(vxlanGpe({ vni: 78, payload: icmp6() }))];
    const rows = tsharkFields(pkts, ['vxlan.vni', 'vxlan.next_proto', 'nsh.spi', 'nsh.si']);
    pkts.forEach((x, i) => {
      const p = peelBytes(x);
      expect([String(p.tunnelId[0]), String(p.tunnelId2[0])]).toEqual([rows[i][0], rows[i][1]]);
      const n = p.findLayer(Layer.Nsh);
      if (n >= 0) {
        const f = fieldsOf(p, Layer.Nsh);
        expect([String(f.spi), String(f.si)]).toEqual([rows[i][2], rows[i][3]]);
      } else expect(rows[i][2]).toBe('');
    });
  });
});

describeWith({ corpus: true }, 'vxlan on the corpus (VNIs vs the tshark oracle)', () => {
  const files = [
    'tcpdump/vxlan.pcap',
    'tcpdump/vxlan_port_8472.pcap', // tshark needed -d udp.port==8472,vxlan; tcpdump 4.99 prints it as OTV
    'zeek/tunnels_vxlan/vxlan.pcap',
    'zeek/tunnels_vxlan-triple-v2/vxlan-triple-v2.pcap',
    'zeek/tunnels_vxlan-encapsulated-igmp-v2/vxlan-encapsulated-igmp-v2.pcap',
    'skydive/vxlan-icmpv4-truncated.pcap',
    'skydive/vxlan-src-port.pcap',
    'suricata-verify/vxlan-non-zero-reserved-fields/input.pcap',
    'suricata-verify/arp_detect-arp-04-vxlan/vxlan-arp.pcap',
    'contrail-vrouter/mirror_v6_dst.pcap',
    'tcpdump/gso-ipv4-vxlan-ipv4.pcap',
    'tcpdump/gso-ipv6-vxlan-ipv6.pcap',
  ];
  for (const f of files) {
    it(f, async () => {
      for (const { ours, tshark, what } of await withOracle(f)) {
        expect(ours.tunnels.filter((t) => t.type === 'vxlan').map((t) => t.id), what).toEqual(numbers(tshark['vxlan.vni']));
        const eths = tshark['frame.protocols'].split(':').filter((x) => x === 'eth').length;
        expect(ours.layers.filter((x) => x === 'eth').length, what).toBe(eths);
      }
    });
  }

  it('suricata vxlan-non-zero-reserved-fields: every packet decoded and flagged', async () => {
    const ours = await peelFile(corpus('suricata-verify/vxlan-non-zero-reserved-fields/input.pcap'));
    expect(ours.length).toBe(10);
    for (const s of ours) {
      expect(s.tunnels[0].flags & TunnelFlag.ReservedNonZero).toBe(TunnelFlag.ReservedNonZero);
      expect(s.layers.slice(3)).toEqual(['vxlan', 'eth', 'ipv4', 'tcp']);
    }
  });

  it('contrail vxlan_routing_dest: IPv4 right after VXLAN; tshark 4.0 misreads it as Ethernet + LLC', async () => {
    // The vRouter's L3 "VXLAN routing" puts the IPv4 packet (45 00 00 6c …) straight after the VXLAN
    // header. tshark always assumes Ethernet, so it reads MACs 45:00:00:6c:00:01 / 00:00:3f:11:75:7b and
    // "length" 0x0101 → LLC. The header is a consistent IPv4 packet filling the UDP payload exactly.
    const f = corpus('contrail-vrouter/vxlan_routing_dest.pcap');
    const ours = await peelFile(f);
    const oracle = tsharkOracle(f);
    expect(new Set(oracle.map((o) => o['frame.protocols']))).toEqual(new Set(['eth:ethertype:ip:udp:vxlan:eth:llc:data']));
    expect(ours.length).toBe(1000);
    ours.forEach((s, i) => {
      expect(s.tunnels.map((t) => t.id)).toEqual(numbers(oracle[i]['vxlan.vni']));
      expect(s.layers).toEqual(['eth', 'ipv4', 'udp', 'vxlan', 'ipv4', 'udp']);
      expect(s.problems).toEqual([]);
    });
  });

  it('nsh-over-vxlan-gpe: VNI, next protocol NSH, SPI 0xffffff SI 255 (tcpdump -vv), MD type 2 context', async () => {
    const f = corpus('tcpdump/nsh-over-vxlan-gpe.pcap');
    const [s] = await peelFile(f, { detail: Layer.Nsh });
    const [o] = tsharkOracle(f);
    expect(s.layers).toEqual(['eth', 'ipv4', 'udp', 'vxlan-gpe', 'nsh', 'ipv4', 'udp']);
    expect(s.tunnels).toEqual([{ type: 'vxlan-gpe', id: 16777215, id2: 4, flags: 0x0c, labels: [] }]);
    expect(s.detail[0].spi).toBe(Number(o['nsh.spi']));
    expect(s.detail[0]).toMatchObject({ spi: 0xffffff, si: 0xff, mdtype: 2, next: 1, length: 6, o: 1, context: '00010201123456780002030112345678' });
  });
});
