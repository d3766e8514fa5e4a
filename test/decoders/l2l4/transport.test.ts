import { describe, expect, it } from 'vitest';
import { cat, eth, hex, icmpEcho, icmpv6Echo, ipv4, ipv6, pattern, tcp, udp } from '../../../samples/craft.js';
import { Layer } from '../../../src/layers.js';
import { describeWith } from '../../helpers/env.js';
import { tsharkFields } from '../../helpers/tshark.js';
import { decode, fields, l2l4Registry, names, problems, tempPcap } from './harness.js';

const in4 = (payload: Uint8Array) => ipv4({ src: '10.0.0.1', dst: '10.0.0.2', payload });
const in6 = (payload: Uint8Array) => ipv6({ src: 'fd00::1', dst: 'fd00::2', payload });

describe('udp decoder', () => {
  it('decodes ports and length, narrows to the UDP length', () => {
    const u = udp({ sport: 1234, dport: 4321, payload: pattern(10), length: 14 });
    const p = decode(in4(u), { linktype: 228 });
    expect(names(p)).toEqual(['ipv4', 'udp']);
    expect(fields(p, Layer.Udp)).toEqual({ sport: 1234, dport: 4321, len: 14, checksum: expect.any(Number) });
    expect(p.layerLimit[1]).toBe(20 + 14);
    expect(problems(p)).toEqual([]);
  });

  it('a length past the data is bad-length (decoding goes on); below 8 stops', () => {
    const reg = l2l4Registry();
    reg.decodeAs('udp.port==4321=ipv4');
    const long = decode(in4(udp({ sport: 1, dport: 4321, length: 900, payload: in4(udp({ sport: 7, dport: 9, payload: pattern(4) })) })), { linktype: 228, reg });
    expect(names(long)).toEqual(['ipv4', 'udp', 'ipv4', 'udp']);
    expect(problems(long)).toEqual(['bad-length@udp']);
    const short = decode(in4(udp({ sport: 1, dport: 4321, length: 6, payload: in4(udp({ sport: 7, dport: 9, payload: pattern(4) })) })), { linktype: 228, reg });
    expect(names(short)).toEqual(['ipv4', 'udp']);
    expect(problems(short)).toEqual(['bad-length@udp']);
  });

  it('length 0 (jumbogram / GSO) means the enclosing data', () => {
    const p = decode(in6(udp({ sport: 1, dport: 2, length: 0, payload: pattern(30) })), { linktype: 229 });
    expect(problems(p)).toEqual([]);
    expect(p.layerLimit[1]).toBe(40 + 38);
  });

  it('dispatches on the destination port first, then the source port', () => {
    const reg = l2l4Registry();
    reg.decodeAs('udp.port==6000=ipv6');
    reg.decodeAs('udp.port==7000=ipv4');
    const inner = in4(udp({ sport: 5, dport: 6, payload: pattern(2) }));
    expect(names(decode(in4(udp({ sport: 6000, dport: 7000, payload: inner })), { linktype: 228, reg }))).toEqual(['ipv4', 'udp', 'ipv4', 'udp']);
    expect(names(decode(in4(udp({ sport: 7000, dport: 9, payload: inner })), { linktype: 228, reg }))).toEqual(['ipv4', 'udp', 'ipv4', 'udp']);
  });

  it('a header cut short is truncated', () => {
    const pkt = in4(udp({ sport: 1, dport: 2, payload: pattern(4) }));
    const p = decode(pkt.subarray(0, 27), { linktype: 228, len: pkt.length });
    expect(names(p)).toEqual(['ipv4']);
    expect(problems(p)).toEqual(['truncated@udp']);
  });
});

describe('tcp decoder', () => {
  it('decodes ports, sequence numbers, flags and window', () => {
    const t = tcp({ sport: 443, dport: 50000, seq: 0xfffffff0, ack: 7, flags: 'SA', window: 29200, options: hex('020405b4') });
    const p = decode(in4(t), { linktype: 228 });
    expect(names(p)).toEqual(['ipv4', 'tcp']);
    expect(p.layerEnd[1] - p.layerStart[1]).toBe(24);
    expect(fields(p, Layer.Tcp)).toEqual({
      sport: 443, dport: 50000, seq: 0xfffffff0, ack: 7, hdrLen: 24, flags: 0x12, flagNames: 'SYN,ACK',
      win: 29200, checksum: expect.any(Number), urp: 0,
    });
  });

  it('names every flag, ECN ones included', () => {
    const p = decode(in4(tcp({ sport: 1, dport: 2, flags: 'FSRPAUEC' })), { linktype: 228 });
    expect(fields(p, Layer.Tcp).flagNames).toBe('FIN,SYN,RST,PSH,ACK,URG,ECE,CWR');
  });

  it('data offset below 5 is malformed; options cut short are truncated (ports kept)', () => {
    const bad = in4(tcp({ sport: 1, dport: 2 }));
    bad[20 + 12] = 0x40;
    const p = decode(bad, { linktype: 228 });
    expect(names(p)).toEqual(['ipv4', 'tcp']);
    expect(problems(p)).toEqual(['malformed@tcp']);
    const opts = in4(tcp({ sport: 1, dport: 2, options: pattern(12) }));
    const q = decode(opts.subarray(0, 44), { linktype: 228, len: opts.length });
    expect(names(q)).toEqual(['ipv4', 'tcp']);
    expect(problems(q)).toEqual(['truncated@tcp']);
    expect(fields(q, Layer.Tcp)).toMatchObject({ sport: 1, dport: 2 });
  });
});

