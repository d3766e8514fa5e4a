import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../../decoders/index.js';
import { ethernetScore, ipHeaderAt } from '../../../decoders/mpls.js';
import {
  cat, eth, gre, hex, icmpEcho, icmpv6Echo, ipv4, ipv6, mpls, pwControlWord, udp, vxlan,
} from '../../../samples/craft.js';
import { Layer, MPLS_RULE_NAMES, MplsRule, Tunnel } from '../../../src/layers.js';
import { MAX_LABELS, PacketView, TunnelFlag } from '../../../src/packet.js';
import { corpus, describeWith } from '../../helpers/env.js';
import { fieldsOf, layerNames, peelBytes, problemNames, tsharkFields } from '../tunnels-b/peel-bytes.js';
import { numbers, peelFile, tsharkOracle, withOracle } from './corpus-peel.js';

// Addresses and MACs from the Contrail seed (S0:L283, L603): vRouter computes 172.20.0.23/.24, VM
// MACs 02:…, the vRouter's own MAC 00:00:5e:00:01:00.
const VM_A = '02:95:3d:1d:c9:69';
const VM_B = '02:38:c8:ea:9a:21';
const VROUTER_MAC = '00:00:5e:00:01:00';

const icmp4 = () => ipv4({ src: '12.12.0.102', dst: '10.10.0.100', payload: icmpEcho({ type: 'request', id: 15119, seq: 20030 }) });
const icmp6 = () => ipv6({ src: '2001:db8::1', dst: '2001:db8::2', payload: icmpv6Echo({ type: 'request', id: 7, seq: 1 }) });
const vmFrame = (payload: Uint8Array = icmp4()) => eth({ src: VM_B, dst: VM_A, payload });

/** Ethernet/IPv4/UDP(→6635) around `payload`, sent to vRouter `dst`. */
function mplsOverUdp(payload: Uint8Array, dst = '172.20.0.24'): Uint8Array {
  return eth({
    src: '8c:dc:d4:10:75:a0',
    dst: '8c:dc:d4:10:74:c0',
    payload: ipv4({ src: '172.20.0.23', dst, payload: udp({ sport: 53824, dport: 6635, payload }) }),
  });
}

function mplsOverGre(payload: Uint8Array): Uint8Array {
  return eth({
    src: '00:1d:c2:8f:22:db',
    dst: '0a:36:cc:61:aa:10',
    payload: ipv4({ src: '172.20.0.25', dst: '172.20.0.23', payload: gre({ payload }) }),
  });
}

/** Payload rule of MPLS tunnel `t` (default: the last tunnel). */
const rule = (p: PacketView, t = p.tunnelCount - 1) => MPLS_RULE_NAMES[p.tunnelId2[t]];
const labelsOf = (p: PacketView) => Array.from(p.labels.subarray(0, p.labelCount), (e) => e >>> 12);

