/** Compiled predicates over crafted packets decoded by the real decoders. */
import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../src/filter/index.js';
import type { PacketView } from '../../src/packet.js';
import type { Topology, TunnelNames } from '../../src/topology/types.js';
import { c, decode, underlay, vmFrame } from './packets.js';

const match = (filter: string, p: PacketView, opts = {}) => compileFilter(filter, opts)(p);

// VXLAN 100 carrying VM TCP 192.168.0.1:1234 -> 192.168.0.2:22, outer 172.20.0.21 -> .23 on VLAN 30
const vxlanTcp = decode(underlay(c.vxlan({ vni: 100, payload: vmFrame({ tcp: { sport: 1234, dport: 22 } }) }), { tags: [{ id: 30, pcp: 5 }] }));
// Geneve (OVN option in 5 -> out 7, plus a second option) carrying ICMP
const ovn = decode(
  underlay(
    c.geneve({ vni: 0x12, critical: true, options: [{ cls: 0x0101, type: 1, data: c.hex('00000000') }, c.ovnOption(5, 7)], payload: vmFrame({ src: '10.1.0.5', dst: '10.1.0.7' }) }),
    { src: '172.20.0.10', dst: '172.20.0.11' },
  ),
);
// VXLAN inside VXLAN
const nested = decode(underlay(c.vxlan({ vni: 1, payload: underlay(c.vxlan({ vni: 2, payload: vmFrame() }), { src: '10.9.0.1', dst: '10.9.0.2' }) })));
// MPLSoUDP with two labels, IPv4 payload (IPv6 inner here to test v6 literals)
const mplsV6 = decode(
  underlay(c.mpls({ labels: [{ label: 1000, tc: 3 }, { label: 48, ttl: 9 }], payload: c.ipv6({ src: 'fd00::1', dst: '2001:db8::7', payload: c.udp({ sport: 53, dport: 5353, payload: c.hex('00') }) }) })),
);
const plainArp = decode(c.eth({ src: '02:00:00:00:00:09', dst: 'ff:ff:ff:ff:ff:ff', payload: c.arp({ op: 'request', senderMac: '02:00:00:00:00:09', senderIp: '10.0.0.9', targetIp: '10.0.0.1' }) }), { frame: 42, len: 100 });
const contrail = decode(
  underlay(
    c.contrailMirror({
      tlvs: [c.mirrorHost('10.10.0.3'), c.mirrorFlags(0x40000080), c.mirrorSrcVn('default-domain:tim:traffic-net'), c.mirrorDstVn('default-domain:tim:other-net')],
      payload: vmFrame(),
    }),
  ),
);

describe('decoded fixtures are what the tests assume', () => {
  it('layer stacks', () => {
    expect(vxlanTcp.tunnelCount).toBe(1);
    expect(ovn.tunnelOvnIn[0]).toBe(5);
    expect(nested.tunnelCount).toBe(2);
    expect(mplsV6.labelCount).toBe(2);
    expect(contrail.tunnelCount).toBe(1);
  });
});

