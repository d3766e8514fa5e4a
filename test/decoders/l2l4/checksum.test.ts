import { describe, expect, it } from 'vitest';
import { eth, inetChecksum, ip4, ip6, ipv4, ipv6, pattern, tcp, udp } from '../../../samples/craft.js';
import { CHECKSUM_VERDICT_NAMES, fold, sum16 } from '../../../src/checksum.js';
import { Layer } from '../../../src/layers.js';
import { corpus, describeWith } from '../../helpers/env.js';
import { tsharkFields } from '../../helpers/tshark.js';
import { decode, eachPacket, fields, l2l4Registry, problems, tempPcap } from './harness.js';

const MACS = { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' };
const checking = l2l4Registry({ checksums: true });

const tcp4 = () => ipv4({ src: '10.0.0.1', dst: '10.0.0.2', payload: tcp({ sport: 1, dport: 2, payload: pattern(33) }) });
const tcp6 = () => ipv6({ src: 'fd00::1', dst: 'fd00::2', payload: tcp({ sport: 1, dport: 2, payload: pattern(33) }) });
const udp4 = (checksum?: false | number) => ipv4({ src: '10.0.0.1', dst: '10.0.0.2', payload: udp({ sport: 7, dport: 9, checksum, payload: pattern(9) }) });
const udp6 = (checksum?: number) => ipv6({ src: 'fd00::1', dst: 'fd00::2', payload: udp({ sport: 7, dport: 9, checksum, payload: pattern(9) }) });

/** Overwrite the 16-bit field at `at` (returns the packet). */
function put(pkt: Uint8Array, at: number, v: number): Uint8Array {
  pkt[at] = v >>> 8;
  pkt[at + 1] = v & 255;
  return pkt;
}

/** What Linux leaves in the field before offload: the folded (not complemented) pseudo-header sum. */
function partial(pkt: Uint8Array, v6: boolean, proto: number): Uint8Array {
  const ipLen = v6 ? 40 : 20;
  const len = pkt.length - ipLen;
  const pseudo = v6
    ? Uint8Array.of(...ip6('fd00::1'), ...ip6('fd00::2'), 0, 0, len >>> 8, len & 255, 0, 0, 0, proto)
    : Uint8Array.of(...ip4('10.0.0.1'), ...ip4('10.0.0.2'), 0, proto, len >>> 8, len & 255);
  return put(pkt, ipLen + (proto === 6 ? 16 : 6), ~inetChecksum(pseudo) & 0xffff);
}

const status = (pkt: Uint8Array, kind: Layer, linktype: number) => fields(decode(pkt, { linktype, reg: checking }), kind).checksumStatus;

describe('checksum primitives', () => {
  it('sum16 pads an odd last byte and fold carries around', () => {
    expect(sum16(Uint8Array.of(0x12, 0x34, 0x56), 0, 3, 0)).toBe(0x1234 + 0x5600);
    expect(fold(0x1ffff)).toBe(0x1);
    expect(fold(0xffff * 70000)).toBe(0xffff);
  });
});

describe('checksum validation (reg.checksums = true)', () => {
  it('IPv4 header: good, and bad with a bad-checksum problem', () => {
    expect(status(udp4(), Layer.Ipv4, 228)).toBe('good');
    const bad = ipv4({ src: '1.2.3.4', dst: '5.6.7.8', headerChecksum: 0x1234, payload: udp({ sport: 1, dport: 2, payload: pattern(3) }) });
    const p = decode(bad, { linktype: 228, reg: checking });
    expect(fields(p, Layer.Ipv4).checksumStatus).toBe('bad');
    expect(problems(p)).toEqual(['bad-checksum@ipv4']);
  });

  it('UDP over IPv4 and IPv6: good, bad, and 0 = none', () => {
    expect(status(udp4(), Layer.Udp, 228)).toBe('good');
    expect(status(udp6(), Layer.Udp, 229)).toBe('good');
    expect(status(udp4(0x1234), Layer.Udp, 228)).toBe('bad');
    expect(status(udp6(0x1234), Layer.Udp, 229)).toBe('bad');
    const none = decode(udp4(false), { linktype: 228, reg: checking });
    expect(fields(none, Layer.Udp).checksumStatus).toBe('none');
    expect(problems(none)).toEqual([]);
  });

  it('TCP over IPv4 and IPv6: good, bad, and offload-partial (no problem recorded)', () => {
    expect(status(tcp4(), Layer.Tcp, 228)).toBe('good');
    expect(status(tcp6(), Layer.Tcp, 229)).toBe('good');
    const bad = decode(put(tcp4(), 36, 0xbeef), { linktype: 228, reg: checking });
    expect(fields(bad, Layer.Tcp).checksumStatus).toBe('bad');
    expect(problems(bad)).toEqual(['bad-checksum@tcp']);
    for (const [pkt, lt] of [[partial(tcp4(), false, 6), 228], [partial(tcp6(), true, 6), 229], [partial(udp6(), true, 17), 229]] as const) {
      const p = decode(pkt, { linktype: lt, reg: checking });
      expect(fields(p, p.findLayer(Layer.Tcp) >= 0 ? Layer.Tcp : Layer.Udp).checksumStatus).toBe('partial');
      expect(problems(p)).toEqual([]);
    }
  });

  it('a capture cut by snaplen is not checked', () => {
    const pkt = tcp4();
    const p = decode(pkt.subarray(0, 50), { linktype: 228, len: pkt.length, reg: checking });
    expect(fields(p, Layer.Tcp).checksumStatus).toBeUndefined();
    expect(fields(p, Layer.Ipv4).checksumStatus).toBe('good');
  });

  it('off by default: no status and no problem even for a bad sum', () => {
    const p = decode(put(tcp4(), 36, 0xbeef), { linktype: 228 });
    expect(fields(p, Layer.Tcp).checksumStatus).toBeUndefined();
    expect(problems(p)).toEqual([]);
  });
});

describeWith({ tools: ['tshark'] }, 'checksum verdicts vs tshark', () => {
  it('good/bad agree with tshark checksum status (partial counts as bad there)', () => {
    const pkts = [udp4(), udp4(0x1234), udp6(), udp6(0x4321), tcp4(), put(tcp4(), 36, 0xbeef), tcp6(), partial(tcp4(), false, 6)].map((payload) =>
      eth({ ...MACS, payload }),
    );
    pkts.push(eth({ ...MACS, payload: ipv4({ src: '1.2.3.4', dst: '5.6.7.8', headerChecksum: 0x1111, payload: udp({ sport: 1, dport: 2, payload: pattern(3) }) }) }));
    const rows = tsharkFields(tempPcap(pkts), ['ip.checksum.status', 'udp.checksum.status', 'tcp.checksum.status'], {
      prefs: ['ip.check_checksum:TRUE', 'udp.check_checksum:TRUE', 'tcp.check_checksum:TRUE'],
    });
    const tsharkName = (v: string) => (v === '1' ? 'good' : v === '0' ? 'bad' : v);
    pkts.forEach((pkt, n) => {
      const p = decode(pkt, { reg: checking });
      if (p.findLayer(Layer.Ipv4) >= 0) expect(fields(p, Layer.Ipv4).checksumStatus).toBe(tsharkName(rows[n]['ip.checksum.status']));
      const l4 = p.findLayer(Layer.Tcp) >= 0 ? Layer.Tcp : Layer.Udp;
      const ours = String(fields(p, l4).checksumStatus);
      expect(ours === 'partial' ? 'bad' : ours).toBe(tsharkName(rows[n][l4 === Layer.Tcp ? 'tcp.checksum.status' : 'udp.checksum.status']));
    });
  });
});

describeWith({ corpus: true, tools: ['tshark'] }, 'checksum verdicts vs tshark on corpus captures', () => {
  const FILES = ['tcpdump/tcp-handshake-nano.pcap', 'arkime/twovlan.pcap', 'tcpdump/pptp.pcap', 'zeek/vlan-qinqinq/vlan-qinqinq.pcap', 'tcpdump/gso-ipv4-vxlan-ipv4.pcap', 'tcpdump/gso-ipv6-geneve-ipv6.pcap'];
  for (const rel of FILES) {
    it(rel, async () => {
      const rows = tsharkFields(corpus(rel), ['ip.checksum.status', 'udp.checksum.status', 'tcp.checksum.status'], {
        prefs: ['ip.check_checksum:TRUE', 'udp.check_checksum:TRUE', 'tcp.check_checksum:TRUE'],
      });
      let n = 0;
      await eachPacket(corpus(rel), checking, (p) => {
        const row = rows[n++];
        const col: Partial<Record<Layer, string>> = { [Layer.Ipv4]: 'ip', [Layer.Udp]: 'udp', [Layer.Tcp]: 'tcp' };
        for (let i = 0; i < p.layerCount; i++) {
          const name = col[p.layerKind[i] as Layer];
          if (!name || p.layerCheck[i] === 0) continue;
          const ours = CHECKSUM_VERDICT_NAMES[p.layerCheck[i]];
          const theirs = row[`${name}.checksum.status`].split(',')[0]; // outermost occurrence
          // tshark has no "partial" (it is bad there) and leaves a zero UDP checksum unverified (2)
          const expected = ours === 'partial' ? '0' : ours === 'none' ? '2' : ours === 'good' ? '1' : '0';
          expect(theirs, `${rel} frame ${p.frame} ${name}`).toBe(expected);
        }
      });
      expect(n).toBe(rows.length);
    });
  }

  it('a GSO super-packet captured before offload carries a partial outer UDP checksum', async () => {
    const frames = await eachPacket(corpus('tcpdump/gso-ipv4-vxlan-ipv4.pcap'), checking, (p) => {
      expect(fields(p, Layer.Udp).checksumStatus).toBe('partial');
    });
    expect(frames).toBe(1);
  });
});