describe('mpls: label stack', () => {
  for (const n of [1, 2, 3, 4]) {
    it(`records a ${n}-label stack over UDP and GRE, one tunnel, IPv4 found by its header`, () => {
      const labels = [31, 1000, 0xfffff, 524288].slice(0, n).map((label, i) => ({ label, tc: i, ttl: 255 - i }));
      for (const pkt of [mplsOverUdp(mpls({ labels, payload: icmp4() })), mplsOverGre(mpls({ labels, payload: icmp4() }))]) {
        const p = peelBytes(pkt);
        expect(problemNames(p)).toEqual([]);
        expect(layerNames(p).slice(-3)).toEqual(['mpls', 'ipv4', 'icmp']);
        const t = p.tunnelCount - 1;
        expect(p.tunnelKind[t]).toBe(Tunnel.Mpls);
        expect(p.tunnelId[t]).toBe(31);
        expect(rule(p, t)).toBe('ip');
        expect(p.tunnelLabelCount[t]).toBe(n);
        expect(labelsOf(p)).toEqual(labels.map((l) => l.label));
        const f = fieldsOf(p, Layer.Mpls);
        expect(f.labels).toEqual(labels.map((l, i) => ({ label: l.label, tc: l.tc, s: i === n - 1 ? 1 : 0, ttl: l.ttl })));
        expect(f.payload).toBe('ip');
      }
    });
  }

  it('finds IPv6 after the bottom label', () => {
    const p = peelBytes(mplsOverUdp(mpls({ labels: [20, 48], payload: icmp6() })));
    expect(layerNames(p)).toEqual(['eth', 'ipv4', 'udp', 'mpls', 'ipv6', 'icmpv6']);
    expect(rule(p)).toBe('ip');
  });

  it('accepts MPLS over Ethernet whose small IPv4 packet is padded (header checksum vouches for it)', () => {
    const small = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', payload: icmpEcho({ type: 'request', id: 1, seq: 1, data: new Uint8Array(0) }) });
    const frame = eth({ src: '00:1b:21:0a:0b:0c', dst: '00:50:56:0d:0e:0f', payload: mpls({ labels: [16], payload: small }) });
    const padded = cat(frame, new Uint8Array(64 - frame.length));
    const p = peelBytes(padded);
    expect(layerNames(p)).toEqual(['eth', 'mpls', 'ipv4', 'icmp']);
    expect(rule(p)).toBe('ip');
  });

  it('believes an IPv4 length beyond the captured bytes when the capture was cut short (snaplen)', () => {
    const full = mplsOverUdp(mpls({ labels: [48], payload: icmp4() }));
    const cut = full.subarray(0, full.length - 20);
    const p = peelBytes(cut, { len: full.length });
    expect(rule(p)).toBe('ip');
    expect(layerNames(p)).toContain('ipv4');
  });
});

