/**
 * The oracle: for a table of filters over the samples and ../shared/corpus, the frames peelcap's
 * filter matches equal the frames `tshark -Y` matches with the equivalent display filter and the
 * same decode-as. Where the spelling differs the row says why.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { corpus, describeWith, samplesDir } from '../helpers/env.js';
import { peelFrames, tsharkFrames } from './run.js';

interface Row {
  file: string;
  peel: string;
  /** tshark's spelling, when it differs. */
  tshark?: string;
  /** [peelcap --decode-as, tshark -d], when a port needs it. */
  decodeAs?: [string, string];
  /** Frames where tshark's verdict is wrong (flipped before comparing), with the reason. */
  tsharkWrong?: { frames: number[]; why: string };
  /** The rows must not be vacuous: at least this many frames match. */
  min: number;
}

const S = (f: string) => join(samplesDir, f);
const CONTRAIL: [string, string] = ['udp.port==8099=contrail-mirror', 'udp.port==8099,juniper'];

const SAMPLE_ROWS: Row[] = [
  { file: S('overlays.pcap'), peel: 'vxlan.vni == 1010', min: 5 },
  // tshark 4.0 wants commas in sets; peelcap takes both spellings
  { file: S('overlays.pcap'), peel: 'vni in {1011 5 8}', tshark: 'vxlan.vni in {1011, 5, 8} or geneve.vni in {1011, 5, 8}', min: 3 },
  { file: S('overlays.pcap'), peel: 'ip.addr == 192.168.10.0/24', min: 8 },
  // Wireshark 4: != is all-not-equal, so frames whose inner or outer source is .14 drop out
  { file: S('overlays.pcap'), peel: 'ip.src != 10.0.10.14', min: 10 },
  { file: S('overlays.pcap'), peel: 'ip.src ~= 10.0.10.14', min: 20 },
  { file: S('overlays.pcap'), peel: 'outer.ip.dst == 172.20.0.23', tshark: 'ip.dst#1 == 172.20.0.23', min: 3 },
  { file: S('overlays.pcap'), peel: 'mpls.label in {20..40}', min: 8 },
  { file: S('overlays.pcap'), peel: 'vlan.id == 69 or vlan.id == 2004', min: 5 },
  // peelcap decodes UDP 8099 (Contrail mirror) by default; tshark needs the decode-as
  {
    file: S('overlays.pcap'),
    peel: 'icmp.type == 8 and not gre',
    decodeAs: CONTRAIL,
    tsharkWrong: {
      frames: [13, 16, 22],
      why:
        "13, 16: pre-2016 Contrail mirror, a 16-byte pcap record header precedes the TLVs; Wireshark 4.0's juniper dissector says 'Incorrect format' and stops. " +
        '22: Contrail L2 MPLSoUDP (label 57) straight into an Ethernet frame whose MAC starts 02:; Wireshark 4.0 takes the 0 nibble for a control word and shows LLC garbage (shared notes, anchors §0.3)',
    },
    min: 10,
  },
  // the two frames above really are that legacy variant, decoded by peelcap
  { file: S('overlays.pcap'), peel: 'contrail and vn contains "VN_A"', tshark: 'frame.number in {13, 16}', min: 2 },
  { file: S('overlays.pcap'), peel: 'tcp.dstport == 53007', min: 2 },
  { file: S('overlays.pcap'), peel: 'erspan or (geneve && !vlan)', min: 3 },
  { file: S('overlays.pcap'), peel: 'mpls and not gre', min: 5 },
  { file: S('overlays.pcap'), peel: 'frame.len >= 148 and udp', min: 10 },
  { file: S('ovn-geneve.pcap'), peel: 'geneve.opt.class == 0x0102 and ip.dst == 8.8.8.8', tshark: 'geneve.option.class == 0x0102 and ip.dst == 8.8.8.8', min: 1 },
  { file: S('ovn-geneve.pcap'), peel: 'vlan.id == 50 || geneve.vni == 2', min: 3 },
  {
    file: S('contrail-mirror.pcap'),
    peel: 'vn == "default-domain:tim:traffic-net"',
    tshark: 'juniper.vn.src == "default-domain:tim:traffic-net" or juniper.vn.dst == "default-domain:tim:traffic-net"',
    decodeAs: CONTRAIL,
    min: 2,
  },
  { file: S('contrail-mirror.pcap'), peel: 'contrail.host == 192.168.200.0/24', tshark: 'juniper.vn.host_ip == 192.168.200.0/24', decodeAs: CONTRAIL, min: 2 },
];

