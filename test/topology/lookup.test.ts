import { describe, expect, it } from 'vitest';
import { Tunnel } from '../../src/layers.js';
import { loadTopology } from '../../src/topology/index.js';
import { JsonStreamSplitter, parseOvsdbAddress } from '../../src/topology/ovsdb-client.js';
import { canonicalIpv6, ipv4InName } from '../../src/topology/ip.js';
import { fixture } from './fixtures.js';
import { geneveOvn, tunnelView } from './views.js';

describe('TunnelNames cache', () => {
  it('returns the same object for the same keys and different ones when any key differs', async () => {
    const topo = await loadTopology([fixture('ovn-seed004')]);
    const a = geneveOvn('192.168.50.100', '192.168.50.101', 8, '00020001');
    const b = geneveOvn('192.168.50.100', '192.168.50.101', 8, '00020001');
    const first = topo.tunnelNames(a.p, a.t);
    expect(topo.tunnelNames(b.p, b.t)).toBe(first);
    const swapped = geneveOvn('192.168.50.100', '192.168.50.101', 8, '00010002');
    expect(topo.tunnelNames(swapped.p, swapped.t)).toMatchObject({ inport: 'vm2', outport: 'net2-router1' });
    const otherDst = geneveOvn('192.168.50.100', '192.168.50.100', 8, '00020001');
    expect(topo.tunnelNames(otherDst.p, otherDst.t)).toMatchObject({ dst: 'worker1' });
    expect(topo.tunnelNames(a.p, a.t)).toBe(first);
  });

  it('keeps kinds apart: a VXLAN VNI 8 is not the Geneve datapath 8', async () => {
    const topo = await loadTopology([fixture('ovn-seed004')]);
    const v = tunnelView({ kind: Tunnel.Vxlan, src: '192.168.50.100', dst: '192.168.50.101', id: 8 });
    expect(topo.tunnelNames(v.p, v.t)).toMatchObject({ network: undefined, src: 'worker1' });
    expect(topo.tunnelNames(v.p, 5)).toBeUndefined(); // no such tunnel
  });
});

describe('OVSDB stream framing', () => {
  it('splits concatenated JSON values, across chunk boundaries and with braces inside strings', () => {
    const s = new JsonStreamSplitter();
    const msg = '{"id":1,"result":{"a":"}{\\"x"}}[1,[2]]{"method":"echo","params":[],"id":"e"}';
    const out: unknown[] = [];
    for (let i = 0; i < msg.length; i += 7) out.push(...s.push(msg.slice(i, i + 7)));
    expect(out).toEqual([{ id: 1, result: { a: '}{"x' } }, [1, [2]], { method: 'echo', params: [], id: 'e' }]);
    expect(() => new JsonStreamSplitter().push('x{}')).toThrow(/unexpected 'x'/);
  });

  it('parses OVSDB addresses and rejects others', () => {
    expect(parseOvsdbAddress('tcp:127.0.0.1:6642')).toEqual({ host: '127.0.0.1', port: 6642 });
    expect(parseOvsdbAddress('tcp:[::1]:6642')).toEqual({ host: '::1', port: 6642 });
    expect(parseOvsdbAddress('unix:/run/ovn/ovnsb_db.sock')).toEqual({ path: '/run/ovn/ovnsb_db.sock' });
    expect(() => parseOvsdbAddress('ssl:1.2.3.4:6642')).toThrow(/expected tcp:HOST:PORT or unix:PATH/);
  });

  it('reports an unreachable OVSDB with its address', async () => {
    await expect(loadTopology(['ovsdb:tcp:127.0.0.1:1'], { timeoutMs: 2000 })).rejects.toThrow(/cannot reach OVSDB at tcp:127\.0\.0\.1:1/);
    await expect(loadTopology(['ovsdb:unix:/nonexistent/sb.sock'])).rejects.toThrow(/cannot reach OVSDB at unix:\/nonexistent\/sb\.sock/);
  });
});

describe('address helpers', () => {
  it('canonicalises IPv6 and finds an IPv4 in a folder name', () => {
    expect(canonicalIpv6('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(canonicalIpv6('::ffff:10.0.0.1')).toBe('::ffff:10.0.0.1');
    expect(canonicalIpv6('1::2::3')).toBeUndefined();
    expect(ipv4InName('cmpt001_172.20.0.23')).toEqual({ ip: 0xac140017, rest: 'cmpt001' });
    expect(ipv4InName('172.20.0.24')).toEqual({ ip: 0xac140018, rest: '' });
    expect(ipv4InName('cmpt001')).toBeUndefined();
  });
});