describe('mpls: Ethernet payloads (Contrail L2, pseudowires)', () => {
  it('decodes a VM frame with 02: MACs directly after the label (no control word)', () => {
    const p = peelBytes(mplsOverUdp(mpls({ labels: [30], payload: vmFrame() })));
    expect(problemNames(p)).toEqual([]);
    expect(layerNames(p)).toEqual(['eth', 'ipv4', 'udp', 'mpls', 'eth', 'ipv4', 'icmp']);
    expect(rule(p)).toBe('ethernet');
    expect(p.tunnelFlags[0] & TunnelFlag.MplsControlWord).toBe(0);
    const inner = createRegistry().modules[Layer.Ethernet]!.fields(p, p.innerL2);
    expect(inner).toEqual({ dst: VM_A, src: VM_B, type: 0x0800 });
  });

  it('decodes control word + Ethernet, with a 2-label stack, over GRE', () => {
    const p = peelBytes(mplsOverGre(mpls({ labels: [100, 30], payload: pwControlWord({ seq: 9, payload: vmFrame() }) })));
    expect(problemNames(p)).toEqual([]);
    expect(layerNames(p)).toEqual(['eth', 'ipv4', 'gre', 'mpls', 'pwcw', 'eth', 'ipv4', 'icmp']);
    expect(rule(p, 1)).toBe('ethernet-cw');
    expect(p.tunnelFlags[1] & TunnelFlag.MplsControlWord).toBe(TunnelFlag.MplsControlWord);
    expect(fieldsOf(p, Layer.PwControlWord)).toEqual({ flags: 0, frg: 0, length: 0, seq: 9 });
    expect(p.innerL2).toBe(5); // the inner frame starts after the control word
  });

  it('decodes ARP and VLAN-tagged frames after the label', () => {
    const arp = eth({ src: VM_B, dst: 'ff:ff:ff:ff:ff:ff', type: 0x0806, payload: hex('0001 0800 0604 0001 0238c8ea9a21 0a0a0064 000000000000 0a0a0066') });
    expect(layerNames(peelBytes(mplsOverUdp(mpls({ labels: [57], payload: arp }))))).toEqual(['eth', 'ipv4', 'udp', 'mpls', 'eth', 'arp']);
    const tagged = eth({ src: VM_B, dst: VM_A, tags: [{ id: 69 }], payload: icmp4() });
    const p = peelBytes(mplsOverUdp(mpls({ labels: [57], payload: pwControlWord({ payload: tagged }) })));
    expect(layerNames(p)).toEqual(['eth', 'ipv4', 'udp', 'mpls', 'pwcw', 'eth', 'vlan', 'ipv4', 'icmp']);
    expect(p.vlanTci[0] & 0xfff).toBe(69);
  });

  it("recognises Contrail's L2 multicast shape: control word + IPv4/UDP/VXLAN + frame", () => {
    const inner = ipv4({ src: '172.20.0.23', dst: '172.20.0.24', payload: udp({ sport: 52000, payload: vxlan({ vni: 5, payload: vmFrame() }) }) });
    const p = peelBytes(mplsOverUdp(mpls({ labels: [1030], payload: pwControlWord({ payload: inner }) })));
    expect(problemNames(p)).toEqual([]);
    expect(layerNames(p)).toEqual(['eth', 'ipv4', 'udp', 'mpls', 'pwcw', 'ipv4', 'udp', 'vxlan', 'eth', 'ipv4', 'icmp']);
    expect(p.tunnelId2[0]).toBe(MplsRule.ContrailL2Mcast);
    expect(p.tunnelFlags[0] & TunnelFlag.MplsControlWord).toBe(TunnelFlag.MplsControlWord);
    expect(p.tunnelKind[1]).toBe(Tunnel.Vxlan);
    expect(p.tunnelId[1]).toBe(5);
  });

  it('leaves a payload that fits nothing undecoded and says so', () => {
    const p = peelBytes(mplsOverUdp(mpls({ labels: [77], payload: hex('ff ee dd cc bb aa 99 88 77 66 55 44 33 22 11 00') })));
    expect(layerNames(p)).toEqual(['eth', 'ipv4', 'udp', 'mpls']);
    expect(rule(p)).toBe('raw');
    expect(problemNames(p)).toEqual(['unknown-next@mpls']);
  });

  it('scores Ethernet: group source tolerated, zero words and implausible types rejected', () => {
    const view = (bytes: Uint8Array) => {
      const p = peelBytes(new Uint8Array(0));
      p.buf = bytes;
      p.start = 0;
      p.end = p.capEnd = bytes.length;
      p.len = bytes.length;
      return p;
    };
    const ok = view(vmFrame());
    expect(ethernetScore(ok, 0)).toBeGreaterThan(0);
    expect(ipHeaderAt(ok, 0)).toBe(Layer.None); // 02: is not an IP version nibble
    expect(ipHeaderAt(ok, 14)).toBe(Layer.Ipv4);
    expect(ethernetScore(view(cat(hex('00000000'), vmFrame())), 0)).toBe(0); // a control word is no MAC
    expect(ethernetScore(view(eth({ src: VM_B, dst: VM_A, type: 0x1234, payload: icmp4() })), 0)).toBe(0);
    // IPv4 EtherType whose "IP header" is not one
    expect(ethernetScore(view(eth({ src: VM_B, dst: VM_A, type: 0x0800, payload: hex('ffffffffffffffffffffffffffffffffffffffffffff') })), 0)).toBe(0);
  });
});

describe('pwcw: the control word decoder', () => {
  const reg = () => {
    const r = createRegistry();
    r.decodeAs('mpls.label==200=pwcw');
    return r;
  };

  it('reads flags, fragment bits, length and sequence number', () => {
    const p = peelBytes(mplsOverUdp(mpls({ labels: [200], payload: cat(hex('0a 85 12 34'), vmFrame()) })), { reg: reg() });
    expect(layerNames(p).slice(3)).toEqual(['mpls', 'pwcw', 'eth', 'ipv4', 'icmp']);
    expect(fieldsOf(p, Layer.PwControlWord)).toEqual({ flags: 10, frg: 2, length: 5, seq: 0x1234 });
  });

  it('stops at an associated channel header (first nibble 1), refuses other nibbles, reports truncation', () => {
    const ach = peelBytes(mplsOverUdp(mpls({ labels: [200], payload: hex('10 00 00 07 01 02 03 04') })), { reg: reg() });
    expect(layerNames(ach).slice(3)).toEqual(['mpls', 'pwcw']);
    expect(fieldsOf(ach, Layer.PwControlWord)).toEqual({ ach: true, version: 0, channel: 7 });
    expect(problemNames(ach)).toEqual([]);
    const bad = peelBytes(mplsOverUdp(mpls({ labels: [200], payload: hex('45 00 00 07 01 02 03 04') })), { reg: reg() });
    expect(problemNames(bad)).toEqual(['malformed@pwcw']);
    expect(layerNames(bad).slice(3)).toEqual(['mpls']);
    const short = peelBytes(mplsOverUdp(mpls({ labels: [200], payload: hex('00 00') })), { reg: reg() });
    expect(problemNames(short)).toEqual(['truncated@pwcw']);
  });
});

