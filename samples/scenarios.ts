/**
 * The bundled sample captures, as data: one table of named scenarios, each rebuilt byte by byte from
 * the seed texts in ../shared/seeds (tcpdump lines, CLI tables) with samples/craft.ts. `source` cites
 * the seed lines a scenario follows (S0/S1 = seeds 000/001 Contrail, 003 = Helion OVS/VXLAN,
 * 004 = OVN posts); `invented` lists what the seed does not give and was made up (deterministically).
 * Wire facts marked [EXT] come from /work/shared/notes/anchors-wire-formats-and-peers.md.
 */
import {
  arp, contrailMirror, eth, erspan2, erspan3, geneve, gre, hex, icmpEcho, icmpv6Echo, IP_DF, ipv4, ipv6,
  jmirror, mirrorDstVn, mirrorFlags, mirrorHost, mirrorSrcVn, mpls, ovnOption, pattern, pwControlWord, tcp, udp,
  vxlan, type VlanTag,
} from './craft.js';

/** One packet of a scenario: capture time (UTC, 'YYYY-MM-DD HH:MM:SS.fraction'), bytes, pcapng extras. */
export interface SamplePacket {
  time: string;
  data: Uint8Array;
  /** pcapng interface name (multi-interface files only). */
  iface?: string;
  /** pcapng packet comment (ignored by pcap). */
  comment?: string;
}

export interface Scenario {
  name: string;
  /** Seed lines the packets follow. */
  source: string;
  /** What the packets show. */
  what: string;
  /** What the seed does not give and was made up. */
  invented?: string;
  packets: () => SamplePacket[];
}

// ---------------------------------------------------------------------------------------------
// Small builders shared by the scenarios

/** Linux ping payload: 16-byte struct timeval of the send time, then 0x10, 0x11, … (56 bytes). */
function pingData(time: string): Uint8Array {
  const { sec, nsec } = parseTime(time);
  const d = new Uint8Array(56);
  const dv = new DataView(d.buffer);
  dv.setBigUint64(0, BigInt(sec), true);
  dv.setBigUint64(8, BigInt(Math.floor(nsec / 1000)), true);
  d.set(pattern(40, 0x10), 16);
  return d;
}

/** IPv4 ICMP echo (request or reply) as ping sends it. */
function ping(o: {
  time: string; src: string; dst: string; id: number; seq: number; reply?: boolean; ttl?: number; ipId?: number; df?: boolean;
}): Uint8Array {
  return ipv4({
    src: o.src, dst: o.dst, ttl: o.ttl ?? 64, id: o.ipId ?? 0, flags: o.df === false ? 0 : IP_DF,
    payload: icmpEcho({ type: o.reply ? 'reply' : 'request', id: o.id, seq: o.seq, data: pingData(o.time) }),
  });
}

/** Ethernet frame around `payload`. */
function frame(src: string, dst: string, payload: Uint8Array, tags?: VlanTag[]): Uint8Array {
  return eth({ src, dst, tags, payload });
}

type Host = { ip: string; mac: string };

/** A ping request/reply pair inside VXLAN between two OVS hosts (DF clear, UDP checksum 0 as OVS sends it). */
function ovsVxlanPair(o: {
  times: [string, string]; a: Host; b: Host; sports: [number, number]; vnis: [number, number]; outerIds: [number, number];
  request: Uint8Array; reply: Uint8Array;
}): SamplePacket[] {
  const leg = (from: Host, to: Host, k: 0 | 1, inner: Uint8Array) =>
    frame(from.mac, to.mac, ipv4({ src: from.ip, dst: to.ip, id: o.outerIds[k], payload: udp({ sport: o.sports[k], checksum: false, payload: vxlan({ vni: o.vnis[k], payload: inner }) }) }));
  return [
    { time: o.times[0], data: leg(o.a, o.b, 0, o.request) },
    { time: o.times[1], data: leg(o.b, o.a, 1, o.reply) },
  ];
}

/** TCP timestamps option block as Linux sends it on data segments: nop, nop, TS val ecr. */
function tsOption(val: number, ecr: number): Uint8Array {
  const o = new Uint8Array(12);
  o.set([1, 1, 8, 10]);
  new DataView(o.buffer).setUint32(4, val);
  new DataView(o.buffer).setUint32(8, ecr);
  return o;
}

/** Parse 'YYYY-MM-DD HH:MM:SS.fffffffff' (UTC) into seconds + nanoseconds. */
export function parseTime(t: string): { sec: number; nsec: number } {
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?$/.exec(t);
  if (!m) throw new Error(`bad sample time '${t}'`);
  const sec = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) / 1000;
  return { sec, nsec: Number((m[7] ?? '').padEnd(9, '0')) };
}

