import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../../decoders/index.js';
import { cat, eth, hex, icmpEcho, icmpv6Echo, ipv4, ipv6, jmirror, udp } from '../../../samples/craft.js';
import { describeTunnel, layerSrc } from '../../../src/describe.js';
import { Layer, Tunnel } from '../../../src/layers.js';
import { describeWith } from '../../helpers/env.js';
import { fieldsOf, layerNames, peelBytes, problemNames, tsharkFields } from './peel-bytes.js';

/** Router 192.0.2.1 -> mediation device 192.0.2.2, UDP to `dport` (30030 unless given). */
function toCollector(payload: Uint8Array, dport = 30030): Uint8Array {
  return eth({
    src: '00:00:5e:00:53:01',
    dst: '00:00:5e:00:53:02',
    payload: ipv4({ src: '192.0.2.1', dst: '192.0.2.2', payload: udp({ sport: 49999, dport, payload }) }),
  });
}

const v4 = () => ipv4({ src: '198.51.100.10', dst: '203.0.113.20', payload: icmpEcho({ type: 'request', id: 7, seq: 1 }) });
const v6 = (flowLabel = 0) =>
  ipv6({ src: '2001:db8::10', dst: '2001:db8::20', flowLabel, payload: icmpv6Echo({ type: 'request', id: 7, seq: 1 }) });

describe('jmirror decoder', () => {
  it('decodes the mirror and session ids and an IPv4 payload', () => {
    const p = peelBytes(toCollector(jmirror({ mirrorId: 0x40000001, sessionId: 0xabc, payload: v4() })));
    expect(layerNames(p)).toEqual(['eth', 'ipv4', 'udp', 'jmirror', 'ipv4', 'icmp']);
    expect(p.problemCount).toBe(0);
    expect(p.tunnelKind[0]).toBe(Tunnel.Jmirror);
    expect(p.tunnelId[0]).toBe(0xabc);
    expect(p.tunnelId2[0]).toBe(0x40000001);
    expect(fieldsOf(p, Layer.Jmirror)).toEqual({ mid: 0x40000001, sid: 0xabc });
    expect(describeTunnel(p, 0)).toMatchObject({ type: 'jmirror', session: 0xabc, mirror: 0x40000001, dport: 30030 });
    expect(p.layerEnd[3] - p.layerStart[3]).toBe(8);
  });

  it('decodes an IPv6 payload with a zero flow label', () => {
    const p = peelBytes(toCollector(jmirror({ mirrorId: 0xffffffff, sessionId: 0, payload: v6() })));
    expect(layerNames(p)).toEqual(['eth', 'ipv4', 'udp', 'jmirror', 'ipv6', 'icmpv6']);
    expect(p.tunnelId2[0]).toBe(0xffffffff);
    expect(p.tunnelId[0]).toBe(0);
  });

  it('follows Wireshark\'s heuristic: IPv6 with any flow label is jmirror; IPv4 with options and other bytes are not', () => {
    const labelled = peelBytes(toCollector(jmirror({ mirrorId: 1, sessionId: 2, payload: v6(0x12345) })));
    expect(layerNames(labelled)).toEqual(['eth', 'ipv4', 'udp', 'jmirror', 'ipv6', 'icmpv6']);
    const withOptions = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', options: hex('01010101'), payload: icmpEcho({ type: 'reply', id: 1, seq: 1 }) });
    expect(layerNames(peelBytes(toCollector(jmirror({ mirrorId: 1, sessionId: 2, payload: withOptions }))))).toEqual(['eth', 'ipv4', 'udp']);
    const junk = peelBytes(toCollector(cat(hex('0000000100000002'), hex('0123456789abcdef'))));
    expect(layerNames(junk)).toEqual(['eth', 'ipv4', 'udp']);
    expect(junk.problemCount).toBe(0);
  });

  it('recognises PPP in HDLC-like framing (ff 03 00 21 / ff 03 00 57)', () => {
    const overPpp = (proto: string, payload: Uint8Array) => peelBytes(toCollector(cat(hex('0000000a0000000b'), hex(`ff 03 ${proto}`), payload)));
    expect(layerNames(overPpp('0021', v4()))).toEqual(['eth', 'ipv4', 'udp', 'jmirror', 'ppp', 'ipv4', 'icmp']);
    expect(layerNames(overPpp('0057', v6()))).toEqual(['eth', 'ipv4', 'udp', 'jmirror', 'ppp', 'ipv6', 'icmpv6']);
    expect(peelBytes(toCollector(cat(hex('0000000a0000000b'), hex('ff 03 c0 23'), hex('01020304')))).findLayer(Layer.Jmirror)).toBe(-1);
  });

  it('handles short and cut payloads without a bogus tunnel', () => {
    const short = peelBytes(toCollector(hex('00000001000000024500')));
    expect(layerNames(short)).toEqual(['eth', 'ipv4', 'udp']);
    expect(short.problemCount).toBe(0);
    const whole = toCollector(jmirror({ mirrorId: 1, sessionId: 2, payload: v4() }));
    const cut = peelBytes(whole.subarray(0, 14 + 20 + 8 + 6), { len: whole.length });
    expect(problemNames(cut)).toEqual(['truncated@jmirror']);
    expect(cut.tunnelCount).toBe(0);
  });

  it('is reached on another port through decode-as (dpkt#504 saw port 6502)', () => {
    const pkt = toCollector(jmirror({ mirrorId: 3, sessionId: 4, payload: v4() }), 6502);
    const reg = createRegistry();
    expect(layerNames(peelBytes(pkt, { reg }))).toEqual(['eth', 'ipv4', 'udp']);
    reg.decodeAs('udp.port==6502=jmirror');
    expect(layerNames(peelBytes(pkt, { reg }))).toEqual(['eth', 'ipv4', 'udp', 'jmirror', 'ipv4', 'icmp']);
  });
});

