/** The L2-L4 decoders inside the complete registry, next to the tunnel decoders that reach them. */
import { expect, it } from 'vitest';
import { createRegistry } from '../../../decoders/index.js';
import { eth, gre, icmpEcho, ipv4, vlan } from '../../../samples/craft.js';
import { Layer, Tunnel } from '../../../src/layers.js';
import { corpus, describeWith } from '../../helpers/env.js';
import { decode, eachPacket, fields, names, problems } from './harness.js';

const reg = createRegistry();
const ping = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', payload: icmpEcho({ type: 'request', id: 1, seq: 1 }) });

it('a tag carried by GRE takes its TPID from the GRE protocol field, not the bytes before it', () => {
  const frame = eth({
    src: '02:00:00:00:00:01',
    dst: '02:00:00:00:00:02',
    payload: ipv4({ src: '192.0.2.1', dst: '192.0.2.2', payload: gre({ key: 0x12345678, payload: vlan({ tpid: 0x88a8, id: 300, payload: ping }) }) }),
  });
  const p = decode(frame, { reg });
  expect(names(p)).toEqual(['eth', 'ipv4', 'gre', 'vlan', 'ipv4', 'icmp']);
  expect(p.vlanTpid[0]).toBe(0x88a8);
  expect(fields(p, Layer.Vlan, 0, reg)).toMatchObject({ id: 300, tpid: 0x88a8 });
});

describeWith({ corpus: true }, 'full registry on a real IPv4-in-IPv6 + GRE/PPP capture', () => {
  it('arkime/6-4-gre-ppp-udp-4-dns.pcap: eth vlan ipv6 ipv4 gre ppp ipv4 udp, with ipip and gre tunnels', async () => {
    // tshark oracle (corpus tsv): eth:ethertype:vlan:ethertype:ipv6:ip:gre:ppp:ip:udp:dns, ip.src 16.0.0.200,172.16.44.3
    const seen: string[] = [];
    const frames = await eachPacket(corpus('arkime/6-4-gre-ppp-udp-4-dns.pcap'), reg, (p) => {
      expect(names(p)).toEqual(['eth', 'vlan', 'ipv6', 'ipv4', 'gre', 'ppp', 'ipv4', 'udp']);
      expect(problems(p)).toEqual([]);
      expect([p.tunnelCount, p.tunnelKind[0], p.tunnelLayer[0], p.tunnelKind[1]]).toEqual([2, Tunnel.IpInIp, 2, Tunnel.Gre]);
      seen.push(`${fields(p, Layer.Ipv4, 0, reg).src}>${fields(p, Layer.Ipv4, 1, reg).src}`);
    });
    expect(frames).toBe(2);
    expect(seen).toEqual(['16.0.0.200>172.16.44.3', '192.52.166.154>8.8.8.8']);
  });
});
