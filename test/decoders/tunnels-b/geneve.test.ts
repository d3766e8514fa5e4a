import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../../decoders/index.js';
import { optionClassName } from '../../../decoders/geneve.js';
import {
  arp, cat, eth, geneve, hex, icmpEcho, icmpv6Echo, ipv4, ipv6, ovnOption, udp, type GeneveOption,
} from '../../../samples/craft.js';
import { Layer, Tunnel } from '../../../src/layers.js';
import { layerSrc } from '../../../src/describe.js';
import { TunnelFlag } from '../../../src/packet.js';
import { describeWith } from '../../helpers/env.js';
import { fieldsOf, layerNames, peelBytes, problemNames, tsharkFields } from './peel-bytes.js';

const innerFrame = () =>
  eth({
    src: 'fa:16:3e:a7:95:87',
    dst: '52:54:00:0c:eb:7c',
    payload: ipv4({ src: '192.168.0.166', dst: '8.8.8.8', payload: icmpEcho({ type: 'request', id: 2818, seq: 2145 }) }),
  });

/** Outer Ethernet/IPv4/UDP around a Geneve header (UDP dport from the payload unless given). */
function outer(payload: Uint8Array, ports: { sport?: number; dport?: number } = {}): Uint8Array {
  return eth({
    src: '6a:9b:72:22:3f:68',
    dst: '0e:d0:eb:00:1b:e7',
    payload: ipv4({
      src: '172.17.2.119',
      dst: '172.17.2.143',
      payload: udp({ sport: ports.sport ?? 27073, dport: ports.dport ?? 6081, payload }),
    }),
  });
}

const FULL_STACK = ['eth', 'ipv4', 'udp', 'geneve', 'eth', 'ipv4', 'icmp'];

