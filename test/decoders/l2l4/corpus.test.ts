/**
 * Cross-check against tshark 4.0.17 on real captures: the corpus oracle `<file>.tshark-fields.tsv`
 * lists every packet's protocol stack, VLAN ids and IP addresses. Tunnel decoders are not in this
 * registry, so where tshark goes deeper our list must be a prefix of its list and stop at a protocol
 * these decoders do not handle.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { Layer } from '../../../src/layers.js';
import type { PacketView } from '../../../src/packet.js';
import { corpus, describeWith } from '../../helpers/env.js';
import { eachPacket, fields, l2l4Registry, names, problems } from './harness.js';

const FILES = [
  'tcpdump/802.1ad_QinQ.pcap',
  'skydive/icmpv4-4vlanQinQ-id-8-10-20-30.pcap',
  'arkime/twovlan.pcap',
  'zeek/vlan-qinqinq/vlan-qinqinq.pcap',
  'zeek/http-qinq-0/http-qinq-0.pcap',
  'suricata-verify/arp_detect-arp-03-vlan/input.pcap',
  'suricata-verify/eve-flow-vlan-02/input.pcap',
  'suricata-verify/detect-vlan-id/input.pcap',
  'tcpdump/tcp-handshake-nano.pcap',
  'synthetic/tcp-handshake-nano-BE.pcap',
  'tcpdump/erspan-type-iii-pb-1.pcap',
  'arkime/6-4-gre-ppp-udp-4-dns.pcap',
  'arkime/ipv6-gtp6.pcap',
  'tcpdump/mpls-ldp-hello.pcap',
  'tcpdump/mpls-traceroute.pcap',
  'tcpdump/pptp.pcap',
  'tcpdump/various_gre.pcap',
  'zeek/pbb/pbb.pcap',
  'tcpdump/arista_ether.pcap',
  'zeek/vlan-pcp-dei/vlan-pcp-dei.pcapng',
  'synthetic/multi_iface_encaps.pcapng',
  ...['ipv4', 'ipv6'].flatMap((o) => ['geneve', 'vxlan'].flatMap((t) => ['ipv4', 'ipv6'].flatMap((i) => [`tcpdump/bigtcp-${o}-${t}-${i}.pcap`, `tcpdump/gso-${o}-${t}-${i}.pcap`]))),
];

/** tshark protocol names -> ours; tshark-only pseudo layers ('ethertype', IPv6 extension headers) dropped. */
const RENAME: Record<string, string> = { ip: 'ipv4', ieee8021ad: 'vlan', null: 'loopback' };
const OURS = new Set(['eth', 'vlan', 'arp', 'sll', 'sll2', 'loopback', 'raw', 'ipv4', 'ipv6', 'udp', 'tcp', 'icmp', 'icmpv6', 'ppp']);
function tsharkStack(protocols: string): string[] {
  return protocols
    .split(':')
    .filter((x) => x !== 'ethertype' && !x.startsWith('ipv6.'))
    .map((x) => RENAME[x] ?? x);
}

function split(v: string): string[] {
  return v === '' ? [] : v.split(',');
}

/** Our VLAN ids (0x88a8 tags apart, as tshark's ieee8021ad.id) and IP addresses, outer to inner. */
function ourColumns(p: PacketView): Record<string, string[]> {
  const c: Record<string, string[]> = { 'vlan.id': [], 'ieee8021ad.id': [], 'ip.src': [], 'ip.dst': [], 'ipv6.src': [], 'ipv6.dst': [] };
  for (let k = 0; k < p.vlanCount; k++) c[p.vlanTpid[k] === 0x88a8 ? 'ieee8021ad.id' : 'vlan.id'].push(String(p.vlanTci[k] & 0xfff));
  const seen = [0, 0];
  for (let i = 0; i < p.layerCount; i++) {
    const k = p.layerKind[i];
    if (k !== Layer.Ipv4 && k !== Layer.Ipv6) continue;
    const f = fields(p, k, seen[k === Layer.Ipv4 ? 0 : 1]++);
    const pre = k === Layer.Ipv4 ? 'ip' : 'ipv6';
    c[`${pre}.src`].push(String(f.src));
    c[`${pre}.dst`].push(String(f.dst));
  }
  return c;
}

describeWith({ corpus: true }, 'L2-L4 decoders vs the tshark oracle on corpus captures', () => {
  const reg = l2l4Registry();
  for (const rel of FILES) {
    it(rel, async () => {
      const tsv = readFileSync(`${corpus(rel)}.tshark-fields.tsv`, 'utf8').split('\n').filter((l) => l.length > 0);
      const header = tsv[1].split('\t');
      const rows = tsv.slice(2).map((l) => Object.fromEntries(l.split('\t').map((v, i) => [header[i], v])));
      let n = 0;
      const frames = await eachPacket(corpus(rel), reg, (p) => {
        const row = rows[n++];
        const ours = names(p);
        const theirs = tsharkStack(row['frame.protocols']);
        const where = `${rel} frame ${p.frame}: ours ${ours.join(':')} [${problems(p).join(' ')}] vs tshark ${theirs.join(':')}`;
        expect(theirs.slice(0, ours.length), where).toEqual(ours);
        // well-formed captures, BIG TCP / GSO super-packets (IP length 0, jumbo) included
        expect(problems(p), where).toEqual([]);
        // where we stop short, tshark's next protocol is one we do not decode (or a packet quoted by ICMP)
        const last = ours[ours.length - 1];
        if (theirs.length > ours.length && last !== 'icmp' && last !== 'icmpv6') {
          expect(OURS.has(theirs[ours.length]), where).toBe(false);
        }
        const exact = theirs.length === ours.length || theirs.slice(ours.length).every((x) => !OURS.has(x));
        for (const [col, vals] of Object.entries(ourColumns(p))) {
          const t = split(row[col]);
          if (exact) expect(vals, `${where} ${col}`).toEqual(t);
          else expect(vals, `${where} ${col}`).toEqual(t.slice(0, vals.length));
        }
      });
      expect(frames).toBe(rows.length);
      expect(frames).toBeGreaterThan(0);
    });
  }
});