describe('mpls: reserved labels', () => {
  it('decodes IPv4 after explicit null 0 and IPv6 after explicit null 2 without looking at the bytes', () => {
    // lengths that the IP heuristic would reject: the reserved label decides
    const v4 = peelBytes(mplsOverUdp(mpls({ labels: [300, 0], payload: ipv4({ src: '10.0.0.1', dst: '10.0.0.2', totalLength: 2000, payload: icmpEcho({ type: 'reply', id: 1, seq: 1 }) }) })));
    expect(rule(v4)).toBe('reserved-label');
    expect(layerNames(v4).slice(3, 5)).toEqual(['mpls', 'ipv4']);
    const v6 = peelBytes(mplsOverUdp(mpls({ labels: [2], payload: icmp6() })));
    expect(rule(v6)).toBe('reserved-label');
    expect(layerNames(v6).slice(3)).toEqual(['mpls', 'ipv6', 'icmpv6']);
  });

  it('other reserved labels at the bottom (router alert 1, implicit null 3): IP when the header is consistent', () => {
    for (const label of [1, 3]) {
      const ip = peelBytes(mplsOverUdp(mpls({ labels: [label], payload: icmp4() })));
      expect(rule(ip)).toBe('reserved-label');
      expect(layerNames(ip).slice(4)).toEqual(['ipv4', 'icmp']);
      const other = peelBytes(mplsOverUdp(mpls({ labels: [label], payload: vmFrame() })));
      expect(rule(other)).toBe('reserved-label');
      expect(layerNames(other)).toEqual(['eth', 'ipv4', 'udp', 'mpls']);
    }
  });

  it('stops, without a problem, at a GAL (13) control channel', () => {
    const p = peelBytes(mplsOverUdp(mpls({ labels: [40, 13], payload: hex('10 00 00 07 01 02 03 04') })));
    expect(layerNames(p)).toEqual(['eth', 'ipv4', 'udp', 'mpls']);
    expect(rule(p)).toBe('reserved-label');
    expect(problemNames(p)).toEqual([]);
  });
});

