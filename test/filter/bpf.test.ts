/**
 * The BPF back end: refusals with reasons, and tcpdump running the printed expression over the
 * samples and the corpus, compared packet by packet with peelcap's own filter on the same files.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BpfError, toBpf } from '../../src/filter/bpf.js';
import { FilterError } from '../../src/filter/index.js';
import { corpus, describeWith, samplesDir } from '../helpers/env.js';
import { peelFrames, tcpdumpFrames } from './run.js';

function refusal(text: string): BpfError {
  try {
    toBpf(text);
  } catch (e) {
    expect(e).toBeInstanceOf(BpfError);
    return e as BpfError;
  }
  throw new Error(`'${text}' translated but should not`);
}

describe('toBpf refuses what BPF cannot express, saying which part and why', () => {
  it('names, Geneve options, Contrail TLVs, per-capture fields, uncovered tunnels', () => {
    expect(refusal('vni == 5 and network == "net1"').parts).toEqual([{ part: "'network' (column 14)", why: 'names come from the topology, which a kernel filter cannot see' }]);
    expect(refusal('ovn.inport == 3').parts[0].why).toBe('Geneve options are a variable-length list and classic BPF has no loops to walk it');
    expect(refusal('inner.tcp or geneve.opt.class == 0x102').parts[0].part).toBe("'geneve.opt.class' (column 14)");
    expect(refusal('vn == "a"').parts[0].why).toMatch(/^Contrail mirror TLVs have variable length/);
    expect(refusal('frame.number < 10').parts[0].why).toMatch(/^a kernel filter sees one packet at a time/);
    const e = refusal('erspan or jmirror.id == 1');
    expect(e.parts.map((p) => p.part)).toEqual(["'erspan' (column 1)", "'jmirror.id' (column 11)"]);
    expect(e.message).toBe(
      "cannot express this filter in BPF:\n  'erspan' (column 1): peelcap bpf covers VXLAN, Geneve, MPLSoUDP and MPLSoGRE only\n  'jmirror.id' (column 11): peelcap bpf covers VXLAN, Geneve, MPLSoUDP and MPLSoGRE only",
    );
  });
  it('a filter that cannot match any covered shape is refused, not printed as a filter that matches nothing', () => {
    expect(refusal('tunnel.count > 2').parts[0].why).toBe('nothing it asks for can occur in the packet shapes BPF covers');
  });
  it('filter syntax errors are FilterErrors; the empty filter is the empty expression', () => {
    expect(() => toBpf('vnid == 1')).toThrow(FilterError);
    expect(toBpf('').expression).toBe('');
  });
  it('the expression carries the Geneve option-length arithmetic and untagged-first VLAN handling', () => {
    const x = toBpf('geneve.vni == 5 and inner.ip.dst == 10.0.0.1').expression;
    expect(x).toContain('udp[(16 + ((udp[8] & 0x3f) << 2)) + 14 + 16:4] = 0xa000001');
    expect(x).toContain('udp[12:4] >> 8 = 5');
    expect(x.indexOf('(vlan and')).toBeGreaterThan(0); // the tagged branch comes last: `vlan` shifts later offsets
  });
});

interface Row {
  file: string;
  filter: string;
  /** Frames peelcap matches in shapes BPF does not cover, and why (BPF must not match them). */
  outside?: { frames: number[]; why: string };
  min: number;
}

const S = (f: string) => join(samplesDir, f);
const OVERLAY_OUTSIDE =
  '7-10 GRE/Ethernet (TEB), 13/16 Contrail mirror, 21-23 MPLS with Ethernet payload, 35/36 jmirror, 37 QinQ outer, 38/39 ERSPAN: none is a covered shape';

