/**
 * `peelcap json`: the JSON lines of the seed samples field by field (values from the seed texts),
 * then every packet of the samples and of corpus captures against tshark's per-field view.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { corpus, describeWith, samplesDir } from '../helpers/env.js';
import { ensureBuilt, peelcapJson, tsharkFields } from './run-cli.js';

const overlays = join(samplesDir, 'overlays.pcap');
const ovn = join(samplesDir, 'ovn-geneve.pcap');
const mirror = join(samplesDir, 'contrail-mirror.pcap');

beforeAll(() => ensureBuilt());

describe('peelcap json: seed samples field by field', () => {
  it('MPLSoGRE from the SDN gateway (S0:L283): GRE endpoints, label 31, ICMP id 15119 seq 20030, length 126', () => {
    const [p] = peelcapJson([overlays, 'gre and mpls.label == 31', '-c', '1']);
    expect(p.ts).toMatch(/^\d+\.093007000$/);
    expect(p.caplen).toBe(126);
    expect(p.len).toBe(126);
    expect(p.layers).toEqual(['eth', 'ipv4', 'gre', 'mpls', 'ipv4', 'icmp']);
    expect(p.tunnels[0]).toEqual({ type: 'gre', src: '172.20.0.25', dst: '172.20.0.23' });
    expect(p.tunnels[1]).toMatchObject({ type: 'mpls', src: '172.20.0.25', dst: '172.20.0.23', labels: [31] });
    expect(p.labels).toEqual([31]);
    expect(p.vnis).toEqual([]);
    expect(p.vlans).toEqual([]);
    expect(p.inner).toEqual({
      src: '12.12.0.102',
      dst: '10.10.0.100',
      proto: 'icmp',
      icmp: { type: 8, code: 0, id: 15119, seq: 20030 },
    });
    expect(p).not.toHaveProperty('errors');
    expect(p).not.toHaveProperty('names');
  });

  it('OVN Geneve routing (004:L909-917): VNI 8, ingress port 2 -> egress port 1, option class 0x0102', () => {
    const [p] = peelcapJson([ovn, 'vni == 8']);
    const g = p.tunnels[0];
    expect(g).toMatchObject({ type: 'geneve', vni: 8, dport: 6081, critical: true, ovn: { inport: 2, outport: 1 } });
    expect(g.options).toEqual([{ class: 0x0102, type: 0x80, data: '00020001' }]);
    expect(p.vnis).toEqual([8]);
    expect(p.inner).toMatchObject({ src: '192.168.0.11', dst: '192.168.1.11', proto: 'icmp' });
    expect(p.inner.eth).toEqual({ src: '40:44:00:00:00:04', dst: '40:44:00:00:00:02' });
  });

  it('Geneve in the TripleO tenant VLAN 50 (004:L380-383)', () => {
    const [p] = peelcapJson([ovn, '-c', '1']);
    expect(p.vlans).toEqual([50]);
    expect(p.layers).toEqual(['eth', 'vlan', 'ipv4', 'udp', 'geneve', 'eth', 'ipv4', 'icmp']);
    expect(p.tunnels).toEqual([
      {
        type: 'geneve',
        src: '172.17.2.119',
        dst: '172.17.2.143',
        sport: 27073,
        dport: 6081,
        vni: 5,
        proto: 0x6558,
        critical: true,
        options: [{ class: 258, type: 128, data: '00010003' }],
        ovn: { inport: 1, outport: 3 },
      },
    ]);
    expect(p.inner.icmp).toEqual({ type: 8, code: 0, id: 2818, seq: 2145 });
  });

  it("Contrail port mirror to the DPI on UDP 8888 (S1:L1391-1435) with --decode-as: VN 'default-domain:tim:traffic-net'", () => {
    const plain = peelcapJson([mirror, 'udp.dstport == 8888']);
    expect(plain.length).toBe(4);
    for (const p of plain) expect(p.tunnels).toEqual([]); // 8888 is not a default port
    const ps = peelcapJson(['--decode-as', 'udp.port==8888=contrail-mirror', mirror, 'udp.dstport == 8888']);
    expect(ps[0].tunnels).toEqual([
      { type: 'contrail-mirror', src: '4.4.4.3', dst: '7.7.7.3', sport: 64035, dport: 8888, srcvn: 'default-domain:tim:traffic-net' },
    ]);
    expect(ps[1].tunnels[0]).toMatchObject({ sport: 63384, dstvn: 'default-domain:tim:traffic-net' });
    expect(ps[0].inner).toMatchObject({ src: '4.4.4.3', dst: '4.4.4.4', proto: 'icmp' });
  });

  it('-v adds detail: one object per layer from the decoders', () => {
    const [p] = peelcapJson(['-v', '-c', '1', ovn]);
    expect(p.detail.map((d: { layer: string }) => d.layer)).toEqual(p.layers);
    expect(p.detail[1]).toMatchObject({ layer: 'vlan', id: 50 });
  });
});

/** Compare every packet's VNIs, labels, VLANs and innermost addresses with tshark's fields. */
function compareWithTshark(file: string, ours: Record<string, any>[], theirs: Record<string, string[]>[]): void {
  expect(ours.length).toBe(theirs.length);
  ours.forEach((p, i) => {
    const t = theirs[i];
    const where = `${file} frame ${p.frame}`;
    if (t['frame.protocols'].join(',').includes('pwethheuristic')) {
      // After a bottom label, tshark's Ethernet-pseudowire heuristic always assumes a control word (it
      // misreads a bare Ethernet frame as LLC) and does not know Contrail's L2-multicast shape (control
      // word + IPv4/UDP/VXLAN, vr_mpls.c). There it is no oracle for what follows: compare the labels
      // and check that peelcap chose one of the L2 payload rules.
      expect(['ethernet', 'ethernet-cw', 'contrail-l2-mcast'], where).toContain(p.tunnels.find((x: any) => x.type === 'mpls')?.payload);
      expect(p.labels, where).toEqual(t['mpls.label'].map(Number));
      return;
    }
    const ourVx = p.tunnels.filter((x: any) => x.type === 'vxlan').map((x: any) => x.vni);
    const ourGe = p.tunnels.filter((x: any) => x.type === 'geneve').map((x: any) => x.vni);
    expect(ourVx, where).toEqual(t['vxlan.vni'].map(Number));
    expect(ourGe, where).toEqual(t['geneve.vni'].map(Number));
    expect(p.labels, where).toEqual(t['mpls.label'].map(Number));
    expect([...p.vlans].sort(), where).toEqual([...t['ieee8021ad.id'], ...t['vlan.id']].map(Number).sort());
    // innermost addresses, unless ICMP quotes another IP header (tshark lists those too) or tshark
    // stops at the Juniper header (4.0 does not know the legacy pcap-header variant)
    const stack = t['frame.protocols'].join(',');
    if (/:juniper$/.test(stack)) expect(p.tunnels.some((x: any) => x.legacyHeader), where).toBe(true);
    else if (p.inner?.src && !/icmp(v6)?:.*ip/.test(stack)) {
      const v6 = p.inner.src.includes(':');
      const src = t[v6 ? 'ipv6.src' : 'ip.src'];
      const dst = t[v6 ? 'ipv6.dst' : 'ip.dst'];
      if (p.inner.proto !== 'arp') {
        expect(p.inner.src, where).toBe(src[src.length - 1]);
        expect(p.inner.dst, where).toBe(dst[dst.length - 1]);
      }
    }
  });
}

