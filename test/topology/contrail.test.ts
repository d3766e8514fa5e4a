import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Layer, Tunnel } from '../../src/layers.js';
import { Registry } from '../../src/registry.js';
import { loadTopology, TopologyError } from '../../src/topology/index.js';
import { parseVrouter } from '../../src/topology/vrouter.js';
import { fixture } from './fixtures.js';
import { tunnelView } from './views.js';
import { readFileSync } from 'node:fs';

const ip = (s: string) => s.split('.').reduce((a, o) => a * 256 + Number(o), 0);

describe('Contrail vRouter dumps (seed 000, Contrail 3.0)', () => {
  it('resolves label 31 on compute 172.20.0.23 to tap93d2dja8-22 of VM VFW001, over MPLSoGRE and MPLSoUDP', async () => {
    const topo = await loadTopology([fixture('contrail')]);
    // Seed 000 line 283: 172.20.0.25 > 172.20.0.23: GREv0, MPLS (label 31, [S]).
    const gre = tunnelView({ kind: Tunnel.Mpls, carrier: 'gre', src: '172.20.0.25', dst: '172.20.0.23', labels: [31] });
    const names = topo.tunnelNames(gre.p, gre.t);
    expect(names).toMatchObject({ interface: 'tap93d2dja8-22', vm: 'VFW001', dst: 'cmpt001', src: undefined });
    // Independent check: the tap capture of the same flow (seed 000 line 466) is addressed to 02:95:3d:1d:c9:69.
    expect(names?.mac).toBe('02:95:3d:1d:c9:69');
    const udp = tunnelView({ kind: Tunnel.Mpls, carrier: 'udp', src: '172.20.0.24', dst: '172.20.0.23', labels: [31] });
    expect(topo.tunnelNames(udp.p, udp.t)).toMatchObject({ interface: 'tap93d2dja8-22', vm: 'VFW001', src: 'cmpt002', dst: 'cmpt001' });
  });

  it('keeps labels compute-local: label 31 on 172.20.0.24 is tap83f2ki4w-72 of testvm-VN_B_1', async () => {
    const topo = await loadTopology([fixture('contrail')]);
    const v = tunnelView({ kind: Tunnel.Mpls, carrier: 'udp', src: '172.20.0.23', dst: '172.20.0.24', labels: [31] });
    // Seed 000 lines 663-693 and 622-656; NH 73 encap writes 02:38:c8:ea:9a:21, the MAC cmpt001's route stitches (line 596).
    expect(topo.tunnelNames(v.p, v.t)).toMatchObject({ interface: 'tap83f2ki4w-72', vm: 'testvm-VN_B_1', mac: '02:38:c8:ea:9a:21', src: 'cmpt001', dst: 'cmpt002' });
    // The return label 27 on cmpt001 -> NH 65 -> vif 29 (seed 000 lines 891-912).
    const r = tunnelView({ kind: Tunnel.Mpls, carrier: 'udp', src: '172.20.0.24', dst: '172.20.0.23', labels: [27] });
    expect(topo.tunnelNames(r.p, r.t)).toMatchObject({ interface: 'tap13a2d42c-5d', vm: 'VFW001' });
    // A label no compute has keeps only the host names.
    const u = tunnelView({ kind: Tunnel.Mpls, carrier: 'udp', src: '172.20.0.24', dst: '172.20.0.23', labels: [999] });
    expect(topo.tunnelNames(u.p, u.t)).toMatchObject({ interface: undefined, vm: undefined, dst: 'cmpt001' });
  });

  it('tells the MPLS decoder what each label carries (next hop family AF_INET -> IP)', async () => {
    const topo = await loadTopology([fixture('contrail')]);
    const reg = new Registry();
    topo.applyTo(reg);
    expect(reg.mplsPayload(31, ip('172.20.0.23'))).toBe(Layer.RawIp);
    expect(reg.mplsPayload(31, ip('172.20.0.24'))).toBe(Layer.RawIp);
    expect(reg.mplsPayload(31, ip('172.20.0.99'))).toBe(Layer.None);
  });

  it('maps AF_BRIDGE next hops to Ethernet payloads (seed 001 L2 next hop 85)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peelcap-vr-'));
    await writeFile(
      join(dir, 'dump.txt'),
      [
        '# compute: 192.168.200.11 server-4c',
        'MPLS Input Label Map',
        '',
        '   Label    NextHop',
        '-------------------',
        '      57         85',
        // seed 001 lines 1025-1028, verbatim layout
        'Id:85         Type:Encap          Fmly:AF_BRIDGE  Rid:0  Ref_cnt:4          Vrf:7',
        '              Flags:Valid, Policy, Etree Root,',
        '              EncapFmly:0806 Oif:8 Len:14',
        '              Encap Data: 02 aa f0 88 f0 65 00 00 5e 00 01 00 08 00',
        'vif0/8      OS: tapaaf088f0-65',
        '            Type:Virtual HWaddr:00:00:5e:00:01:00 IPaddr:5.5.5.3',
      ].join('\n'),
    );
    const topo = await loadTopology([dir]);
    const reg = new Registry();
    topo.applyTo(reg);
    expect(reg.mplsPayload(57, ip('192.168.200.11'))).toBe(Layer.Ethernet);
    const v = tunnelView({ kind: Tunnel.Mpls, carrier: 'udp', src: '192.168.200.12', dst: '192.168.200.11', labels: [57] });
    expect(topo.tunnelNames(v.p, v.t)).toMatchObject({ interface: 'tapaaf088f0-65', ip: '5.5.5.3', mac: '02:aa:f0:88:f0:65', dst: 'server-4c' });
  });

  it('learns remote labels from routes through tunnel next hops', async () => {
    // Only cmpt001's dumps: its route 10.10.0.100/32 label 31 via NH 88 (MPLSoUDP to 172.20.0.24).
    const topo = await loadTopology([fixture('contrail', 'cmpt001')]);
    const reg = new Registry();
    topo.applyTo(reg);
    expect(reg.mplsPayload(31, ip('172.20.0.24'))).toBe(Layer.RawIp);
    const v = tunnelView({ kind: Tunnel.Mpls, carrier: 'udp', src: '172.20.0.23', dst: '172.20.0.24', labels: [31] });
    expect(topo.tunnelNames(v.p, v.t)).toMatchObject({ ip: '10.10.0.100', src: 'cmpt001', interface: undefined });
  });
});

