/** Run a filter over a capture file with peelcap, and with tshark / tcpdump, returning frame numbers. */
import { execFileSync } from 'node:child_process';
import { createRegistry } from '../../decoders/index.js';
import { readCapture } from '../../src/capture/index.js';
import { compileFilter } from '../../src/filter/index.js';
import { PacketView } from '../../src/packet.js';
import { peel } from '../../src/peel.js';

/** Frame numbers peelcap's filter matches; `decodeAs` are peelcap --decode-as specs. */
export async function peelFrames(file: string, filter: string, decodeAs: string[] = []): Promise<number[]> {
  const reg = createRegistry();
  for (const d of decodeAs) reg.decodeAs(d);
  const f = compileFilter(filter);
  const p = new PacketView();
  const out: number[] = [];
  await readCapture(file, {
    onRecord(rec) {
      peel(p, rec, reg);
      if (f(p)) out.push(rec.frame);
    },
  });
  return out;
}

/** Frame numbers tshark's display filter matches; `decodeAs` are tshark -d specs. */
export function tsharkFrames(file: string, filter: string, decodeAs: string[] = []): number[] {
  const args = ['-n', '-r', file, ...decodeAs.flatMap((d) => ['-d', d]), '-Y', filter, '-T', 'fields', '-e', 'frame.number'];
  const out = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 26 });
  return out.split('\n').filter((l) => l !== '').map(Number);
}

/** Frame numbers tcpdump's BPF expression matches (tcpdump -# numbers packets from 1). */
export function tcpdumpFrames(file: string, expression: string): number[] {
  const out = execFileSync('tcpdump', ['-#', '-n', '-q', '-r', file, expression], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 });
  return out.split('\n').filter((l) => l !== '').map((l) => Number(l.slice(0, l.indexOf(' '))));
}
