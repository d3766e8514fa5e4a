/**
 * Deterministic benchmark corpora. A few thousand distinct template packets are built once with
 * samples/craft.ts (VXLAN, Geneve + OVN option, MPLSoUDP, MPLSoGRE, Contrail mirror, QinQ, plain),
 * then cycled in a seeded pseudo-random order with increasing timestamps through the project's own
 * writers, so 10 M packets take seconds, not minutes. Same seed and count, same bytes: the first
 * 100 k packets of the 1 M file are exactly the 100 k file (the tshark slice).
 *
 *   node dist/bench/generate.js [--quick]     # into bench/corpora/, skipping files already there
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createWriter, type WriteFormat } from '../src/capture/index.js';
import {
  contrailMirror,
  eth,
  geneve,
  gre,
  icmpEcho,
  ipv4,
  ipv6,
  mirrorDstVn,
  mirrorFlags,
  mirrorHost,
  mirrorSrcVn,
  mpls,
  ovnOption,
  pattern,
  tcp,
  udp,
  vxlan,
} from '../samples/craft.js';

/** Bump when the packet mix changes: existing corpora are then regenerated. */
export const GENERATOR_VERSION = 2;
export const SEED = 0x9e3779b9;
export const TEMPLATE_COUNT = 4096;

/** Small, fast, seedable PRNG (mulberry32): 32-bit state, good enough for a traffic mix. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

export type TemplateKind = 'vxlan' | 'geneve' | 'mpls-udp' | 'mpls-gre' | 'contrail' | 'qinq' | 'plain';

/** Share of each kind among the templates (sums to 100). */
export const MIX: ReadonlyArray<[TemplateKind, number]> = [
  ['vxlan', 20],
  ['geneve', 20],
  ['mpls-udp', 15],
  ['mpls-gre', 15],
  ['contrail', 10],
  ['qinq', 10],
  ['plain', 10],
];

export interface Template {
  kind: TemplateKind;
  /** Inner L4 of the template: what an inner filter sees. */
  inner: 'icmp' | 'tcp' | 'udp';
  data: Uint8Array;
}

/** Frame size target: IMIX-like, half small, a third medium, the rest near the MTU. */
function targetSize(r: () => number): number {
  const x = r() % 100;
  if (x < 50) return 64 + (r() % 65);
  if (x < 80) return 200 + (r() % 401);
  return 1000 + (r() % 501);
}

const octet = (n: number): number => n & 255;