// Hosts that recur across scenarios
const OVS = {
  compute0: { ip: '10.0.10.14', mac: 'fc:15:b4:84:12:98' }, // 003:L555, L452
  compute1: { ip: '10.0.10.23', mac: '14:58:d0:d3:00:ee' }, // 003:L555, L590
  controller0: { ip: '10.0.10.10', mac: '00:25:6e:0a:f6:07' }, // 003:L2057
  instance1: { ip: '192.168.10.8', mac: 'fa:16:3e:21:cf:75' }, // 003:L556
  instance2: { ip: '192.168.10.9', mac: 'fa:16:3e:fd:7f:88' },
  analyzer: { ip: '10.0.10.53', mac: '00:25:6e:0a:f6:35' }, // LabServer 003:L2847 (MAC invented)
};
const S0 = {
  sdngw: { ip: '172.20.0.25', mac: '00:1d:c2:8f:22:db' }, // S0:L283
  cmpt001: { ip: '172.20.0.23', mac: '8c:dc:d4:10:75:a0' }, // S0:L603 NH 88 Data (src)
  cmpt002: { ip: '172.20.0.24', mac: '8c:dc:d4:10:74:c0' }, // S0:L603 NH 88 Data (dst)
  vfwRight: '02:95:3d:1d:c9:69', // S0:L311 Encap Data
  vrouter: '00:00:5e:00:01:00',
};
const S1 = {
  server4c: { ip: '192.168.200.11', mac: '0c:c4:7a:59:62:5c' }, // S1:L1415-1416
  server5a: { ip: '192.168.200.12', mac: '0c:c4:7a:59:62:6e' }, // MAC S1:L1138; IP invented
  vrouter: '00:00:5e:00:01:00',
  vnf1: { ip: '4.4.4.3', mac: '02:f8:65:91:36:11' }, // S1:L1384-1389 (tapf8659136-11)
  vnf2: { ip: '4.4.4.4' }, // S1:L423
  dpi: { ip: '7.7.7.3', mac: '02:7e:1a:90:33:c1' }, // S1:L1416; MAC invented
  trafficVn: 'default-domain:tim:traffic-net', // S1:L1391-1397
  vm53: { ip: '5.5.5.3', mac: '02:aa:f0:88:f0:65' }, // S1:L826
  vm54: { ip: '5.5.5.4', mac: '02:1d:96:2a:60:e8' }, // S1:L827
  gw: { ip: '192.168.100.1', mac: '2c:6b:f5:a0:11:c1' }, // S1:L1989; MAC invented
  supermicroA: { ip: '192.168.100.3', mac: '0c:c4:7a:4c:67:93' }, // S1:L1995-1996 (vhost0 on eth1)
  vm1921683: { ip: '192.168.1.3', mac: '02:61:af:9b:59:35' }, // S1:L2067 tap61af9b59-35 (MAC by the tap-name rule)
};
const OVN = {
  worker1: { ip: '192.168.50.100', mac: '52:54:00:13:e0:a2' }, // 004:L909, sbctl show L49-53
  worker2: { ip: '192.168.50.101', mac: '52:54:00:ac:67:5b' },
};

// ---------------------------------------------------------------------------------------------
// Single-link-type (Ethernet) scenarios, in time order: they make up overlays.pcap

