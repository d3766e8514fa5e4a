/**
 * Every capture of ../shared/corpus read by our parser and compared with tshark 4.0.17's per-packet
 * oracle beside it (<file>.tshark-fields.tsv): packet count, interface id, frame.len and the
 * nanosecond timestamp as a string. Files tshark cannot read must fail with a CaptureError, except
 * the deviations listed below (each checked against another oracle).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { CaptureError } from '../../src/capture/record.js';
import { corpus, describeWith } from '../helpers/env.js';
import { corpusCaptures, parseFile, readOracle, timeString, type Got, type ParseResult } from './corpus-files.js';

/** Files tshark refuses, and what we must say about them (offsets are facts of the files). */
const REJECTED: Record<string, { cause: RegExp; offset: number; packetsBefore: number }> = {
  // The second section header (at byte 480) says version 2.0; its version field is at 480 + 12.
  'gopacket/be/test901.pcapng': { cause: /unsupported pcapng version 2\.0/, offset: 492, packetsBefore: 1 },
  'gopacket/le/test901.pcapng': { cause: /unsupported pcapng version 2\.0/, offset: 492, packetsBefore: 1 },
  // Versions live at byte 4 (pcap) and at 12 (first SHB).
  'libpcap/pcap-invalid-version-1.pcap': { cause: /unsupported pcap version 1\.4/, offset: 4, packetsBefore: 0 },
  'libpcap/pcapng-invalid-vers-1.pcapng': { cause: /unsupported pcapng version 0\.1/, offset: 12, packetsBefore: 0 },
  'libpcap/pcapng-invalid-vers-2.pcapng': { cause: /unsupported pcapng version 1\.1/, offset: 12, packetsBefore: 0 },
  // SHB says 52 bytes; bytes 48..51 are "0000" = 0x30303030 = 808464432 (libpcap reports the mismatch too).
  'libpcap/shb-option-too-long.pcapng': {
    cause: /block total length 52 in the header but 808464432 in the trailer/,
    offset: 0,
    packetsBefore: 0,
  },
};

/**
 * tshark cannot read these, yet they are well-formed enough to read; the test for each uses
 * another oracle:
 * - linktype-reserved-field-not-zero.pcap: a 24-byte header with reserved link-type bits 0x00300000.
 *   libpcap and Wireshark refuse it; we read it (0 packets) with a warning, as the project brief asks.
 * - juniper_monitor_invalid_cookie_length.pcap: tshark lacks link type 164; tcpdump reads it.
 */
const READ_DESPITE_TSHARK = new Set([
  'libpcap/linktype-reserved-field-not-zero.pcap',
  'tcpdump/juniper_monitor_invalid_cookie_length.pcap',
]);

/** Out-of-range ns fractions that tshark prints garbled; tcpdump --nano is the oracle. */
const BAD_FRACTIONS = 'tcpdump/timestamp_invalid_nano.pcap';

/** tshark's per-section interface_id: ours counts across the file (see InterfaceInfo.section). */
function perSectionIface(r: ParseResult, g: Got): number {
  const first = r.interfaces.find((i) => i.section === g.section)!;
  return g.iface - first.index;
}

