import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../../decoders/index.js';
import { cat, eth, gre, hex, icmpEcho, ipv4, ipv6, udp } from '../../../samples/craft.js';
import { Layer, Tunnel } from '../../../src/layers.js';
import { TunnelFlag } from '../../../src/packet.js';
import { corpus, describeWith } from '../../helpers/env.js';
import { tsharkFields as tsharkFile } from '../../helpers/tshark.js';
import { fieldsOf, layerNames, peelBytes, problemNames, tsharkFields } from '../tunnels-b/peel-bytes.js';
import { numbers, peelFile, withOracle } from './corpus-peel.js';

const inner4 = () => ipv4({ src: '192.168.10.8', dst: '192.168.10.9', payload: icmpEcho({ type: 'request', id: 5591, seq: 95 }) });

/** Ethernet/IPv4 (proto 47) around a GRE header given as bytes or built by craft. */
function overIp(greBytes: Uint8Array): Uint8Array {
  return eth({
    src: '00:1d:c2:8f:22:db',
    dst: '0a:36:cc:61:aa:10',
    payload: ipv4({ src: '10.0.10.14', dst: '10.0.10.53', proto: 47, payload: greBytes }),
  });
}

const GRE_AT = 14 + 20;

describe('gre: RFC 2784/2890 flag combinations', () => {
  const combos = [false, true].flatMap((c) => [false, true].flatMap((k) => [false, true].map((s) => ({ c, k, s }))));
  for (const { c, k, s } of combos) {
    const name = `${c ? 'C' : '-'}${k ? 'K' : '-'}${s ? 'S' : '-'}`;
    it(`${name}: header length, key, sequence and the flag word`, () => {
      const g = gre({ checksum: c, key: k ? 0xdeadbeef : undefined, seq: s ? 4280811777 : undefined, payload: inner4() });
      const p = peelBytes(overIp(g));
      expect(problemNames(p)).toEqual([]);
      expect(layerNames(p)).toEqual(['eth', 'ipv4', 'gre', 'ipv4', 'icmp']);
      const hl = 4 + (c ? 4 : 0) + (k ? 4 : 0) + (s ? 4 : 0);
      expect(p.layerEnd[2] - p.layerStart[2]).toBe(hl);
      expect(p.tunnelKind[0]).toBe(Tunnel.Gre);
      expect(p.tunnelId[0]).toBe(k ? 0xdeadbeef : -1);
      expect(p.tunnelId2[0]).toBe(s ? 4280811777 : -1);
      const word = (c ? 0x8000 : 0) | (k ? 0x2000 : 0) | (s ? 0x1000 : 0);
      expect(p.tunnelFlags[0]).toBe(word); // no extra bits: not PPTP, not in UDP, nothing reserved
      const f = fieldsOf(p, Layer.Gre);
      expect(f.flags).toBe(word);
      expect(f.proto).toBe(0x0800);
      expect(f.key).toBe(k ? 0xdeadbeef : undefined);
      expect(f.seq).toBe(s ? 4280811777 : undefined);
      expect(f.checksum === undefined).toBe(!c);
    });
  }

  it('checks the checksum only when asked to, and reports a bad one', () => {
    const g = gre({ checksum: true, key: 7, payload: inner4() });
    const good = peelBytes(overIp(g));
    expect(fieldsOf(good, Layer.Gre).checksumStatus).toBeUndefined();
    const reg = createRegistry();
    reg.checksums = true;
    const checked = peelBytes(overIp(g), { reg });
    expect(problemNames(checked)).toEqual([]);
    expect(fieldsOf(checked, Layer.Gre).checksumStatus).toBe('good');
    const bent = g.slice();
    bent[4] ^= 0x55;
    const bad = peelBytes(overIp(bent), { reg });
    expect(problemNames(bad)).toEqual(['bad-checksum@gre']);
    expect(fieldsOf(bad, Layer.Gre).checksumStatus).toBe('bad');
    expect(layerNames(bad)).toEqual(['eth', 'ipv4', 'gre', 'ipv4', 'icmp']); // still decoded
  });

  it('walks an RFC 1701 routing list (R bit) to find the payload', () => {
    // C|R, offset, one IPv4 SRE (af 0x0800, offset 0, length 8: two addresses), then the NULL SRE
    const head = hex('c000 0800  0000 0000  0800 00 08  0a000001 0a000002  0000 00 00');
    const p = peelBytes(overIp(cat(head, inner4())));
    expect(problemNames(p)).toEqual([]);
    expect(layerNames(p)).toEqual(['eth', 'ipv4', 'gre', 'ipv4', 'icmp']);
    expect(p.layerEnd[2] - p.layerStart[2]).toBe(head.length);
    expect(fieldsOf(p, Layer.Gre).offset).toBe(0);
  });

  it('tolerates and flags reserved bits (strict source route, recursion)', () => {
    const head = hex('1d00 0800  00000001');
    const p = peelBytes(overIp(cat(head, inner4())));
    expect(layerNames(p)).toEqual(['eth', 'ipv4', 'gre', 'ipv4', 'icmp']);
    expect(p.tunnelFlags[0] & TunnelFlag.ReservedNonZero).toBe(TunnelFlag.ReservedNonZero);
    expect(p.tunnelFlags[0] & 0xffff).toBe(0x1d00);
    expect(p.tunnelId2[0]).toBe(1);
  });
});

