import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Tunnel } from '../../src/layers.js';
import { loadTopology, sniffTopologyFile, TopologyError } from '../../src/topology/index.js';
import { describeWithOvnSamples, fixture, ovnSample } from './fixtures.js';
import { geneveOvn, tunnelView } from './views.js';

async function tmpFile(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'peelcap-topo-'));
  const p = join(dir, name);
  await writeFile(p, text);
  return p;
}

describe('OVN Southbound JSON (seed 004 routing lab keys)', () => {
  it('names Geneve VNI 8 with option data 00020001 as network2, net2-router1 -> vm2 on worker2', async () => {
    const topo = await loadTopology([fixture('ovn-seed004')]);
    // Seed 004 lines 909-926: 192.168.50.100 -> 192.168.50.101, vni 0x8, data 00020001.
    const { p, t } = geneveOvn('192.168.50.100', '192.168.50.101', 8, '00020001');
    expect(topo.tunnelNames(p, t)).toMatchObject({ network: 'network2', inport: 'net2-router1', outport: 'vm2', src: 'worker1', dst: 'worker2' });
    topo.close();
  });

  it('resolves the same option data to other ports in another datapath (keys are per datapath)', async () => {
    const topo = await loadTopology([fixture('ovn-seed004')]);
    // Seed 004 lines 930-944: the reply, vni 0x7, same data 00020001.
    const { p, t } = geneveOvn('192.168.50.101', '192.168.50.100', 7, '00020001');
    expect(topo.tunnelNames(p, t)).toMatchObject({ network: 'network1', inport: 'net1-router1', outport: 'vm1', src: 'worker2', dst: 'worker1' });
    expect(topo.hostName('192.168.50.101')).toBe('worker2');
  });

  it('leaves unknown keys undefined and returns undefined when nothing is known', async () => {
    const topo = await loadTopology([fixture('ovn-seed004')]);
    const a = geneveOvn('192.168.50.100', '192.168.50.101', 8, '00090001');
    expect(topo.tunnelNames(a.p, a.t)).toMatchObject({ network: 'network2', inport: undefined, outport: 'vm2' });
    const b = geneveOvn('10.9.9.9', '10.9.9.8', 4242, '00010002');
    expect(topo.tunnelNames(b.p, b.t)).toBeUndefined();
    expect(topo.hostName('10.9.9.9')).toBeUndefined();
  });

  it('sniffs each dump by content, not by file name', async () => {
    const p = await tmpFile('whatever.txt', '{"headings":["_uuid","tunnel_key","external_ids"],"data":[]}');
    expect(sniffTopologyFile('{"headings":["name","hostname","encaps"],"data":[]}', 'x').kind).toBe('ovn-json');
    expect(sniffTopologyFile('{"vnis":{"5":"net"}}', 'x').kind).toBe('static-map');
    await expect(loadTopology([p])).resolves.toBeDefined();
  });
});

describe('OVN in VXLAN mode', () => {
  it('splits the VNI into a 12-bit datapath and a 12-bit egress port when the chassis use vxlan', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peelcap-vx-'));
    const dp = (await import('node:fs')).readFileSync(fixture('ovn-seed004', 'dp.json'), 'utf8');
    const pb = (await import('node:fs')).readFileSync(fixture('ovn-seed004', 'pb.json'), 'utf8');
    await writeFile(join(dir, 'dp.json'), dp);
    await writeFile(join(dir, 'pb.json'), pb);
    await writeFile(
      join(dir, 'encap.json'),
      JSON.stringify({ headings: ['chassis_name', 'type', 'ip'], data: [['worker1', 'vxlan', '192.168.50.100'], ['worker2', 'vxlan', '192.168.50.101']] }),
    );
    await writeFile(join(dir, 'mc.json'), JSON.stringify({ headings: ['name', 'tunnel_key', 'datapath'], data: [['_MC_flood', 32768, ['uuid', '00000000-0000-4000-8000-000000000008']]] }));
    const topo = await loadTopology([dir]);
    // network2 = 8, vm2 = 1: VNI = 8 | 1 << 12; no ingress port in VXLAN mode.
    const u = tunnelView({ kind: Tunnel.Vxlan, src: '192.168.50.100', dst: '192.168.50.101', id: 8 | (1 << 12) });
    expect(topo.tunnelNames(u.p, u.t)).toMatchObject({ network: 'network2', outport: 'vm2', inport: undefined, src: 'worker1' });
    // Multicast 32768 travels as 2048 | (32768 & 2047).
    const m = tunnelView({ kind: Tunnel.Vxlan, src: '192.168.50.100', dst: '192.168.50.101', id: 8 | (2048 << 12) });
    expect(topo.tunnelNames(m.p, m.t)).toMatchObject({ network: 'network2', outport: '_MC_flood' });
    // A VXLAN packet between hosts that are not VXLAN chassis keeps its plain VNI.
    const o = tunnelView({ kind: Tunnel.Vxlan, src: '10.0.0.1', dst: '10.0.0.2', id: 8 | (1 << 12) });
    expect(topo.tunnelNames(o.p, o.t)).toBeUndefined();
  });
});