/** tcpdump's "-tt --nano" lines: seconds.fraction at the start; fraction may exceed 1e9 (invalid). */
function tcpdumpTimes(path: string): string[] {
  const out = execFileSync('tcpdump', ['-n', '-tt', '--nano', '-r', path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return out
    .split('\n')
    .filter((l) => /^\d+\.\d+ /.test(l))
    .map((l) => {
      const [sec, frac] = l.split(' ')[0].split('.');
      const ns = Number(frac.padEnd(9, '0'));
      return timeString(Number(sec) + Math.floor(ns / 1e9), ns % 1e9);
    });
}

describeWith({ corpus: true }, 'corpus captures against the tshark oracle', () => {
  const files = corpusCaptures();

  it('finds the corpus', () => {
    expect(files.length).toBeGreaterThan(150);
  });

  for (const rel of files) {
    const path = corpus(rel);
    const oracle = readOracle(path);
    if (REJECTED[rel]) {
      it(`${rel}: rejected like tshark (${oracle.error.replace(/^.*\(/, '(')})`, () => {
        expect(oracle.error).not.toBe('');
        const r = parseFile(path);
        const want = REJECTED[rel];
        expect(r.error).toBeInstanceOf(CaptureError);
        const e = r.error as CaptureError;
        expect(e.message).toContain(path);
        expect(e.message).toMatch(want.cause);
        expect(e.byteOffset).toBe(want.offset);
        expect(e.message).toContain(`byte offset ${want.offset}`);
        // every packet before the fault was delivered, and it matches tshark's
        expect(r.packets.length).toBe(want.packetsBefore);
        expect(oracle.rows.length).toBe(want.packetsBefore);
      });
      continue;
    }
    if (READ_DESPITE_TSHARK.has(rel) || rel === BAD_FRACTIONS) continue;
    it(`${rel}: same packets as tshark`, () => {
      expect(oracle.error).toBe('');
      const r = parseFile(path);
      expect(r.error).toBeUndefined();
      const isNg = rel.endsWith('.pcapng');
      // pcapng custom / decryption-secrets blocks are records without an interface in tshark, not packets
      const want = oracle.rows.filter((o) => !isNg || o.iface !== '');
      expect(r.packets.length).toBe(want.length);
      const got = r.packets.map((g, i) => ({
        iface: isNg ? String(perSectionIface(r, g)) : '',
        // Simple Packet Blocks carry no timestamp: tshark prints none
        time: want[i].time === '' ? '' : g.time,
        len: g.len,
      }));
      expect(got).toEqual(want.map((o) => ({ iface: o.iface, time: o.time, len: o.len })));
      expect(r.summary!.cutOff).toBe(false);
    });
  }
});

describeWith({ corpus: true, tools: ['tcpdump'] }, 'corpus files tshark cannot read', () => {
  it('linktype-reserved-field-not-zero.pcap: read with a warning naming the reserved bits', () => {
    const r = parseFile(corpus('libpcap/linktype-reserved-field-not-zero.pcap'));
    expect(r.error).toBeUndefined();
    expect(r.packets).toHaveLength(0);
    expect(r.interfaces[0].linktype).toBe(0);
    expect(r.warnings.join('\n')).toMatch(/reserved bits set \(0x00300000\)/);
  });

  it('juniper_monitor_invalid_cookie_length.pcap (link type 164): same packets as tcpdump', () => {
    const path = corpus('tcpdump/juniper_monitor_invalid_cookie_length.pcap');
    const r = parseFile(path);
    expect(r.error).toBeUndefined();
    expect(r.interfaces[0].linktype).toBe(164);
    expect(r.packets.map((g) => g.time)).toEqual(tcpdumpTimes(path));
  });

  it('timestamp_invalid_nano.pcap: out-of-range fractions carried into the seconds, as tcpdump shows them', () => {
    const path = corpus(BAD_FRACTIONS);
    const r = parseFile(path);
    expect(r.error).toBeUndefined();
    const times = tcpdumpTimes(path);
    expect(times).toHaveLength(3);
    expect(r.packets.map((g) => g.time)).toEqual(times);
    // the first (valid) one also equals tshark's
    expect(r.packets[0].time).toBe(readOracle(path).rows[0].time);
    // the second record (the first bad one) is named by its byte offset: after the file header and record 1
    const bytes = readFileSync(path);
    const le = [0xa1b2c3d4, 0xa1b23c4d].includes(bytes.readUInt32LE(0));
    const second = 24 + 16 + (le ? bytes.readUInt32LE(24 + 8) : bytes.readUInt32BE(24 + 8));
    expect(r.warnings.join('\n')).toContain(`record at byte ${second}: timestamp fraction 1000000000 ns is out of range`);
  });
});

/** Files whose captured lengths we check against tshark's frame.cap_len (SPB snaplen rule, BE, ns, big packets). */
const CAPLEN_FILES = [
  'pcapng-test-generator/output_le/difficult/test202.pcapng',
  'pcapng-test-generator/output_be/difficult/test202.pcapng',
  'pcapng-test-generator/output_be/advanced/test102.pcapng',
  'synthetic/multi_iface_encaps.pcapng',
  'synthetic/vxlan-BE-nsec.pcap',
  'arkime/bigendian.pcap',
  'tcpdump/bigtcp-ipv4-vxlan-ipv4.pcap',
  'zeek/pcapng-multi-interface/pcapng-multi-interface.pcapng',
];

describeWith({ corpus: true, tools: ['tshark'] }, 'captured lengths against tshark frame.cap_len', () => {
  for (const rel of CAPLEN_FILES) {
    it(rel, () => {
      const path = corpus(rel);
      const out = execFileSync('tshark', ['-n', '-r', path, '-T', 'fields', '-e', 'frame.interface_id', '-e', 'frame.cap_len'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const want = out
        .split('\n')
        .filter((l) => l !== '' && !(rel.endsWith('.pcapng') && l.startsWith('\t')))
        .map((l) => Number(l.split('\t')[1]));
      const r = parseFile(path);
      expect(r.packets.map((g) => g.caplen)).toEqual(want);
      expect(want.length).toBeGreaterThan(0);
    });
  }
});

/** pcapng files with several sections, resolutions and interfaces, for the capinfos comparison. */
const INTERFACE_FILES = [
  'pcapng-test-generator/output_le/difficult/test201.pcapng',
  'pcapng-test-generator/output_be/difficult/test202.pcapng',
  'pcapng-test-generator/output_le/advanced/test102.pcapng',
  'synthetic/multi_iface_encaps.pcapng',
  'gopacket/le/test902.pcapng',
  'zeek/pcapng-multi-interface/pcapng-multi-interface.pcapng',
];

describeWith({ corpus: true, tools: ['capinfos'] }, 'interfaces against capinfos (global numbering)', () => {
  for (const rel of INTERFACE_FILES) {
    it(rel, () => {
      const path = corpus(rel);
      const out = execFileSync('capinfos', [path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      // capinfos repeats the file's whole (global) interface list under every "Section N:": take the first
      const first = out.split(/^Section \d+:$/m)[1] ?? out;
      const blocks = first.split(/^Interface #\d+ info:$/m).slice(1);
      const field = (blk: string, name: string): string | undefined =>
        blk.match(new RegExp(`^\\s+${name} = (.*)$`, 'm'))?.[1]?.trimEnd();
      const want = blocks.map((blk) => ({
        name: field(blk, 'Name'),
        snaplen: Number(field(blk, 'Capture length')),
        tsResolution: Number(field(blk, 'Time ticks per second')),
      }));
      const r = parseFile(path);
      expect(blocks.length).toBe(r.interfaces.length);
      expect(Number(out.match(/Number of interfaces in file: (\d+)/)?.[1])).toBe(r.interfaces.length);
      // capinfos prints a name on one line: compare its first line
      expect(r.interfaces.map((i) => ({ name: i.name?.split(/\r?\n/)[0].trimEnd(), snaplen: i.snaplen, tsResolution: i.tsResolution }))).toEqual(want);
      expect(r.interfaces.map((i) => i.index)).toEqual(r.interfaces.map((_, k) => k));
    });
  }
});