describe('gre: version 1 (PPTP enhanced GRE)', () => {
  it('takes the call id as the tunnel id, reads sequence and acknowledgment, flags PPTP', () => {
    // K|S|A, version 1, PPP; payload length 4, call id 6016, seq 430001, ack 539254, then PPP LCP
    const head = hex('3081 880b  0004 1780  00068fb1  00083a76');
    const p = peelBytes(overIp(cat(head, hex('ff03c021 01010004'))));
    expect(layerNames(p).slice(0, 3)).toEqual(['eth', 'ipv4', 'gre']);
    expect(layerNames(p)[3]).toBe('ppp');
    expect(p.tunnelId[0]).toBe(6016);
    expect(p.tunnelId2[0]).toBe(430001);
    expect(p.tunnelFlags[0] & 0xffff).toBe(0x3081);
    expect(p.tunnelFlags[0] & TunnelFlag.GrePptp).toBe(TunnelFlag.GrePptp);
    expect(p.tunnelFlags[0] & TunnelFlag.ReservedNonZero).toBe(0);
    expect(fieldsOf(p, Layer.Gre)).toEqual({ flags: 0x3081, version: 1, proto: 0x880b, paylen: 4, callid: 6016, seq: 430001, ack: 539254 });
  });

  it('an acknowledgment-only packet (no S) still skips the ack field', () => {
    const head = hex('2081 880b  0000 0011  00083a76');
    const p = peelBytes(overIp(head));
    expect(p.layerEnd[2] - p.layerStart[2]).toBe(12);
    expect(p.tunnelId2[0]).toBe(-1);
    expect(fieldsOf(p, Layer.Gre).ack).toBe(539254);
  });
});

