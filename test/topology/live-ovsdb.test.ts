/**
 * Live OVN Southbound: a real ovsdb-server + ovn-northd, the seed's topology built with ovn-nbctl,
 * names checked against the keys northd assigned (read back with ovn-sbctl, never assumed).
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { describeWith } from '../helpers/env.js';
import { loadTopology, type Topology } from '../../src/topology/index.js';
import { buildSeedTopology, OVN_LAB_TOOLS, startOvnLab, type OvnLab } from './ovsdb-harness.js';
import { Tunnel } from '../../src/layers.js';
import { geneveOvn, tunnelView } from './views.js';

describeWith({ tools: OVN_LAB_TOOLS }, 'live OVN Southbound over OVSDB JSON-RPC', () => {
  let lab: OvnLab;
  const opened: Topology[] = [];
  const key = async (table: string, record: string) => Number(await lab.sbctl('get', table, record, 'tunnel_key'));
  const optionData = (inport: number, outport: number) => ((inport << 16) | outport).toString(16).padStart(8, '0');

  beforeAll(async () => {
    lab = await startOvnLab();
    await buildSeedTopology(lab);
  });
  afterAll(async () => {
    for (const t of opened) t.close();
    await lab?.stop();
  });

  it.each(['unix', 'tcp'] as const)('names the seed Geneve packets from the database (%s socket)', async (via) => {
    const topo = await loadTopology([`ovsdb:${via === 'unix' ? lab.sbUnix : lab.sbTcp}`]);
    opened.push(topo);
    const net2 = await key('Datapath_Binding', 'network2');
    const net1 = await key('Datapath_Binding', 'network1');
    // egress(dp="network2", inport="net2-router1", outport="vm2"), as seed 004 lines 909-926 show it.
    const req = geneveOvn('192.168.50.100', '192.168.50.101', net2, optionData(await key('Port_Binding', 'net2-router1'), await key('Port_Binding', 'vm2')));
    expect(topo.tunnelNames(req.p, req.t)).toMatchObject({ network: 'network2', inport: 'net2-router1', outport: 'vm2', src: 'worker1.lab', dst: 'worker2.lab' });
    const rep = geneveOvn('192.168.50.101', '192.168.50.100', net1, optionData(await key('Port_Binding', 'net1-router1'), await key('Port_Binding', 'vm1')));
    expect(topo.tunnelNames(rep.p, rep.t)).toMatchObject({ network: 'network1', inport: 'net1-router1', outport: 'vm1' });
    // Trunk subport child1 (parent vm1, VLAN 30) travels as its own ingress key in network2.
    const trunk = geneveOvn('192.168.50.100', '192.168.50.101', net2, optionData(await key('Port_Binding', 'child1'), await key('Port_Binding', 'child2')));
    expect(topo.tunnelNames(trunk.p, trunk.t)).toMatchObject({ network: 'network2', inport: 'child1', outport: 'child2' });
    // Multicast group keys resolve per datapath too.
    const flood = Number(await lab.sbctl('--bare', '--columns=tunnel_key', 'find', 'Multicast_Group', 'name=_MC_flood', `datapath=${await lab.sbctl('--bare', '--columns=_uuid', 'find', 'Datapath_Binding', 'external_ids:name=network2')}`));
    const mc = geneveOvn('192.168.50.100', '192.168.50.101', net2, optionData(await key('Port_Binding', 'vm2'), flood));
    expect(topo.tunnelNames(mc.p, mc.t)).toMatchObject({ outport: '_MC_flood' });
    expect(topo.hostName('192.168.50.101')).toBe('worker2.lab');
  });

  it('follows monitor updates: a port added after loading gets its name', async () => {
    const topo = await loadTopology([`ovsdb:${lab.sbUnix}`]);
    opened.push(topo);
    await lab.nbctl('--wait=sb', 'lsp-add', 'network2', 'vm3');
    const net2 = await key('Datapath_Binding', 'network2');
    const vm3 = await key('Port_Binding', 'vm3');
    const { p, t } = geneveOvn('192.168.50.100', '192.168.50.101', net2, optionData(vm3, vm3));
    await vi.waitFor(() => expect(topo.tunnelNames(p, t)).toMatchObject({ inport: 'vm3', outport: 'vm3' }), { timeout: 10000, interval: 50 });
    // A chassis whose encap changes to VXLAN switches VXLAN packets to OVN keys (seen through the monitor too).
    await lab.sbctl('chassis-add', 'worker3', 'vxlan', '192.168.50.103');
    await vi.waitFor(() => expect(topo.hostName('192.168.50.103')).toBe('worker3'), { timeout: 10000, interval: 50 });
    const vm2 = await key('Port_Binding', 'vm2');
    const vx = tunnelView({ kind: Tunnel.Vxlan, src: '192.168.50.100', dst: '192.168.50.103', id: net2 | (vm2 << 12) });
    expect(topo.tunnelNames(vx.p, vx.t)).toMatchObject({ network: 'network2', outport: 'vm2', inport: undefined, dst: 'worker3' });
    await lab.nbctl('--wait=sb', 'lsp-del', 'vm3');
    await vi.waitFor(() => expect(topo.tunnelNames(p, t)?.inport).toBeUndefined(), { timeout: 10000, interval: 50 });
  });

  it('loads a one-shot snapshot with transact/select when not following', async () => {
    const topo = await loadTopology([`ovsdb:${lab.sbTcp}`], { follow: false });
    const net1 = await key('Datapath_Binding', 'network1');
    const { p, t } = geneveOvn('192.168.50.101', '192.168.50.100', net1, optionData(await key('Port_Binding', 'net1-router1'), await key('Port_Binding', 'vm1')));
    expect(topo.tunnelNames(p, t)).toMatchObject({ network: 'network1', inport: 'net1-router1', outport: 'vm1' });
    topo.close();
  });
});

describeWith({ tools: OVN_LAB_TOOLS }, 'live OVN Southbound: a lost connection', () => {
  let lab: OvnLab;
  let topo: Topology | undefined;
  const warnings: string[] = [];

  beforeAll(async () => {
    lab = await startOvnLab();
    await buildSeedTopology(lab);
  });
  afterAll(async () => {
    topo?.close();
    await lab?.stop();
  });

  it('keeps the last names while the server is away, then reconnects and takes its contents anew', async () => {
    topo = await loadTopology([`ovsdb:${lab.sbTcp}`], { retryMs: 50, warn: (m) => warnings.push(m) });
    expect(topo.hostName('192.168.50.101')).toBe('worker2.lab');

    await lab.stopSb();
    await vi.waitFor(() => expect(warnings.join('\n')).toMatch(/OVSDB tcp:127\.0\.0\.1:\d+: connection closed; names stay as last seen/), {
      timeout: 10000,
      interval: 20,
    });
    expect(topo.hostName('192.168.50.101')).toBe('worker2.lab');
    // While it is down, worker2 goes (its encaps with it) and worker1 is renamed: a monitor's updates
    // never report these, only the contents a new monitor starts from.
    await lab.sbOffline({ op: 'delete', table: 'Chassis', where: [['name', '==', 'worker2']] });
    await lab.sbOffline({ op: 'update', table: 'Chassis', where: [['name', '==', 'worker1']], row: { hostname: 'worker1.renamed' } });
    // Let a few attempts fail against the stopped server first.
    await new Promise((r) => setTimeout(r, 300));
    await lab.startSb();

    await vi.waitFor(() => expect(topo!.hostName('192.168.50.100')).toBe('worker1.renamed'), { timeout: 15000, interval: 50 });
    expect(topo.hostName('192.168.50.101')).toBeUndefined();
    expect(warnings.filter((w) => /reconnected; names follow the database again/.test(w))).toHaveLength(1);
    // Updates flow on the new connection.
    await lab.sbctl('chassis-add', 'worker5', 'geneve', '192.168.50.105');
    await vi.waitFor(() => expect(topo!.hostName('192.168.50.105')).toBe('worker5'), { timeout: 10000, interval: 50 });
  });

  it('gives up a connection that falls silent (a hung server) and reopens it once the server answers', async () => {
    const seen: string[] = [];
    const t = await loadTopology([`ovsdb:${lab.sbTcp}`], { probeMs: 100, timeoutMs: 300, retryMs: 50, warn: (m) => seen.push(m) });
    try {
      await lab.sbctl('chassis-add', 'worker4', 'geneve', '192.168.50.104');
      await vi.waitFor(() => expect(t.hostName('192.168.50.104')).toBe('worker4'), { timeout: 10000, interval: 50 });
      // an idle server answers the probe's echoes: nothing is lost
      await new Promise((r) => setTimeout(r, 600));
      expect(seen).toEqual([]);
      lab.pauseSb();
      await vi.waitFor(() => expect(seen.join('\n')).toMatch(/OVSDB tcp:127\.0\.0\.1:\d+: no answer to an echo for 100 ms; names stay as last seen/), {
        timeout: 10000,
        interval: 20,
      });
      expect(t.hostName('192.168.50.104')).toBe('worker4');
      lab.resumeSb();
      await vi.waitFor(() => expect(seen.join('\n')).toMatch(/reconnected/), { timeout: 15000, interval: 50 });
      await lab.sbctl('chassis-add', 'worker6', 'geneve', '192.168.50.106');
      await vi.waitFor(() => expect(t.hostName('192.168.50.106')).toBe('worker6'), { timeout: 10000, interval: 50 });
    } finally {
      lab.resumeSb();
      t.close();
    }
  });

  it('stops reconnecting once closed', async () => {
    const lost: string[] = [];
    const t = await loadTopology([`ovsdb:${lab.sbUnix}`], { retryMs: 20, warn: (m) => lost.push(m) });
    await lab.stopSb();
    await vi.waitFor(() => expect(lost.join('\n')).toMatch(/connection closed/), { timeout: 10000, interval: 20 });
    t.close();
    await lab.startSb();
    await new Promise((r) => setTimeout(r, 500));
    expect(lost.join('\n')).not.toMatch(/reconnected/);
  });
});
