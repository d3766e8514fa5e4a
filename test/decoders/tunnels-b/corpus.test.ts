/**
 * Geneve / Contrail mirror / jmirror decoders on the corpus captures, checked against oracles other
 * than tshark's field dump (that one is covered for every file by test/decoders/corpus-diff.test.ts):
 * tcpdump's text of the OVN capture, Zeek's Geneve option baselines, libpcap's `geneve N` filter
 * results, and tshark's verbose Juniper VN / jmirror decodes.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { createRegistry } from '../../../decoders/index.js';
import { hexString } from '../../../src/bytes.js';
import { contrailVns } from '../../../src/describe.js';
import { Layer, Tunnel } from '../../../src/layers.js';
import { TunnelFlag, type PacketView } from '../../../src/packet.js';
import { corpus, describeWith } from '../../helpers/env.js';
import { eachPacket } from '../l2l4/harness.js';
import { layerNames } from './peel-bytes.js';

/** Run `each` over every packet of a corpus file with the full registry (plus decode-as rules). */
async function eachOf(file: string, each: (p: PacketView, n: number) => void, decodeAs: string[] = []): Promise<number> {
  const reg = createRegistry();
  for (const d of decodeAs) reg.decodeAs(d);
  let n = 0;
  return eachPacket(corpus(file), reg, (p) => each(p, ++n));
}

/** Hex of a Zeek-printed byte string: printable characters as they are, others as \xNN. */
function zeekBytes(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; ) {
    if (s.startsWith('\\x', i)) {
      out += s.slice(i + 2, i + 4);
      i += 4;
    } else out += s.charCodeAt(i++).toString(16).padStart(2, '0');
  }
  return out;
}