describe('bad OVN input', () => {
  it('names the file and line of a JSON syntax error', async () => {
    const p = await tmpFile('dp.json', '{"headings":["_uuid","tunnel_key","external_ids"],\n"data":[[1,2,3]\n');
    const err = await loadTopology([p]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TopologyError);
    expect((err as TopologyError).source).toBe(p);
    expect((err as TopologyError).line).toBe(3);
  });

  it('rejects a row whose cell count does not match the headings', async () => {
    const p = await tmpFile('pb.json', '{"headings":["logical_port","tunnel_key","datapath"],"data":[["vm1",1]]}');
    await expect(loadTopology([p])).rejects.toThrow(/row 1 has 2 cells, expected 3/);
  });

  it('names a bad line of `ovn-sbctl list` text', async () => {
    const p = await tmpFile('dp.txt', '_uuid               : 60a75b28-f28e-4b3b-879c-a404c9bed686\ntunnel_key          : 3\nexternal_ids        : {name=router1\n');
    await expect(loadTopology([p])).rejects.toThrow(`${p}:3: bad value for external_ids: missing '}'`);
  });

  it('refuses a file that is no topology source, and a missing path', async () => {
    const p = await tmpFile('notes.txt', 'hello\n');
    await expect(loadTopology([p])).rejects.toThrow(/not a topology source peelcap knows/);
    await expect(loadTopology(['/nonexistent/peelcap'])).rejects.toThrow('/nonexistent/peelcap: cannot read: ENOENT');
  });
});

describeWithOvnSamples('real ovn-sbctl output (notes/ovn-sb-samples, OVN 23.03 lab)', () => {
  const files = ['dp.json', 'pb.json', 'mc.json', 'ch.json', 'encap.json'].map(ovnSample);

  it('joins ports to their datapath and prefers the Neutron friendly names, as ovn-trace prints them', async () => {
    const topo = await loadTopology(files);
    // trace.txt: egress(dp="network2", inport="net2-router1", outport="vm2"); the lab's keys: network2=2, net2-router1=2, vm2=1.
    const a = geneveOvn('192.168.50.100', '192.168.50.101', 2, '00020001');
    expect(topo.tunnelNames(a.p, a.t)).toMatchObject({ network: 'network2', inport: 'net2-router1', outport: 'vm2', src: 'worker1', dst: 'worker2' });
    // Datapath 4: name2=provider-flat; port 2 there: external_ids name=vm-provider-flat-port; 32769 = _MC_unknown.
    const b = geneveOvn('192.168.50.101', '192.168.50.100', 4, '00028001');
    expect(topo.tunnelNames(b.p, b.t)).toMatchObject({ network: 'provider-flat', inport: 'vm-provider-flat-port', outport: '_MC_unknown' });
    const c = geneveOvn('192.168.50.101', '192.168.50.100', 3, '00010002');
    expect(topo.tunnelNames(c.p, c.t)).toMatchObject({ network: 'router1', inport: 'router1-net1', outport: 'router1-net2' });
  });

  it('reads the same datapaths from `ovn-sbctl list` text as from JSON', async () => {
    const fromText = await loadTopology([ovnSample('dp_list.txt')]);
    const fromJson = await loadTopology([ovnSample('dp.json')]);
    for (const vni of [1, 2, 3, 4]) {
      const { p, t } = geneveOvn('1.1.1.1', '2.2.2.2', vni, '00010001');
      expect(fromText.tunnelNames(p, t)?.network).toBe(fromJson.tunnelNames(p, t)?.network);
    }
    const { p, t } = geneveOvn('1.1.1.1', '2.2.2.2', 1, '00010001');
    expect(fromText.tunnelNames(p, t)?.network).toBe('network1');
  });

  it('loads transact select results, warning about ports it cannot join', async () => {
    const warnings: string[] = [];
    const topo = await loadTopology([ovnSample('transact.json')], { warn: (m) => warnings.push(m) });
    const { p, t } = geneveOvn('1.1.1.1', '2.2.2.2', 2, '00020001');
    expect(topo.tunnelNames(p, t)).toMatchObject({ network: 'network2', inport: undefined });
    expect(warnings.join('\n')).toMatch(/2 Port_Binding rows name no known datapath/);
  });
});
