/** `peelcap bpf`: the printed expression, run by tcpdump itself, selects the packets peelcap's filter selects. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { describeWith, samplesDir } from '../helpers/env.js';
import { ensureBuilt, peelcap } from './run-cli.js';

const ovn = join(samplesDir, 'ovn-geneve.pcap');

beforeAll(() => ensureBuilt());

describeWith({ tools: ['tcpdump'] }, 'peelcap bpf', () => {
  it('prints an expression tcpdump accepts and that matches the same packets', () => {
    for (const filter of ['vni == 8', 'geneve and icmp']) {
      const r = peelcap(['bpf', filter]);
      expect(r.code).toBe(0);
      const expr = r.stdout.trim();
      const theirs = execFileSync('tcpdump', ['-tt', '-nr', ovn, expr], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' ')[0]);
      const ours = peelcap(['read', '-tt', ovn, filter]).stdout.split('\n').filter(Boolean).map((l) => l.split(' ')[0]);
      expect(theirs).toEqual(ours);
    }
  });

  it('refuses a bad filter with exit 2', () => {
    const r = peelcap(['bpf', 'vni', '==']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^peelcap: bad filter: /);
  });
});