describeWith({ corpus: true }, 'geneve / contrail-mirror / jmirror on the corpus', () => {
  it('reads the OVN ports that tcpdump -vv prints as option data (synthetic/geneve_ovn_option_0x0102)', async () => {
    const text = readFileSync(corpus('synthetic/geneve_ovn_option_0x0102.tcpdump-4.99.3-vv-e.out'), 'utf8');
    const printed = [...text.matchAll(/vni (0x[0-9a-f]+),.*class Open Virtual Networking \(OVN\) \(0x102\) type 0x80\(C\) len 8 data ([0-9a-f]{8})/g)];
    expect(printed).toHaveLength(2);
    const seen: unknown[] = [];
    await eachOf('synthetic/geneve_ovn_option_0x0102.pcap', (p) => {
      expect(layerNames(p)).toEqual(['eth', 'ipv4', 'udp', 'geneve', 'eth', 'ipv4', 'icmp']);
      seen.push([p.tunnelId[0], p.tunnelOvnIn[0], p.tunnelOvnOut[0], (p.tunnelFlags[0] & TunnelFlag.GeneveCritical) !== 0]);
    });
    expect(seen).toEqual(
      printed.map((m) => {
        const v = parseInt(m[2], 16); // rsv(1) | ingress(15) | egress(16), ovn-architecture(7)
        return [Number(m[1]), (v >>> 16) & 0x7fff, v & 0xffff, true]; // "Flags [C]" on both
      }),
    );
  });

  it('keeps the option bytes Zeek reports (geneve-many-options, geneve-tagged-udp-packet)', async () => {
    const baseline = readFileSync(corpus('zeek/tunnels_geneve-many-options/Baseline/core.tunnels.geneve-get-options/out'), 'utf8');
    const byFile = new Map<string, { cls: number; type: number; data: string }[]>();
    let current: { cls: number; type: number; data: string }[] = [];
    for (const line of baseline.split('\n')) {
      const conn = /^new_connection, \S+, (\S+)$/.exec(line);
      if (conn) byFile.set(conn[1], (current = []));
      const opt = /^opt, \[class=(\d+), critical=[TF], typ=(\d+), data=(.*)\]$/.exec(line);
      if (opt) current.push({ cls: Number(opt[1]), type: Number(opt[2]), data: zeekBytes(opt[3]) });
    }
    expect([...byFile.keys()]).toEqual(['geneve-many-options.pcap', 'geneve-tagged-udp-packet.pcap']);
    for (const [name, want] of byFile) {
      const dir = name === 'geneve-many-options.pcap' ? 'tunnels_geneve-many-options' : 'tunnels_geneve-tagged-udp-packet';
      let first: { cls: number; type: number; data: string }[] | undefined;
      await eachOf(`zeek/${dir}/${name}`, (p) => {
        if (first) return; // Zeek prints the options of the connection's first packet
        first = [];
        for (let k = 0; k < p.optCount; k++) first.push({ cls: p.optClass[k], type: p.optType[k], data: hexString(p.buf, p.optStart[k], p.optStart[k] + p.optLen[k]) });
      });
      expect(first, name).toEqual(want);
    }
  });

  it('selects the packets libpcap\'s "geneve 10" / "geneve 11" filters select (libpcap/geneve.pcap)', async () => {
    const text = readFileSync(corpus('libpcap/geneve.filter-expectations.txt'), 'utf8');
    const results = (vni: number) => {
      const m = new RegExp(`expr => 'geneve ${vni}',\\s*results => \\[([^\\]]+)\\]`).exec(text)!;
      return m[1].split(',').map((x) => Number(x) !== 0);
    };
    const vnis: number[] = [];
    await eachOf('libpcap/geneve.pcap', (p) => {
      expect(p.tunnelKind[0]).toBe(Tunnel.Geneve);
      vnis.push(p.tunnelId[0]);
    });
    expect(vnis.map((v) => v === 10)).toEqual(results(10));
    expect(vnis.map((v) => v === 11)).toEqual(results(11));
  });

  it('decodes the Juniper VN header as tshark -V shows it (synthetic/contrail_juniper_header_udp8099)', async () => {
    const whole = readFileSync(corpus('synthetic/contrail_juniper_header_udp8099.tshark-4.0.17-d-udp8099-juniper.txt'), 'utf8');
    const text = whole.slice(whole.indexOf('Juniper Virtual Network Information'));
    const host = /Host IP: (\S+)/.exec(text)![1];
    const flags = parseInt(/Flags: (0x[0-9a-f]+)/.exec(text)![1], 16);
    const src = /Src VN: (\S+)/.exec(text)![1];
    const dst = /Dst VN: (\S+)/.exec(text)![1];
    const reg = createRegistry();
    let n = 0;
    await eachPacket(corpus('synthetic/contrail_juniper_header_udp8099.pcap'), reg, (p) => {
      n++;
      expect(layerNames(p)).toEqual(['eth', 'ipv4', 'udp', 'contrail-mirror', 'eth', 'ipv4', 'icmp']);
      const f = reg.modules[Layer.ContrailMirror]!.fields(p, 3);
      expect([f.host, f.flags, f.srcvn, f.dstvn]).toEqual([host, flags, src, dst]);
      expect(contrailVns(p, 0)).toEqual([src, dst]);
      expect(f.direction).toBe(/Direction Ingress: Set/.test(text) ? 'ingress' : 'egress');
      const actionsSet = [...text.matchAll(/= Action (\w+): Set/g)].map((m) => m[1].toLowerCase());
      expect([...(f.actions as string[])].sort()).toEqual(actionsSet.sort());
    });
    expect(n).toBe(1);
  });

  it('decodes jmirror as tshark -O jmirror shows it (synthetic/jmirror_udp30030)', async () => {
    const text = readFileSync(corpus('synthetic/jmirror_udp30030.tshark-4.0.17-O-jmirror.txt'), 'utf8');
    const headers = [...text.matchAll(/Juniper Packet Mirror, MID: (0x[0-9a-f]+) \(\d+\), SID: (0x[0-9a-f]+)/g)].map((m) => [parseInt(m[1], 16), parseInt(m[2], 16)]);
    expect(headers).toHaveLength(2);
    const got: number[][] = [];
    const stacks: string[][] = [];
    await eachOf('synthetic/jmirror_udp30030.pcap', (p) => {
      got.push([p.tunnelId2[0], p.tunnelId[0]]);
      stacks.push(layerNames(p));
    });
    expect(got).toEqual(headers);
    expect(stacks).toEqual([
      ['eth', 'ipv4', 'udp', 'jmirror', 'ipv4', 'icmp'],
      ['eth', 'ipv4', 'udp', 'jmirror', 'ipv6', 'icmpv6'],
    ]);
  });
});