describe('any-occurrence, inner and outer scopes', () => {
  it('bare fields match any occurrence', () => {
    expect(match('ip.src == 192.168.0.1', vxlanTcp)).toBe(true);
    expect(match('ip.src == 172.20.0.21', vxlanTcp)).toBe(true);
    expect(match('ip.src == 10.0.0.0/8', vxlanTcp)).toBe(false);
    expect(match('ip.addr == 192.168.0.2', vxlanTcp)).toBe(true);
    expect(match('vni == 2', nested) && match('vni == 1', nested)).toBe(true);
    expect(match('udp.dstport == 4789', vxlanTcp)).toBe(true);
  });
  it('inner. is the innermost frame; outer. the first occurrence', () => {
    expect(match('inner.tcp.dstport == 22', vxlanTcp)).toBe(true);
    expect(match('inner.udp', vxlanTcp)).toBe(false);
    expect(match('inner.ip.src == 172.20.0.21', vxlanTcp)).toBe(false);
    expect(match('outer.ip.dst == 172.20.0.23', vxlanTcp)).toBe(true);
    expect(match('outer.ip.dst == 192.168.0.2', vxlanTcp)).toBe(false);
    expect(match('inner.icmp', ovn)).toBe(true);
    expect(match('inner.vni == 2 and outer.vni == 1', nested)).toBe(true);
    expect(match('inner.vni == 1', nested)).toBe(false);
    expect(match('outer.ip.src == 10.9.0.1', nested)).toBe(false);
    // a packet without tunnels is its own inner frame
    expect(match('inner.arp', plainArp)).toBe(true);
  });
  it('tunnel[i] indexes the tunnel stack; header fields give the headers that carried it', () => {
    expect(match('tunnel[0].vni == 1 and tunnel[1].vni == 2 and tunnel[-1].vni == 2', nested)).toBe(true);
    expect(match('tunnel[1].ip.src == 10.9.0.1', nested)).toBe(true);
    expect(match('tunnel[0].ip.src == 10.9.0.1', nested)).toBe(false);
    expect(match('tunnel[2]', nested)).toBe(false);
    expect(match('tunnel[-2] and not tunnel[-3]', nested)).toBe(true);
    expect(match('tunnel[0].type == "vxlan"', nested)).toBe(true);
    expect(match('tunnel.count == 2', nested)).toBe(true);
    expect(match('tunnel', plainArp)).toBe(false);
  });
});

describe('comparison semantics (Wireshark 4)', () => {
  it('!= is "present and no occurrence equals"; absent fields never compare', () => {
    expect(match('ip.src != 192.168.0.1', vxlanTcp)).toBe(false); // the inner IP has it
    expect(match('ip.src != 1.2.3.4', vxlanTcp)).toBe(true);
    expect(match('ip.src != 1.2.3.4', plainArp)).toBe(false); // no IP at all
    expect(match('!(ip.src == 1.2.3.4)', plainArp)).toBe(true);
    expect(match('vni != 1', nested)).toBe(false);
  });
  it('~= is "some occurrence differs", === "every occurrence equals"', () => {
    expect(match('vni ~= 1', nested)).toBe(true);
    expect(match('vni === 1', nested)).toBe(false);
    expect(match('udp.dstport === 4789', nested)).toBe(true);
    expect(match('vni === 1', plainArp)).toBe(false);
  });
  it('ordering, sets, ranges, hex, bit masks', () => {
    expect(match('vni > 1 and vni < 3', nested)).toBe(true);
    expect(match('vni >= 3', nested)).toBe(false);
    expect(match('vni in {7 8 2}', nested)).toBe(true);
    expect(match('vni in {3..9, 0x10}', nested)).toBe(false);
    expect(match('vni not in {1 2}', nested)).toBe(false);
    expect(match('vni not in {3}', nested)).toBe(true);
    expect(match('geneve.vni == 0x12', ovn)).toBe(true);
    expect(match('tcp.flags & 0x02', vxlanTcp)).toBe(true);
    expect(match('tcp.flags & 0x10', vxlanTcp)).toBe(false);
    expect(match('tcp.flags.syn == 1 && tcp.flags.ack == 0', vxlanTcp)).toBe(true);
  });
  it('and binds tighter than or; not tighter than and', () => {
    expect(match('vxlan or geneve and icmp', vxlanTcp)).toBe(true);
    expect(match('(vxlan or geneve) and icmp', vxlanTcp)).toBe(false);
    expect(match('not vxlan and tcp', vxlanTcp)).toBe(false);
    expect(match('', vxlanTcp) && match('   ', plainArp)).toBe(true);
  });
});