describe('gre: dispatch, GRE-in-UDP, faults', () => {
  it('dispatches by the GRE table, then by EtherType (RFC 2784: the protocol type is an EtherType)', () => {
    // 0x88a8 is only in the EtherType table (the VLAN decoder does not claim it for GRE)
    const qinq = cat(hex('0000 88a8  0045 0800'), inner4());
    const p = peelBytes(overIp(qinq));
    expect(layerNames(p)).toEqual(['eth', 'ipv4', 'gre', 'vlan', 'ipv4', 'icmp']);
    const v6 = peelBytes(overIp(gre({ payload: ipv6({ src: '2001:db8::1', dst: '2001:db8::2', next: 59, payload: new Uint8Array(0) }) })));
    expect(layerNames(v6)).toEqual(['eth', 'ipv4', 'gre', 'ipv6']);
    const teb = peelBytes(overIp(gre({ payload: eth({ src: 'fa:16:3e:3b:53:26', dst: 'fa:16:3e:00:00:01', tags: [{ id: 69 }], payload: inner4() }) })));
    expect(layerNames(teb)).toEqual(['eth', 'ipv4', 'gre', 'eth', 'vlan', 'ipv4', 'icmp']);
  });

  it('decode-as on gre.proto reaches a decoder the tables do not know', () => {
    const pkt = overIp(gre({ proto: 0x9999, payload: eth({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', payload: inner4() }) }));
    const plain = peelBytes(pkt);
    expect(layerNames(plain)).toEqual(['eth', 'ipv4', 'gre']);
    expect(problemNames(plain)).toEqual(['unknown-next@gre']);
    const reg = createRegistry();
    reg.decodeAs('gre.proto==0x9999=eth');
    expect(layerNames(peelBytes(pkt, { reg }))).toEqual(['eth', 'ipv4', 'gre', 'eth', 'ipv4', 'icmp']);
  });

  it('a keepalive without payload is not a problem', () => {
    const p = peelBytes(overIp(hex('0000 0000')));
    expect(layerNames(p)).toEqual(['eth', 'ipv4', 'gre']);
    expect(problemNames(p)).toEqual([]);
  });

  it('marks GRE carried in UDP 4754 (RFC 8086), and only that', () => {
    const pkt = eth({
      src: '00:1d:c2:8f:22:db',
      dst: '0a:36:cc:61:aa:10',
      payload: ipv4({ src: '10.0.0.1', dst: '10.0.0.2', payload: udp({ sport: 50000, payload: gre({ key: 5, payload: inner4() }) }) }),
    });
    const p = peelBytes(pkt);
    expect(layerNames(p)).toEqual(['eth', 'ipv4', 'udp', 'gre', 'ipv4', 'icmp']);
    expect(p.tunnelFlags[0]).toBe(0x2000 | TunnelFlag.GreInUdp);
    expect(p.tunnelOuterUdp[0]).toBe(2);
    expect(peelBytes(overIp(gre({ key: 5, payload: inner4() }))).tunnelFlags[0] & TunnelFlag.GreInUdp).toBe(0);
  });

  it('refuses versions 2-7 and truncated optional fields without recording a GRE layer', () => {
    const v2 = peelBytes(overIp(cat(hex('0002 0800'), inner4())));
    expect(problemNames(v2)).toEqual(['bad-version@gre']);
    expect(layerNames(v2)).toEqual(['eth', 'ipv4']);
    for (const head of ['30', 'b000 0800 0000', 'b000 0800 0000 0000 0000 0001 0000', '4000 0800 0000 0000 0800 00 10 0a00']) {
      const p = peelBytes(overIp(hex(head)));
      expect(problemNames(p), head).toEqual(['truncated@gre']);
      expect(p.problemOffset[0]).toBe(GRE_AT);
      expect(p.tunnelCount).toBe(0);
    }
  });
});

describeWith({ tools: ['tshark'] }, 'gre vs tshark 4.0.17 on crafted packets', () => {
  it('agrees on key, sequence number, checksum and the protocol type for every flag combination', () => {
    const pkts: Uint8Array[] = [];
    for (const c of [false, true]) for (const k of [false, true]) for (const s of [false, true]) {
      pkts.push(overIp(gre({ checksum: c, key: k ? 1000 + pkts.length : undefined, seq: s ? 77 + pkts.length : undefined, payload: inner4() })));
    }
    const rows = tsharkFields(pkts, ['gre.key', 'gre.sequence_number', 'gre.checksum', 'gre.proto', 'gre.flags_and_version']);
    pkts.forEach((pkt, i) => {
      const p = peelBytes(pkt);
      const f = fieldsOf(p, Layer.Gre);
      expect(p.tunnelId[0]).toBe(rows[i][0] === '' ? -1 : Number(rows[i][0]));
      expect(p.tunnelId2[0]).toBe(rows[i][1] === '' ? -1 : Number(rows[i][1]));
      expect(f.checksum === undefined ? '' : `0x${(f.checksum as number).toString(16).padStart(4, '0')}`).toBe(rows[i][2]);
      expect(Number(rows[i][3])).toBe(f.proto);
      expect(Number(rows[i][4])).toBe(p.tunnelFlags[0] & 0xffff);
    });
  });
});

describeWith({ corpus: true }, 'gre on the corpus (vs the tshark oracle)', () => {
  const files = [
    'tcpdump/various_gre.pcap',
    'zeek/tunnels_gre-within-gre/gre-within-gre.pcap',
    'zeek/tunnels_gre-sample/gre-sample.pcap',
    'zeek/tunnels_gre-over-udp-4754/gre-over-udp-4754.pcap',
    'zeek/erspan/erspan.pcap',
    'skydive/gre-gre-icmpv4.pcap',
    'suricata-verify/bug-2576-01/temp6.pcap',
    'suricata-verify/decode-arp-3/arp-encap.pcap',
    'tcpdump/pptp.pcap',
    'arkime/6-4-gre-ppp-udp-4-dns.pcap',
  ];
  for (const f of files) {
    it(f, async () => {
      let compared = 0;
      for (const { ours: s, tshark, what } of await withOracle(f, Layer.Gre)) {
        const stack = tshark['frame.protocols'].split(':');
        const tsharkProtos = numbers(tshark['gre.proto']);
        const ourProtos = s.detail.map((d) => d.proto);
        if (stack.includes('cmd')) {
          // Cisco MetaData (GRE 0x8909) is a shim we do not decode: we stop there and say so
          expect(tsharkProtos.slice(0, ourProtos.length), what).toEqual(ourProtos);
          expect(ourProtos[ourProtos.length - 1]).toBe(0x8909);
          expect(s.problems, what).toContain('unknown-next@gre');
          continue;
        }
        // IP fragments: tshark reassembles (and shows the tunnel on the last fragment), we decode first fragments only
        if (stack[stack.length - 1] === 'data' && stack[stack.length - 2] === 'ip') continue;
        if (s.problems.some((x) => x.startsWith('later-fragment'))) continue;
        expect(ourProtos, what).toEqual(tsharkProtos);
        // IP layers up to the first ICMP (tshark also decodes the packet quoted in ICMP errors)
        const icmpAt = stack.findIndex((x) => x === 'icmp' || x === 'icmpv6');
        const ips = stack.slice(0, icmpAt < 0 ? stack.length : icmpAt).filter((x) => x === 'ip' || x === 'ipv6').length;
        expect(s.layers.filter((x) => x === 'ipv4' || x === 'ipv6').length, what).toBe(ips);
        compared++;
      }
      expect(compared).toBeGreaterThan(0);
    });
  }

  it('fuzz regressions gre-heapoverflow-1/2: decoded without crashing, faults recorded', async () => {
    for (const f of ['tcpdump/gre-heapoverflow-1.pcap', 'tcpdump/gre-heapoverflow-2.pcap']) {
      const ours = await peelFile(corpus(f));
      expect(ours.length).toBe(2);
      expect(ours.some((s) => s.problems.length > 0)).toBe(true);
    }
  });

  it('GRE-in-UDP 4754: every GRE tunnel is flagged, none in plain GRE files', async () => {
    const inUdp = await peelFile(corpus('zeek/tunnels_gre-over-udp-4754/gre-over-udp-4754.pcap'));
    const flags = inUdp.flatMap((s) => s.tunnels.filter((t) => t.type === 'gre').map((t) => t.flags & TunnelFlag.GreInUdp));
    expect(flags.length).toBe(14);
    expect(new Set(flags)).toEqual(new Set([TunnelFlag.GreInUdp]));
    const plain = await peelFile(corpus('zeek/tunnels_gre-within-gre/gre-within-gre.pcap'));
    expect(plain.flatMap((s) => s.tunnels).every((t) => (t.flags & TunnelFlag.GreInUdp) === 0)).toBe(true);
  });

  describeWith({ tools: ['tshark'] }, 'PPTP call ids and sequence numbers', () => {
    for (const f of ['tcpdump/pptp.pcap', 'arkime/6-4-gre-ppp-udp-4-dns.pcap']) {
      it(f, async () => {
        const rows = tsharkFile(corpus(f), ['gre.key.call_id', 'gre.sequence_number']).filter((r) => r['gre.key.call_id'] !== '');
        const ours = (await peelFile(corpus(f))).flatMap((s) => s.tunnels.filter((t) => t.type === 'gre'));
        expect(rows.length).toBeGreaterThan(0);
        expect(ours.map((t) => [t.id, t.id2 < 0 ? '' : t.id2, (t.flags & TunnelFlag.GrePptp) !== 0])).toEqual(
          rows.map((r) => [Number(r['gre.key.call_id']), r['gre.sequence_number'] === '' ? '' : Number(r['gre.sequence_number']), true]),
        );
      });
    }
  });
});
