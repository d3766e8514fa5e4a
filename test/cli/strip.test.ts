/**
 * `peelcap strip`: decapsulated output read back by tcpdump and tshark (the oracles), against the
 * original packets' inner addresses and timestamps.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { corpus, describeWith, samplesDir } from '../helpers/env.js';
import { bin, ensureBuilt, peelcap, peelcapJson, tsharkFields } from './run-cli.js';

const overlays = join(samplesDir, 'overlays.pcap');
const ovn = join(samplesDir, 'ovn-geneve.pcap');
const tmp = mkdtempSync(join(tmpdir(), 'peelcap-strip-'));

beforeAll(() => ensureBuilt());

describeWith({ tools: ['tcpdump', 'tshark'] }, 'peelcap strip', () => {
  it('peelcap strip x.pcap -w - | tcpdump -nr - shows the inner packets with their timestamps', () => {
    const out = execFileSync('sh', ['-c', `node '${bin}' strip '${overlays}' -w - | tcpdump -tt -nr -`], {
      encoding: 'utf8',
      env: { ...process.env, TZ: 'UTC' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines = out.split('\n').filter(Boolean);
    const original = peelcapJson([overlays]);
    expect(lines).toHaveLength(original.length);
    // tcpdump prints the seed packet (S0:L283) as the inner IPv4 packet, no GRE/MPLS left
    expect(lines.some((l) => l.includes('IP 12.12.0.102 > 10.10.0.100: ICMP echo request, id 15119, seq 20030, length 64'))).toBe(true);
    lines.forEach((l, i) => {
      expect(l.split(' ')[0]).toBe(original[i].ts.slice(0, -3)); // µs pcap: same time to the microsecond
      expect(l).not.toMatch(/GRE|Geneve|VXLAN|MPLS/);
    });
  });

  it('-w - through a slow pipe gives the bytes of -w FILE over many batches, and tcpdump reads them', async () => {
    // the sample's records 500 times over (after its 24-byte file header): output of several 1 MiB batches
    const sample = readFileSync(overlays);
    const big = join(tmp, 'big.pcap');
    writeFileSync(big, Buffer.concat([sample, ...Array<Buffer>(500).fill(sample.subarray(24))]));
    const file = join(tmp, 'big-inner.pcap');
    const r = peelcap(['strip', '--eth', big, '-w', file]);
    expect(r.code).toBe(0);
    const written = Number(/^(\d+) packets written/.exec(r.stderr)![1]);
    const want = readFileSync(file);
    expect(want.length).toBeGreaterThan(2 << 20);
    // a reader that pauses after every pipe read: stdout stays congested while batches are reused
    const child = spawn(process.execPath, [bin, 'strip', '--eth', big, '-w', '-'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const got: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => {
      got.push(c);
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), 1);
    });
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(got.length).toBeGreaterThan(10);
    expect(Buffer.concat(got).equals(want)).toBe(true);
    const lines = execFileSync('sh', ['-c', `node '${bin}' strip --eth '${big}' -w - | tcpdump -nr - 2>/dev/null | wc -l`], { encoding: 'utf8' });
    expect(Number(lines)).toBe(written);
  });

  it('writes the innermost frame of every packet (tshark on the output vs the original decode)', () => {
    const out = join(tmp, 'inner.pcap');
    const r = peelcap(['strip', overlays, '-w', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^\d+ packets written to /);
    const original = peelcapJson([overlays]);
    const stripped = tsharkFields(out, ['frame.protocols', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'frame.len']);
    expect(stripped).toHaveLength(original.length);
    original.forEach((p, i) => {
      const t = stripped[i];
      if (p.tunnels.length > 0) {
        expect(t['frame.protocols'][0], `frame ${p.frame}`).not.toMatch(/gre|vxlan|geneve|mpls|erspan|juniper|jmirror/);
      }
      if (p.inner?.src && p.inner.proto !== 'arp') {
        const v6 = p.inner.src.includes(':');
        // the inner IP is now the outermost one tshark sees
        expect(t[v6 ? 'ipv6.src' : 'ip.src'][0], `frame ${p.frame}`).toBe(p.inner.src);
        expect(t[v6 ? 'ipv6.dst' : 'ip.dst'][0], `frame ${p.frame}`).toBe(p.inner.dst);
      }
    });
  });

  it('gives inner IP packets the raw-IP link type, or Ethernet with --eth', () => {
    const gcp = corpus('tcpdump/geneve-gcp.pcap'); // Geneve proto 0x0800: IPv4 without Ethernet
    const raw = join(tmp, 'gcp-raw.pcap');
    const eth = join(tmp, 'gcp-eth.pcap');
    expect(peelcap(['strip', gcp, '-w', raw]).code).toBe(0);
    expect(peelcap(['strip', '--eth', gcp, '-w', eth]).code).toBe(0);
    const info = (f: string) => execFileSync('tcpdump', ['-nr', f], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const head = (f: string) => execFileSync('sh', ['-c', `tcpdump -nr '${f}' 2>&1 >/dev/null | head -1`], { encoding: 'utf8' });
    expect(head(raw)).toMatch(/link-type RAW/);
    expect(head(eth)).toMatch(/link-type EN10MB/);
    const inner = peelcapJson([gcp])[0].inner;
    expect(info(raw)).toContain(`IP ${inner.src}.${inner.sport} > ${inner.dst}.${inner.dport}`);
    expect(info(eth)).toContain(`IP ${inner.src}.${inner.sport} > ${inner.dst}.${inner.dport}`);
  });

  it('pcapng: tunnel context as packet comments, one interface per VNI with --interface-per vni', () => {
    const out = join(tmp, 'inner.pcapng');
    expect(peelcap(['strip', ovn, '-w', out, '--interface-per', 'vni']).code).toBe(0);
    expect(readFileSync(out).readUInt32LE(0)).toBe(0x0a0d0d0a); // chosen by the .pcapng extension
    const t = tsharkFields(out, ['frame.interface_name', 'frame.comment', 'ip.src']);
    const original = peelcapJson([ovn]);
    expect(t).toHaveLength(original.length);
    original.forEach((p, i) => {
      expect(t[i]['frame.interface_name'][0]).toBe(`vni-${p.vnis[p.vnis.length - 1]}`);
      expect(t[i]['frame.comment'].join(',')).toContain(`geneve vni ${p.vnis[0]}`);
      expect(t[i]['ip.src'][0]).toBe(p.inner.src);
    });
  });

  it('--format pcapng to stdout is read by tshark', () => {
    const out = execFileSync('sh', ['-c', `node '${bin}' strip '${ovn}' --format pcapng -w - | tshark -r - -T fields -e ip.src 2>/dev/null`], {
      encoding: 'utf8',
    });
    expect(out.split('\n').filter(Boolean)).toEqual(peelcapJson([ovn]).map((p) => p.inner.src));
  });
});