describeWith({ tools: ['tshark'] }, 'jmirror decoder vs tshark 4.0', () => {
  it('agrees on which packets are jmirror, their ids and the mirrored addresses', () => {
    const packets = [
      toCollector(jmirror({ mirrorId: 0x40000001, sessionId: 0xabc, payload: v4() })),
      toCollector(jmirror({ mirrorId: 7, sessionId: 0x7fffffff, payload: v6() })),
      toCollector(jmirror({ mirrorId: 7, sessionId: 8, payload: v6(1) })),
    ];
    const rows = tsharkFields(packets, ['jmirror.mid', 'jmirror.sid', 'ip.src', 'ipv6.src']);
    expect(rows).toHaveLength(packets.length);
    const reg = createRegistry();
    packets.forEach((pkt, n) => {
      const p = peelBytes(pkt, { reg });
      const [mid, sid, v4src, v6src] = rows[n];
      expect(p.tunnelCount).toBe(1);
      expect(p.tunnelId2[0]).toBe(parseInt(mid, 16));
      expect(p.tunnelId[0]).toBe(parseInt(sid, 16));
      const srcs: string[] = [];
      const srcs6: string[] = [];
      for (let i = 0; i < p.layerCount; i++) {
        if (p.layerKind[i] === Layer.Ipv4) srcs.push(layerSrc(p, i)!);
        if (p.layerKind[i] === Layer.Ipv6) srcs6.push(layerSrc(p, i)!);
      }
      expect(srcs.join(',')).toBe(v4src);
      expect(srcs6.join(',')).toBe(v6src);
    });
  });

  it('takes the same payload decisions on the first four mirrored bytes', () => {
    const heads = ['45000020', '46000020', '60000001', '61234567', '6f000000', 'ff030021', 'ff03c021', 'ff030057', 'ff030023', 'ff031021', '40000000', '00000000', '4f000000', '55000000'];
    const packets = heads.map((h) => toCollector(cat(hex('0000000700000008'), hex(h), new Uint8Array(60))));
    const rows = tsharkFields(packets, ['jmirror.mid']);
    const reg = createRegistry();
    const ours = packets.map((pkt) => peelBytes(pkt, { reg }).findLayer(Layer.Jmirror) >= 0);
    expect(ours).toEqual(rows.map((r) => r[0] !== ''));
    expect(ours.filter(Boolean).length).toBeGreaterThan(3);
  });
});
