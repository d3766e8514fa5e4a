import { describe, expect, it } from 'vitest';
import { cat, eth, hex, icmpEcho, IP_DF, IP_MF, ipv4, ipv6, pattern, tcp, udp } from '../../../samples/craft.js';
import { Layer, Tunnel } from '../../../src/layers.js';
import { describeWith } from '../../helpers/env.js';
import { tsharkFields } from '../../helpers/tshark.js';
import { decode, fields, names, problems, tempPcap } from './harness.js';

const MACS = { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' };
const udpDns = () => udp({ sport: 5353, dport: 53, payload: pattern(12) });
const v4 = (o: Partial<Parameters<typeof ipv4>[0]> = {}) => ipv4({ src: '10.1.1.1', dst: '10.2.2.2', payload: udpDns(), ...o });
const v6 = (o: Partial<Parameters<typeof ipv6>[0]> = {}) => ipv6({ src: '2001:db8::a', dst: '2001:db8::b', payload: udpDns(), ...o });

/** Hop-by-hop option data carrying a jumbo payload length (type 0xc2, 4 bytes). */
const jumboOption = (len: number) => cat(hex('c204'), Uint8Array.of(len >>> 24, (len >>> 16) & 255, (len >>> 8) & 255, len & 255));

describe('ipv4 decoder', () => {
  it('decodes the header fields', () => {
    const p = decode(eth({ ...MACS, payload: v4({ ttl: 17, id: 0x1234, tos: 0xb8, flags: IP_DF }) }));
    expect(names(p)).toEqual(['eth', 'ipv4', 'udp']);
    expect(fields(p, Layer.Ipv4)).toEqual({
      version: 4, ihl: 5, tos: 0xb8, len: 40, id: 0x1234, flags: 2, flagNames: 'DF', fragOffset: 0,
      ttl: 17, proto: 17, checksum: expect.any(Number), src: '10.1.1.1', dst: '10.2.2.2',
    });
  });

  it('skips options and narrows to the total length (Ethernet padding is not payload)', () => {
    const pkt = v4({ options: hex('94040000') }); // router alert
    const frame = cat(eth({ ...MACS, payload: pkt }), new Uint8Array(10));
    const p = decode(frame);
    const ip = p.findLayer(Layer.Ipv4);
    expect(p.layerEnd[ip] - p.layerStart[ip]).toBe(24);
    expect(p.layerLimit[ip]).toBe(14 + pkt.length);
    expect(problems(p)).toEqual([]);
  });

  it('rejects IHL < 5 and a wrong version without pushing the layer', () => {
    const bad = v4();
    bad[0] = 0x44;
    expect(problems(decode(bad, { linktype: 228 }))).toEqual(['malformed@ipv4']);
    bad[0] = 0x65;
    expect(problems(decode(bad, { linktype: 228 }))).toEqual(['bad-version@ipv4']);
  });

  it('options running past the data: layer kept, truncated recorded', () => {
    const pkt = v4({ options: pattern(16) }).subarray(0, 30);
    const p = decode(pkt, { linktype: 228, len: 100 });
    expect(names(p)).toEqual(['ipv4']);
    expect(problems(p)).toEqual(['truncated@ipv4']);
  });

  it('total length larger than the packet: bad-length, but what is there is decoded', () => {
    const p = decode(v4({ totalLength: 1500 }), { linktype: 228 });
    expect(names(p)).toEqual(['ipv4', 'udp']);
    expect(problems(p)).toEqual(['bad-length@ipv4']);
  });

  it('total length beyond the capture but within the original length is snaplen, not a lie', () => {
    const pkt = v4();
    const p = decode(pkt.subarray(0, 30), { linktype: 228, len: pkt.length });
    expect(names(p)).toEqual(['ipv4', 'udp']);
    expect(problems(p)).toEqual([]);
  });

  it('total length shorter than the header: bad-length and stop', () => {
    const p = decode(v4({ totalLength: 12 }), { linktype: 228 });
    expect(names(p)).toEqual(['ipv4']);
    expect(problems(p)).toEqual(['bad-length@ipv4']);
  });

  it('total length 0 (GSO / BIG TCP) uses the captured data', () => {
    const big = v4({ totalLength: 0, payload: tcp({ sport: 1, dport: 2, payload: pattern(70000) }) });
    const p = decode(big, { linktype: 228 });
    expect(names(p)).toEqual(['ipv4', 'tcp']);
    expect(problems(p)).toEqual([]);
    expect(p.layerLimit[0]).toBe(big.length);
  });

  it('a first fragment is decoded further; a later fragment stops with later-fragment', () => {
    const first = decode(v4({ flags: IP_MF, fragOffset: 0 }), { linktype: 228 });
    expect(names(first)).toEqual(['ipv4', 'udp']);
    expect(problems(first)).toEqual([]);
    const later = decode(v4({ flags: 0, fragOffset: 185, payload: pattern(20), proto: 17 }), { linktype: 228 });
    expect(names(later)).toEqual(['ipv4']);
    expect(problems(later)).toEqual(['later-fragment@ipv4']);
    expect(fields(later, Layer.Ipv4)).toMatchObject({ fragOffset: 185, flags: 0 });
  });

  it('IPv4-in-IPv4 and IPv6-in-IPv4 are IP-in-IP tunnels whose header is the outer IP', () => {
    const v6s = v6();
    for (const inner of [v4(), v6s]) {
      const p = decode(eth({ ...MACS, payload: ipv4({ src: '172.16.0.1', dst: '172.16.0.2', payload: inner }) }));
      expect(names(p)).toEqual(['eth', 'ipv4', inner === v6s ? 'ipv6' : 'ipv4', 'udp']);
      expect(p.tunnelCount).toBe(1);
      expect(p.tunnelKind[0]).toBe(Tunnel.IpInIp);
      expect(p.tunnelLayer[0]).toBe(1);
      expect(p.tunnelOuterIp[0]).toBe(1);
      expect(p.innerL3).toBe(2);
      expect(p.innerL4).toBe(3);
    }
  });
});

describe('ipv6 decoder', () => {
  it('decodes the fixed header', () => {
    const p = decode(v6({ trafficClass: 0x2e, flowLabel: 0xabcde, hopLimit: 3 }), { linktype: 229 });
    expect(names(p)).toEqual(['ipv6', 'udp']);
    expect(fields(p, Layer.Ipv6)).toEqual({
      version: 6, tclass: 0x2e, flow: 0xabcde, plen: 20, next: 17, hlim: 3,
      src: '2001:db8::a', dst: '2001:db8::b', ext: [], proto: 17,
    });
  });

  it('walks hop-by-hop, routing, destination options and fragment headers as part of the layer', () => {
    const pkt = v6({
      ext: [{ type: 0, data: pattern(6) }, { type: 43, data: hex('0000 0000 0000') }, { type: 60, data: pattern(14) }, { type: 44, more: true, id: 77 }],
    });
    const p = decode(pkt, { linktype: 229 });
    expect(names(p)).toEqual(['ipv6', 'udp']);
    expect(p.layerEnd[0]).toBe(40 + 8 + 8 + 16 + 8);
    const f = fields(p, Layer.Ipv6);
    expect(f.next).toBe(0);
    expect(f.proto).toBe(17);
    expect(f.ext).toEqual([
      { type: 'hopopts', len: 8 },
      { type: 'routing', len: 8, routingType: 0, segmentsLeft: 0 },
      { type: 'dstopts', len: 16 },
      { type: 'fragment', len: 8, offset: 0, more: 1, id: 77 },
    ]);
  });

  it('walks an AH header (length in 4-byte units + 2)', () => {
    const ah = cat(hex('11 04 0000'), hex('00000100 00000001'), pattern(12)); // next UDP, 24 bytes
    const pkt = ipv6({ src: '2001:db8::a', dst: '2001:db8::b', next: 51, payload: cat(ah, udpDns()) });
    const p = decode(pkt, { linktype: 229 });
    expect(names(p)).toEqual(['ipv6', 'udp']);
    expect(fields(p, Layer.Ipv6).ext).toEqual([{ type: 'ah', len: 24 }]);
  });

  it('stops at ESP and at "no next header"', () => {
    expect(names(decode(ipv6({ src: '::1', dst: '::2', next: 50, payload: pattern(40) }), { linktype: 229 }))).toEqual(['ipv6']);
    expect(names(decode(ipv6({ src: '::1', dst: '::2', next: 59, payload: new Uint8Array(0) }), { linktype: 229 }))).toEqual(['ipv6']);
  });

  it('a later fragment is marked and not decoded further', () => {
    const p = decode(v6({ ext: [{ type: 44, offset: 100, id: 5 }], next: 17 }), { linktype: 229 });
    expect(names(p)).toEqual(['ipv6']);
    expect(problems(p)).toEqual(['later-fragment@ipv6']);
    expect(fields(p, Layer.Ipv6)).toMatchObject({ ext: [{ type: 'fragment', len: 8, offset: 100, more: 0, id: 5 }], proto: 17 });
  });

  it('an extension header cut short: layer kept up to it, truncated recorded', () => {
    const pkt = v6({ ext: [{ type: 60, data: pattern(22) }] });
    const p = decode(pkt.subarray(0, 50), { linktype: 229, len: pkt.length });
    expect(names(p)).toEqual(['ipv6']);
    expect(p.layerEnd[0]).toBe(40);
    expect(problems(p)).toEqual(['truncated@ipv6']);
  });

  it('payload length 0 + jumbo option gives the length (and narrows past trailing bytes)', () => {
    const body = tcp({ sport: 80, dport: 9999, payload: pattern(100) });
    const pkt = ipv6({ src: '2001:db8::1', dst: '2001:db8::2', payloadLength: 0, ext: [{ type: 0, data: jumboOption(8 + body.length) }], payload: body });
    const p = decode(cat(pkt, new Uint8Array(6)), { linktype: 229 });
    expect(names(p)).toEqual(['ipv6', 'tcp']);
    expect(problems(p)).toEqual([]);
    expect(p.layerLimit[0]).toBe(pkt.length);
    expect(fields(p, Layer.Ipv6).ext).toEqual([{ type: 'hopopts', len: 8, jumbo: 8 + body.length }]);
  });

  it('a jumbo length past the packet is bad-length', () => {
    const pkt = ipv6({ src: '::1', dst: '::2', payloadLength: 0, ext: [{ type: 0, data: jumboOption(100000) }], payload: udpDns() });
    expect(problems(decode(pkt, { linktype: 229 }))).toEqual(['bad-length@ipv6']);
  });

  it('payload length 0 without jumbo (BIG TCP / GSO) uses the record', () => {
    const pkt = v6({ payloadLength: 0, payload: tcp({ sport: 1, dport: 2, payload: pattern(66000) }) });
    const p = decode(pkt, { linktype: 229 });
    expect(names(p)).toEqual(['ipv6', 'tcp']);
    expect(problems(p)).toEqual([]);
  });

  it('payload length larger than the data is bad-length; smaller narrows', () => {
    expect(problems(decode(v6({ payloadLength: 400 }), { linktype: 229 }))).toEqual(['bad-length@ipv6']);
    const p = decode(cat(v6(), pattern(8)), { linktype: 229 });
    expect(p.layerLimit[0]).toBe(60);
    expect(problems(p)).toEqual([]);
  });

  it('IPv4-in-IPv6 and IPv6-in-IPv6 are IP-in-IP tunnels', () => {
    for (const [inner, name] of [[v4(), 'ipv4'], [v6(), 'ipv6']] as const) {
      const p = decode(ipv6({ src: 'fd00::1', dst: 'fd00::2', ext: [{ type: 60 }], payload: inner }), { linktype: 229 });
      expect(names(p)).toEqual(['ipv6', name, 'udp']);
      expect(p.tunnelKind[0]).toBe(Tunnel.IpInIp);
      expect(p.tunnelLayer[0]).toBe(0);
      expect(p.innerL3).toBe(1);
    }
  });
});

describeWith({ tools: ['tshark'] }, 'ip decoders vs tshark', () => {
  it('agree on addresses of every IP layer, fragments and extension headers', () => {
    const pkts = [
      eth({ ...MACS, payload: v4({ options: hex('01010101') }) }),
      eth({ ...MACS, payload: ipv4({ src: '172.16.0.1', dst: '172.16.0.2', payload: v6() }) }),
      eth({ ...MACS, payload: ipv6({ src: 'fd00::1', dst: 'fd00::2', payload: v4() }) }),
      eth({ ...MACS, payload: v6({ ext: [{ type: 0 }, { type: 60 }] }) }),
      eth({ ...MACS, payload: v4({ fragOffset: 10, payload: pattern(16), proto: 17 }) }),
      eth({ ...MACS, payload: ipv4({ src: '1.1.1.1', dst: '2.2.2.2', payload: icmpEcho({ type: 'reply', id: 3, seq: 4 }) }) }),
    ];
    const rows = tsharkFields(tempPcap(pkts), ['ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'ip.frag_offset', 'icmp.ident']);
    pkts.forEach((pkt, n) => {
      const p = decode(pkt);
      const v4s: string[] = [];
      const v4d: string[] = [];
      const v6s: string[] = [];
      const v6d: string[] = [];
      for (let i = 0; i < p.layerCount; i++) {
        const k = p.layerKind[i];
        if (k !== Layer.Ipv4 && k !== Layer.Ipv6) continue;
        const nth = names(p).slice(0, i).filter((x) => x === names(p)[i]).length;
        const f = fields(p, k, nth);
        (k === Layer.Ipv4 ? v4s : v6s).push(String(f.src));
        (k === Layer.Ipv4 ? v4d : v6d).push(String(f.dst));
        if (k === Layer.Ipv4) expect(String(f.fragOffset)).toBe(rows[n]['ip.frag_offset'].split(',')[v4s.length - 1]);
      }
      expect([v4s.join(','), v4d.join(','), v6s.join(','), v6d.join(',')]).toEqual([
        rows[n]['ip.src'], rows[n]['ip.dst'], rows[n]['ipv6.src'], rows[n]['ipv6.dst'],
      ]);
      if (rows[n]['icmp.ident'] !== '') expect(String(fields(p, Layer.Icmp).id)).toBe(rows[n]['icmp.ident']);
    });
  });
});
