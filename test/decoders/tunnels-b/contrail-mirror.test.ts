import { describe, expect, it } from 'vitest';
import { actionNames } from '../../../decoders/contrail-mirror.js';
import { createRegistry } from '../../../decoders/index.js';
import {
  ascii, cat, contrailMirror, eth, hex, icmpEcho, ipv4, mirrorDstVn, mirrorFlags, mirrorHost, mirrorSrcVn, mpls, udp,
  type MirrorTlv,
} from '../../../samples/craft.js';
import { contrailVns, describeTunnel } from '../../../src/describe.js';
import { Layer, Tunnel } from '../../../src/layers.js';
import { TunnelFlag } from '../../../src/packet.js';
import { describeWith } from '../../helpers/env.js';
import { fieldsOf, layerNames, peelBytes, problemNames, tsharkFields } from './peel-bytes.js';

/** The mirrored frame: a 98-byte ICMP echo as in the iosonounrouter capture (seed S1:L1428). */
const mirrored = () =>
  eth({
    src: '02:8a:3c:11:22:33',
    dst: '02:8a:3c:44:55:66',
    payload: ipv4({ src: '4.4.4.3', dst: '5.5.5.3', payload: icmpEcho({ type: 'request', id: 44801, seq: 0 }) }),
  });

/** Analyzer-bound UDP: vRouter 4.4.4.3 -> DPI 7.7.7.3, hashed source port. */
function toAnalyzer(payload: Uint8Array, dport = 8099): Uint8Array {
  return eth({
    src: '0c:c4:7a:59:62:5c',
    dst: '00:00:5e:00:01:01',
    payload: ipv4({ src: '4.4.4.3', dst: '7.7.7.3', payload: udp({ sport: 64035, dport, payload }) }),
  });
}

const INNER = ['eth', 'ipv4', 'icmp'];
const STACK = ['eth', 'ipv4', 'udp', 'contrail-mirror', ...INNER];
const UDP_PAYLOAD_AT = 14 + 20 + 8;