const ROWS: Row[] = [
  { file: S('overlays.pcap'), filter: 'vni == 1010', min: 5 },
  { file: S('overlays.pcap'), filter: 'inner.icmp.type == 8', outside: { frames: [7, 13, 16, 22, 35, 37, 38, 39], why: OVERLAY_OUTSIDE }, min: 10 },
  { file: S('overlays.pcap'), filter: 'mpls.label in {20..40}', outside: { frames: [23, 37], why: OVERLAY_OUTSIDE }, min: 6 },
  { file: S('overlays.pcap'), filter: 'ip.src != 10.0.10.14', outside: { frames: [13, 16, 21, 22, 23, 35, 36, 37, 38, 39], why: OVERLAY_OUTSIDE }, min: 20 },
  { file: S('overlays.pcap'), filter: 'outer.ip.dst == 172.20.0.23 or vlan.id == 50', outside: { frames: [37], why: OVERLAY_OUTSIDE }, min: 5 },
  { file: S('overlays.pcap'), filter: 'not vxlan', outside: { frames: [7, 8, 9, 10, 13, 16, 22, 23, 35, 36, 37, 38, 39], why: OVERLAY_OUTSIDE }, min: 15 },
  { file: S('overlays.pcap'), filter: 'tunnel[-1].type == "mpls" and inner.ip.src == 12.12.0.0/16 and mpls.depth == 1', outside: { frames: [37], why: OVERLAY_OUTSIDE }, min: 3 },
  { file: S('ovn-geneve.pcap'), filter: 'geneve.vni in {5 8} and inner.ip.dst == 8.8.8.0/24', min: 1 },
  { file: S('ovn-geneve.pcap'), filter: 'vlan.id == 50 or (geneve and inner.icmp.type == 0)', min: 3 },
  { file: corpus('tcpdump/geneve.pcap'), filter: 'geneve.vni == 0xb and tcp.port == 22', min: 5 },
  { file: corpus('tcpdump/geneve-gcp.pcap'), filter: 'geneve and inner.tcp and geneve.proto == 0x0800', min: 1 },
  { file: corpus('tcpdump/vxlan.pcap'), filter: 'vxlan.vni == 100 and arp', min: 2 },
  { file: corpus('tcpdump/vxlan.pcap'), filter: 'ip.dst == 192.168.203.0/24 && !(ip.src == 192.168.202.1)', min: 1 },
  { file: corpus('skydive/gre-mpls-icmpv4.pcap'), filter: 'mpls.label == 112 and icmp.type == 8', min: 2 },
  { file: corpus('skydive/ping-with-without-ethernet.pcap'), filter: 'icmp and tunnel.count == 0', min: 1 },
  { file: corpus('contrail-vrouter/mplsoudp_routing_dst.pcap'), filter: 'mpls.label == 48 and inner.udp.dstport > 0 and udp.srcport >= 49152', min: 100 },
  { file: corpus('contrail-vrouter/mirror_v6_src.pcap'), filter: 'inner.ipv6 and mpls.label == 48', min: 1 },
  { file: corpus('contrail-vrouter/mirror_v6_dst.pcap'), filter: 'vni == 0x32 and inner.ipv6', min: 1 },
  { file: corpus('tcpdump/mpls-over-udp.pcap'), filter: 'mpls', min: 1 },
  { file: corpus('tcpdump/802.1ad_QinQ.pcap'), filter: 'arp', outside: { frames: [1, 2], why: 'two VLAN tags (802.1ad + 802.1Q): BPF covers one' }, min: 0 },
];

describeWith({ tools: ['tcpdump'], corpus: true }, 'tcpdump running toBpf() matches what peelcap matches', () => {
  for (const r of ROWS) {
    it(`${r.file.split('/').slice(-2).join('/')}: ${r.filter}`, async () => {
      const ours = await peelFrames(r.file, r.filter);
      const bpf = await tcpdumpFrames(r.file, toBpf(r.filter).expression);
      const outside = new Set(r.outside?.frames ?? []);
      expect(bpf.filter((n) => outside.has(n))).toEqual([]); // never matches an uncovered shape
      expect(bpf).toEqual(ours.filter((n) => !outside.has(n)));
      expect([...outside].every((n) => ours.includes(n))).toBe(true);
      expect(bpf.length).toBeGreaterThanOrEqual(r.min);
    });
  }
});