/** Build template `i`: distinct inner addresses per template (thousands of them in all). */
function buildTemplate(i: number, r: () => number): Template {
  let pick = r() % 100;
  let kind: TemplateKind = 'plain';
  for (const [k, w] of MIX) {
    if (pick < w) {
      kind = k;
      break;
    }
    pick -= w;
  }
  const innerPick = r() % 3;
  const inner: Template['inner'] = innerPick === 0 ? 'icmp' : innerPick === 1 ? 'tcp' : 'udp';
  const target = targetSize(r);
  const tenant = 1 + (i % 64);
  const innerSrc = `10.${tenant}.${octet(i >> 8)}.${octet(i)}`;
  const innerDst = `172.16.${octet(i * 7 >> 8)}.${octet(i * 7 + 1)}`;
  const vtepA = `192.168.${1 + (i % 8)}.${1 + (i % 50)}`;
  const vtepB = `192.168.${1 + ((i >> 3) % 8)}.${101 + (i % 50)}`;
  const sport = 49152 + (r() % 16384);
  const l4 = (pad: number): Uint8Array => {
    const payload = pattern(pad, i & 255);
    if (inner === 'icmp') return icmpEcho({ type: (i & 1) === 0 ? 'request' : 'reply', id: i & 0xffff, seq: r() & 0xffff, data: payload });
    // client ports 32768-49151 hold no tunnel port (4789, 6081, 6635, 8099…): inner UDP stays inner
    if (inner === 'tcp') return tcp({ sport: 32768 + (i % 16384), dport: [80, 443, 22, 3306][i & 3], seq: r(), ack: r(), payload });
    return udp({ sport: 32768 + (i % 16384), dport: [53, 123, 514, 5201][i & 3], payload });
  };
  const innerIp = (pad: number): Uint8Array => ipv4({ src: innerSrc, dst: innerDst, id: i & 0xffff, payload: l4(pad) });
  const innerEth = (pad: number): Uint8Array =>
    eth({ src: `fa:16:3e:${hex2(i >> 8)}:${hex2(i)}:01`, dst: `fa:16:3e:${hex2(i >> 4)}:${hex2(i * 3)}:02`, payload: innerIp(pad) });
  const outer = (payload: Uint8Array): Uint8Array =>
    eth({ src: '52:54:00:00:00:01', dst: '52:54:00:00:00:02', payload: ipv4({ src: vtepA, dst: vtepB, ttl: 64, id: r() & 0xffff, payload }) });

  const frame = (pad: number): Uint8Array => {
    switch (kind) {
      case 'vxlan':
        return outer(udp({ sport, payload: vxlan({ vni: 5000 + tenant, payload: innerEth(pad) }) }));
      case 'geneve':
        return outer(
          udp({ sport, payload: geneve({ vni: tenant, options: [ovnOption(1 + (i % 30), 1 + ((i >> 5) % 30))], payload: innerEth(pad) }) }),
        );
      case 'mpls-udp':
        return outer(udp({ sport, payload: mpls({ labels: [16 + tenant], payload: innerIp(pad) }) }));
      case 'mpls-gre':
        return outer(gre({ payload: mpls({ labels: [16 + tenant], payload: innerIp(pad) }) }));
      case 'contrail':
        return outer(
          udp({
            sport,
            payload: contrailMirror({
              tlvs: [mirrorHost(vtepA), mirrorFlags(0x40000080), mirrorSrcVn(`default-domain:proj:vn${tenant}`), mirrorDstVn('default-domain:proj:vn-analyzer')],
              payload: innerEth(pad),
            }),
          }),
        );
      case 'qinq':
        return eth({
          src: '52:54:00:00:01:01',
          dst: '52:54:00:00:01:02',
          tags: [{ tpid: 0x88a8, id: 100 + (i % 20) }, { id: tenant }],
          payload: innerIp(pad),
        });
      case 'plain':
        if (i % 5 === 0) {
          return eth({
            src: '52:54:00:00:02:01',
            dst: '52:54:00:00:02:02',
            payload: ipv6({ src: `2001:db8::${(i & 0xffff).toString(16)}`, dst: `2001:db8:1::${(i * 7 & 0xffff).toString(16)}`, payload: udp({ sport: 32768 + (i % 1000), dport: 53, payload: pattern(pad) }) }),
          });
        }
        return eth({ src: '52:54:00:00:02:01', dst: '52:54:00:00:02:02', payload: innerIp(pad) });
    }
  };
  // Build once bare to learn the header overhead, then pad the innermost payload up to the target.
  const bare = frame(0).length;
  const data = frame(Math.max(0, target - bare));
  return { kind, inner, data };
}

const hex2 = (n: number): string => (n & 255).toString(16).padStart(2, '0');

/** The template table (deterministic). */
export function buildTemplates(count = TEMPLATE_COUNT, seed = SEED): Template[] {
  const r = prng(seed);
  const out: Template[] = [];
  for (let i = 0; i < count; i++) out.push(buildTemplate(i, r));
  return out;
}

/** One corpus file to produce. */
export interface CorpusSpec {
  file: string;
  format: WriteFormat;
  packets: number;
}

interface ManifestEntry extends CorpusSpec {
  version: number;
  seed: number;
  templates: number;
  bytes: number;
}