describe('contrail-mirror decoder', () => {
  it('decodes all four TLVs (flow mirror) and the mirrored Ethernet frame', () => {
    const tlvs = [mirrorHost('10.0.0.11'), mirrorFlags(0x400000a0), mirrorSrcVn('default-domain:admin:left-vn'), mirrorDstVn('default-domain:admin:right-vn')];
    const p = peelBytes(toAnalyzer(contrailMirror({ tlvs, payload: mirrored() })));
    expect(layerNames(p)).toEqual(STACK);
    expect(p.problemCount).toBe(0);
    expect(p.tunnelKind[0]).toBe(Tunnel.ContrailMirror);
    expect(p.tunnelId[0]).toBe(0x400000a0);
    expect(p.tunnelId2[0]).toBe(0x0a00000b);
    expect(p.tunnelFlags[0] & TunnelFlag.ContrailIngress).toBeTruthy();
    expect(p.tunnelFlags[0] & TunnelFlag.ContrailLegacyHeader).toBe(0);
    expect(contrailVns(p, 0)).toEqual(['default-domain:admin:left-vn', 'default-domain:admin:right-vn']);
    expect(fieldsOf(p, Layer.ContrailMirror)).toEqual({
      host: '10.0.0.11',
      flags: 0x400000a0,
      actions: ['pass', 'mirror'],
      direction: 'ingress',
      srcvn: 'default-domain:admin:left-vn',
      dstvn: 'default-domain:admin:right-vn',
    });
    // The inner frame starts right after `ff 00`.
    const hdrLen = 6 + 6 + 2 + 28 + 2 + 29 + 2;
    expect(p.layerStart[4]).toBe(UDP_PAYLOAD_AT + hdrLen);
    expect(describeTunnel(p, 0)).toMatchObject({ type: 'contrail-mirror', host: '10.0.0.11', ingress: true, dport: 8099 });
  });

  it('decodes interface-mirror metadata with only the source VN (bytes from vif --get, seed S1:L1391)', () => {
    // "Ingress Mirror Metadata: 3 1e 64 65 66 61 75 6c 74 2d 64 ..." + the terminator
    const md = cat(hex('03 1e'), ascii('default-domain:tim:traffic-net'), hex('ff 00'));
    expect(md.length).toBe(34); // 34 + 98 = the "UDP, length 132" tcpdump printed
    const p = peelBytes(toAnalyzer(cat(md, mirrored()), 8888), { reg: withPort(8888) });
    expect(layerNames(p)).toEqual(STACK);
    expect(p.tunnelId[0]).toBe(-1);
    expect(p.tunnelId2[0]).toBe(-1);
    expect(p.tunnelFlags[0]).toBe(0);
    expect(contrailVns(p, 0)).toEqual(['default-domain:tim:traffic-net', undefined]);
    expect(fieldsOf(p, Layer.ContrailMirror)).toEqual({ srcvn: 'default-domain:tim:traffic-net' });
  });

  it('decodes egress interface metadata with only the destination VN', () => {
    const p = peelBytes(toAnalyzer(contrailMirror({ tlvs: [mirrorDstVn('default-domain:tim:traffic-net')], payload: mirrored() })));
    expect(layerNames(p)).toEqual(STACK);
    expect(contrailVns(p, 0)).toEqual([undefined, 'default-domain:tim:traffic-net']);
  });

  it('accepts an empty TLV list (vRouter default_mme = ff 00)', () => {
    const p = peelBytes(toAnalyzer(contrailMirror({ tlvs: [], payload: mirrored() })));
    expect(layerNames(p)).toEqual(STACK);
    expect(p.layerEnd[3] - p.layerStart[3]).toBe(2);
    expect(fieldsOf(p, Layer.ContrailMirror)).toEqual({});
  });

  it('keeps unknown TLV types and goes on by their length byte', () => {
    const tlvs: MirrorTlv[] = [{ type: 9, value: hex('0102') }, mirrorSrcVn('vn-a'), { type: 0, value: new Uint8Array(0) }, mirrorFlags(0x80)];
    const p = peelBytes(toAnalyzer(contrailMirror({ tlvs, payload: mirrored() })));
    expect(layerNames(p)).toEqual(STACK);
    expect(p.problemCount).toBe(0);
    expect(p.tunnelId[0]).toBe(0x80);
    expect(p.tunnelFlags[0] & TunnelFlag.ContrailIngress).toBe(0);
    expect(fieldsOf(p, Layer.ContrailMirror)).toEqual({
      srcvn: 'vn-a',
      flags: 0x80,
      actions: ['mirror'],
      direction: 'egress',
      tlvs: [{ type: 9, len: 2, data: '0102' }, { type: 0, len: 0, data: '' }],
    });
  });

  it('parses by the length byte: 2-byte flags, 16-byte (IPv6) host, odd sizes reported', () => {
    const tlvs: MirrorTlv[] = [
      { type: 1, value: hex('20010db8000000000000000000000011') },
      { type: 2, value: hex('00a0') },
    ];
    const p = peelBytes(toAnalyzer(contrailMirror({ tlvs, payload: mirrored() })));
    expect(layerNames(p)).toEqual(STACK);
    expect(p.tunnelId2[0]).toBe(-1); // only an IPv4 host fits the column
    expect(p.tunnelId[0]).toBe(0xa0);
    expect(fieldsOf(p, Layer.ContrailMirror)).toEqual({ host: '2001:db8::11', flags: 0xa0, actions: ['pass', 'mirror'] });
    const odd = peelBytes(toAnalyzer(contrailMirror({ tlvs: [{ type: 1, value: hex('0a0000') }, mirrorSrcVn('x')], payload: mirrored() })));
    expect(layerNames(odd)).toEqual(STACK);
    expect(problemNames(odd)).toEqual(['bad-length@contrail-mirror']);
    expect(contrailVns(odd, 0)[0]).toBe('x');
  });

  it('rejects lying lengths and a list without its end marker', () => {
    // TLV 3 claims 200 bytes; the datagram holds far fewer.
    const lying = peelBytes(toAnalyzer(cat(hex('01 04 0a 00 00 0b 03 c8'), ascii('vn'), mirrored())));
    expect(layerNames(lying)).toEqual(['eth', 'ipv4', 'udp']);
    expect(problemNames(lying)).toEqual(['bad-length@contrail-mirror']);
    expect(lying.tunnelCount).toBe(0);
    // Well-formed TLVs that simply stop: no ff 00 before the data ends.
    const noEnd = peelBytes(toAnalyzer(hex('01 04 0a 00 00 0b 02 04 40 00 00 a0')));
    expect(problemNames(noEnd)).toEqual(['malformed@contrail-mirror']);
    expect(noEnd.tunnelCount).toBe(0);
    // The same bytes cut by the capture are a truncation, not a malformation.
    const whole = toAnalyzer(contrailMirror({ tlvs: [mirrorHost('10.0.0.11'), mirrorSrcVn('default-domain:a:b')], payload: mirrored() }));
    const cut = peelBytes(whole.subarray(0, UDP_PAYLOAD_AT + 10), { len: whole.length });
    expect(problemNames(cut)).toEqual(['truncated@contrail-mirror']);
    // An `ff` whose own length runs past the data.
    const badEnd = peelBytes(toAnalyzer(hex('ff 05 00')));
    expect(problemNames(badEnd)).toEqual(['bad-length@contrail-mirror']);
  });

  it('stops cleanly when nothing follows the header', () => {
    const p = peelBytes(toAnalyzer(hex('03 02 76 6e ff 00')));
    expect(layerNames(p)).toEqual(['eth', 'ipv4', 'udp', 'contrail-mirror']);
    expect(p.problemCount).toBe(0);
  });

  it('detects the pre-2016 16-byte pcap record header before the TLVs', () => {
    const tlvs = [mirrorHost('192.168.200.11'), mirrorFlags(0x40000020), mirrorSrcVn('default-domain:demo:vn1'), mirrorDstVn('default-domain:demo:vn2')];
    const frame = mirrored();
    const p = peelBytes(toAnalyzer(contrailMirror({ tlvs, legacyPcapHeader: { tsSec: 1_420_070_400, tsUsec: 123_456 }, payload: frame })));
    expect(layerNames(p)).toEqual(STACK);
    expect(p.problemCount).toBe(0);
    expect(p.tunnelFlags[0] & TunnelFlag.ContrailLegacyHeader).toBeTruthy();
    expect(p.tunnelFlags[0] & TunnelFlag.ContrailIngress).toBeTruthy();
    expect(p.tunnelId2[0]).toBe(0xc0a8c80b);
    expect(contrailVns(p, 0)).toEqual(['default-domain:demo:vn1', 'default-domain:demo:vn2']);
    expect(fieldsOf(p, Layer.ContrailMirror)).toMatchObject({
      pcapheader: { tssec: 1_420_070_400, tsusec: 123_456, incllen: frame.length, origlen: frame.length },
      host: '192.168.200.11',
      actions: ['pass'],
    });
    // incl_len != orig_len: not the legacy header, so its bytes are read as TLVs: type 0x54 with
    // length 0xa5 runs past the datagram.
    const wrong = cat(hex('54a5fc00 0001e240 00000062 00000063'), hex('03 02 76 6e ff 00'), frame);
    const q = peelBytes(toAnalyzer(wrong));
    expect(problemNames(q)).toEqual(['bad-length@contrail-mirror']);
    expect(q.tunnelCount).toBe(0);
  });

  it('detects the legacy header on a snaplen-cut capture', () => {
    const whole = toAnalyzer(contrailMirror({ tlvs: [mirrorSrcVn('vn1')], legacyPcapHeader: { tsSec: 1_400_000_000, tsUsec: 5 }, payload: mirrored() }));
    const p = peelBytes(whole.subarray(0, whole.length - 40), { len: whole.length });
    expect(p.tunnelFlags[0] & TunnelFlag.ContrailLegacyHeader).toBeTruthy();
    expect(contrailVns(p, 0)[0]).toBe('vn1');
  });

  it('decodes a mirror copy carried in MPLSoUDP to a remote analyzer (fabric capture)', () => {
    const mirrorPkt = ipv4({
      src: '4.4.4.3',
      dst: '7.7.7.3',
      payload: udp({ sport: 50001, payload: contrailMirror({ tlvs: [mirrorHost('192.168.200.11'), mirrorFlags(0x400000a0), mirrorSrcVn('default-domain:tim:traffic-net')], payload: mirrored() }) }),
    });
    const fabric = eth({
      src: '0c:c4:7a:59:62:5c',
      dst: '0c:c4:7a:59:62:5d',
      payload: ipv4({ src: '192.168.200.11', dst: '192.168.200.12', payload: udp({ sport: 55000, payload: mpls({ labels: [38], payload: mirrorPkt }) }) }),
    });
    const p = peelBytes(fabric);
    expect(layerNames(p)).toEqual(['eth', 'ipv4', 'udp', 'mpls', 'ipv4', 'udp', 'contrail-mirror', ...INNER]);
    expect(p.tunnelCount).toBe(2);
    expect([p.tunnelKind[0], p.tunnelKind[1]]).toEqual([Tunnel.Mpls, Tunnel.ContrailMirror]);
    expect(describeTunnel(p, 1)).toMatchObject({ src: '4.4.4.3', dst: '7.7.7.3', dport: 8099, host: '192.168.200.11', srcvn: 'default-domain:tim:traffic-net' });
  });

  it('is reached on other analyzer ports through decode-as and its aliases', () => {
    const pkt = toAnalyzer(contrailMirror({ tlvs: [mirrorSrcVn('vn')], payload: mirrored() }), 8888);
    expect(layerNames(peelBytes(pkt))).toEqual(['eth', 'ipv4', 'udp']);
    for (const name of ['contrail-mirror', 'juniper', 'contrail']) {
      expect(layerNames(peelBytes(pkt, { reg: withPort(8888, name) }))).toEqual(STACK);
    }
  });

  it('names action bits as Wireshark and ocmirror do', () => {
    expect(actionNames(0x40000000)).toEqual([]);
    expect(actionNames(0x02 | 0x04 | 0x08 | 0x10 | 0x40)).toEqual(['alert', 'drop', 'deny', 'log', 'reject']);
    expect(actionNames((1 << 8) | (1 << 28) | (1 << 29) | 0x80000000)).toEqual(['vrf-translate', 'trap', 'implicit-deny', 'unknown']);
  });
});

