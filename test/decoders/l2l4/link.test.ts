import { describe, expect, it } from 'vitest';
import { cat, hex, icmpEcho, icmpv6Echo, ipv4, ipv6, tcp, udp, vlan } from '../../../samples/craft.js';
import { Layer } from '../../../src/layers.js';
import { describeWith } from '../../helpers/env.js';
import { tsharkFields } from '../../helpers/tshark.js';
import { decode, fields, names, problems, tempPcap } from './harness.js';

const v4 = ipv4({ src: '192.0.2.1', dst: '192.0.2.2', payload: tcp({ sport: 40000, dport: 443, flags: 'S' }) });
const v6 = ipv6({ src: '2001:db8::1', dst: '2001:db8::2', payload: udp({ sport: 5000, dport: 53, payload: hex('0102') }) });

/** Linux cooked v1 header: packet type, ARPHRD, address length, 8 address bytes, protocol. */
const sllHeader = (proto: string, hatype = '0001') => hex(`0000 ${hatype} 0006 020000000001 0000 ${proto}`);
/** Linux cooked v2 header: protocol, reserved, ifindex, ARPHRD, packet type, address length, address. */
const sll2Header = (proto: string, hatype = '0001') => hex(`${proto} 0000 00000003 ${hatype} 04 06 020000000001 0000`);

const LINKTYPE = { null: 0, ppp: 9, raw: 101, loop: 108, sll: 113, ipv4: 228, ipv6: 229, sll2: 276 };

describe('cooked captures (SLL, SLL2)', () => {
  it('SLL v1 carries IPv4 and exposes its fields', () => {
    const p = decode(cat(sllHeader('0800'), v4), { linktype: LINKTYPE.sll });
    expect(names(p)).toEqual(['sll', 'ipv4', 'tcp']);
    expect(fields(p, Layer.Sll)).toEqual({ pkttype: 0, hatype: 1, halen: 6, addr: '02:00:00:00:00:01', protocol: 0x0800 });
  });

  it('SLL v1 with a VLAN tag re-inserted by libpcap (protocol 0x8100)', () => {
    const p = decode(cat(sllHeader('8100'), vlan({ id: 42, payload: v6 })), { linktype: LINKTYPE.sll });
    expect(names(p)).toEqual(['sll', 'vlan', 'ipv6', 'udp']);
    expect(fields(p, Layer.Vlan)).toMatchObject({ id: 42, tpid: 0x8100 });
  });

  it('SLL v1 pseudo-protocols (802.2 LLC = 4) and netlink stay undecoded', () => {
    expect(names(decode(cat(sllHeader('0004'), v4), { linktype: LINKTYPE.sll }))).toEqual(['sll']);
    expect(names(decode(cat(sllHeader('0800', '0338'), v4), { linktype: LINKTYPE.sll }))).toEqual(['sll']);
  });

  it('SLL v1 on an ARPHRD_IPGRE interface reads the protocol as a GRE protocol type', () => {
    const p = decode(cat(sllHeader('0800', '030a'), v4), { linktype: LINKTYPE.sll });
    expect(names(p)).toEqual(['sll', 'ipv4', 'tcp']);
  });

  it('SLL v2 carries IPv6 and exposes its fields', () => {
    const p = decode(cat(sll2Header('86dd'), v6), { linktype: LINKTYPE.sll2 });
    expect(names(p)).toEqual(['sll2', 'ipv6', 'udp']);
    expect(fields(p, Layer.Sll2)).toEqual({ protocol: 0x86dd, ifindex: 3, hatype: 1, pkttype: 4, halen: 6, addr: '02:00:00:00:00:01' });
  });

  it('SLL v2 with a VLAN tag takes the TPID from the protocol field at offset 0', () => {
    const p = decode(cat(sll2Header('88a8'), vlan({ id: 7, payload: v4 })), { linktype: LINKTYPE.sll2 });
    expect(names(p)).toEqual(['sll2', 'vlan', 'ipv4', 'tcp']);
    expect(p.vlanTpid[0]).toBe(0x88a8);
  });

  it('truncated cooked headers are problems, not layers', () => {
    expect(problems(decode(sllHeader('0800').subarray(0, 15), { linktype: LINKTYPE.sll }))).toEqual(['truncated@sll']);
    expect(problems(decode(sll2Header('0800').subarray(0, 19), { linktype: LINKTYPE.sll2 }))).toEqual(['truncated@sll2']);
  });
});

describe('loopback (null / loop)', () => {
  const cases: Array<[string, number, string, Uint8Array, string]> = [
    ['null, little-endian AF_INET', LINKTYPE.null, '02000000', v4, 'ipv4'],
    ['null, big-endian AF_INET', LINKTYPE.null, '00000002', v4, 'ipv4'],
    ['null, Linux AF_INET6 10', LINKTYPE.null, '0a000000', v6, 'ipv6'],
    ['null, OpenBSD AF_INET6 24', LINKTYPE.null, '18000000', v6, 'ipv6'],
    ['null, FreeBSD AF_INET6 28', LINKTYPE.null, '1c000000', v6, 'ipv6'],
    ['null, macOS AF_INET6 30 big-endian', LINKTYPE.null, '0000001e', v6, 'ipv6'],
    ['loop, network order AF_INET', LINKTYPE.loop, '00000002', v4, 'ipv4'],
    ['loop, network order AF_INET6 24', LINKTYPE.loop, '00000018', v6, 'ipv6'],
  ];
  for (const [what, lt, af, pkt, ip] of cases) {
    it(what, () => {
      const p = decode(cat(hex(af), pkt), { linktype: lt });
      expect(names(p).slice(0, 2)).toEqual(['loopback', ip]);
    });
  }

  it('loop (108) reads network order only: a little-endian 2 is not AF_INET', () => {
    expect(names(decode(cat(hex('02000000'), v4), { linktype: LINKTYPE.loop }))).toEqual(['loopback']);
  });

  it('unknown family stops after the loopback header', () => {
    const p = decode(cat(hex('07000000'), v4), { linktype: LINKTYPE.null });
    expect(names(p)).toEqual(['loopback']);
    expect(fields(p, Layer.Loopback)).toEqual({ family: 7 });
  });
});