describe('geneve decoder', () => {
  it('decodes a header without options and dispatches 0x6558 to Ethernet', () => {
    const p = peelBytes(outer(geneve({ vni: 123, payload: innerFrame() })));
    expect(layerNames(p)).toEqual(FULL_STACK);
    expect(p.problemCount).toBe(0);
    expect(p.tunnelCount).toBe(1);
    expect(p.tunnelKind[0]).toBe(Tunnel.Geneve);
    expect(p.tunnelId[0]).toBe(123);
    expect(p.tunnelId2[0]).toBe(0x6558);
    expect(p.tunnelOptCount[0]).toBe(0);
    expect(p.tunnelOvnIn[0]).toBe(-1);
    expect(p.tunnelFlags[0] & (TunnelFlag.GeneveCritical | TunnelFlag.GeneveOam | TunnelFlag.ReservedNonZero)).toBe(0);
    expect(fieldsOf(p, Layer.Geneve)).toEqual({
      version: 0, optlen: 0, oam: false, critical: false, proto: 0x6558, vni: 123, options: [],
    });
  });

  it('reads the OVN option of a published OVN capture (tcpdump: vni 0x5, Flags [C], data 00010003)', () => {
    // The 16 Geneve bytes of the first packet in seed 004 line 383 (notes/seed-ovn-geneve-and-topology.md §1.2).
    const hdr = hex('02 40 65 58 00 00 05 00 01 02 80 01 00 01 00 03');
    const p = peelBytes(outer(cat(hdr, innerFrame())));
    expect(layerNames(p)).toEqual(FULL_STACK);
    expect(p.tunnelId[0]).toBe(5);
    expect(p.tunnelFlags[0] & TunnelFlag.GeneveCritical).toBeTruthy();
    expect(p.tunnelOvnIn[0]).toBe(1);
    expect(p.tunnelOvnOut[0]).toBe(3);
    expect(p.optCount).toBe(1);
    expect([p.optClass[0], p.optType[0], p.optLen[0]]).toEqual([0x0102, 0x80, 4]);
    const f = fieldsOf(p, Layer.Geneve);
    expect(f.critical).toBe(true);
    expect(f.optlen).toBe(8);
    expect(f.options).toEqual([{ class: 0x0102, type: 0x80, critical: true, data: '00010003', name: 'ovn' }]);
    expect(f.ovn).toEqual({ inport: 1, outport: 3, outportMulticast: false });
  });

  it('marks an OVN egress key >= 32768 as a multicast group, and accepts egress 0', () => {
    const mc = peelBytes(outer(geneve({ vni: 7, critical: true, options: [ovnOption(4, 32769)], payload: innerFrame() })));
    expect(mc.tunnelOvnIn[0]).toBe(4);
    expect(mc.tunnelOvnOut[0]).toBe(32769);
    expect(fieldsOf(mc, Layer.Geneve).ovn).toEqual({ inport: 4, outport: 32769, outportMulticast: true });
    // ovn-controller floods ARP/NA to remote chassis with egress key 0 (OVN commit 7c3f7f415).
    const zero = peelBytes(outer(geneve({ vni: 7, critical: true, options: [ovnOption(32767, 0)], payload: innerFrame() })));
    expect(zero.tunnelOvnIn[0]).toBe(32767);
    expect(zero.tunnelOvnOut[0]).toBe(0);
    // The reserved top bit of the option value is not part of the ingress port.
    const rsv = peelBytes(outer(cat(hex('02 40 65 58 00 00 07 00 01 02 80 01 80 05 00 06'), innerFrame())));
    expect(rsv.tunnelOvnIn[0]).toBe(5);
    expect(rsv.tunnelOvnOut[0]).toBe(6);
  });

  it('does not read an option of another class, type or length as OVN', () => {
    const notOvn: GeneveOption[] = [
      { cls: 0x0102, type: 0x81, data: hex('00010002') },
      { cls: 0x0101, type: 0x80, data: hex('00010002') },
      { cls: 0x0102, type: 0x80, data: hex('0001000200000000') },
    ];
    const p = peelBytes(outer(geneve({ vni: 1, options: notOvn, payload: innerFrame() })));
    expect(p.tunnelOptCount[0]).toBe(3);
    expect(p.tunnelOvnIn[0]).toBe(-1);
    expect(p.tunnelOvnOut[0]).toBe(-1);
    expect(fieldsOf(p, Layer.Geneve).ovn).toBeUndefined();
  });

  it('walks many options of every size in wire order, with class names', () => {
    const opts: GeneveOption[] = [
      { cls: 0x0132, type: 0x01, data: hex('00001230') },
      ovnOption(2, 9),
      { cls: 0x0000, type: 0x80, data: new Uint8Array(0) },
      { cls: 0x0108, type: 0x03, data: hex('0102030405060708090a0b0c') },
      { cls: 0x0100, type: 0x7f, data: hex('deadbeef') },
      { cls: 0xfff3, type: 0x22, data: new Uint8Array(124) }, // the 5-bit length's maximum: 31 words
      { cls: 0x4242, type: 0x00, data: hex('00000001') },
    ];
    const p = peelBytes(outer(geneve({ vni: 0xabcdef, options: opts, payload: innerFrame() })));
    expect(layerNames(p)).toEqual(FULL_STACK);
    expect(p.problemCount).toBe(0);
    expect(p.tunnelId[0]).toBe(0xabcdef);
    expect(p.tunnelOptCount[0]).toBe(opts.length);
    const f = fieldsOf(p, Layer.Geneve);
    expect(f.optlen).toBe(opts.reduce((n, o) => n + 4 + o.data.length, 0));
    const got = f.options as Record<string, unknown>[];
    expect(got.map((o) => [o.class, o.type, (o.data as string).length / 2])).toEqual(
      opts.map((o) => [o.cls, o.type, o.data.length]),
    );
    expect(got.map((o) => o.name)).toEqual(['gcp', 'ovn', 'ovs', 'aws', 'linux', 'experimental', undefined]);
    expect(got.map((o) => o.critical)).toEqual([false, true, true, false, false, false, false]);
    expect(f.ovn).toEqual({ inport: 2, outport: 9, outportMulticast: false });
  });

  it('keeps the options before one that runs past the option area, then decodes the payload', () => {
    // Opt Len 3 words: a 4-byte option (class 0xffff, no data), then an OVN option claiming 3 data
    // words where only 1 is left in the option area.
    const hdr = hex('03 00 65 58 00 00 09 00  ff ff 01 00  01 02 80 03 00 01 00 03');
    const p = peelBytes(outer(cat(hdr, innerFrame())));
    expect(problemNames(p)).toEqual(['bad-length@geneve']);
    expect(p.problemOffset[0]).toBe(14 + 20 + 8 + 12);
    expect(p.tunnelOptCount[0]).toBe(1);
    expect(p.optClass[0]).toBe(0xffff);
    expect(p.tunnelOvnIn[0]).toBe(-1);
    expect(layerNames(p)).toEqual(FULL_STACK); // the header's Opt Len still says where the payload is
    expect(p.layerStart[4]).toBe(14 + 20 + 8 + 20);
  });

  it('records what it can when the capture ends inside the options', () => {
    const full = outer(geneve({ vni: 77, options: [ovnOption(1, 2), { cls: 0x0132, type: 1, data: hex('0000000000000000') }], payload: innerFrame() }));
    const geneveAt = 14 + 20 + 8;
    const cut = full.subarray(0, geneveAt + 8 + 8 + 6); // OVN option whole, second option cut
    const p = peelBytes(cut, { len: full.length });
    expect(layerNames(p)).toEqual(['eth', 'ipv4', 'udp', 'geneve']);
    expect(problemNames(p)).toEqual(['truncated@geneve']);
    expect(p.tunnelId[0]).toBe(77);
    expect(p.tunnelOptCount[0]).toBe(1);
    expect(p.tunnelOvnOut[0]).toBe(2);
    // Fewer than the 8 fixed bytes: nothing recorded but the problem.
    const tiny = peelBytes(full.subarray(0, geneveAt + 5), { len: full.length });
    expect(layerNames(tiny)).toEqual(['eth', 'ipv4', 'udp']);
    expect(problemNames(tiny)).toEqual(['truncated@geneve']);
    expect(tiny.tunnelCount).toBe(0);
  });

  it('stops on a version other than 0', () => {
    const hdr = hex('40 00 65 58 00 00 05 00'); // Ver = 1
    const p = peelBytes(outer(cat(hdr, innerFrame())));
    expect(layerNames(p)).toEqual(['eth', 'ipv4', 'udp']);
    expect(problemNames(p)).toEqual(['bad-version@geneve']);
    expect(p.tunnelCount).toBe(0);
  });

  it('reports the O and C flags and non-zero reserved bits', () => {
    const oam = peelBytes(outer(geneve({ vni: 1, oam: true, payload: innerFrame() })));
    expect(oam.tunnelFlags[0] & TunnelFlag.GeneveOam).toBeTruthy();
    expect(oam.tunnelFlags[0] & TunnelFlag.GeneveCritical).toBe(0);
    expect(fieldsOf(oam, Layer.Geneve)).toMatchObject({ oam: true, critical: false });
    const crit = peelBytes(outer(geneve({ vni: 1, critical: true, payload: innerFrame() })));
    expect(crit.tunnelFlags[0] & TunnelFlag.GeneveCritical).toBeTruthy();
    expect(crit.tunnelFlags[0] & TunnelFlag.GeneveOam).toBe(0);
    const rsv = peelBytes(outer(cat(hex('00 01 65 58 00 00 05 ee'), innerFrame())));
    expect(rsv.tunnelFlags[0] & TunnelFlag.ReservedNonZero).toBeTruthy();
    expect(layerNames(rsv)).toEqual(FULL_STACK); // tolerated
    expect(fieldsOf(rsv, Layer.Geneve)).toMatchObject({ flagsreserved: 1, reserved: 0xee });
  });

  it('dispatches non-Ethernet protocol types through the ethertype table', () => {
    const v4 = peelBytes(outer(geneve({ vni: 2, payload: ipv4({ src: '10.0.0.1', dst: '10.0.0.2', payload: icmpEcho({ type: 'reply', id: 1, seq: 2 }) }) })));
    expect(layerNames(v4)).toEqual(['eth', 'ipv4', 'udp', 'geneve', 'ipv4', 'icmp']);
    expect(v4.tunnelId2[0]).toBe(0x0800);
    const v6 = peelBytes(outer(geneve({ vni: 3, payload: ipv6({ src: '2001:db8::1', dst: '2001:db8::2', payload: icmpv6Echo({ type: 'request', id: 1, seq: 1 }) }) })));
    expect(layerNames(v6)).toEqual(['eth', 'ipv4', 'udp', 'geneve', 'ipv6', 'icmpv6']);
    expect(v6.tunnelId2[0]).toBe(0x86dd);
    const a = peelBytes(outer(geneve({ vni: 4, proto: 0x0806, payload: arp({ op: 'request', senderMac: '02:00:00:00:00:01', senderIp: '10.0.0.1', targetIp: '10.0.0.2' }) })));
    expect(layerNames(a)).toEqual(['eth', 'ipv4', 'udp', 'geneve', 'arp']);
    const empty = peelBytes(outer(geneve({ vni: 6, oam: true, proto: 0x6558, options: [ovnOption(1, 2)], payload: new Uint8Array(0) })));
    expect(layerNames(empty)).toEqual(['eth', 'ipv4', 'udp', 'geneve']);
    expect(empty.problemCount).toBe(0);
    const unknown = peelBytes(outer(geneve({ vni: 5, proto: 0x1234, payload: hex('00112233') })));
    expect(layerNames(unknown)).toEqual(['eth', 'ipv4', 'udp', 'geneve']);
    expect(problemNames(unknown)).toEqual(['unknown-next@geneve']);
  });

  it('is found on UDP 6081 as source port too, and by decode-as on another port', () => {
    const bySrc = peelBytes(outer(geneve({ vni: 9, payload: innerFrame() }), { sport: 6081, dport: 40123 }));
    expect(layerNames(bySrc)).toEqual(FULL_STACK);
    const reg = createRegistry();
    const other = outer(geneve({ vni: 9, payload: innerFrame() }), { sport: 1000, dport: 7000 });
    expect(layerNames(peelBytes(other, { reg }))).toEqual(['eth', 'ipv4', 'udp']);
    reg.decodeAs('udp.port==7000=geneve');
    expect(layerNames(peelBytes(other, { reg }))).toEqual(FULL_STACK);
  });

  it('keeps the options of each Geneve header of a nested packet apart', () => {
    const innerGeneve = ipv4({ src: '10.1.0.1', dst: '10.1.0.2', payload: udp({ sport: 1, payload: geneve({ vni: 20, options: [ovnOption(3, 4)], payload: innerFrame() }) }) });
    const p = peelBytes(outer(geneve({ vni: 10, options: [{ cls: 0x0132, type: 2, data: hex('00000001') }], payload: innerGeneve })));
    expect(p.tunnelCount).toBe(2);
    expect([p.tunnelId[0], p.tunnelOptStart[0], p.tunnelOptCount[0], p.tunnelOvnIn[0]]).toEqual([10, 0, 1, -1]);
    expect([p.tunnelId[1], p.tunnelOptStart[1], p.tunnelOptCount[1], p.tunnelOvnIn[1]]).toEqual([20, 1, 1, 3]);
    const reg = createRegistry();
    const second = p.findLayer(Layer.Geneve, p.findLayer(Layer.Geneve) + 1);
    expect(reg.modules[Layer.Geneve]!.fields(p, second).options).toEqual([{ class: 0x0102, type: 0x80, critical: true, data: '00030004', name: 'ovn' }]);
  });

  it('names option classes from the IANA registry', () => {
    expect([0x0100, 0x0101, 0x0102, 0x0105, 0x0110, 0x0132, 0x0135, 0xfff0, 0x0111].map(optionClassName)).toEqual([
      'linux', 'ovs', 'ovn', 'aws', 'aws', 'gcp', 'gcp', 'experimental', 'ibm',
    ]);
    expect(optionClassName(0x0137)).toBeUndefined();
  });
});