const FIELDS = ['frame.protocols', 'vxlan.vni', 'geneve.vni', 'mpls.label', 'vlan.id', 'ieee8021ad.id', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst'];

describeWith({ tools: ['tshark'] }, 'peelcap json vs tshark on the bundled samples', () => {
  for (const name of ['overlays.pcap', 'ovn-geneve.pcap', 'contrail-mirror.pcap', 'multi-iface.pcapng']) {
    it(name, () => {
      const file = join(samplesDir, name);
      // tshark needs to be told about the Contrail analyzer port 8099 (peelcap's default)
      compareWithTshark(name, peelcapJson([file]), tsharkFields(file, FIELDS, ['udp.port==8099,juniper']));
    });
  }
});

/** Corpus captures and the decode-as their oracle was made with (see ../shared/corpus/oracle_tshark.sh). */
const CORPUS: [string, string[]][] = [
  ['tcpdump/geneve.pcap', []],
  ['tcpdump/vxlan.pcap', []],
  ['tcpdump/mpls-over-udp.pcap', []],
  ['tcpdump/802.1ad_QinQ.pcap', []],
  ['tcpdump/geneve-gcp.pcap', []],
  ['synthetic/geneve_ovn_option_0x0102.pcap', []],
  ['synthetic/jmirror_udp30030.pcap', []],
  ['synthetic/contrail_juniper_header_udp8099.pcap', []],
  ['tcpdump/vxlan_port_8472.pcap', ['udp.port==8472=vxlan']],
];

/** The corpus oracle TSV (header line, then one row per frame). */
function readOracle(file: string): Record<string, string[]>[] {
  const rows = readFileSync(`${file}.tshark-fields.tsv`, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
  const head = rows[0].split('\t');
  return rows.slice(1).map((l) => {
    const cols = l.split('\t');
    return Object.fromEntries(head.map((h, i) => [h, cols[i] ? cols[i].split(',') : []]));
  });
}

describeWith({ corpus: true }, 'peelcap json vs the corpus tshark oracle', () => {
  for (const [rel, decodeAs] of CORPUS) {
    it(rel, () => {
      const file = corpus(rel);
      const args = decodeAs.flatMap((d) => ['--decode-as', d]);
      compareWithTshark(rel, peelcapJson([...args, file]), readOracle(file));
    });
  }
});
