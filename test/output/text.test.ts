/**
 * The text line writer with names of any length: topology names and host names are the one part of a
 * line without a bound (the writer reserves room for the rest, and takes the batch's view anew after
 * each name), so a line with long, non-ASCII names must equal the same line with short names where each
 * short name is replaced by its long one: through a batch that moves to a new buffer after every name,
 * and through TextSink (a batch that grows past its 128 KiB slack).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../decoders/index.js';
import { CaptureParser } from '../../src/capture/index.js';
import type { PacketView } from '../../src/packet.js';
import { ByteBatch } from '../../src/output/byte-batch.js';
import { formatLine, TextSink, writeTextLine } from '../../src/output/text.js';
import { TimeFormatter } from '../../src/output/time.js';
import type { Topology, TunnelNames } from '../../src/topology/types.js';
import { decodePacket } from '../helpers/decode.js';
import { samplesDir } from '../helpers/env.js';

const reg = createRegistry();

/** Every packet of a sample capture, each in its own view. */
function packets(file: string): PacketView[] {
  const out: PacketView[] = [];
  const parser = new CaptureParser({
    onRecord: (r) => out.push(decodePacket(r.buf.slice(r.offset, r.offset + r.caplen), reg, { linktype: r.linktype, len: r.len })),
  });
  parser.push(new Uint8Array(readFileSync(join(samplesDir, file))));
  parser.end();
  return out;
}

const KEYS = ['network', 'inport', 'outport', 'src', 'dst', 'interface', 'vm'] as const;

/** A topology naming every tunnel and host with `name(token)`. */
function topology(name: (token: string) => string): Topology {
  const names: TunnelNames = Object.fromEntries(KEYS.map((k) => [k, name(k.toUpperCase())]));
  return {
    tunnelNames: () => names,
    hostName: (ip) => name(`HOST-${ip}`),
    applyTo: () => {},
    close: () => {},
  };
}

const short = topology((t) => `<${t}>`);
const long = (n: number): Topology => topology((t) => `${'é'.repeat(n)}${t}ü`);
const lengthen = (line: string, n: number): string => line.replace(/<([A-Z0-9.:a-f-]+)>/g, (_, t: string) => `${'é'.repeat(n)}${t}ü`);

describe('text lines with long names', () => {
  const all = ['overlays.pcap', 'ovn-geneve.pcap', 'contrail-mirror.pcap'].flatMap(packets);
  const time = () => new TimeFormatter('time', false, true);

  /** A batch whose bytes move to a new buffer after every name: a writer still using the old view loses what it writes. */
  class MovingBatch extends ByteBatch {
    override text(s: string): void {
      super.text(s);
      (this as unknown as { grow(n: number): void }).grow(0);
    }
  }

  it('writes names of thousands of multi-byte characters as it writes short ones, wherever the buffer moves', () => {
    expect(all.length).toBeGreaterThan(20);
    let named = 0;
    for (const p of all) {
      const s = formatLine(p, { time: time(), topology: short });
      if (s.includes('<')) named++;
      const w = new MovingBatch();
      writeTextLine(w, p, { time: time(), topology: long(3000) });
      expect(w.buf.toString('utf8', 0, w.pos)).toBe(lengthen(s, 3000));
    }
    expect(named).toBe(all.length);
  });

  it('TextSink grows its batch for a line longer than the batch slack, and the lines stay whole', async () => {
    const chunks: Buffer[] = [];
    const out = { writeBytes: (b: Uint8Array) => chunks.push(Buffer.from(b)), afterChunk: () => undefined, end: async () => {} };
    const sink = new TextSink(out as never, { time: time(), topology: long(40_000) });
    const tunnelled = all.filter((p) => p.tunnelCount > 0).slice(0, 6);
    for (const p of tunnelled) sink.packet(p);
    await sink.end();
    const expected = tunnelled.map((p) => `${lengthen(formatLine(p, { time: time(), topology: short }), 40_000)}\n`).join('');
    expect(expected.length).toBeGreaterThan(6 * 128 * 1024);
    expect(Buffer.concat(chunks).toString('utf8')).toBe(expected);
  });
});