describeWith({ tools: ['tshark'] }, 'geneve decoder vs tshark 4.0', () => {
  it('agrees on VNI, protocol, flags, option classes/types and addresses', () => {
    const packets = [
      outer(geneve({ vni: 123, payload: innerFrame() })),
      outer(geneve({ vni: 0x12, critical: true, options: [ovnOption(9, 6)], payload: innerFrame() })),
      outer(geneve({
        vni: 0xfffffe,
        oam: true,
        options: [{ cls: 0x0132, type: 1, data: hex('00001230') }, { cls: 0x0000, type: 0x80, data: new Uint8Array(0) }, { cls: 0xffff, type: 0x7f, data: new Uint8Array(12) }],
        payload: ipv4({ src: '10.0.0.1', dst: '10.0.0.2', payload: icmpEcho({ type: 'request', id: 1, seq: 1 }) }),
      })),
      outer(cat(hex('03 00 65 58 00 00 09 00  ff ff 01 00  01 02 80 03 00 01 00 03'), innerFrame())),
    ];
    const rows = tsharkFields(packets, [
      'geneve.vni', 'geneve.proto_type', 'geneve.flags.critical', 'geneve.flags.oam',
      'geneve.option.class', 'geneve.option.type', 'ip.src',
    ]);
    expect(rows).toHaveLength(packets.length);
    const reg = createRegistry();
    packets.forEach((pkt, n) => {
      const p = peelBytes(pkt, { reg });
      const [vni, proto, crit, oam, classes, types, ipSrc] = rows[n];
      expect(p.tunnelId[0]).toBe(parseInt(vni, 16));
      expect(p.tunnelId2[0]).toBe(parseInt(proto, 16));
      expect((p.tunnelFlags[0] & TunnelFlag.GeneveCritical) !== 0).toBe(crit === '1' || crit === 'True');
      expect((p.tunnelFlags[0] & TunnelFlag.GeneveOam) !== 0).toBe(oam === '1' || oam === 'True');
      const ours = [];
      for (let k = 0; k < p.optCount; k++) ours.push([p.optClass[k], p.optType[k]]);
      const theirs = classes === '' ? [] : classes.split(',').map((c, k) => [parseInt(c, 16), parseInt(types.split(',')[k], 16)]);
      expect(ours).toEqual(theirs);
      const srcs = [];
      for (let i = 0; i < p.layerCount; i++) {
        if (p.layerKind[i] === Layer.Ipv4) srcs.push(layerSrc(p, i));
      }
      expect(srcs.join(',')).toBe(ipSrc);
    });
  });
});
