/** `peelcap stats`: counts against tshark's count of the same packets. */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeWith, samplesDir } from '../helpers/env.js';
import { ensureBuilt, peelcap, tsharkFields } from './run-cli.js';

const overlays = join(samplesDir, 'overlays.pcap');

beforeAll(() => ensureBuilt());

function statsJson(args: string[]): any {
  const r = peelcap(['stats', '--json', ...args]);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

const row = (rows: { key: string; packets: number; bytes: number }[], key: string) => rows.find((x) => x.key === key);

describeWith({ tools: ['tshark'] }, 'peelcap stats', () => {
  it('counts packets and bytes per tunnel kind, VNI, label stack and VLAN like tshark', () => {
    const s = statsJson([overlays]);
    const t = tsharkFields(overlays, ['frame.len', 'vxlan.vni', 'geneve.vni', 'mpls.label', 'vlan.id', 'ieee8021ad.id']);
    expect(s.packets).toBe(t.length);
    expect(s.bytes).toBe(t.reduce((a, r) => a + Number(r['frame.len'][0]), 0));
    const withGeneve = t.filter((r) => r['geneve.vni'].length > 0);
    expect(row(s.tunnels, 'geneve')).toEqual({
      key: 'geneve',
      packets: withGeneve.length,
      bytes: withGeneve.reduce((a, r) => a + Number(r['frame.len'][0]), 0),
    });
    for (const vni of [8, 5]) {
      expect(row(s.vnis, `geneve ${vni}`)?.packets).toBe(t.filter((r) => r['geneve.vni'].map(Number).includes(vni)).length);
    }
    expect(row(s.labelStacks, '31')?.packets).toBe(t.filter((r) => r['mpls.label'].join() === '31').length);
    expect(row(s.vlans, '50')?.packets).toBe(t.filter((r) => r['vlan.id'].includes('50')).length);
    expect(row(s.endpoints, '172.20.0.25 > 172.20.0.23')?.packets).toBeGreaterThan(0);
    const sum = (rows: { packets: number }[]) => rows.reduce((a, r) => a + r.packets, 0);
    expect(sum(s.innerProtocols)).toBeLessThanOrEqual(s.packets);
  });

  it('applies the filter before counting', () => {
    const s = statsJson([overlays, 'geneve']);
    expect(s.tunnels).toEqual([row(statsJson([overlays]).tunnels, 'geneve')]);
  });
});

describe('peelcap stats (text)', () => {
  it('is a readable report with sections', () => {
    const r = peelcap(['stats', overlays]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+ packets, /);
    for (const title of ['tunnel kinds', 'VNIs', 'MPLS label stacks', 'VLANs', 'outer endpoints', 'inner protocols', 'top inner conversations']) {
      expect(r.stdout).toContain(`\n${title}`);
    }
    expect(r.stdout).toMatch(/\[mpls 31\] 10\.10\.0\.100 <> 12\.12\.0\.102 icmp|\[mpls 31\] 12\.12\.0\.102 <> 10\.10\.0\.100 icmp/);
  });
});

describe('peelcap stats --top', () => {
  it('lists that many conversations, the busiest first, in text and JSON', () => {
    const all = statsJson(['--top', '1000', overlays]);
    expect(all.conversations.length).toBe(all.conversationCount);
    const three = statsJson(['--top', '3', overlays]);
    expect(three.conversations).toEqual(all.conversations.slice(0, 3));
    const text = peelcap(['stats', '--top', '3', overlays]).stdout.split('top inner conversations\n')[1].split('\n');
    expect(text.slice(0, 3).every((l) => / pkts /.test(l))).toBe(true);
    expect(text[3]).toMatch(new RegExp(`… ${all.conversationCount - 3} more`));
  });
});
