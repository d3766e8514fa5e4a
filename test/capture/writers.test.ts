/**
 * Write-then-read round trips: corpus packets written as pcap (µs, ns) and pcapng (several
 * interfaces, comments), read back by our reader and by tshark (and tcpdump for pcap).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createWriter, type WriteFormat } from '../../src/capture/index.js';
import { corpus, describeWith } from '../helpers/env.js';
import { parseFile, parseInChunks, timeString, type Got, type ParseResult } from './corpus-files.js';

const tmp = mkdtempSync(join(tmpdir(), 'peelcap-writer-'));

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

/** Comments put on some packets: ASCII, UTF-8, and one long enough to need several padding words. */
const commentFor = (frame: number): string | undefined =>
  frame % 3 === 0 ? `frame ${frame} ✓ é` : frame % 5 === 0 ? 'x'.repeat(frame) : undefined;

/** Write every packet of `src` to a new file in `format`; returns its path. */
async function copyCapture(src: ParseResult, format: WriteFormat, file: string, comments: boolean): Promise<string> {
  const w = createWriter(format, file);
  const ids = src.interfaces.map((i) =>
    w.addInterface({ linktype: i.linktype, snaplen: i.snaplen, name: i.name ?? `if${i.index}`, description: i.description }),
  );
  for (const p of src.packets) {
    const [sec, nsec] = p.time.split('.').map(Number);
    w.writePacket(ids[p.iface], p.data, 0, p.caplen, p.len, sec, nsec, comments ? commentFor(p.frame) : undefined);
  }
  await w.close();
  return file;
}

/** frame.number, interface_id, time_epoch, len, cap_len, comment as tshark reads them. */
function tsharkRows(file: string): string[][] {
  const out = run('tshark', ['-n', '-r', file, '-T', 'fields', '-E', 'separator=/t', ...['frame.number', 'frame.interface_id', 'frame.time_epoch', 'frame.len', 'frame.cap_len', 'frame.comment'].flatMap((f) => ['-e', f])]);
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t'));
}

const truncUs = (t: string): string => `${t.slice(0, -3)}000`;

describeWith({ corpus: true, tools: ['tshark'] }, 'pcapng writer round trip', () => {
  const srcPath = corpus('synthetic/multi_iface_encaps.pcapng');
  const src = parseFile(srcPath);

  it('several interfaces, mixed link types, comments: our reader and tshark see what was written', async () => {
    expect(src.interfaces.length).toBeGreaterThan(3);
    expect(new Set(src.interfaces.map((i) => i.linktype)).size).toBeGreaterThan(1);
    const file = await copyCapture(src, 'pcapng', join(tmp, 'multi.pcapng'), true);
    const back = parseFile(file);
    expect(back.error).toBeUndefined();
    expect(back.interfaces.map((i) => [i.linktype, i.snaplen, i.name, i.tsResolution])).toEqual(
      src.interfaces.map((i) => [i.linktype, i.snaplen, i.name ?? `if${i.index}`, 1e9]),
    );
    const strip = (g: Got) => ({ ...g, fileOffset: 0, comment: undefined });
    expect(back.packets.map(strip)).toEqual(src.packets.map(strip));
    expect(back.packets.map((g) => g.comment)).toEqual(src.packets.map((g) => commentFor(g.frame)));

    const rows = tsharkRows(file);
    expect(rows).toEqual(
      src.packets.map((g) => [String(g.frame), String(g.iface), g.time, String(g.len), String(g.caplen), commentFor(g.frame) ?? '']),
    );
  });

  it('interface names come out as tshark reads them (if_name, if_description)', async () => {
    const file = join(tmp, 'names.pcapng');
    const w = createWriter('pcapng', file);
    const a = w.addInterface({ linktype: 1, name: 'br-int', description: 'OVN integration bridge' });
    const b = w.addInterface({ linktype: 101, name: 'genev_sys_6081' });
    const eth = src.packets.find((p) => p.linktype === 1)!;
    w.writePacket(b, eth.data, 14, eth.caplen - 14, eth.len - 14, 4294967295, 999999999);
    w.writePacket(a, eth.data, 0, eth.caplen, eth.len, 0, 1);
    await w.close();
    const out = run('tshark', ['-n', '-r', file, '-T', 'fields', '-e', 'frame.interface_name', '-e', 'frame.interface_description', '-e', 'frame.time_epoch']);
    expect(out.trim().split('\n')).toEqual(['genev_sys_6081\t\t4294967295.999999999', 'br-int\tOVN integration bridge\t0.000000001']);
  });
});