describe('raw IP link types', () => {
  for (const lt of [101, 12, 14]) {
    it(`linktype ${lt} sniffs the version nibble`, () => {
      expect(names(decode(v4, { linktype: lt }))).toEqual(['raw', 'ipv4', 'tcp']);
      expect(names(decode(v6, { linktype: lt }))).toEqual(['raw', 'ipv6', 'udp']);
    });
  }

  it('a version that is neither 4 nor 6 is a bad-version problem', () => {
    const p = decode(hex('5500000000000000'), { linktype: 101 });
    expect(names(p)).toEqual([]);
    expect(problems(p)).toEqual(['bad-version@raw']);
  });

  it('linktypes 228 and 229 start at IPv4 / IPv6 directly', () => {
    expect(names(decode(v4, { linktype: LINKTYPE.ipv4 }))).toEqual(['ipv4', 'tcp']);
    expect(names(decode(v6, { linktype: LINKTYPE.ipv6 }))).toEqual(['ipv6', 'udp']);
    // 228 is IPv4 only: an IPv6 packet there is a version fault
    expect(problems(decode(v6, { linktype: LINKTYPE.ipv4 }))).toEqual(['bad-version@ipv4']);
  });
});

describe('PPP', () => {
  it('HDLC-like framing ff 03 + IPv4', () => {
    const p = decode(cat(hex('ff03 0021'), v4), { linktype: LINKTYPE.ppp });
    expect(names(p)).toEqual(['ppp', 'ipv4', 'tcp']);
    expect(fields(p, Layer.Ppp)).toEqual({ protocol: 0x21, address: 0xff, control: 3 });
  });

  it('no framing + IPv6, and a compressed 1-byte protocol field', () => {
    expect(names(decode(cat(hex('0057'), v6), { linktype: LINKTYPE.ppp }))).toEqual(['ppp', 'ipv6', 'udp']);
    const p = decode(cat(hex('21'), v4), { linktype: LINKTYPE.ppp });
    expect(names(p)).toEqual(['ppp', 'ipv4', 'tcp']);
    expect(fields(p, Layer.Ppp)).toEqual({ protocol: 0x21 });
  });

  it('LCP ends the decode; MPLS is handed to the MPLS layer', () => {
    expect(names(decode(cat(hex('ff03 c021'), hex('01010004')), { linktype: LINKTYPE.ppp }))).toEqual(['ppp']);
    const p = decode(cat(hex('0281'), hex('0001f140'), v4), { linktype: LINKTYPE.ppp });
    expect(names(p)).toEqual(['ppp']); // no MPLS decoder registered here: the next layer is what PPP asked for
    expect(p.layerEnd[0]).toBe(2);
  });

  it('cut inside the protocol field', () => {
    expect(problems(decode(hex('ff0300'), { linktype: LINKTYPE.ppp }))).toEqual(['truncated@ppp']);
  });
});

describeWith({ tools: ['tshark'] }, 'link types vs tshark', () => {
  const icmp4 = ipv4({ src: '198.51.100.7', dst: '203.0.113.9', payload: icmpEcho({ type: 'request', id: 1, seq: 2 }) });
  const icmp6 = ipv6({ src: 'fe80::1', dst: 'ff02::1', payload: icmpv6Echo({ type: 'request', id: 1, seq: 2 }) });
  const cases: Array<[string, number, Uint8Array[]]> = [
    ['sll', LINKTYPE.sll, [cat(sllHeader('0800'), icmp4), cat(sllHeader('86dd'), icmp6), cat(sllHeader('8100'), vlan({ id: 9, payload: icmp4 }))]],
    ['sll2', LINKTYPE.sll2, [cat(sll2Header('0800'), icmp4), cat(sll2Header('86dd'), icmp6)]],
    ['null', LINKTYPE.null, [cat(hex('02000000'), icmp4), cat(hex('1e000000'), icmp6), cat(hex('18000000'), icmp6)]],
    ['loop', LINKTYPE.loop, [cat(hex('00000002'), icmp4), cat(hex('00000018'), icmp6)]],
    ['raw', LINKTYPE.raw, [icmp4, icmp6]],
    ['ppp', LINKTYPE.ppp, [cat(hex('ff030021'), icmp4), cat(hex('0057'), icmp6)]],
  ];
  for (const [what, lt, pkts] of cases) {
    it(`${what}: same addresses and VLAN ids`, () => {
      const rows = tsharkFields(tempPcap(pkts, lt), ['ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'vlan.id']);
      pkts.forEach((pkt, n) => {
        const p = decode(pkt, { linktype: lt });
        const l3 = p.findLayer(Layer.Ipv4) >= 0 ? Layer.Ipv4 : Layer.Ipv6;
        const f = fields(p, l3);
        const pre = l3 === Layer.Ipv4 ? 'ip' : 'ipv6';
        expect([f.src, f.dst]).toEqual([rows[n][`${pre}.src`], rows[n][`${pre}.dst`]]);
        expect(p.vlanCount > 0 ? String(p.vlanTci[0] & 0xfff) : '').toBe(rows[n]['vlan.id']);
      });
    });
  }
});
