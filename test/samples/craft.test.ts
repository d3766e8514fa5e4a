import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as c from '../../samples/craft.js';
import { describeWith } from '../helpers/env.js';
import { tsharkFields } from '../helpers/tshark.js';

const VM1 = '02:00:00:00:00:01';
const VM2 = '02:00:00:00:00:02';
const NIC = '52:54:00:12:34:56';
const ping = (src: string, dst: string) =>
  c.ipv4({ src, dst, id: 7, payload: c.icmpEcho({ type: 'request', id: 1, seq: 2 }) });
const innerFrame = c.eth({ src: VM1, dst: VM2, payload: ping('10.0.0.1', '10.0.0.2') });
const underlay = (payload: Uint8Array, src = '192.0.2.1', dst = '192.0.2.2') =>
  c.eth({ src: NIC, dst: VM1, payload: c.ipv4({ src, dst, payload }) });

describe('craft: bytes', () => {
  it('parses addresses', () => {
    expect([...c.ip4('172.20.0.25')]).toEqual([172, 20, 0, 25]);
    expect([...c.mac('02:aa:0b:cc:dd:ee')]).toEqual([2, 0xaa, 0x0b, 0xcc, 0xdd, 0xee]);
    expect(c.ip6('2001:db8::1')).toEqual(c.hex('20010db8000000000000000000000001'));
    expect(c.ip6('::')).toEqual(new Uint8Array(16));
    expect(c.ip6('::ffff:1.2.3.4')).toEqual(c.hex('00000000000000000000ffff01020304'));
    expect(c.ip6('fe80:0:0:0:1:2:3:4')).toEqual(c.hex('fe800000000000000001000200030004'));
    expect(() => c.ip4('1.2.3')).toThrow();
    expect(() => c.ip6('1::2::3')).toThrow();
    expect(() => c.ip6('1:2:3')).toThrow();
  });

  it('computes the RFC 1071 example checksum, across odd-length parts too', () => {
    // RFC 1071 §3: 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2, checksum = ~0xddf2
    const words = c.hex('0001f203f4f5f6f7');
    expect(c.inetChecksum(words)).toBe(~0xddf2 & 0xffff);
    expect(c.inetChecksum(words.subarray(0, 3), words.subarray(3))).toBe(~0xddf2 & 0xffff);
  });

  it('writes lengths and lets overrides lie', () => {
    const u = c.udp({ sport: 1, dport: 2, payload: c.pattern(10) });
    expect(u.length).toBe(18);
    expect((u[4] << 8) | u[5]).toBe(18);
    const p = c.ipv4({ src: '1.1.1.1', dst: '2.2.2.2', totalLength: 1500, payload: u });
    expect((p[2] << 8) | p[3]).toBe(1500);
    expect(p.length).toBe(38);
    // header checksum over the lying header still verifies to 0
    expect(c.inetChecksum(p.subarray(0, 20))).toBe(0);
  });

  it('sets the S bit on the last MPLS label only', () => {
    const m = c.mpls({ labels: [{ label: 16, ttl: 1 }, 31], payload: new Uint8Array(0) });
    expect(c.hex('00010001 0001f140')).toEqual(m);
  });

  it('refuses to guess a type it cannot infer', () => {
    expect(() => c.eth({ src: VM1, dst: VM2, payload: c.pattern(4) })).toThrow(/ethertype/);
    expect(() => c.udp({ sport: 1, payload: c.pattern(4) })).toThrow(/destination port/);
  });

  it('is deterministic', () => {
    const build = () =>
      underlay(c.udp({ sport: 5, payload: c.geneve({ vni: 8, options: [c.ovnOption(2, 1)], payload: innerFrame }) }));
    expect(build()).toEqual(build());
  });
});

