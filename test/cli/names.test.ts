/**
 * Names from a topology (--topology): the OVN seed's tunnel keys (004:L909-944: datapath 8 = network2,
 * port 2 = net2-router1, port 1 = vm2) and the Contrail label 31 on cmpt001 (S0:L298-322), given as a
 * static map.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { samplesDir } from '../helpers/env.js';
import { ensureBuilt, peelcap, peelcapJson } from './run-cli.js';

const ovn = join(samplesDir, 'ovn-geneve.pcap');
const overlays = join(samplesDir, 'overlays.pcap');
let topo: string;

beforeAll(() => {
  ensureBuilt();
  topo = join(mkdtempSync(join(tmpdir(), 'peelcap-names-')), 'topo.json');
  writeFileSync(
    topo,
    JSON.stringify({
      hosts: { '192.168.50.100': 'worker1', '192.168.50.101': 'worker2', '172.20.0.23': 'cmpt001' },
      datapaths: { '8': 'network2' },
      ports: { '8': { '1': 'vm2', '2': 'net2-router1' } },
      labels: { '172.20.0.23': { '31': 'tap93d2dja8-22' } },
    }),
  );
});

describe('peelcap with --topology', () => {
  it('read shows names instead of numbers', () => {
    const r = peelcap(['read', '-t', '--topology', topo, ovn, 'vni == 8']);
    expect(r.stdout).toBe('worker1>worker2 geneve network2 net2-router1->vm2 | 192.168.0.11 > 192.168.1.11 ICMP echo request id 3121 seq 7\n');
    const g = peelcap(['read', '-t', '--topology', topo, overlays, 'gre and mpls.label == 31', '-c', '1']);
    expect(g.stdout).toBe('gre 172.20.0.25>cmpt001 mpls[31] tap93d2dja8-22 | 12.12.0.102 > 10.10.0.100 ICMP echo request id 15119 seq 20030\n');
  });

  it('json adds names aligned with tunnels; numbers stay', () => {
    const [p] = peelcapJson(['--topology', topo, ovn, 'vni == 8']);
    expect(p.tunnels[0]).toMatchObject({ vni: 8, ovn: { inport: 2, outport: 1 } });
    expect(p.names.tunnels).toEqual([{ network: 'network2', inport: 'net2-router1', outport: 'vm2', src: 'worker1', dst: 'worker2' }]);
  });

  it('stats groups by names and counts packets whose keys the topology lacks', () => {
    const s = JSON.parse(peelcap(['stats', '--json', '--topology', topo, ovn]).stdout);
    const packets = peelcapJson(['--topology', topo, ovn]);
    // A packet is unresolved when one of its tunnels carries a key (VNI, ports) with no name for it;
    // host names alone do not name a key.
    const keyNamed = (n: Record<string, string> | null) => n !== null && (n.network ?? n.inport ?? n.outport) !== undefined;
    const unresolved = packets.filter((p) => p.tunnels.some((_: unknown, i: number) => !keyNamed(p.names.tunnels[i]))).length;
    expect(s.unresolvedNames).toBe(unresolved);
    expect(s.unresolvedNames).toBe(packets.length - 1);
    expect(s.names).toEqual([{ key: 'network2 net2-router1->vm2', packets: 1, bytes: packets.find((p) => p.vnis[0] === 8).len }]);
    expect(peelcap(['stats', '--topology', topo, ovn]).stdout).toMatch(/names \(topology\)\n  network2 net2-router1->vm2 +1 pkts/);
  });

  it('an unreadable topology is an input error (exit 1) naming the file', () => {
    const r = peelcap(['read', '--topology', join(samplesDir, 'nope.json'), ovn]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nope\.json/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
