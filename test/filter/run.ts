/** Run a filter over a capture file with peelcap, and with tshark / tcpdump, returning frame numbers. */
import { execFileSync } from 'node:child_process';
import { createRegistry } from '../../decoders/index.js';
import { readCapture } from '../../src/capture/index.js';
import { copyRecord } from '../../src/capture/record.js';
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

/** Every record of a capture (bytes and timestamp), in order. */
async function records(source: string | Uint8Array): Promise<{ ts: string; data: Uint8Array }[]> {
  const out: { ts: string; data: Uint8Array }[] = [];
  await readCapture(source, {
    onRecord(rec) {
      const r = copyRecord(rec);
      out.push({ ts: `${r.tsSec}.${r.tsNsec}`, data: r.data });
    },
  });
  return out;
}

/**
 * Frame numbers tcpdump's BPF expression matches. tcpdump -# counts printed packets, not frames, so
 * the matched packets are written out (-w -) and located in the original as an ordered subsequence.
 */
export async function tcpdumpFrames(file: string, expression: string): Promise<number[]> {
  const filtered = execFileSync('tcpdump', ['-r', file, '-w', '-', expression], { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28 });
  const all = await records(file);
  const kept = await records(new Uint8Array(filtered));
  const out: number[] = [];
  let i = 0;
  for (const k of kept) {
    while (i < all.length && !(all[i].ts === k.ts && Buffer.compare(all[i].data, k.data) === 0)) i++;
    if (i === all.length) throw new Error('tcpdump output is not a subsequence of the input');
    out.push(++i);
  }
  return out;
}
