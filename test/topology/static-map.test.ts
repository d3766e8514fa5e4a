import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Layer, Tunnel } from '../../src/layers.js';
import { Registry } from '../../src/registry.js';
import { loadTopology } from '../../src/topology/index.js';
import { fixture } from './fixtures.js';
import { geneveOvn, tunnelView } from './views.js';

async function mapFile(doc: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'peelcap-map-'));
  const p = join(dir, 'map.json');
  await writeFile(p, typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2));
  return p;
}

describe('static topology map', () => {
  it('names VNIs, hosts (IPv4 and IPv6 in any spelling), labels and OVN keys', async () => {
    const p = await mapFile({
      hosts: { '10.0.10.14': 'compute0', '2001:DB8:0:0::1': 'v6host' },
      vnis: { '0x3f2': 'net1' },
      datapaths: { '8': 'network2' },
      ports: { '8': { '1': 'vm2', '32768': '_MC_flood' } },
      labels: { '172.20.0.23': { '31': 'tap93d2dja8-22', '57': { interface: 'tapX', network: 'VN_A', payload: 'ethernet' } } },
      vms: { 'tap93d2dja8-22': 'VFW001' },
    });
    const topo = await loadTopology([p]);
    const v = tunnelView({ kind: Tunnel.Vxlan, src: '10.0.10.14', dst: '10.0.10.23', id: 1010 });
    expect(topo.tunnelNames(v.p, v.t)).toMatchObject({ network: 'net1', src: 'compute0', dst: undefined });
    expect(topo.hostName('2001:db8::1')).toBe('v6host');
    const g = geneveOvn('1.1.1.1', '2.2.2.2', 8, '00018000');
    expect(topo.tunnelNames(g.p, g.t)).toMatchObject({ network: 'network2', inport: 'vm2', outport: '_MC_flood' });
    const m = tunnelView({ kind: Tunnel.Mpls, src: '1.1.1.1', dst: '172.20.0.23', labels: [31] });
    expect(topo.tunnelNames(m.p, m.t)).toMatchObject({ interface: 'tap93d2dja8-22', vm: 'VFW001' });
    const reg = new Registry();
    topo.applyTo(reg);
    expect(reg.mplsPayload(57, 0xac140017)).toBe(Layer.Ethernet);
    expect(reg.mplsPayload(31, 0xac140017)).toBe(Layer.None); // no payload given: the decoder keeps guessing
  });

  it('overrides names from dumps (a static map is applied last)', async () => {
    const p = await mapFile({ datapaths: { '8': 'blue' } });
    const topo = await loadTopology([p, fixture('ovn-seed004')]);
    const g = geneveOvn('1.1.1.1', '2.2.2.2', 8, '00020001');
    expect(topo.tunnelNames(g.p, g.t)).toMatchObject({ network: 'blue', inport: 'net2-router1' });
  });

  it('makes VXLAN packets OVN keyed when asked', async () => {
    const p = await mapFile({ ovnVxlan: true, datapaths: { '5': 'net5' }, ports: { '5': { '3': 'lp3' } } });
    const topo = await loadTopology([p]);
    const v = tunnelView({ kind: Tunnel.Vxlan, src: '1.1.1.1', dst: '2.2.2.2', id: 5 | (3 << 12) });
    expect(topo.tunnelNames(v.p, v.t)).toMatchObject({ network: 'net5', outport: 'lp3' });
  });

  it('rejects unknown sections and bad values, naming the file', async () => {
    const a = await mapFile({ vnis: { '5': 'x' }, vni: {} });
    await expect(loadTopology([a])).rejects.toThrow(`${a}: unknown section 'vni'`);
    const b = await mapFile({ labels: { '172.20.0.23': { '1048576': 'tap' } } });
    await expect(loadTopology([b])).rejects.toThrow(/labels\.172\.20\.0\.23\.1048576: '1048576' is not a number in 0\.\.1048575/);
    const c = await mapFile({ hosts: { 'not-an-ip': 'x' } });
    await expect(loadTopology([c])).rejects.toThrow(/hosts: 'not-an-ip' is not an IP address/);
    const d = await mapFile({ localVlans: { '10.0.0.1': { '90': 5000 } } });
    await expect(loadTopology([d])).rejects.toThrow(/must be a VLAN id 0\.\.4095/);
  });
});
