/**
 * Seed inputs and generators for fuzzing: packets of the bundled samples and of the corpus, the
 * nesting bombs, and fast-check arbitraries that mutate them.
 */
import { readFileSync, statSync } from 'node:fs';
import fc from 'fast-check';
import { CaptureParser } from '../../src/capture/index.js';
import * as c from '../../samples/craft.js';
import { walkCaptures } from '../helpers/paths.js';

export interface SeedPacket {
  name: string;
  linktype: number;
  bytes: Uint8Array;
}

/** Every packet of a capture file, copied out (small files only; a Buffer's slice() would be a view). */
export function packetsOf(path: string, name = path, max = 200): SeedPacket[] {
  const out: SeedPacket[] = [];
  const parser = new CaptureParser(
    {
      onRecord(r) {
        if (out.length < max) out.push({ name: `${name}#${r.frame}`, linktype: r.linktype, bytes: new Uint8Array(r.buf.subarray(r.offset, r.offset + r.caplen)) });
      },
    },
    { name },
  );
  try {
    parser.push(readFileSync(path));
    parser.end();
  } catch {
    // a malformed corpus file still gives the packets before its fault
  }
  return out;
}

/** Capture files below `dir` (recursively), smallest first, up to `maxBytes` each. */
export function captureFiles(dir: string, maxBytes = 512 * 1024): string[] {
  return walkCaptures(dir)
    .filter((p) => statSync(p).size <= maxBytes)
    .sort((a, b) => statSync(a).size - statSync(b).size);
}

const OUTER = { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' };
const inner = () =>
  c.eth({ ...OUTER, payload: c.ipv4({ src: '10.0.0.1', dst: '10.0.0.2', payload: c.icmpEcho({ type: 'request', id: 1, seq: 1 }) }) });

/** VXLAN in VXLAN `depth` times deep, in one Ethernet frame. */
export function vxlanBomb(depth: number): Uint8Array {
  let frame = inner();
  for (let i = 0; i < depth; i++) {
    frame = c.eth({
      ...OUTER,
      payload: c.ipv4({ src: '192.0.2.1', dst: '192.0.2.2', payload: c.udp({ sport: 1000 + i, dport: 4789, checksum: false, payload: c.vxlan({ vni: i, payload: frame }) }) }),
    });
  }
  return frame;
}

/** GRE in GRE (IPv4 over GRE over IPv4…) `depth` times. */
export function greBomb(depth: number): Uint8Array {
  let ip = c.ipv4({ src: '10.0.0.1', dst: '10.0.0.2', payload: c.icmpEcho({ type: 'request', id: 1, seq: 1 }) });
  for (let i = 0; i < depth; i++) ip = c.ipv4({ src: '192.0.2.1', dst: '192.0.2.2', payload: c.gre({ proto: 0x0800, payload: ip }) });
  return c.eth({ ...OUTER, payload: ip });
}

/** An MPLS stack of `n` labels none of which has the bottom-of-stack bit, over GRE. */
export function mplsNoBottomBomb(n: number): Uint8Array {
  const stack = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    const e = ((16 + i) << 12) | 64; // S bit clear, TTL 64
    stack[i * 4] = e >>> 24;
    stack[i * 4 + 1] = (e >>> 16) & 255;
    stack[i * 4 + 2] = (e >>> 8) & 255;
    stack[i * 4 + 3] = e & 255;
  }
  return c.eth({ ...OUTER, payload: c.ipv4({ src: '192.0.2.1', dst: '192.0.2.2', payload: c.gre({ proto: 0x8847, payload: stack }) }) });
}

/** Mutations of a seed: byte sets, bit flips, truncation, insertion, deletion. */
export function mutated(seed: Uint8Array): fc.Arbitrary<Uint8Array> {
  const n = Math.max(seed.length, 1);
  const edit = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), at: fc.nat(n - 1), v: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(n - 1), v: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat(n), v: fc.constant(0) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(n), v: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(n - 1), v: fc.constant(0) }),
    // a length-like field that lies: two bytes set to an extreme
    fc.record({ kind: fc.constant('len' as const), at: fc.nat(n - 1), v: fc.constantFrom(0, 1, 0x7f, 0xff) }),
  );
  return fc.array(edit, { minLength: 1, maxLength: 6 }).map((edits) => {
    let b = new Uint8Array(seed); // a copy: mutating a view would change the seed for later cases
    for (const e of edits) {
      if (e.kind === 'set' && e.at < b.length) b[e.at] = e.v;
      else if (e.kind === 'flip' && e.at < b.length) b[e.at] ^= 1 << e.v;
      else if (e.kind === 'cut') b = b.slice(0, Math.min(e.at, b.length));
      else if (e.kind === 'insert') b = Uint8Array.from([...b.subarray(0, e.at), e.v, ...b.subarray(e.at)]);
      else if (e.kind === 'delete' && e.at < b.length) b = Uint8Array.from([...b.subarray(0, e.at), ...b.subarray(e.at + 1)]);
      else if (e.kind === 'len' && e.at + 1 < b.length) {
        b[e.at] = e.v;
        b[e.at + 1] = e.v;
      }
    }
    return b;
  });
}
