/**
 * `peelcap read`: the text lines of the built binary on the bundled samples. Expected values come
 * from the seed texts the samples follow (Contrail S0:L283, OVN 004:L380-383 and L909-917), not from
 * our own output; packet counts are cross-checked with tshark.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeWith, samplesDir } from '../helpers/env.js';
import { ensureBuilt, peelcap, peelcapJson, tsharkFields } from './run-cli.js';

const overlays = join(samplesDir, 'overlays.pcap');
const ovn = join(samplesDir, 'ovn-geneve.pcap');

const lines = (s: string) => s.split('\n').filter(Boolean);

beforeAll(() => ensureBuilt());

describe('peelcap read', () => {
  it('prints the MPLSoGRE packet of the Contrail seed (S0:L283) exactly', () => {
    const r = peelcap(['read', overlays]);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toContain(
      '12:07:02.093007 gre 172.20.0.25>172.20.0.23 mpls[31] | 12.12.0.102 > 10.10.0.100 ICMP echo request id 15119 seq 20030',
    );
  });

  it('prints Geneve with VNI, OVN ports and the outer VLAN (004:L380-383, L909-917)', () => {
    const out = lines(peelcap(['read', ovn]).stdout);
    expect(out).toContain(
      '16:21:28.642671 vlan 50 172.17.2.119>172.17.2.143 geneve vni 5 ovn 1->3 | 192.168.0.166 > 8.8.8.8 ICMP echo request id 2818 seq 2145',
    );
    expect(out.some((l) => l.includes('geneve vni 8 ovn 2->1 | 192.168.0.11 > 192.168.1.11 ICMP echo request'))).toBe(true);
  });

  it('has one line per packet, and read is the default command, with -r and - (stdin) as inputs', () => {
    const a = peelcap(['read', overlays]).stdout;
    expect(peelcap([overlays]).stdout).toBe(a);
    expect(peelcap(['-r', overlays]).stdout).toBe(a);
    expect(peelcap(['read', '-'], readFileSync(overlays)).stdout).toBe(a);
    expect(lines(a)).toHaveLength(peelcapJson([overlays]).length);
  });

  it('takes the filter as trailing words and stops after -c N', () => {
    const out = lines(peelcap(['read', overlays, 'mpls.label', '==', '31']).stdout);
    expect(out.length).toBeGreaterThan(0);
    for (const l of out) expect(l).toMatch(/mpls\[31\]/);
    expect(lines(peelcap(['read', '-c', '3', overlays]).stdout)).toHaveLength(3);
    expect(lines(peelcap(['read', '-c', '2', overlays, 'geneve']).stdout).every((l) => l.includes('geneve'))).toBe(true);
  });

  it('formats time like tcpdump -t, -tt, -ttt, -tttt and --nano', () => {
    const first = (args: string[]) => lines(peelcap(['read', ...args, overlays, 'mpls.label == 31']).stdout);
    expect(first(['-t'])[0]).toMatch(/^gre 172\.20\.0\.25>172\.20\.0\.23 mpls\[31\] \|/);
    expect(first(['-tt'])[0]).toMatch(/^1463486822\.093007 gre/);
    expect(first(['-tttt'])[0]).toMatch(/^2016-05-17 12:07:02\.093007 gre/);
    expect(first(['--nano'])[0]).toMatch(/^12:07:02\.093007000 gre/);
    // -ttt: the first line is 0, later lines the gap to the previous shown packet
    const d = first(['-ttt']);
    expect(d[0]).toMatch(/^00:00:00\.000000 /);
    const ts = peelcapJson([overlays, 'mpls.label == 31']).map((p) => Number(p.ts));
    const gap = ts[1] - ts[0];
    const m = /^(\d\d):(\d\d):(\d\d\.\d{6}) /.exec(d[1])!;
    expect(Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])).toBeCloseTo(gap, 5);
  });

  it('-v adds one indented line per decoded layer with its fields', () => {
    const out = lines(peelcap(['read', '-v', '-c', '1', overlays]).stdout);
    const layers = peelcapJson(['-c', '1', overlays])[0].layers as string[];
    expect(out.slice(1).map((l) => l.trim().split(' ')[0])).toEqual(layers);
    const eth = tsharkFields(overlays, ['eth.dst', 'eth.src'])[0];
    expect(out[1]).toMatch(new RegExp(`^ {4}eth offset=0 dst=${eth['eth.dst'][0]} src=${eth['eth.src'][0]} `));
  });

  it('counts the same packets as tshark for a filter', () => {
    const ours = lines(peelcap(['read', overlays, 'geneve']).stdout).length;
    const theirs = tsharkFields(overlays, ['geneve.vni']).filter((r) => r['geneve.vni'].length > 0).length;
    expect(ours).toBe(theirs);
  });
});

describeWith({ tools: ['tshark'] }, 'peelcap read (tshark cross-check)', () => {
  it('shows the VNIs tshark decodes, in order', () => {
    const ours = lines(peelcap(['read', ovn]).stdout).map((l) => [...l.matchAll(/vni (\d+)/g)].map((m) => Number(m[1])));
    const theirs = tsharkFields(ovn, ['geneve.vni']).map((r) => r['geneve.vni'].map(Number));
    expect(ours).toEqual(theirs);
  });
});

describeWith({ tools: ['tshark'] }, 'peelcap read: Contrail port-mirror VN TLVs', () => {
  it('names the one VN a port mirror carries as srcvn (TLV 3) or dstvn (TLV 4), as tshark reads them', () => {
    const file = join(samplesDir, 'contrail-mirror.pcap');
    const ours = lines(peelcap(['read', '-t', '--decode-as', 'udp.port==8888=contrail-mirror', file, 'udp.dstport == 8888']).stdout);
    const theirs = tsharkFields(file, ['udp.dstport', 'juniper.vn.src', 'juniper.vn.dst'], ['udp.port==8888,juniper']).filter(
      (r) => r['udp.dstport'][0] === '8888',
    );
    expect(ours.length).toBe(theirs.length);
    expect(theirs.length).toBeGreaterThan(1);
    theirs.forEach((r, i) => {
      const src = r['juniper.vn.src'].join(',');
      const dst = r['juniper.vn.dst'].join(',');
      const want = src && dst ? ` vn ${src}>${dst} ` : src ? ` srcvn ${src} ` : ` dstvn ${dst} `;
      expect(ours[i]).toContain(`contrail-mirror${want}|`);
    });
  });
});
