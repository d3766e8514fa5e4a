/**
 * Write-then-read round trips: corpus packets written as pcap (µs, ns) and pcapng (several
 * interfaces, comments), read back by our reader and by tshark (and tcpdump for pcap).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BATCH_BYTES, BatchOutput } from '../../src/capture/batch-output.js';
import { createWriter, type WriteFormat } from '../../src/capture/index.js';
import { cat, pattern } from '../../samples/craft.js';
import { ensureBuilt } from '../cli/run-cli.js';
import { corpus, describeWith, projectRoot } from '../helpers/env.js';
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
    // about three batches' worth of ~1250-byte packets
    const N = Math.ceil((3 * BATCH_BYTES) / 1250);
    for (let n = 0; n < N; n++) {
      w.writePacket(i, payload, 0, 1000 + (n % 500), 1500, 1_700_000_000 + n, n * 333, n % 100 === 0 ? `c${n}` : undefined);
      if (w.congested) {
        sawCongestion = true;
        await w.drain();
      }
    }
    await w.close();
    expect(sawCongestion).toBe(true);
    // in a few whole batches, not one write per packet
    expect(chunks.length).toBeLessThan(10);
    const r = parseInChunks(Buffer.concat(chunks), 65536, 'slow');
    expect(r.error).toBeUndefined();
    expect(r.packets).toHaveLength(N);
    const last = N - 1;
    expect(r.packets[last]).toMatchObject({ caplen: 1000 + (last % 500), len: 1500, time: timeString(1_700_000_000 + last, last * 333) });
    expect(r.packets[last].data).toEqual(payload.subarray(0, 1000 + (last % 500)));
    expect(r.packets.filter((p) => p.comment !== undefined).map((p) => p.comment)).toEqual(
      Array.from({ length: Math.ceil(N / 100) }, (_, k) => `c${k * 100}`),
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

describe('batch buffers', () => {
  /** Records of these sizes (some bigger than the 64-byte batch) with distinct bytes, through reserve(). */
  const sizes = [10, 60, 64, 65, 3, 200, 1, 64, 1000, 7, 63, 2];
  const records = sizes.map((n, i) => pattern(n, i * 37));
  const expected = Buffer.from(cat(...records));
  /** Yielding between records lets the stream's write callbacks run (when a buffer could be reused). */
  const fill = async (o: BatchOutput): Promise<void> => {
    for (const r of records) {
      const at = o.reserve(r.length);
      o.bytes.set(r, at);
      await new Promise(setImmediate);
    }
  };

  it('a file gets every byte in order, records bigger than a batch included', async () => {
    const file = join(tmp, 'batches.bin');
    const o = new BatchOutput(file, 64);
    await fill(o);
    await o.close();
    expect(readFileSync(file)).toEqual(expected);
  });

  it("a caller's stream keeps its chunks: later batches never overwrite them", async () => {
    const chunks: Buffer[] = [];
    const keep = new Writable({
      write(chunk: Buffer, _e, cb) {
        chunks.push(chunk); // kept, not copied: like a collector or a PassThrough
        cb();
      },
    });
    const o = new BatchOutput(keep, 64);
    await fill(o);
    await o.close();
    expect(chunks.length).toBeGreaterThan(records.length / 2);
    expect(Buffer.concat(chunks)).toEqual(expected);
  });

  it('packets bigger than a batch, between small ones, round trip through pcap and pcapng files', async () => {
    const big = pattern(BATCH_BYTES + 12345, 5);
    const small = pattern(60, 9);
    for (const format of ['pcap-ns', 'pcapng'] as const) {
      const file = join(tmp, `big.${format}`);
      const w = createWriter(format, file);
      w.addInterface({ linktype: 1, snaplen: 1 << 22 });
      const order = [small, big, small, big, big, small];
      order.forEach((d, i) => w.writePacket(0, d, 0, d.length, d.length + 4, 1_700_000_000, i, format === 'pcapng' ? `n${i}` : undefined));
      await w.close();
      const back = parseFile(file);
      expect(back.error).toBeUndefined();
      expect(back.packets.map((p) => [p.caplen, p.len, p.time])).toEqual(order.map((d, i) => [d.length, d.length + 4, timeString(1_700_000_000, i)]));
      back.packets.forEach((p, i) => expect(Buffer.from(p.data).equals(order[i]), `${format} packet ${i}`).toBe(true));
      if (format === 'pcapng') expect(back.packets.map((p) => p.comment)).toEqual(order.map((_, i) => `n${i}`));
    }
  });

  it('a head is written in front of the packet data and counted in the captured length', async () => {
    const head = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00);
    const frame = pattern(90, 3);
    for (const format of ['pcap', 'pcapng'] as const) {
      const file = join(tmp, `head.${format}`);
      const w = createWriter(format, file);
      w.addInterface({ linktype: 1 });
      // the frame from offset 10 of a larger buffer, with and without a head, comment after the data
      w.writePacket(0, frame, 10, 61, 80, 5, 6000, 'with ✓ head', head);
      w.writePacket(0, frame, 10, 61, 66, 5, 7000);
      await w.close();
      const back = parseFile(file);
      expect(back.error).toBeUndefined();
      expect(back.packets.map((p) => [p.caplen, p.len])).toEqual([
        [75, 80],
        [61, 66],
      ]);
      expect(Buffer.from(back.packets[0].data)).toEqual(Buffer.from(cat(head, frame.subarray(10, 71))));
      expect(Buffer.from(back.packets[1].data)).toEqual(Buffer.from(frame.subarray(10, 71)));
      expect(back.packets[0].comment).toBe(format === 'pcapng' ? 'with ✓ head' : undefined);
    }
  });

  it('stdout to a slow pipe: batch buffers are reused only once written (built writer in a child process)', async () => {
    ensureBuilt();
    const index = join(projectRoot, 'dist', 'src', 'capture', 'index.js');
    // rounds of ~3 MiB written without waiting (several batches in flight), then a drain: buffers recycle
    const script = `
      import { createWriter } from ${JSON.stringify(index)};
      const w = createWriter('pcap', '-');
      w.addInterface({ linktype: 1 });
      const d = new Uint8Array(1000);
      for (let i = 0; i < 12000; i++) {
        d.fill(i & 255);
        d[0] = i >> 8;
        w.writePacket(0, d, 0, 1000, 1000, i, 0);
        if (i % 3000 === 2999 && w.congested) await w.drain();
      }
      await w.close();`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const got: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => {
      got.push(c);
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), 1);
    });
    expect(await new Promise((resolve) => child.on('close', resolve))).toBe(0);
    const r = parseInChunks(Buffer.concat(got), 1 << 20, 'stdout');
    expect(r.error).toBeUndefined();
    expect(r.packets).toHaveLength(12000);
    r.packets.forEach((p, i) => {
      const want = new Uint8Array(1000).fill(i & 255);
      want[0] = i >> 8;
      if (!Buffer.from(p.data).equals(want) || p.time !== timeString(i, 0)) expect.fail(`packet ${i} damaged`);
    });
  }, 30_000);

  it('a path that cannot be opened fails the first write and close() with the system error', async () => {
    const w = createWriter('pcap', join(tmp, 'no-such-dir', 'x.pcap'));
    expect(() => w.addInterface({ linktype: 1 })).toThrow(/ENOENT/);
    await expect(w.close()).rejects.toThrow(/ENOENT/);
  });

  it.runIf(existsSync('/dev/full'))('a full disk fails the writes that follow and close()', async () => {
    const w = createWriter('pcap', '/dev/full');
    w.addInterface({ linktype: 1 });
    const d = pattern(1000);
    // a batch goes out when full; its failure reaches drain() or the next batch, whichever comes first
    const fill = async (): Promise<void> => {
      for (let i = 0; i < 4 * (BATCH_BYTES / 1000); i++) {
        w.writePacket(0, d, 0, d.length, d.length, 0, 0);
        if (w.congested) await w.drain();
      }
    };
    await expect(fill()).rejects.toThrow(/ENOSPC/);
    await expect(w.close()).rejects.toThrow(/ENOSPC/);
  });
});