describe('mpls: decode-as and topology label maps', () => {
  // LLDP (0x88cc) frames: plausible MACs but an EtherType the heuristic does not take
  const lldp = () => eth({ src: VM_B, dst: '01:80:c2:00:00:0e', type: 0x88cc, payload: hex('020704 0238c8ea9a21 0000') });

  it('eth: the map wins over the heuristics (which find nothing here)', () => {
    const pkt = mplsOverUdp(mpls({ labels: [120], payload: lldp() }));
    expect(rule(peelBytes(pkt))).toBe('raw');
    const reg = createRegistry();
    reg.decodeAs('mpls.label==120=eth');
    const p = peelBytes(pkt, { reg });
    expect(rule(p)).toBe('label-map');
    expect(layerNames(p)).toEqual(['eth', 'ipv4', 'udp', 'mpls', 'eth']);
    expect(problemNames(p)).toEqual([]);
  });

  for (const name of ['pwcw', 'eth-cw']) {
    it(`${name}: control word then Ethernet, flagged`, () => {
      const reg = createRegistry();
      reg.decodeAs(`mpls.label==121=${name}`);
      const p = peelBytes(mplsOverUdp(mpls({ labels: [121], payload: pwControlWord({ payload: lldp() }) })), { reg });
      expect(rule(p)).toBe('label-map');
      expect(layerNames(p).slice(3)).toEqual(['mpls', 'pwcw', 'eth']);
      expect(p.tunnelFlags[0] & TunnelFlag.MplsControlWord).toBe(TunnelFlag.MplsControlWord);
    });
  }

  it('ipv4 / ipv6: forced even when the length check would refuse', () => {
    const reg = createRegistry();
    reg.decodeAs('mpls.label==122=ipv4');
    reg.decodeAs('mpls.label==123=ipv6');
    const bad4 = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', totalLength: 3000, payload: icmpEcho({ type: 'request', id: 1, seq: 2 }) });
    expect(rule(peelBytes(mplsOverUdp(mpls({ labels: [122], payload: bad4 }))))).toBe('raw');
    const p4 = peelBytes(mplsOverUdp(mpls({ labels: [122], payload: bad4 })), { reg });
    expect(rule(p4)).toBe('label-map');
    expect(layerNames(p4)[4]).toBe('ipv4');
    const p6 = peelBytes(mplsOverUdp(mpls({ labels: [123], payload: icmp6() })), { reg });
    expect(rule(p6)).toBe('label-map');
    expect(layerNames(p6).slice(4)).toEqual(['ipv6', 'icmpv6']);
  });

  it('mpls: a second label stack follows, as a second tunnel', () => {
    const reg = createRegistry();
    reg.decodeAs('mpls.label==124=mpls');
    const p = peelBytes(mplsOverUdp(mpls({ labels: [124], payload: mpls({ labels: [7000, 8000], payload: icmp4() }) })), { reg });
    expect(layerNames(p).slice(3)).toEqual(['mpls', 'mpls', 'ipv4', 'icmp']);
    expect([p.tunnelCount, p.tunnelId[0], p.tunnelId[1]]).toEqual([2, 124, 7000]);
    expect([rule(p, 0), rule(p, 1)]).toEqual(['label-map', 'ip']);
    expect(Array.from(p.tunnelLabelCount.subarray(0, 2))).toEqual([1, 2]);
  });

  it('only the bottom label selects the map entry', () => {
    const reg = createRegistry();
    reg.decodeAs('mpls.label==500=eth');
    const p = peelBytes(mplsOverUdp(mpls({ labels: [500, 31], payload: icmp4() })), { reg });
    expect(rule(p)).toBe('ip');
  });

  it('per-vRouter maps key on the tunnel destination (labels are compute-local)', () => {
    // label 31 is an L2 (Ethernet) label on 172.20.0.24 but not on 172.20.0.25 (S0:L298-322 vs L663-684)
    const reg = createRegistry();
    const at = (ip: number[]) => ((ip[0] << 24) | (ip[1] << 16) | (ip[2] << 8) | ip[3]) >>> 0;
    reg.mplsLabelAt.set(at([172, 20, 0, 24]) * 1048576 + 31, Layer.Ethernet);
    const pkt = (dst: string) => mplsOverUdp(mpls({ labels: [31], payload: lldp() }), dst);
    expect(rule(peelBytes(pkt('172.20.0.24'), { reg }))).toBe('label-map');
    expect(rule(peelBytes(pkt('172.20.0.25'), { reg }))).toBe('raw');
    // MPLS straight on Ethernet has no tunnel destination: the per-destination map does not apply
    const bare = eth({ src: '00:1b:21:0a:0b:0c', dst: '00:50:56:0d:0e:0f', payload: mpls({ labels: [31], payload: lldp() }) });
    expect(rule(peelBytes(bare, { reg }))).toBe('raw');
  });
});