describe('icmp decoders', () => {
  it('ICMP echo: type, code, id, seq; nothing decoded after', () => {
    const p = decode(in4(icmpEcho({ type: 'request', id: 0x55, seq: 9 })), { linktype: 228 });
    expect(names(p)).toEqual(['ipv4', 'icmp']);
    expect(fields(p, Layer.Icmp)).toEqual({ type: 8, code: 0, checksum: expect.any(Number), id: 0x55, seq: 9 });
  });

  it('an ICMP error quotes a packet that is not decoded as a layer', () => {
    const quoted = in4(udp({ sport: 33434, dport: 33435, payload: pattern(8) }));
    const err = cat(hex('0b00 0000 00000000'), quoted); // time exceeded
    const p = decode(ipv4({ src: '10.9.9.9', dst: '10.0.0.1', proto: 1, payload: err }), { linktype: 228 });
    expect(names(p)).toEqual(['ipv4', 'icmp']);
    expect(fields(p, Layer.Icmp)).toEqual({ type: 11, code: 0, checksum: 0 });
  });

  it('ICMPv6 echo reply', () => {
    const p = decode(in6(icmpv6Echo({ type: 'reply', id: 3, seq: 4 })), { linktype: 229 });
    expect(names(p)).toEqual(['ipv6', 'icmpv6']);
    expect(fields(p, Layer.Icmpv6)).toMatchObject({ type: 129, code: 0, id: 3, seq: 4 });
  });

  it('fewer than 8 bytes is truncated', () => {
    const pkt = in4(icmpEcho({ type: 'request', id: 1, seq: 1 }));
    expect(problems(decode(pkt.subarray(0, 27), { linktype: 228, len: pkt.length }))).toEqual(['truncated@icmp']);
  });
});

describeWith({ tools: ['tshark'] }, 'transport decoders vs tshark', () => {
  it('agree on ports, lengths, TCP flags/seq and ICMP echo ids', () => {
    const macs = { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' };
    const pkts = [
      eth({ ...macs, payload: in4(udp({ sport: 999, dport: 53, payload: pattern(20) })) }),
      eth({ ...macs, payload: in6(tcp({ sport: 22, dport: 61000, seq: 123456789, ack: 42, flags: 'PA', window: 501, payload: pattern(5) })) }),
      eth({ ...macs, payload: in4(tcp({ sport: 80, dport: 1025, flags: 'FA', seq: 1, ack: 2 })) }),
      eth({ ...macs, payload: in6(icmpv6Echo({ type: 'request', id: 0xbeef, seq: 77 })) }),
    ];
    const rows = tsharkFields(tempPcap(pkts), [
      'udp.srcport', 'udp.dstport', 'udp.length', 'tcp.srcport', 'tcp.dstport', 'tcp.seq_raw', 'tcp.ack_raw', 'tcp.flags', 'tcp.window_size_value', 'icmpv6.echo.identifier', 'icmpv6.echo.sequence_number',
    ]);
    const u = fields(decode(pkts[0]), Layer.Udp);
    expect([u.sport, u.dport, u.len].map(String)).toEqual([rows[0]['udp.srcport'], rows[0]['udp.dstport'], rows[0]['udp.length']]);
    for (const n of [1, 2]) {
      const t = fields(decode(pkts[n]), Layer.Tcp);
      expect([t.sport, t.dport, t.seq, t.ack, t.win].map(String)).toEqual([
        rows[n]['tcp.srcport'], rows[n]['tcp.dstport'], rows[n]['tcp.seq_raw'], rows[n]['tcp.ack_raw'], rows[n]['tcp.window_size_value'],
      ]);
      expect(t.flags).toBe(Number(rows[n]['tcp.flags']));
    }
    const e = fields(decode(pkts[3]), Layer.Icmpv6);
    expect([e.id, e.seq].map(String)).toEqual([String(Number(rows[3]['icmpv6.echo.identifier'])), rows[3]['icmpv6.echo.sequence_number']]);
  });
});