function withPort(port: number, name = 'contrail-mirror') {
  const reg = createRegistry();
  reg.decodeAs(`udp.port==${port}=${name}`);
  return reg;
}

describeWith({ tools: ['tshark'] }, 'contrail-mirror decoder vs tshark 4.0 (-d udp.port==8099,juniper)', () => {
  it('agrees on host, flags, VN names and the inner addresses', () => {
    const packets = [
      toAnalyzer(contrailMirror({ tlvs: [mirrorHost('10.0.0.11'), mirrorFlags(0x400000a0), mirrorSrcVn('default-domain:admin:left-vn'), mirrorDstVn('default-domain:admin:right-vn')], payload: mirrored() })),
      toAnalyzer(contrailMirror({ tlvs: [mirrorSrcVn('default-domain:tim:traffic-net')], payload: mirrored() })),
      toAnalyzer(contrailMirror({ tlvs: [mirrorHost('172.16.0.1'), mirrorFlags(0x20), mirrorDstVn('default-domain:p:vn-b')], payload: mirrored() })),
      toAnalyzer(contrailMirror({ tlvs: [], payload: mirrored() })),
    ];
    const rows = tsharkFields(packets, ['juniper.vn.host_ip', 'juniper.vn.flags', 'juniper.vn.src', 'juniper.vn.dst', 'ip.src', 'ip.dst'], ['udp.port==8099,juniper']);
    expect(rows).toHaveLength(packets.length);
    const reg = createRegistry();
    packets.forEach((pkt, n) => {
      const p = peelBytes(pkt, { reg });
      const [host, flags, src, dst, ipSrc, ipDst] = rows[n];
      const f = fieldsOf(p, Layer.ContrailMirror, reg);
      expect(f.host ?? '').toBe(host);
      expect(f.flags === undefined ? '' : f.flags).toBe(flags === '' ? '' : parseInt(flags, 16));
      expect(f.srcvn ?? '').toBe(src);
      expect(f.dstvn ?? '').toBe(dst);
      expect(layerNames(p)).toEqual(STACK);
      expect(ipSrc.split(',')).toEqual(['4.4.4.3', '4.4.4.3']);
      expect(ipDst.split(',')).toEqual(['7.7.7.3', '5.5.5.3']);
    });
  });
});
