/** Exit codes and messages: 0 done, 1 input error, 2 bad usage; one message naming the cause, no stack. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createWriter } from '../../src/capture/index.js';
import { projectRoot, samplesDir } from '../helpers/env.js';
import { bin, ensureBuilt, peelcap } from './run-cli.js';

const overlays = join(samplesDir, 'overlays.pcap');
const tmp = mkdtempSync(join(tmpdir(), 'peelcap-err-'));

beforeAll(() => ensureBuilt());

function expectNoStack(s: string): void {
  expect(s).not.toMatch(/\n\s+at /);
}

describe('peelcap exit codes and messages', () => {
  it('missing file: exit 1, names the file and the remedy', () => {
    const r = peelcap(['read', join(tmp, 'nope.pcap')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^peelcap: cannot open '.*nope\.pcap': no such file\n/);
    expectNoStack(r.stderr);
  });

  it('unwritable -w output: exit 1, names the output, not the input', () => {
    const r = peelcap(['strip', overlays, '-w', join(tmp, 'no-such-dir', 'out.pcap')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^peelcap: cannot write '.*no-such-dir\/out\.pcap': no such directory\n/);
    expectNoStack(r.stderr);
  });

  it('not a capture: exit 1 with the byte offset', () => {
    const f = join(tmp, 'text.pcap');
    writeFileSync(f, 'this is not a capture at all\n');
    const r = peelcap(['json', f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/text\.pcap: not a pcap or pcapng capture file .* at byte offset 0/);
    expectNoStack(r.stderr);
  });

  it('a capture corrupt in the middle: the packets before the fault, then exit 1', () => {
    const good = readFileSync(overlays);
    // pcap: 24-byte header, then records; make the 3rd record's length absurd
    const bad = Buffer.from(good);
    let at = 24;
    for (let i = 0; i < 2; i++) at += 16 + bad.readUInt32LE(at + 8);
    bad.writeUInt32LE(0x7fffffff, at + 8);
    bad.writeUInt32LE(0x7fffffff, at + 12);
    const f = join(tmp, 'corrupt.pcap');
    writeFileSync(f, bad);
    const r = peelcap(['read', f]);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(2);
    expect(r.stderr).toContain(`byte offset ${at}`);
    expectNoStack(r.stderr);
  });

  it('bad usage exits 2: unknown option, bad filter (pointed), bad decode-as, bad -c, missing -w', () => {
    const cases: [string[], RegExp][] = [
      [['read', '--bogus', overlays], /Unknown option '--bogus'[\s\S]*peelcap read --help/],
      [['read', overlays, 'vni', '=='], /bad filter: [\s\S]*\n {2}vni ==\n {2}\s*\^/],
      [['read', '--decode-as', 'udp.port=8888', overlays], /bad --decode-as 'udp.port=8888': expected TABLE==VALUE=DECODER/],
      [['read', '-c', 'ten', overlays], /-c wants a whole number/],
      [['strip', overlays], /strip needs an output: -w/],
      [['read', '-w', 'x.pcap', overlays], /-w is an option of 'strip'/],
      [['read'], /read needs a capture/],
      [['strip', overlays, '-w', 'x.pcap', '--interface-per', 'vni'], /--interface-per needs pcapng/],
    ];
    for (const [args, msg] of cases) {
      const r = peelcap(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(msg);
      expectNoStack(r.stderr);
    }
  });

  it('--help per command with examples, exit 0; --version from package.json', () => {
    for (const c of ['read', 'json', 'strip', 'stats', 'live', 'bpf']) {
      const r = peelcap([c, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: peelcap ${c}`));
      expect(r.stdout).toContain('Examples:');
    }
    expect(peelcap(['--help']).stdout).toContain('Commands:');
    const v = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')).version;
    expect(peelcap(['--version']).stdout).toBe(`peelcap ${v}\n`);
  });

  it('a reader that goes away (| head -1) ends quietly with exit 0', async () => {
    // a capture large enough to fill the pipe many times over
    const f = join(tmp, 'big.pcap');
    const w = createWriter('pcap', f);
    w.addInterface({ linktype: 1 });
    const pkt = readFileSync(overlays).subarray(24 + 16, 24 + 16 + readFileSync(overlays).readUInt32LE(24 + 8));
    for (let i = 0; i < 200_000; i++) w.writePacket(0, pkt, 0, pkt.length, pkt.length, 1_700_000_000 + i, 0);
    await w.close();
    const out = execFileSync('bash', ['-c', `set -o pipefail; node '${bin}' read '${f}' 2>'${tmp}/err' | head -1; echo "rc=$?"`], {
      encoding: 'utf8',
    });
    expect(out.split('\n')[1]).toBe('rc=0');
    expect(out.split('\n')[0]).toMatch(/vxlan vni 1010/);
    const both = execFileSync('bash', ['-c', `set -o pipefail; node '${bin}' json '${f}' 2>'${tmp}/err2' | head -2 >/dev/null; echo $?`], {
      encoding: 'utf8',
    });
    expect(both.trim()).toBe('0');
    expect(readFileSync(join(tmp, 'err'), 'utf8')).toBe('');
    expect(readFileSync(join(tmp, 'err2'), 'utf8')).toBe('');
  });
});