describe('fields', () => {
  it('IPv6 literals and prefixes', () => {
    expect(match('ipv6.dst == 2001:db8::7', mplsV6)).toBe(true);
    expect(match('ip.addr == 2001:db8::/32', mplsV6)).toBe(true);
    expect(match('ip.addr == 2001:db9::/32', mplsV6)).toBe(false);
    expect(match('ipv6.src == fd00:0:0:0:0:0:0:1', mplsV6)).toBe(true);
    expect(match('ip.src == 172.20.0.21 and ipv6', mplsV6)).toBe(true);
  });
  it('MPLS label stack', () => {
    expect(match('mpls.label == 48', mplsV6) && match('mpls.label == 1000', mplsV6)).toBe(true);
    expect(match('outer.mpls.label == 48', mplsV6)).toBe(true); // outer = the outermost stack, all its labels
    expect(match('mpls.depth == 2 and mpls.tc == 3 and mpls.ttl == 9', mplsV6)).toBe(true);
    expect(match('mpls.label == 49', mplsV6)).toBe(false);
  });
  it('Geneve options and OVN ports', () => {
    expect(match('geneve.opt.class == 0x0102 and geneve.opt.type == 0x80', ovn)).toBe(true);
    expect(match('geneve.opt.class == 0x0103', ovn)).toBe(false);
    expect(match('ovn.inport == 5 and ovn.outport == 7', ovn)).toBe(true);
    expect(match('ovn.inport == 7', ovn)).toBe(false);
    expect(match('geneve.critical == 1 and geneve.oam == 0', ovn)).toBe(true);
    expect(match('ovn.inport', vxlanTcp)).toBe(false);
  });
  it('Ethernet, VLAN, ARP, frame', () => {
    expect(match('eth.src == 02:00:00:00:00:01', vxlanTcp)).toBe(true);
    expect(match('eth.dst == ff-ff-ff-ff-ff-ff and eth.addr == 0200.0000.0009', plainArp)).toBe(true);
    expect(match('vlan.id == 30 and vlan.pcp == 5 and vlan.tpid == 0x8100', vxlanTcp)).toBe(true);
    expect(match('inner.vlan', vxlanTcp)).toBe(false);
    expect(match('arp and arp.opcode == 1 and eth.type == 0x0806', plainArp)).toBe(true);
    expect(match('frame.number == 42 and frame.len == 100 and frame.caplen < 100', plainArp)).toBe(true);
  });
  it('Contrail mirror TLVs are compared in place', () => {
    expect(match('contrail.srcvn == "default-domain:tim:traffic-net"', contrail)).toBe(true);
    expect(match('vn == "default-domain:tim:other-net"', contrail)).toBe(true);
    expect(match('vn == "default-domain:tim:traffic"', contrail)).toBe(false);
    expect(match('contrail.dstvn contains "other"', contrail)).toBe(true);
    expect(match('contrail.host == 10.10.0.0/24 and contrail.ingress == 1', contrail)).toBe(true);
    expect(match('contrail.host == 10.10.1.3', contrail)).toBe(false);
    expect(match('contrail.dstvn in {"a" "default-domain:tim:other-net"}', contrail)).toBe(true);
  });
  it('names come from the topology given at compile time', () => {
    const names: TunnelNames = { network: 'network2', inport: 'vm1', outport: 'vm2', src: 'cmpt001', dst: 'cmpt002' };
    const seen: number[] = [];
    const topology: Topology = {
      tunnelNames: (p, t) => (p.tunnelKind[t] === 3 ? names : undefined),
      hostName: (ip) => {
        seen.push(1);
        return ip === '10.10.0.3' ? 'cmpt003' : undefined;
      },
      applyTo: () => {},
      close: () => {},
    };
    expect(match('ovn.inport == "vm1" and ovn.outport == "vm2"', ovn, { topology })).toBe(true);
    expect(match('ovn.inport == "vm2"', ovn, { topology })).toBe(false);
    expect(match('network == "network2" and host == "cmpt002"', ovn, { topology })).toBe(true);
    expect(match('network contains "work"', ovn, { topology })).toBe(true);
    expect(match('network == "network2"', vxlanTcp, { topology })).toBe(false);
    const byHost = compileFilter('contrail.host == "cmpt003"', { topology });
    expect(byHost(contrail) && byHost(contrail)).toBe(true);
    expect(seen.length).toBe(1); // the host name is looked up once per address, then cached
  });
});

describe('what a compiled filter tests', () => {
  it('lists each field and protocol once, by canonical name, aliases resolved', () => {
    expect(compileFilter('geneve and inner.icmp').fields).toEqual(['geneve', 'icmp']);
    expect(compileFilter('frame.number > 5 and not (frame.number < 9 or juniper.vn.src == "a")').fields).toEqual(['frame.number', 'contrail.srcvn']);
    expect(compileFilter('').fields).toEqual([]);
  });
});
