import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Tunnel } from '../../src/layers.js';
import { loadTopology } from '../../src/topology/index.js';
import { parseOvs } from '../../src/topology/ovs.js';
import { readFileSync } from 'node:fs';
import { fixture } from './fixtures.js';
import { tunnelView } from './views.js';

describe('Open vSwitch / Neutron ML2 dumps', () => {
  it('maps a VXLAN VNI to the receiving host local VLAN (seed 003: tun_id=0x3f2 -> mod_vlan_vid:32 on compute1)', async () => {
    const topo = await loadTopology([fixture('ovs')]);
    // Seed 003 line 555: compute0 (10.0.10.14) -> compute1 (10.0.10.23), vni 1010.
    const v = tunnelView({ kind: Tunnel.Vxlan, src: '10.0.10.14', dst: '10.0.10.23', id: 1010 });
    expect(topo.tunnelNames(v.p, v.t)).toMatchObject({
      localVlan: 32,
      src: 'overcloud-novacompute0-vli5de2egecg',
      dst: 'overcloud-novacompute1-c4ia2jfb75d',
    });
    // The reply lands on compute0, where the same VNI is VLAN 69 (table 20 set_tunnel:0x3f2 for dl_vlan=69).
    const r = tunnelView({ kind: Tunnel.Vxlan, src: '10.0.10.23', dst: '10.0.10.14', id: 1010 });
    expect(topo.tunnelNames(r.p, r.t)?.localVlan).toBe(69);
    // VNI 1011 arrives on compute1 as VLAN 33 (a wrapped table-4 flow).
    const n2 = tunnelView({ kind: Tunnel.Vxlan, src: '10.0.10.14', dst: '10.0.10.23', id: 1011 });
    expect(topo.tunnelNames(n2.p, n2.t)?.localVlan).toBe(33);
  });

  it('reads OVS 2.6 single-line flows with load:...->NXM_NX_TUN_ID[] and vlan_tci masks (seed 002 compute01)', async () => {
    const topo = await loadTopology([fixture('ovs', 'compute01')]);
    expect(topo.hostName('192.168.1.13')).toBe('compute01');
    const v = tunnelView({ kind: Tunnel.Vxlan, src: '192.168.1.12', dst: '192.168.1.13', id: 90 });
    expect(topo.tunnelNames(v.p, v.t)).toMatchObject({ localVlan: 2, dst: 'compute01' });
  });

  it('joins flows wrapped over two lines and ignores drop rules', () => {
    const d = parseOvs(readFileSync(fixture('ovs', 'compute1', 'dump-flows-br-tun.txt'), 'utf8'), 'f.txt');
    expect([...d.vlans].sort((a, b) => a[0] - b[0])).toEqual([
      [0x3f2, 32],
      [0x3f3, 33],
      [0x3f6, 19],
      [0x3f7, 14],
      [0x3f8, 13],
      [0x3fb, 22],
    ]);
  });

  it('names the line of a malformed flow', async () => {
    expect(() => parseOvs('cookie=0x0, table=4, priority=1,tun_id=0xzz actions=mod_vlan_vid:3\n', 'f.txt')).toThrow("f.txt:1: tun_id '0xzz' is not a number");
    expect(() => parseOvs(' cookie=0x0, table=4, priority=1,tun_id=0x5a\n\n', 'f.txt')).toThrow('f.txt:1: flow without actions=');
    const dir = await mkdtemp(join(tmpdir(), 'peelcap-ovs-'));
    await writeFile(join(dir, 'flows.txt'), 'cookie=0x0, table=4, priority=1,tun_id=0x5a actions=mod_vlan_vid:3\n');
    await expect(loadTopology([dir])).rejects.toThrow(/cannot tell the tunnel IP/);
  });
});