describeWith({ tools: ['tshark'] }, 'craft: tshark decodes crafted packets as intended', () => {
  const dir = mkdtempSync(join(tmpdir(), 'peelcap-craft-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cases: Array<{ name: string; pkt: Uint8Array; expect: Record<string, string> }> = [
    {
      name: 'VXLAN over IPv4 with UDP checksum',
      pkt: underlay(c.udp({ sport: 50000, payload: c.vxlan({ vni: 1010, payload: innerFrame }) })),
      expect: {
        'frame.protocols': 'eth:ethertype:ip:udp:vxlan:eth:ethertype:ip:icmp:data',
        'vxlan.vni': '1010', 'udp.dstport': '4789', 'ip.checksum.status': '1,1', 'udp.checksum.status': '1',
        'icmp.checksum.status': '1', 'ip.src': '192.0.2.1,10.0.0.1',
      },
    },
    {
      name: 'QinQ 802.1ad + 802.1Q, TCP SYN',
      pkt: c.eth({
        src: NIC, dst: VM1, tags: [{ tpid: 0x88a8, id: 100, pcp: 3 }, { id: 200 }],
        payload: c.ipv4({ src: '10.1.1.1', dst: '10.1.1.2', payload: c.tcp({ sport: 1234, dport: 80, flags: 'S' }) }),
      }),
      expect: {
        'frame.protocols': 'eth:ethertype:ieee8021ad:ethertype:vlan:ethertype:ip:tcp',
        'ieee8021ad.id': '100', 'ieee8021ad.priority': '3', 'vlan.id': '200', 'tcp.flags': '0x0002',
        'tcp.checksum.status': '1',
      },
    },
    {
      name: 'Geneve over IPv6 with the OVN option',
      pkt: c.eth({
        src: NIC, dst: VM1,
        payload: c.ipv6({
          src: '2001:db8::1', dst: '2001:db8::2',
          payload: c.udp({ sport: 1, payload: c.geneve({ vni: 8, options: [c.ovnOption(2, 1)], payload: innerFrame }) }),
        }),
      }),
      expect: {
        'frame.protocols': 'eth:ethertype:ipv6:udp:geneve:eth:ethertype:ip:icmp:data',
        'geneve.vni': '0x000008', 'geneve.option.class': '0x0102', 'geneve.option.type': '0x80',
        'geneve.option.unknown.data': '00020001', 'udp.checksum.status': '1',
      },
    },
    {
      name: 'MPLSoGRE label 31',
      pkt: underlay(
        c.gre({ payload: c.mpls({ labels: [31], payload: ping('12.12.0.102', '10.10.0.100') }) }),
        '172.20.0.25', '172.20.0.23',
      ),
      expect: {
        'frame.protocols': 'eth:ethertype:ip:gre:mpls:ip:icmp:data',
        'gre.proto': '0x8847', 'mpls.label': '31', 'mpls.bottom': '1', 'mpls.ttl': '64',
        'ip.dst': '172.20.0.23,10.10.0.100',
      },
    },
    {
      name: 'GRE with checksum and key',
      pkt: underlay(c.gre({ checksum: true, key: 0x1234, seq: 9, payload: ping('10.0.0.1', '10.0.0.2') })),
      expect: { 'gre.key': '0x00001234', 'gre.sequence_number': '9', 'gre.checksum.status': '1' },
    },
    {
      name: 'ERSPAN II',
      pkt: underlay(c.gre({ payload: c.erspan2({ session: 100, vlan: 5, index: 3, payload: innerFrame }) })),
      expect: {
        'frame.protocols': 'eth:ethertype:ip:gre:erspan:eth:ethertype:ip:icmp:data',
        'erspan.version': '1', 'erspan.spanid': '100', 'erspan.vlan': '5', 'erspan.index': '3',
      },
    },
    {
      name: 'ERSPAN III',
      pkt: underlay(c.gre({ payload: c.erspan3({ session: 101, vlan: 6, timestamp: 12345, payload: innerFrame }) })),
      expect: {
        'frame.protocols': 'eth:ethertype:ip:gre:erspan:eth:ethertype:ip:icmp:data',
        'erspan.version': '2', 'erspan.spanid': '101', 'erspan.timestamp': '12345',
      },
    },
    {
      name: 'Contrail mirror, all four TLVs, UDP checksum left 0',
      pkt: underlay(
        c.udp({
          sport: 49200, checksum: false,
          payload: c.contrailMirror({
            tlvs: [c.mirrorHost('10.0.0.11'), c.mirrorFlags(0x400000a0), c.mirrorSrcVn('default-domain:a:b'), c.mirrorDstVn('default-domain:a:c')],
            payload: innerFrame,
          }),
        }),
      ),
      expect: {
        'frame.protocols': 'eth:ethertype:ip:udp:juniper:eth:ethertype:ip:icmp:data', 'udp.dstport': '8099',
        'udp.checksum': '0x0000', 'juniper.vn.host_ip': '10.0.0.11', 'juniper.vn.flags': '0x400000a0',
        'juniper.vn.src': 'default-domain:a:b', 'juniper.vn.dst': 'default-domain:a:c',
      },
    },
    {
      name: 'jmirror carrying IPv6 with extension headers and ICMPv6',
      pkt: underlay(
        c.udp({
          sport: 30030,
          payload: c.jmirror({
            mirrorId: 5, sessionId: 6,
            payload: c.ipv6({ src: '::1', dst: '::ffff:1.2.3.4', ext: [{ type: 0 }, { type: 60 }], payload: c.icmpv6Echo({ type: 'request', id: 3, seq: 4 }) }),
          }),
        }),
      ),
      expect: {
        'frame.protocols': 'eth:ethertype:ip:udp:jmirror:ipv6:ipv6.hopopts:ipv6.dstopts:icmpv6:data',
        'jmirror.mid': '0x00000005', 'jmirror.sid': '0x00000006', 'icmpv6.checksum.status': '1', 'udp.checksum.status': '1',
      },
    },
    {
      name: 'VXLAN-GPE + NSH',
      pkt: underlay(c.udp({ sport: 4790, payload: c.vxlanGpe({ vni: 77, payload: c.nsh({ spi: 9, si: 255, payload: innerFrame }) }) })),
      expect: { 'vxlan.vni': '77', 'vxlan.next_proto': '4', 'nsh.spi': '9', 'nsh.si': '255', 'nsh.nextproto': '3' },
    },
    {
      name: 'ARP request',
      pkt: c.eth({ src: NIC, dst: 'ff:ff:ff:ff:ff:ff', payload: c.arp({ op: 'request', senderMac: NIC, senderIp: '10.0.0.1', targetIp: '10.0.0.2' }) }),
      expect: { 'frame.protocols': 'eth:ethertype:arp', 'arp.opcode': '1', 'arp.src.proto_ipv4': '10.0.0.1', 'arp.dst.proto_ipv4': '10.0.0.2' },
    },
    {
      name: 'TCP over IPv6 with data',
      pkt: c.eth({ src: NIC, dst: VM1, payload: c.ipv6({ src: 'fe80::1', dst: 'fe80::2', payload: c.tcp({ sport: 40000, dport: 5555, seq: 100, payload: c.ascii('hello') }) }) }),
      expect: { 'tcp.flags': '0x0018', 'tcp.len': '5', 'tcp.checksum.status': '1', 'ipv6.plen': '25' },
    },
    {
      name: 'IPv4 with options, first fragment',
      pkt: c.eth({ src: NIC, dst: VM1, payload: c.ipv4({ src: '10.0.0.1', dst: '10.0.0.2', id: 99, flags: c.IP_MF, options: c.hex('01010101'), proto: 17, payload: c.pattern(16) }) }),
      expect: { 'ip.hdr_len': '24', 'ip.flags.mf': '1', 'ip.id': '0x0063', 'ip.checksum.status': '1', 'ip.len': '40' },
    },
  ];

  let rows: Array<Record<string, string>> = [];
  beforeAll(() => {
    const file = join(dir, 'craft.pcap');
    writeFileSync(file, c.pcapFile(cases.map((k, i) => ({ data: k.pkt, tsSec: 1_700_000_000 + i, tsFrac: 250_000 }))));
    const fields = [...new Set(['frame.time_epoch', ...cases.flatMap((k) => Object.keys(k.expect))])];
    rows = tsharkFields(file, fields, {
      decodeAs: ['udp.port==8099,juniper'],
      prefs: ['ip.check_checksum:TRUE', 'udp.check_checksum:TRUE', 'tcp.check_checksum:TRUE'],
    });
  });

  it('reads every record of the pcapFile with its timestamp', () => {
    expect(rows.length).toBe(cases.length);
    expect(rows.map((r) => r['frame.time_epoch'])).toEqual(cases.map((_, i) => `${1_700_000_000 + i}.250000000`));
  });
  cases.forEach((k, i) => {
    it(k.name, () => {
      const got = Object.fromEntries(Object.keys(k.expect).map((f) => [f, rows[i][f]]));
      expect(got).toEqual(k.expect);
    });
  });
});