/** Write `packets` packets cycling the templates in a seeded order, timestamps strictly increasing. */
export async function writeCorpus(path: string, format: WriteFormat, packets: number, templates: Template[], seed = SEED): Promise<number> {
  const w = createWriter(format, path);
  w.addInterface({ linktype: 1, snaplen: 65535, name: format === 'pcapng' ? 'bench0' : undefined });
  const r = prng(seed ^ 0x5bd1e995);
  const n = templates.length;
  let sec = 1_700_000_000;
  let usec = 0;
  for (let k = 0; k < packets; k++) {
    const t = templates[r() % n].data;
    usec += 1 + (k & 15); // deterministic, increasing, µs precision (pcap and pcapng agree)
    if (usec >= 1_000_000) {
      sec++;
      usec -= 1_000_000;
    }
    w.writePacket(0, t, 0, t.length, t.length, sec, usec * 1000);
    if ((k & 1023) === 0 && w.congested) await w.drain();
  }
  await w.close();
  return statSync(path).size;
}

/** bench/corpora of the project (works from bench/ and from dist/bench/). */
export function corporaDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the project root (package.json)');
    dir = up;
  }
  return join(dir, 'bench', 'corpora');
}

/** The corpora of a full or a quick run. `slice` is the tshark input: the first packets of `main`. */
export function corpusSet(quick: boolean): { main: CorpusSpec; ng: CorpusSpec; slice: CorpusSpec; big?: CorpusSpec } {
  if (quick) {
    return {
      main: { file: 'mix-20k.pcap', format: 'pcap', packets: 20_000 },
      ng: { file: 'mix-20k.pcapng', format: 'pcapng', packets: 20_000 },
      slice: { file: 'mix-5k.pcap', format: 'pcap', packets: 5_000 },
    };
  }
  return {
    main: { file: 'mix-1m.pcap', format: 'pcap', packets: 1_000_000 },
    ng: { file: 'mix-1m.pcapng', format: 'pcapng', packets: 1_000_000 },
    slice: { file: 'mix-100k.pcap', format: 'pcap', packets: 100_000 },
    big: { file: 'mix-10m.pcap', format: 'pcap', packets: 10_000_000 },
  };
}

/** Make sure each corpus exists with the current parameters; regenerate only what is missing or stale. */
export async function ensureCorpora(specs: CorpusSpec[], dir = corporaDir(), log: (m: string) => void = () => {}): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const manifestPath = join(dir, 'manifest.json');
  let manifest: Record<string, ManifestEntry> = {};
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, ManifestEntry>;
  } catch {
    // no manifest yet: everything is generated
  }
  let templates: Template[] | undefined;
  const paths: string[] = [];
  for (const s of specs) {
    const path = join(dir, s.file);
    paths.push(path);
    const m = manifest[s.file];
    const fresh =
      m !== undefined &&
      m.version === GENERATOR_VERSION &&
      m.seed === SEED &&
      m.templates === TEMPLATE_COUNT &&
      m.packets === s.packets &&
      m.format === s.format &&
      existsSync(path) &&
      statSync(path).size === m.bytes;
    if (fresh) continue;
    templates ??= buildTemplates();
    const t0 = Date.now();
    const bytes = await writeCorpus(path, s.format, s.packets, templates);
    log(`generated ${s.file}: ${s.packets} packets, ${(bytes / 1e6).toFixed(0)} MB in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    manifest[s.file] = { ...s, version: GENERATOR_VERSION, seed: SEED, templates: TEMPLATE_COUNT, bytes };
    writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  }
  return paths;
}

async function main(argv: string[]): Promise<void> {
  const set = corpusSet(argv.includes('--quick'));
  const specs = [set.main, set.ng, set.slice, ...(set.big ? [set.big] : [])];
  const out = argv.includes('--out') ? resolve(argv[argv.indexOf('--out') + 1]) : corporaDir();
  for (const p of await ensureCorpora(specs, out, (m) => process.stdout.write(`${m}\n`))) process.stdout.write(`${p}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`bench/generate: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