describeWith({ corpus: true, tools: ['tshark', 'tcpdump'] }, 'pcap writer round trip', () => {
  // big-endian nanosecond source: the writers must convert byte order and keep (or cut) the ns
  const srcPath = corpus('synthetic/vxlan-BE-nsec.pcap');
  const src = parseFile(srcPath);

  for (const format of ['pcap', 'pcap-ns'] as const) {
    it(`${format}: our reader, tshark and tcpdump read the packets back`, async () => {
      const file = await copyCapture(src, format, join(tmp, `copy.${format}`), true);
      const back = parseFile(file);
      const want = src.packets.map((g) => ({ ...g, time: format === 'pcap' ? truncUs(g.time) : g.time, comment: undefined }));
      expect(back.packets.map((g) => ({ ...g, fileOffset: 0 }))).toEqual(want.map((g) => ({ ...g, fileOffset: 0 })));
      expect(back.summary!.format).toBe(format);
      expect(tsharkRows(file)).toEqual(want.map((g) => [String(g.frame), '', g.time, String(g.len), String(g.caplen), '']));
      // tcpdump prints -tt seconds.fraction; --nano asks for 9 digits
      const td = run('tcpdump', ['-n', '-tt', ...(format === 'pcap-ns' ? ['--nano'] : []), '-r', file]);
      const times = td.split('\n').filter((l) => /^\d+\.\d+ /.test(l)).map((l) => l.split(' ')[0]);
      expect(times).toEqual(want.map((g) => (format === 'pcap' ? g.time.slice(0, -3) : g.time)));
    });
  }

  it('pcap holds one link type', () => {
    const w = createWriter('pcap', new Writable({ write: (_c, _e, cb) => cb() }));
    expect(w.addInterface({ linktype: 1 })).toBe(0);
    expect(w.addInterface({ linktype: 1 })).toBe(0);
    expect(() => w.addInterface({ linktype: 101 })).toThrow(/one link type/);
    expect(() => w.writePacket(1, new Uint8Array(4), 0, 4, 4, 0, 0)).toThrow(/interface 1 was not declared/);
  });
});

describe('writer batching and backpressure', () => {
  it('a slow destination makes the writer congested; drain() resolves; bytes arrive intact and batched', async () => {
    const chunks: Buffer[] = [];
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _e, cb) {
        chunks.push(chunk);
        setTimeout(cb, 1);
      },
    });
    const w = createWriter('pcapng', slow);
    const i = w.addInterface({ linktype: 1, name: 'eth0' });
    const payload = new Uint8Array(1500).map((_, k) => k & 255);
    let sawCongestion = false;
    for (let n = 0; n < 3000; n++) {
      w.writePacket(i, payload, 0, 1000 + (n % 500), 1500, 1_700_000_000 + n, n * 333, n % 100 === 0 ? `c${n}` : undefined);
      if (w.congested) {
        sawCongestion = true;
        await w.drain();
      }
    }
    await w.close();
    expect(sawCongestion).toBe(true);
    // ~4 MB in ~1 MiB batches, not one write per packet
    expect(chunks.length).toBeLessThan(10);
    const r = parseInChunks(Buffer.concat(chunks), 65536, 'slow');
    expect(r.error).toBeUndefined();
    expect(r.packets).toHaveLength(3000);
    expect(r.packets[2999]).toMatchObject({ caplen: 1000 + (2999 % 500), len: 1500, time: timeString(1_700_002_999, 2999 * 333) });
    expect(r.packets[2999].data).toEqual(payload.subarray(0, 1000 + (2999 % 500)));
    expect(r.packets.filter((p) => p.comment !== undefined).map((p) => p.comment)).toEqual(
      Array.from({ length: 30 }, (_, k) => `c${k * 100}`),
    );
    // a caller's stream is flushed but left open
    expect(slow.writableEnded).toBe(false);
  });

  it('close() on a path resolves once the file is complete', async () => {
    const file = join(tmp, 'closed.pcap');
    const w = createWriter('pcap-ns', file);
    w.addInterface({ linktype: 101, snaplen: 65535 });
    for (let n = 0; n < 5000; n++) w.writePacket(0, new Uint8Array(400), 0, 400, 400, n, n);
    await w.close();
    expect(readFileSync(file).length).toBe(24 + 5000 * (16 + 400));
  });

  it('rejects writes after close and unknown formats', async () => {
    const w = createWriter('pcap', new Writable({ write: (_c, _e, cb) => cb() }));
    w.addInterface({ linktype: 1 });
    await w.close();
    expect(() => w.writePacket(0, new Uint8Array(1), 0, 1, 1, 0, 0)).toThrow(/after close/);
    expect(() => createWriter('pcapx' as WriteFormat, new Writable())).toThrow(/unknown capture format/);
  });
});