export const OVERLAY_SCENARIOS: Scenario[] = [
  {
    name: 'ovs-vxlan-east-west',
    source: '003:L555-558',
    what: 'ML2/OVS VXLAN VNI 1010 between compute0 and compute1: instance-1 pings instance-2 (id 2569 seq 916), request and reply',
    invented: 'outer/inner IP ids; outer DF clear (df_default="false", 003:L452); UDP checksum 0 (OVS default for IPv4 tunnels)',
    packets: () => {
      const t1 = '2015-06-02 18:40:53.190877';
      const t2 = '2015-06-02 18:40:53.191267';
      const req = frame(OVS.instance1.mac, OVS.instance2.mac, ping({ time: t1, src: OVS.instance1.ip, dst: OVS.instance2.ip, id: 2569, seq: 916, ipId: 0x3a41 }));
      const rep = frame(OVS.instance2.mac, OVS.instance1.mac, ping({ time: t1, src: OVS.instance2.ip, dst: OVS.instance1.ip, id: 2569, seq: 916, reply: true, ipId: 0x9c02 }));
      return ovsVxlanPair({ times: [t1, t2], a: OVS.compute0, b: OVS.compute1, sports: [33236, 46874], vnis: [1010, 1010], outerIds: [0x1f3c, 0x6b0d], request: req, reply: rep });
    },
  },
  {
    name: 'ovs-vxlan-dvr-asymmetric',
    source: '003:L1493-1502',
    what: 'DVR routing: the request rides VNI 1011 (inner src = compute0 DVR MAC), the reply rides VNI 1010 (compute1 DVR MAC); 192.168.10.8 <-> 192.168.20.3 id 4668 seq 890',
    invented: 'IP ids; inner TTL 63 (routed once by the DVR)',
    packets: () => {
      const t1 = '2015-06-03 12:01:21.853324';
      const t2 = '2015-06-03 12:01:21.853682';
      const req = frame('fa:16:3f:9e:30:0c', 'fa:16:3e:e4:71:f4', ping({ time: t1, src: '192.168.10.8', dst: '192.168.20.3', id: 4668, seq: 890, ttl: 63, ipId: 0x51aa }));
      const rep = frame('fa:16:3f:4d:1f:fb', OVS.instance1.mac, ping({ time: t1, src: '192.168.20.3', dst: '192.168.10.8', id: 4668, seq: 890, reply: true, ttl: 63, ipId: 0x0d17 }));
      return ovsVxlanPair({ times: [t1, t2], a: OVS.compute0, b: OVS.compute1, sports: [54153, 54618], vnis: [1011, 1010], outerIds: [0x2a90, 0x7e21], request: req, reply: rep });
    },
  },
  {
    name: 'ovs-vxlan-snat',
    source: '003:L2057-2067',
    what: 'VXLAN VNI 1010 to and from the central SNAT port on controller0: 192.168.10.9 <-> 10.0.98.1 id 5015 seq 228',
    invented: 'IP ids; inner TTLs',
    packets: () => {
      const t1 = '2015-06-04 03:55:02.198288';
      const t2 = '2015-06-04 03:55:02.202161';
      const req = frame('fa:16:3f:9e:30:0c', 'fa:16:3e:1f:87:98', ping({ time: t1, src: '192.168.10.9', dst: '10.0.98.1', id: 5015, seq: 228, ttl: 63, ipId: 0x44c8 }));
      const rep = frame('fa:16:3e:1f:87:98', OVS.instance2.mac, ping({ time: t1, src: '10.0.98.1', dst: '192.168.10.9', id: 5015, seq: 228, reply: true, ttl: 62, ipId: 0xa3b9 }));
      return ovsVxlanPair({ times: [t1, t2], a: OVS.compute0, b: OVS.controller0, sports: [35509, 46717], vnis: [1010, 1010], outerIds: [0x30f1, 0x11d5], request: req, reply: rep });
    },
  },
  {
    name: 'ovs-rspan-gre',
    source: '003:L2850-2876',
    what: 'OVS port mirror to the analyzer 10.0.10.53 over GREv0 (Transparent Ethernet Bridging, no key), mirrored frames carry the br-int local VLAN 69: ping id 5591 seq 95 both ways, then two SSH segments (96 and 48 bytes)',
    invented: 'analyzer MAC; IP ids; VLAN 69 on the mirrored frames is inferred from the GRE lengths (notes/seed-ovs §1.5)',
    packets: () => {
      const times = ['2015-06-04 20:10:58.696424', '2015-06-04 20:10:58.696638', '2015-06-04 20:10:58.697056', '2015-06-04 20:10:58.697108'];
      const tag = [{ id: 69 }];
      const gw = 'fa:16:3e:07:de:20'; // qr-9ab15d1e-3d, 003 notes §2.7
      const ssh = (seq: number, len: number, ipId: number) =>
        frame(OVS.instance1.mac, gw, ipv4({
          src: OVS.instance1.ip, dst: '10.0.10.254', id: ipId, flags: IP_DF,
          payload: tcp({ sport: 22, dport: 53007, seq, ack: 1561286070, flags: 'PA', window: 3525, options: tsOption(334628841, 1365586260), payload: pattern(len, 0x5a) }),
        }), tag);
      const inner = [
        frame(OVS.instance1.mac, OVS.instance2.mac, ping({ time: times[0], src: OVS.instance1.ip, dst: OVS.instance2.ip, id: 5591, seq: 95, ipId: 0x7a10 }), tag),
        frame(OVS.instance2.mac, OVS.instance1.mac, ping({ time: times[0], src: OVS.instance2.ip, dst: OVS.instance1.ip, id: 5591, seq: 95, reply: true, ipId: 0xe2c4 }), tag),
        ssh(1784770515, 96, 0x4b61),
        ssh(1784770611, 48, 0x4b62),
      ];
      return inner.map((f, i) => ({
        time: times[i],
        data: frame(OVS.compute0.mac, OVS.analyzer.mac, ipv4({ src: OVS.compute0.ip, dst: OVS.analyzer.ip, id: 0x0100 + i, flags: IP_DF, payload: gre({ payload: f }) })),
      }));
    },
  },
  {
    name: 'contrail-mplsogre-sdngw',
    source: 'S0:L279-284, S0:L92-101',
    what: 'MPLSoGRE from the SDN gateway 172.20.0.25 to compute cmpt001 172.20.0.23: label 31 (exp 0, S, ttl 255), 12.12.0.102 > 10.10.0.100 ICMP echo request id 15119 seq 20030 and 20031',
    invented: 'cmpt001 MAC (the seed MAC is anonymised; taken from NH 88 Data, S0:L603); IP ids; inner TTL',
    packets: () => {
      const times = ['2016-05-17 12:07:02.093007', '2016-05-17 12:07:03.094702'];
      return [20030, 20031].map((seq, i) => ({
        time: times[i],
        data: frame(S0.sdngw.mac, S0.cmpt001.mac, ipv4({
          src: S0.sdngw.ip, dst: S0.cmpt001.ip, flags: IP_DF, ttl: 64, id: 0x8e10 + i,
          payload: gre({ payload: mpls({ labels: [{ label: 31, ttl: 255 }], payload: ping({ time: times[i], src: '12.12.0.102', dst: '10.10.0.100', id: 15119, seq, ttl: 61, ipId: 0x2b00 + i }) }) }),
        })),
      }));
    },
  },
  {
    name: 'contrail-mplsoudp-compute',
    source: 'S0:L596-606 (route LP 31 via NH 88 MPLSoUDP 172.20.0.23 -> 172.20.0.24), S0:L873 (return ECMP labels 27/31), S0:L517/L851 (SPort values)',
    what: 'MPLSoUDP (UDP 6635) between computes: the vFW on cmpt001 forwards 12.12.0.102 > 10.10.0.100 to cmpt002 with label 31; the echo reply returns to cmpt001 with label 27',
    invented: 'timestamps (just after the GRE copy); which SPort belongs to which direction; IP ids; MPLS TTL',
    packets: () => {
      const t1 = '2016-05-17 12:07:02.093412';
      const t2 = '2016-05-17 12:07:02.094020';
      const req = ping({ time: '2016-05-17 12:07:02.093007', src: '12.12.0.102', dst: '10.10.0.100', id: 15119, seq: 20030, ttl: 60, ipId: 0x2b00 });
      const rep = ping({ time: '2016-05-17 12:07:02.093007', src: '10.10.0.100', dst: '12.12.0.102', id: 15119, seq: 20030, reply: true, ttl: 64, ipId: 0x6c3e });
      return [
        { time: t1, data: frame(S0.cmpt001.mac, S0.cmpt002.mac, ipv4({ src: S0.cmpt001.ip, dst: S0.cmpt002.ip, id: 0x0e21, payload: udp({ sport: 53824, payload: mpls({ labels: [{ label: 31, ttl: 60 }], payload: req }) }) })) },
        { time: t2, data: frame(S0.cmpt002.mac, S0.cmpt001.mac, ipv4({ src: S0.cmpt002.ip, dst: S0.cmpt001.ip, id: 0x51f7, payload: udp({ sport: 51745, payload: mpls({ labels: [{ label: 27, ttl: 64 }], payload: rep }) }) })) },
      ];
    },
  },
  {
    name: 'contrail-mirror-legacy-pcap-header',
    source: 'anchors §1.4 (pre-R3.1 vRouters push a 16-byte big-endian pcap record header); S0 runs Contrail 3.0.0 (S0:L12); VN names S0:L68',
    what: 'Contrail 3.0 flow mirror to an analyzer on the default port 8099: UDP | pcap record header | TLVs host, flags, src VN, dst VN | ff 00 | the frame the vRouter hands to the vFW (00:00:5e:00:01:00 > 02:95:3d:1d:c9:69), seq 20030 and 20031',
    invented: 'analyzer IP 11.11.0.200 and MAC; project name "admin" in the VN FQ names; UDP source ports; IP ids',
    packets: () => {
      const times = ['2016-05-17 12:07:02.093650', '2016-05-17 12:07:03.095301'];
      return [20030, 20031].map((seq, i) => {
        const mirrored = frame(S0.vrouter, S0.vfwRight, ping({ time: times[i], src: '12.12.0.102', dst: '10.10.0.100', id: 15119, seq, ttl: 61, ipId: 0x2b00 + i }));
        const { sec, nsec } = parseTime(times[i]);
        return {
          time: times[i],
          data: frame(S0.vrouter, '02:5a:1c:0e:77:01', ipv4({
            src: S0.cmpt001.ip, dst: '11.11.0.200', id: 0x0a00 + i,
            payload: udp({
              sport: 58211, checksum: false,
              payload: contrailMirror({
                legacyPcapHeader: { tsSec: sec, tsUsec: Math.floor(nsec / 1000) },
                tlvs: [mirrorHost(S0.cmpt001.ip), mirrorFlags(0x400000a0), mirrorSrcVn('default-domain:admin:VN_A'), mirrorDstVn('default-domain:admin:VN_B')],
                payload: mirrored,
              }),
            }),
          })),
        };
      });
    },
  },
  {
    name: 'tripleo-vlan20-icmp',
    source: '004:L361-364',
    what: 'Plain 802.1Q: InternalApi VLAN 20 ping 172.17.1.72 <-> 172.17.1.101 id 53086 seq 5 (no tunnel)',
    packets: () => {
      const t1 = '2018-03-20 15:19:08.418046';
      const t2 = '2018-03-20 15:19:08.418155';
      return [
        { time: t1, data: frame('52:54:00:74:29:4f', '52:54:00:0b:ad:3b', ping({ time: t1, src: '172.17.1.72', dst: '172.17.1.101', id: 53086, seq: 5, ipId: 58494 }), [{ id: 20 }]) },
        { time: t2, data: frame('52:54:00:0b:ad:3b', '52:54:00:74:29:4f', ping({ time: t1, src: '172.17.1.101', dst: '172.17.1.72', id: 53086, seq: 5, reply: true, ipId: 39897, df: false }), [{ id: 20 }]) },
      ];
    },
  },
  {
    name: 'ovn-geneve-tripleo-vlan50',
    source: '004:L380-383',
    what: 'OVN Geneve on the TripleO Tenant VLAN 50: VNI 5 option 00010003 (192.168.0.166 > 8.8.8.8 echo request id 2818 seq 2145), VNI 3 option 00040002 (the reply); UDP checksums left as the offloading sender stored them (0x5db4)',
    invented: 'ICMP payload bytes (they do not change the checksums tcpdump prints)',
    packets: () => {
      const t1 = '2018-03-20 16:21:28.642671';
      const t2 = '2018-03-20 16:21:28.650412';
      const vlan50 = [{ id: 50 }];
      const req = frame('fa:16:3e:a7:95:87', '52:54:00:0c:eb:7c', ping({ time: t1, src: '192.168.0.166', dst: '8.8.8.8', id: 2818, seq: 2145, ttl: 63, ipId: 50335 }));
      const rep = frame('fa:16:3e:34:a2:0e', 'fa:16:3e:63:c0:7a', ping({ time: t1, src: '8.8.8.8', dst: '192.168.0.166', id: 2818, seq: 2145, reply: true, ttl: 53, ipId: 0, df: false }));
      return [
        { time: t1, data: frame('6a:9b:72:22:3f:68', '0e:d0:eb:00:1b:e7', ipv4({ src: '172.17.2.119', dst: '172.17.2.143', id: 15872, flags: IP_DF, payload: udp({ sport: 27073, checksum: 'partial', payload: geneve({ vni: 5, critical: true, options: [ovnOption(1, 3)], payload: req }) }) }), vlan50) },
        { time: t2, data: frame('0e:d0:eb:00:1b:e7', '6a:9b:72:22:3f:68', ipv4({ src: '172.17.2.143', dst: '172.17.2.119', id: 26871, flags: IP_DF, payload: udp({ sport: 31003, checksum: 'partial', payload: geneve({ vni: 3, critical: true, options: [ovnOption(4, 2)], payload: rep }) }) }), vlan50) },
      ];
    },
  },
  {
    name: 'contrail-flow-mirror-8099-mplsoudp',
    source: 'anchors §1.1-1.2 (flow mirror TLVs 1-4, default port 8099, nested in MPLSoUDP); S1:L1413-1416 (server-4c); S1:L432-433 (the mirrored SYN/RST)',
    what: 'Contrail 5 policy (flow) mirror on server-4c to the DPI 7.7.7.3 on another compute: MPLSoUDP | IPv4 | UDP 8099 | TLVs host 192.168.200.11, flags (ingress 0x400000a0 / egress 0x000000a0), src VN, dst VN | ff 00 | the telnet SYN 4.4.4.3 > 4.4.4.4 and its RST',
    invented: 'second compute IP; MPLS label 39 of the DPI VM; UDP ports; IP ids; the pairing of this flow with the mirror',
    packets: () => {
      const t1 = '2019-02-11 19:49:55.970493';
      const t2 = '2019-02-11 19:49:55.971578';
      const syn = frame(S1.vnf1.mac, S1.vrouter, ipv4({
        src: S1.vnf1.ip, dst: S1.vnf2.ip, id: 0x9d3a, flags: IP_DF,
        payload: tcp({ sport: 46758, dport: 23, seq: 101132138, flags: 'S', window: 29200, options: hex('020405b4 0402 080a 00663bdc 00000000 01 030306') }),
      }));
      const rst = frame(S1.vrouter, S1.vnf1.mac, ipv4({
        src: S1.vnf2.ip, dst: S1.vnf1.ip, id: 0, flags: IP_DF,
        payload: tcp({ sport: 23, dport: 46758, seq: 0, ack: 101132139, flags: 'RA', window: 0 }),
      }));
      const mirror = (f: Uint8Array, flags: number, sport: number, ipId: number) =>
        ipv4({
          src: S1.server4c.ip, dst: S1.dpi.ip, id: ipId,
          payload: udp({ sport, checksum: 'partial', payload: contrailMirror({ tlvs: [mirrorHost(S1.server4c.ip), mirrorFlags(flags), mirrorSrcVn(S1.trafficVn), mirrorDstVn(S1.trafficVn)], payload: f }) }),
        });
      const tunnel = (inner: Uint8Array, sport: number, ipId: number) =>
        frame(S1.server4c.mac, S1.server5a.mac, ipv4({ src: S1.server4c.ip, dst: S1.server5a.ip, id: ipId, payload: udp({ sport, payload: mpls({ labels: [39], payload: inner }) }) }));
      return [
        { time: t1, data: tunnel(mirror(syn, 0x400000a0, 61207, 0x3310), 57533, 0x1201) },
        { time: t2, data: tunnel(mirror(rst, 0x000000a0, 50866, 0x3311), 57533, 0x1202) },
      ];
    },
  },
  {
    name: 'contrail-port-mirror-8888',
    source: 'S1:L1383-1397 (vif 15 mirror metadata), S1:L1413-1435 (NH 129, DPI tcpdump)',
    what: 'Contrail 5 port mirror of VNF1 (4.4.4.3) to the DPI 7.7.7.3:8888 as the DPI sees it: UDP, length 132 = TLV 03 1e "default-domain:tim:traffic-net" ff 00 (RX) or 04 1e … ff 00 (TX) + a 98-byte echo frame',
    invented: 'DPI MAC; ping peer 4.4.4.4 and id 44801 (from S1:L423); the sport 63384 stream carries the TX copies here (132 bytes, the seed shows 236 that the notes could not explain); IP ids',
    packets: () => {
      const times = ['2019-02-12 13:00:33.252108', '2019-02-12 13:00:33.252194', '2019-02-12 13:00:34.252262', '2019-02-12 13:00:34.252395'];
      const out: SamplePacket[] = [];
      for (let k = 0; k < 2; k++) {
        const tReq = times[2 * k];
        const rx = frame(S1.vnf1.mac, S1.vrouter, ping({ time: tReq, src: S1.vnf1.ip, dst: S1.vnf2.ip, id: 44801, seq: 100 + k, ipId: 0x61a0 + k }));
        const tx = frame(S1.vrouter, S1.vnf1.mac, ping({ time: tReq, src: S1.vnf2.ip, dst: S1.vnf1.ip, id: 44801, seq: 100 + k, reply: true, ipId: 0xc012 + k }));
        const copy = (f: Uint8Array, vn: typeof mirrorSrcVn, sport: number, ipId: number) =>
          frame(S1.vrouter, S1.dpi.mac, ipv4({ src: S1.vnf1.ip, dst: S1.dpi.ip, ttl: 63, id: ipId, payload: udp({ sport, dport: 8888, payload: contrailMirror({ tlvs: [vn(S1.trafficVn)], payload: f }) }) }));
        out.push({ time: times[2 * k], data: copy(rx, mirrorSrcVn, 64035, 0x0400 + 2 * k) });
        out.push({ time: times[2 * k + 1], data: copy(tx, mirrorDstVn, 63384, 0x0401 + 2 * k) });
      }
      return out;
    },
  },
  {
    name: 'contrail-l2-mplsoudp',
    source: 'S1:L826-843 (server-4c: 5.5.5.4 / 02:1d:96:2a:60:e8 has bridge label 57 via tunnel NH 27; legend L2c = L2 EVPN control word)',
    what: 'Contrail L2 (bridged) MPLSoUDP: label 57 followed directly by an Ethernet frame whose MACs start with 02: (5.5.5.3 > 5.5.5.4 echo request); the reply comes back with label 26 and a 4-byte control word before the frame',
    invented: 'remote compute IP; label 26 and the control word on the return path; UDP ports; IP ids; the ping itself',
    packets: () => {
      const t1 = '2019-01-22 10:14:07.301122';
      const t2 = '2019-01-22 10:14:07.301790';
      const req = frame(S1.vm53.mac, S1.vm54.mac, ping({ time: t1, src: S1.vm53.ip, dst: S1.vm54.ip, id: 1793, seq: 1, ipId: 0x5d01 }));
      const rep = frame(S1.vm54.mac, S1.vm53.mac, ping({ time: t1, src: S1.vm54.ip, dst: S1.vm53.ip, id: 1793, seq: 1, reply: true, ipId: 0x1a7e }));
      return [
        { time: t1, data: frame(S1.server4c.mac, S1.server5a.mac, ipv4({ src: S1.server4c.ip, dst: S1.server5a.ip, id: 0x2001, payload: udp({ sport: 60113, payload: mpls({ labels: [57], payload: req }) }) })) },
        { time: t2, data: frame(S1.server5a.mac, S1.server4c.mac, ipv4({ src: S1.server5a.ip, dst: S1.server4c.ip, id: 0x7002, payload: udp({ sport: 49873, payload: mpls({ labels: [26], payload: pwControlWord({ payload: rep }) }) }) })) },
      ];
    },
  },
  {
    name: 'contrail-l2-multicast',
    source: 'S1:L843 (ff:ff:ff:ff:ff:ff bridge entry with a label); anchors §1.4 (L2_MCAST: label >= 1024, control word + IPv4/UDP/VXLAN before the frame)',
    what: 'Contrail L2 multicast shape: MPLSoUDP label 1030 | control word 0 | IPv4 | UDP 4789 | VXLAN VNI 7 | broadcast ARP who-has 5.5.5.4 tell 5.5.5.3',
    invented: 'label 1030; VNI 7; the embedded IPv4/UDP addresses and ports',
    packets: () => {
      const t = '2019-01-22 10:14:07.300204';
      const bcast = frame(S1.vm53.mac, 'ff:ff:ff:ff:ff:ff', arp({ op: 'request', senderMac: S1.vm53.mac, senderIp: S1.vm53.ip, targetIp: S1.vm54.ip }));
      const embedded = ipv4({ src: S1.server4c.ip, dst: S1.server5a.ip, id: 0, payload: udp({ sport: 52000, dport: 4789, checksum: false, payload: vxlan({ vni: 7, payload: bcast }) }) });
      return [
        { time: t, data: frame(S1.server4c.mac, S1.server5a.mac, ipv4({ src: S1.server4c.ip, dst: S1.server5a.ip, id: 0x2000, payload: udp({ sport: 60113, payload: mpls({ labels: [1030], payload: pwControlWord({ payload: embedded }) }) }) })) },
      ];
    },
  },
  {
    name: 'contrail-mplsogre-gw-pair',
    source: 'S1:L2036-2041, S1:L1976 (gr- IP-Header …:47:df:64), S1:L1995-1996 (vhost0 MAC)',
    what: 'MPLSoGRE between the SDN gateway 192.168.100.1 and compute 192.168.100.3: label 17 ttl 64 in, label 20 ttl 63 out; 100.100.100.100 <-> 192.168.1.3 id 47375 seq 0',
    invented: 'gateway MAC; IP ids; inner TTLs',
    packets: () => contrailGatewayPair(),
  },
  {
    name: 'ovn-geneve-routing',
    source: '004:L862-944 (ovn-trace, tcpdump 909-915 and 930-936, ovn-sbctl tunnel keys)',
    what: 'OVN east/west routing, worker1 <-> worker2: VNI 8 (network2) option 00020001 = net2-router1 -> vm2 carrying 192.168.0.11 > 192.168.1.11, and the reply in VNI 7 (network1) option 00020001 = net1-router1 -> vm1; checksums as the offloading sender stored them (0xe6a5)',
    invented: 'timestamp of the request (the seed line has none); ICMP id/seq and payload; inner IP ids',
    packets: () => {
      const t1 = '2019-11-05 22:19:03.895811';
      const t2 = '2019-11-05 22:19:03.896340';
      const req = frame('40:44:00:00:00:04', '40:44:00:00:00:02', ping({ time: t1, src: '192.168.0.11', dst: '192.168.1.11', id: 3121, seq: 7, ttl: 63, ipId: 0x1c4f }));
      const rep = frame('40:44:00:00:00:03', '40:44:00:00:00:01', ping({ time: t1, src: '192.168.1.11', dst: '192.168.0.11', id: 3121, seq: 7, reply: true, ttl: 63, ipId: 0x8e02, df: false }));
      return [
        { time: t1, data: frame(OVN.worker1.mac, OVN.worker2.mac, ipv4({ src: OVN.worker1.ip, dst: OVN.worker2.ip, id: 46587, flags: IP_DF, payload: udp({ sport: 55145, checksum: 'partial', payload: geneve({ vni: 8, critical: true, options: [ovnOption(2, 1)], payload: req }) }) })) },
        { time: t2, data: frame(OVN.worker2.mac, OVN.worker1.mac, ipv4({ src: OVN.worker2.ip, dst: OVN.worker1.ip, id: 30538, flags: IP_DF, payload: udp({ sport: 13530, checksum: 'partial', payload: geneve({ vni: 7, critical: true, options: [ovnOption(2, 1)], payload: rep }) }) })) },
      ];
    },
  },
  {
    name: 'ovn-geneve-trunk-subport',
    source: '004:L24-32, L103-107, L113-131, L153 (trunk post: child1 192.168.1.13 VLAN 30 on vm1 -> child2 192.168.1.14 VLAN 50 on vm2)',
    what: 'OVN trunk subport traffic in the tunnel: VNI 2 (network2), option inport 1 (child1) -> outport 2 (child2), untagged inner frame 40:44:00:00:00:03 > 40:44:00:00:00:04, 192.168.1.13 > 192.168.1.14 echo request id 9833 seq 231 (captured on worker2, valid UDP checksum)',
    invented: 'outport 2 (inferred from reg15=0x2 at L153); outer ports, IP id; worker IPs/MACs taken from the routing post',
    packets: () => {
      const t = '2019-11-12 13:19:11.980902';
      const inner = frame('40:44:00:00:00:03', '40:44:00:00:00:04', ping({ time: '2019-11-12 13:19:11.980671', src: '192.168.1.13', dst: '192.168.1.14', id: 9833, seq: 231, ipId: 16226 }));
      return [
        { time: t, data: frame(OVN.worker1.mac, OVN.worker2.mac, ipv4({ src: OVN.worker1.ip, dst: OVN.worker2.ip, id: 0x5a0c, flags: IP_DF, payload: udp({ sport: 40971, payload: geneve({ vni: 2, critical: true, options: [ovnOption(1, 2)], payload: inner }) }) })) },
      ];
    },
  },
  {
    name: 'junos-jmirror',
    source: 'anchors §1.7 (jmirror: UDP 30030, mirror id + session id, then the IP packet, no L2)',
    what: 'Junos jmirror (lawful-intercept style) to a mediation device: UDP 30030 carrying an inner IPv4 echo request and an inner IPv6 ICMPv6 echo request of one subscriber session',
    invented: 'everything but the format (no seed has jmirror): documentation addresses, ids',
    packets: () => {
      const t1 = '2021-04-08 09:30:12.514003';
      const t2 = '2021-04-08 09:30:12.822617';
      const outer = (payload: Uint8Array, ipId: number) =>
        frame('00:05:86:71:e4:01', '00:1b:21:3c:9d:10', ipv4({ src: '192.0.2.1', dst: '198.51.100.10', id: ipId, payload: udp({ sport: 49302, payload }) }));
      const v4 = ping({ time: t1, src: '203.0.113.45', dst: '8.8.8.8', id: 4711, seq: 1, ipId: 0x33a1 });
      const v6 = ipv6({ src: '2001:db8:100::45', dst: '2001:4860:4860::8888', payload: icmpv6Echo({ type: 'request', id: 4712, seq: 1, data: pingData(t2) }) });
      return [
        { time: t1, data: outer(jmirror({ mirrorId: 0x000186a1, sessionId: 0x0000b00c, payload: v4 }), 0x0101) },
        { time: t2, data: outer(jmirror({ mirrorId: 0x000186a1, sessionId: 0x0000b00c, payload: v6 }), 0x0102) },
      ];
    },
  },
  {
    name: 'qinq-fabric-mplsogre',
    source: 'S0:L280-283 (the fabric runs on VLAN 2004, bond0.2004); 802.1ad outer tag',
    what: 'QinQ: 802.1ad S-tag 300 (TPID 0x88a8) + 802.1Q C-tag 2004 carrying the S0 MPLSoGRE label 31 echo request, as a provider link would',
    invented: 'the provider S-tag 300 and PCP; the capture point',
    packets: () => {
      const t = '2021-04-09 12:07:02.093007';
      return [
        {
          time: t,
          data: frame(S0.sdngw.mac, S0.cmpt001.mac, ipv4({
            src: S0.sdngw.ip, dst: S0.cmpt001.ip, flags: IP_DF, id: 0x8e12,
            payload: gre({ payload: mpls({ labels: [{ label: 31, ttl: 255 }], payload: ping({ time: t, src: '12.12.0.102', dst: '10.10.0.100', id: 15119, seq: 20032, ttl: 61, ipId: 0x2b02 }) }) }),
          }), [{ tpid: 0x88a8, id: 300, pcp: 3 }, { id: 2004 }]),
        },
      ];
    },
  },
  {
    name: 'erspan-ii-and-iii',
    source: 'anchors §2.4 (ERSPAN II = GRE 0x88be with S bit, version 1; III = GRE 0x22eb, version 2)',
    what: 'A switch mirrors compute0 traffic to the analyzer 10.0.10.53: ERSPAN type II session 100 (VLAN 69, index 7) and type III session 101 (timestamp, ingress) each carrying the instance-1 ping',
    invented: 'everything but the format: switch address and MAC, session ids, sequence numbers, timestamps',
    packets: () => {
      const t1 = '2021-04-10 08:15:30.000125';
      const t2 = '2021-04-10 08:15:30.000410';
      const f = frame(OVS.instance1.mac, OVS.instance2.mac, ping({ time: t1, src: OVS.instance1.ip, dst: OVS.instance2.ip, id: 6001, seq: 12, ipId: 0x0c0c }));
      const sw = { ip: '10.0.10.1', mac: '00:de:fb:1a:2b:3c' };
      return [
        { time: t1, data: frame(sw.mac, OVS.analyzer.mac, ipv4({ src: sw.ip, dst: OVS.analyzer.ip, id: 0x0201, ttl: 255, payload: gre({ seq: 41, payload: erspan2({ session: 100, vlan: 69, index: 7, payload: f }) }) })) },
        { time: t2, data: frame(sw.mac, OVS.analyzer.mac, ipv4({ src: sw.ip, dst: OVS.analyzer.ip, id: 0x0202, ttl: 255, payload: gre({ seq: 42, payload: erspan3({ session: 101, vlan: 69, timestamp: 0x5f3a2c10, hwid: 3, payload: f }) }) })) },
      ];
    },
  },
];