describe('vRouter text layouts', () => {
  it('parses the Contrail 5.x column-aligned layout with container prompts (seed 001)', () => {
    const d = parseVrouter(readFileSync(fixture('contrail-5x', 'server-5a.txt'), 'utf8'), 'server-5a.txt');
    expect(d.nhs.get(37)).toMatchObject({ type: 'Encap', family: 'AF_INET', oif: 5, mac: '02:17:f1:90:86:01' });
    expect(d.nhs.get(56)).toMatchObject({ oif: 6, mac: '02:c4:1d:93:69:ee' });
    expect(d.vifs.get(5)).toEqual({ name: 'tap17f19086-01', mac: '00:00:5e:00:01:00', ip: '192.168.20.5' });
    expect(d.vifs.get(6)?.name).toBe('tapc41d9369-ee');
    expect(d.claims.map((c) => c.name)).toEqual(['server-5a', 'server-5a', 'server-5a', 'server-5a']);
  });

  it('takes the compute IP from vif --list vhost0', () => {
    const d = parseVrouter('vif0/1      OS: vhost0\n            Type:Host HWaddr:0c:c4:7a:4c:67:93 IPaddr:192.168.100.3\n', 'v.txt');
    expect(d.claims).toEqual([{ ip: ip('192.168.100.3'), where: 'v.txt:2 (vhost0 address)' }]);
  });
});

describe('bad vRouter input', () => {
  it('names the file and line of a malformed label row', () => {
    expect(() => parseVrouter('MPLS Input Label Map\n\nLabel NextHop\n----------\n 31 49\n 32 4x9\n', 'm.txt')).toThrow('m.txt:6: next hop \'4x9\' is not a number');
    expect(() => parseVrouter('Id:49 Encap Fmly: AF_INET\n', 'n.txt')).toThrow(/^n.txt:1: next hop line without 'Type:'/);
    expect(() => parseVrouter('Id:49 Type:Encap Fmly:AF_INET\n EncapFmly:0806 Oif:x2 Len:14\n', 'n.txt')).toThrow("n.txt:2: Oif 'x2' is not a number");
  });

  it('refuses a folder mixing two computes, and a compute it cannot place', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peelcap-vr-'));
    await writeFile(join(dir, 'a.txt'), 'cmpt001:~# mpls --get 31\n MPLS Input Label Map\n 31 49\ncmpt002:~# mpls --get 31\n 31 73\n');
    const err = await loadTopology([dir]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TopologyError);
    expect(String(err)).toMatch(/dumps from two hosts \(cmpt001, cmpt002 at .*a\.txt:4 \(shell prompt\)\)/);
    const dir2 = await mkdtemp(join(tmpdir(), 'peelcap-vr-'));
    await cp(fixture('contrail', '172.20.0.24', 'vrouter.txt'), join(dir2, 'vrouter.txt'));
    await expect(loadTopology([dir2])).rejects.toThrow(/cannot tell the tunnel IP of the host .*name the folder after the IP/);
  });
});