describe('mpls: hostile stacks', () => {
  it('bounds a 10 000-label stack without a bottom bit: one problem, nothing half-recorded', () => {
    const entries = new Uint8Array(4 * 10_000);
    for (let i = 0; i < 10_000; i++) entries.set([0x00, 0x01, 0x00, 0x40], 4 * i); // label 16, S=0
    const p = peelBytes(mplsOverUdp(entries));
    expect(problemNames(p)).toEqual(['malformed@mpls']);
    expect(p.problemOffset[0]).toBe(14 + 20 + 8);
    expect(layerNames(p)).toEqual(['eth', 'ipv4', 'udp']);
    expect([p.labelCount, p.tunnelCount]).toEqual([0, 0]);
  });

  it('reports a stack cut off before its bottom label as truncated', () => {
    const p = peelBytes(mplsOverUdp(hex('00 01 00 40 00 02 00 40 00 03')));
    expect(problemNames(p)).toEqual(['truncated@mpls']);
    expect(p.labelCount).toBe(0);
  });

  it(`takes exactly ${MAX_LABELS} labels, refuses ${MAX_LABELS + 1}`, () => {
    const stack = (n: number) => mpls({ labels: Array.from({ length: n }, (_, i) => 16 + i), payload: icmp4() });
    const full = peelBytes(mplsOverUdp(stack(MAX_LABELS)));
    expect(full.labelCount).toBe(MAX_LABELS);
    expect(rule(full)).toBe('ip');
    const over = peelBytes(mplsOverUdp(stack(MAX_LABELS + 1)));
    expect(problemNames(over)).toEqual(['malformed@mpls']);
  });

  it('stops with depth-limit when a later stack would overflow the per-packet label table', () => {
    const reg = createRegistry();
    reg.decodeAs('mpls.label==99=mpls');
    const inner = mpls({ labels: Array.from({ length: 30 }, (_, i) => 200 + i), payload: icmp4() });
    const outer = mpls({ labels: [...Array.from({ length: 39 }, (_, i) => 100 + i), 99], payload: inner });
    const p = peelBytes(mplsOverUdp(outer), { reg });
    expect(p.labelCount).toBe(40);
    expect(problemNames(p)).toEqual(['depth-limit@mpls']);
  });
});

describeWith({ tools: ['tshark'] }, 'mpls vs tshark 4.0.17 on crafted packets', () => {
  it('agrees on label stacks and the inner IPv4/IPv6 addresses', () => {
    const pkts = [
      mplsOverUdp(mpls({ labels: [21], payload: icmp4() })),
      mplsOverUdp(mpls({ labels: [100, 200, 300], payload: icmp6() })),
      mplsOverGre(mpls({ labels: [17, 18, 19, 20], payload: icmp4() })),
    ];
    const rows = tsharkFields(pkts, ['mpls.label', 'ip.dst', 'ipv6.dst']);
    pkts.forEach((pkt, i) => {
      const p = peelBytes(pkt);
      expect(labelsOf(p).join(',')).toBe(rows[i][0]);
      expect(rule(p)).toBe('ip');
    });
    expect(rows[0][1]).toBe('172.20.0.24,10.10.0.100');
    expect(rows[1][2]).toBe('2001:db8::2');
  });

  it('agrees on Ethernet with and without a control word when the MACs have registered OUIs', () => {
    const known = () => eth({ src: '00:50:56:0d:0e:0f', dst: '00:1b:21:0a:0b:0c', payload: icmp4() });
    const pkts = [mplsOverUdp(mpls({ labels: [30], payload: known() })), mplsOverUdp(mpls({ labels: [30], payload: pwControlWord({ payload: known() }) }))];
    const rows = tsharkFields(pkts, ['frame.protocols', 'eth.dst']);
    expect(rows[0][0]).toContain('pwethnocw:eth:ethertype:ip:icmp');
    expect(rows[1][0]).toContain('pwethcw:eth:ethertype:ip:icmp');
    expect(rules(pkts)).toEqual(['ethernet', 'ethernet-cw']);
    for (const r of rows) expect(r[1].split(',')[1]).toBe('00:1b:21:0a:0b:0c');
  });

  it('Contrail VM frame with 02: MACs: tshark 4.0 takes 02:95 for a control word; we decode the frame', () => {
    // Wireshark 4.0.17's pw_eth heuristic wants known OUIs for both MACs; 02:… (locally administered)
    // fails, the first nibble 0 sends it to "Ethernet with control word", and it reads the frame 4
    // bytes late (anchors §2.3). The frame's real destination is 02:95:3d:1d:c9:69.
    const pkt = mplsOverUdp(mpls({ labels: [30], payload: vmFrame() }));
    const [row] = tsharkFields([pkt], ['frame.protocols', 'eth.dst', 'ip.dst']);
    expect(row[0]).toContain('pwethcw');
    expect(row[1].split(',')[1]).not.toBe(VM_A);
    expect(row[2]).toBe('172.20.0.24'); // tshark never reaches the inner IPv4
    const p = peelBytes(pkt);
    expect(rule(p)).toBe('ethernet');
    expect(createRegistry().modules[Layer.Ethernet]!.fields(p, p.innerL2).dst).toBe(VM_A);
    expect(layerNames(p).slice(-2)).toEqual(['ipv4', 'icmp']);
  });

  function rules(pkts: Uint8Array[]): string[] {
    return pkts.map((x) => rule(peelBytes(x)));
  }
});