/** S1:L2040-2041 request/reply on the compute's fabric NIC (shared by overlays.pcap and multi-iface.pcapng). */
function contrailGatewayPair(iface?: string): SamplePacket[] {
  const t1 = '2019-05-20 13:15:02.779234';
  const t2 = '2019-05-20 13:15:02.780782';
  const req = ping({ time: t1, src: '100.100.100.100', dst: S1.vm1921683.ip, id: 47375, seq: 0, ttl: 64, ipId: 0x4c11 });
  const rep = ping({ time: t1, src: S1.vm1921683.ip, dst: '100.100.100.100', id: 47375, seq: 0, reply: true, ttl: 64, ipId: 0xb3e0 });
  return [
    {
      time: t1, iface,
      comment: iface ? 'MPLSoGRE label 17: the label Contrail advertised for VM 192.168.1.3 (S1:L1964)' : undefined,
      data: frame(S1.gw.mac, S1.supermicroA.mac, ipv4({ src: S1.gw.ip, dst: S1.supermicroA.ip, flags: IP_DF, ttl: 64, id: 0x0b01, payload: gre({ payload: mpls({ labels: [{ label: 17, ttl: 64 }], payload: req }) }) })),
    },
    {
      time: t2, iface,
      comment: iface ? 'MPLSoGRE label 20: the SDN gateway VPN label (S1:L1921)' : undefined,
      data: frame(S1.supermicroA.mac, S1.gw.mac, ipv4({ src: S1.supermicroA.ip, dst: S1.gw.ip, flags: IP_DF, ttl: 64, id: 0x3e77, payload: gre({ payload: mpls({ labels: [{ label: 20, ttl: 63 }], payload: rep }) }) })),
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// The multi-interface pcapng: several link types and capture points, nanosecond timestamps

/** One pcapng interface of multi-iface.pcapng. */
export interface SampleInterface {
  name: string;
  description: string;
  linktype: number;
}

export const MULTI_IFACE_INTERFACES: SampleInterface[] = [
  { name: 'eth1', description: 'Supermicro-a fabric NIC under vhost0 192.168.100.3 (S1:L2036)', linktype: 1 },
  { name: 'tap61af9b59-35', description: 'Contrail tap of VM 192.168.1.3 on Supermicro-a (S1:L2067)', linktype: 1 },
  { name: 'tun0', description: 'raw-IP tunnel to the DPI: Contrail port-mirror copies to 7.7.7.3:8888', linktype: 101 },
  { name: 'vm1', description: 'OVN worker1 trunk parent vNIC, subport child1 on VLAN 30 (004:L95-99)', linktype: 1 },
];

/**
 * Packets of multi-iface.pcapng, written in time order. Times carry nanosecond digits: the seeds
 * give microseconds, the last three digits are made up so readers must keep ns resolution.
 */
export const MULTI_IFACE_SCENARIOS: Scenario[] = [
  {
    name: 'contrail-mirror-over-raw-ip',
    source: 'S1:L1391-1397, S1:L1428-1431',
    what: 'Contrail port-mirror copies (UDP 8888, TLV 3 / TLV 4 traffic-net) on a raw-IP interface: no Ethernet header before the outer IPv4',
    invented: 'as contrail-port-mirror-8888, plus the raw-IP capture point',
    packets: () => {
      const eth8888 = OVERLAY_SCENARIOS.find((s) => s.name === 'contrail-port-mirror-8888')!.packets().slice(0, 2);
      const ns = ['2019-02-12 13:00:33.252108417', '2019-02-12 13:00:33.252194090'];
      return eth8888.map((p, i) => ({ time: ns[i], iface: 'tun0', data: p.data.subarray(14), comment: i === 0 ? 'outer IPv4 starts at byte 0 (LINKTYPE_RAW)' : undefined }));
    },
  },
  {
    name: 'contrail-gateway-pair-fabric',
    source: 'S1:L2036-2041',
    what: 'The MPLSoGRE label 17 / label 20 pair on eth1',
    packets: () => {
      const [a, b] = contrailGatewayPair('eth1');
      return [
        { ...a, time: '2019-05-20 13:15:02.779234211' },
        { ...b, time: '2019-05-20 13:15:02.780782604' },
      ];
    },
  },
  {
    name: 'contrail-gateway-pair-tap',
    source: 'S1:L2063-2071',
    what: 'The same ping after decapsulation on the tap: 00:00:5e:00:01:00 <-> the VM MAC (02: + tap UUID)',
    invented: 'VM MAC derived by the tap-name rule (notes/seed-contrail §1.8)',
    packets: () => {
      const t1 = '2019-05-20 13:15:02.779234';
      return [
        {
          time: '2019-05-20 13:15:02.780395532', iface: 'tap61af9b59-35', comment: 'eth1 frame 1 after decapsulation (label 17 popped)',
          data: frame('00:00:5e:00:01:00', S1.vm1921683.mac, ping({ time: t1, src: '100.100.100.100', dst: S1.vm1921683.ip, id: 47375, seq: 0, ttl: 63, ipId: 0x4c11 })),
        },
        {
          time: '2019-05-20 13:15:02.780761009', iface: 'tap61af9b59-35',
          data: frame(S1.vm1921683.mac, '00:00:5e:00:01:00', ping({ time: t1, src: S1.vm1921683.ip, dst: '100.100.100.100', id: 47375, seq: 0, reply: true, ttl: 64, ipId: 0xb3e0 })),
        },
      ];
    },
  },
  {
    name: 'ovn-trunk-vnic-vlan30',
    source: '004:L95-99',
    what: 'OVN trunk parent vNIC: child1 traffic tagged VLAN 30, 192.168.1.13 > 192.168.1.14 echo request id 9833 seq 176',
    packets: () => {
      const t = '2019-11-12 13:18:16.980650';
      return [
        {
          time: '2019-11-12 13:18:16.980650333', iface: 'vm1', comment: 'VLAN 30 = subport child1 (004:L24-28)',
          data: frame('40:44:00:00:00:03', '40:44:00:00:00:04', ping({ time: t, src: '192.168.1.13', dst: '192.168.1.14', id: 9833, seq: 176, ipId: 55255 }), [{ id: 30 }]),
        },
      ];
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Which scenarios go into which file

export interface SampleFile {
  file: string;
  format: 'pcap' | 'pcapng';
  what: string;
  scenarios: Scenario[];
  /** pcapng interfaces (packets name theirs with `iface`); pcap files are one Ethernet interface. */
  interfaces?: SampleInterface[];
}

const pick = (...names: string[]): Scenario[] =>
  names.map((n) => {
    const s = OVERLAY_SCENARIOS.find((x) => x.name === n);
    if (!s) throw new Error(`no scenario '${n}'`);
    return s;
  });

export const SAMPLE_FILES: SampleFile[] = [
  { file: 'overlays.pcap', format: 'pcap', what: 'every Ethernet scenario, in time order (µs pcap)', scenarios: OVERLAY_SCENARIOS },
  {
    file: 'contrail-mirror.pcap', format: 'pcap', what: 'the three Contrail mirror shapes',
    scenarios: pick('contrail-mirror-legacy-pcap-header', 'contrail-flow-mirror-8099-mplsoudp', 'contrail-port-mirror-8888'),
  },
  { file: 'ovn-geneve.pcap', format: 'pcap', what: 'OVN Geneve with the 0x0102/0x80 option', scenarios: pick('ovn-geneve-tripleo-vlan50', 'ovn-geneve-routing', 'ovn-geneve-trunk-subport') },
  { file: 'multi-iface.pcapng', format: 'pcapng', what: 'four interfaces, two link types, ns timestamps, packet comments', scenarios: MULTI_IFACE_SCENARIOS, interfaces: MULTI_IFACE_INTERFACES },
];