describeWith({ tools: ['tshark'] }, 'filters agree with tshark -Y on the samples', () => {
  for (const r of SAMPLE_ROWS) rowTest(r);
});

const CORPUS_ROWS: Row[] = [
  { file: corpus('tcpdump/geneve.pcap'), peel: 'geneve.vni == 0xb and tcp.port == 22', min: 5 },
  { file: corpus('tcpdump/geneve.pcap'), peel: 'geneve.opt.class == 0 and icmp', tshark: 'geneve.option.class == 0 and icmp', min: 2 },
  { file: corpus('tcpdump/vxlan.pcap'), peel: 'vxlan.vni == 100 and arp', min: 1 },
  { file: corpus('tcpdump/vxlan.pcap'), peel: 'ip.dst == 192.168.203.0/24 && !(ip.src == 192.168.202.1)', min: 1 },
  // tshark names an 802.1ad (0x88a8) tag ieee8021ad.id; peelcap's vlan.id covers every TPID
  { file: corpus('tcpdump/802.1ad_QinQ.pcap'), peel: 'vlan.id == 200 and vlan.id == 2001', tshark: 'ieee8021ad.id == 200 and vlan.id == 2001', min: 2 },
  { file: corpus('skydive/icmpv4-4vlanQinQ-id-8-10-20-30.pcap'), peel: 'vlan.id == 20 and !(vlan.id in {30, 40})', min: 20 },
  { file: corpus('skydive/icmpv4-4vlanQinQ-id-8-10-20-30.pcap'), peel: 'vlan.id != 8 or vlan.id === 8', min: 20 },
  { file: corpus('skydive/gre-mpls-icmpv4.pcap'), peel: 'mpls.label == 112 and icmp', min: 2 },
  { file: corpus('contrail-vrouter/mplsoudp_routing_dst.pcap'), peel: 'mpls.label == 48 and udp.srcport > 60000', decodeAs: ['udp.port==51234=mpls', 'udp.port==51234,mpls'], min: 1 },
  { file: corpus('synthetic/jmirror_udp30030.pcap'), peel: 'jmirror.id == 0xabc and jmirror.mid == 0x40000001', tshark: 'jmirror.sid == 0xabc and jmirror.mid == 0x40000001', min: 2 },
  { file: corpus('tcpdump/erspan-type-ii-2.pcap'), peel: 'erspan.session == 1 and ip.src == 10.200.100.2', tshark: 'erspan.spanid == 1 and ip.src == 10.200.100.2', min: 4 },
  { file: corpus('zeek/tunnels_vxlan-triple-v2/vxlan-triple-v2.pcap'), peel: 'vni === 3', tshark: 'vxlan.vni === 3', min: 0 },
  { file: corpus('zeek/tunnels_vxlan-triple-v2/vxlan-triple-v2.pcap'), peel: 'vni == 3 and ip.src == 3.3.3.3', tshark: 'vxlan.vni == 3 and ip.src == 3.3.3.3', min: 1 },
  { file: corpus('synthetic/multi_iface_encaps.pcapng'), peel: 'frame.iface == 2 or vxlan.vni == 100', tshark: 'frame.interface_id == 2 or vxlan.vni == 100', min: 5 },
  { file: corpus('synthetic/contrail_juniper_header_udp8099.pcap'), peel: 'contrail.srcvn contains "left" and icmp', tshark: 'juniper.vn.src contains "left" and icmp', decodeAs: CONTRAIL, min: 1 },
];

describeWith({ tools: ['tshark'], corpus: true }, 'filters agree with tshark -Y on ../shared/corpus', () => {
  for (const r of CORPUS_ROWS) rowTest(r);
});

function rowTest(r: Row): void {
  it(`${r.file.split('/').slice(-2).join('/')}: ${r.peel}`, async () => {
    const ours = await peelFrames(r.file, r.peel, r.decodeAs ? [r.decodeAs[0]] : []);
    let theirs = tsharkFrames(r.file, r.tshark ?? r.peel, r.decodeAs ? [r.decodeAs[1]] : []);
    if (r.tsharkWrong) {
      const flip = new Set(r.tsharkWrong.frames);
      theirs = [...theirs.filter((n) => !flip.has(n)), ...[...flip].filter((n) => !theirs.includes(n))].sort((a, b) => a - b);
    }
    expect(ours).toEqual(theirs);
    expect(ours.length).toBeGreaterThanOrEqual(r.min);
  });
}