describeWith({ corpus: true }, 'mpls on the corpus (labels vs the tshark oracle)', () => {
  const files = [
    'tcpdump/mpls-over-udp.pcap',
    'skydive/gre-mpls-icmpv4.pcap',
    'skydive/ping-with-without-ethernet.pcap',
    'contrail-vrouter/mplsogre_routing_dest.pcap',
    'contrail-vrouter/mplsoudp_routing_dest.pcap',
    'contrail-vrouter/mplsoudp_routing_dst.pcap', // 51234, Contrail's legacy port: the oracle needed -d, we do not
    'contrail-vrouter/mirror_v6_src.pcap',
    'tcpdump/mpls-label-heapoverflow.pcap',
    'arkime/mpls-basic.pcap',
    'zeek/mpls-in-vlan/mpls-in-vlan.pcap',
  ];
  for (const f of files) {
    it(f, async () => {
      let withMpls = 0;
      for (const { ours, tshark, what } of await withOracle(f)) {
        const labels = ours.tunnels.filter((t) => t.type === 'mpls').flatMap((t) => t.labels);
        expect(labels, what).toEqual(numbers(tshark['mpls.label']));
        if (labels.length > 0) withMpls++;
        // where tshark found the inner IP, so did we (same number of IP layers)
        const ipCount = tshark['frame.protocols'].split(':').filter((x) => x === 'ip' || x === 'ipv6').length;
        expect(ours.layers.filter((x) => x === 'ipv4' || x === 'ipv6').length, what).toBe(ipCount);
      }
      expect(withMpls).toBeGreaterThan(0);
    });
  }

  it('the vRouter MPLSoGRE/UDP outputs carry IP right after label 48 (rule ip)', async () => {
    for (const f of ['contrail-vrouter/mplsogre_routing_dest.pcap', 'contrail-vrouter/mplsoudp_routing_dest.pcap']) {
      const ours = await peelFile(corpus(f));
      expect(new Set(ours.map((s) => s.tunnels.find((t) => t.type === 'mpls')!.id2))).toEqual(new Set([MplsRule.Ip]));
    }
  });

  it('suricata decode-too-many-layers: Ethernet/MPLS/control-word recursion, bounded by --depth', async () => {
    // tshark reads the same nesting (pwethcw:eth:mpls…); the MACs are group addresses (01:02:03:…),
    // so the control-word score must tolerate a group source address.
    const f = corpus('suricata-verify/decode-too-many-layers/input.pcap');
    const [s] = await peelFile(f);
    const [o] = tsharkOracle(f);
    expect(o['frame.protocols']).toContain('eth:ethertype:mpls:pwethheuristic:pwethcw:eth');
    expect(s.layers.slice(0, 7)).toEqual(['eth', 'mpls', 'pwcw', 'eth', 'mpls', 'pwcw', 'eth']);
    expect(s.layers.length).toBe(16);
    expect(s.problems).toEqual(['depth-limit@mpls']);
    expect(s.tunnels.every((t) => t.id2 === MplsRule.EthernetCw)).toBe(true);
    const oracleLabels = numbers(o['mpls.label']);
    expect(s.tunnels.flatMap((t) => t.labels)).toEqual(oracleLabels.slice(0, s.tunnels.length));
  });
});
