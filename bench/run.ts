/**
 * `npm run bench`: peelcap against tshark, tcpdump and editcap on the same generated corpora, runs
 * alternating between the tools, medians reported with packets/s, the ratio per pair and peak RSS.
 * Writes the table to bench/RESULTS.md (with the machine, versions and date) and to stdout.
 *
 *   node dist/bench/run.js [--quick] [--runs N] [--only TASK] [--out FILE]
 *
 * TASK: stats, filter, strip, json, jobs, memory. `--quick` uses a 20 k-packet corpus, one run and
 * writes bench/corpora/RESULTS-quick.md unless --out says otherwise (the smoke test uses it).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { corporaDir, corpusSet, ensureCorpora, type CorpusSpec } from './generate.js';
import { measure, median } from './measure.js';
import { planRanges } from '../src/parallel/split.js';

export const TASKS = ['stats', 'filter', 'strip', 'json', 'jobs', 'memory'] as const;
export type TaskId = (typeof TASKS)[number];

/** The inner filter of the benchmark, in peelcap's language and in tshark's. */
export const PEELCAP_FILTER = 'geneve and inner.icmp';
const TSHARK_FILTER = 'geneve && icmp';
/** libpcap's own Geneve primitive: used when `peelcap bpf` cannot translate the filter. */
const BPF_FALLBACK = 'geneve and icmp';

interface BenchOptions {
  quick: boolean;
  runs: number;
  only?: TaskId;
  out: string;
}

/** One command of a task. */
interface Entry {
  tool: string;
  /** What it does, shown in the table. */
  label: string;
  cmd: string;
  /** Packets in its input (pps = packets / median seconds). */
  packets: number;
  input: string;
  /** Index of the entry this one's ratio is computed against (the peelcap baseline); -1: none. */
  against: number;
  note?: string;
}

interface Result extends Entry {
  seconds: number[];
  /** peelcap: wall seconds of the same command on an empty capture (start-up and set-up: the fixed cost). */
  fixed: number[];
  /** User + system CPU seconds of each run. */
  cpu: number[];
  rssKiB: number[];
  error?: string;
}

interface Task {
  id: TaskId;
  title: string;
  entries: Entry[];
  /** How to read the ratio column for this task. */
  ratioMeaning: string;
}

const root = projectRoot();
/** The command users run: package.json "bin" (the bundle). */
const peelcap = `node ${join(root, (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: { peelcap: string } }).bin.peelcap)}`;

function projectRoot(): string {
  let dir = dirname(new URL(import.meta.url).pathname);
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the project root (package.json)');
    dir = up;
  }
  return dir;
}

function parseOptions(argv: string[]): BenchOptions {
  const quick = argv.includes('--quick');
  const at = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${name} needs a value`);
    return v;
  };
  const runsText = at('--runs');
  const runs = runsText === undefined ? (quick ? 1 : 3) : Number(runsText);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs wants a whole number >= 1, got '${runsText}'`);
  const only = at('--only');
  if (only !== undefined && !(TASKS as readonly string[]).includes(only)) throw new Error(`--only wants one of ${TASKS.join(', ')}, got '${only}'`);
  const out = at('--out') ?? (quick ? join(corporaDir(), 'RESULTS-quick.md') : join(root, 'bench', 'RESULTS.md'));
  return { quick, runs, only: only as TaskId | undefined, out: resolve(out) };
}

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Environment that makes --jobs start every thread asked for, however small the capture. */
const FORCE = 'PEELCAP_THREAD_BYTES=1';

/** The BPF that `peelcap bpf` gives for the filter; libpcap's `geneve` primitive when it cannot. */
function bpfExpression(): { expr: string; note: string } {
  try {
    const out = execFileSync('sh', ['-c', `${peelcap} bpf ${q(PEELCAP_FILTER)}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    const firstLine = out.split('\n')[0];
    if (firstLine && !firstLine.includes('[object') && !firstLine.startsWith('#')) return { expr: firstLine, note: 'BPF from `peelcap bpf`' };
  } catch {
    // fall through
  }
  return { expr: BPF_FALLBACK, note: "`peelcap bpf` gave no expression: libpcap's `geneve and icmp`" };
}

function buildTasks(paths: { main: string; ng: string; slice: string; big?: string }, sizes: { main: number; slice: number; big?: number }, scratch: string): Task[] {
  const { main, ng, slice, big } = paths;
  const N = sizes.main;
  const S = sizes.slice;
  const bpf = bpfExpression();
  const sliceNote = `tshark on the first ${S.toLocaleString('en')} packets (same mix); rates compared`;
  const stripNote = '--eth: every inner frame is written (inner IP packets get an Ethernet header); without it a pcap keeps only frames of the first frame\'s link type';
  const editcapNote = 'no incumbent decapsulates these tunnels: editcap copying the file is a reference rate for the same bytes, not the same work';
  const mib = Math.round(statSync(main).size / 2 ** 20);
  const oneThread = mib < 1024 ? `runs on one thread: a ${mib} MiB capture is below the ~1 GiB a second thread needs to pay for its start-up` : undefined;
  const forcedNote = `${FORCE}: two threads whatever the size (what the default avoids)`;
  const tasks: Task[] = [
    {
      id: 'stats',
      title: 'decode + count',
      ratioMeaning: 'peelcap packets/s ÷ this tool\'s packets/s',
      entries: [
        { tool: 'peelcap', label: 'stats (pcap)', cmd: `${peelcap} stats ${main}`, packets: N, input: main, against: -1 },
        { tool: 'tshark', label: '-q -z io,stat,0', cmd: `tshark -n -q -z io,stat,0 -r ${slice}`, packets: S, input: slice, against: 0, note: sliceNote },
        { tool: 'tcpdump', label: '-r F -w /dev/null (copy, no decode)', cmd: `tcpdump -r ${main} -w /dev/null`, packets: N, input: main, against: 0 },
        { tool: 'peelcap', label: 'stats (pcapng)', cmd: `${peelcap} stats ${ng}`, packets: N, input: ng, against: -1 },
        { tool: 'tcpdump', label: '-r F.pcapng -w /dev/null', cmd: `tcpdump -r ${ng} -w /dev/null`, packets: N, input: ng, against: 3 },
      ],
    },
    {
      id: 'filter',
      title: `inner filter (${PEELCAP_FILTER})`,
      ratioMeaning: 'peelcap packets/s ÷ this tool\'s packets/s',
      entries: [
        { tool: 'peelcap', label: `read F '${PEELCAP_FILTER}'`, cmd: `${peelcap} read ${main} ${q(PEELCAP_FILTER)}`, packets: N, input: main, against: -1 },
        { tool: 'tshark', label: `-Y '${TSHARK_FILTER}'`, cmd: `tshark -n -r ${slice} -Y ${q(TSHARK_FILTER)}`, packets: S, input: slice, against: 0, note: sliceNote },
        { tool: 'tcpdump', label: `-n -r F '<bpf>'`, cmd: `tcpdump -n -r ${main} ${q(bpf.expr)}`, packets: N, input: main, against: 0, note: bpf.note },
      ],
    },
    {
      id: 'strip',
      title: 'decapsulate to pcap',
      ratioMeaning: 'peelcap packets/s ÷ this tool\'s packets/s',
      entries: [
        { tool: 'peelcap', label: 'strip --eth F -w out.pcap', cmd: `${peelcap} strip -q --eth ${main} -w ${join(scratch, 'strip.pcap')}`, packets: N, input: main, against: -1, note: stripNote },
        { tool: 'editcap', label: 'editcap F out.pcap (plain copy)', cmd: `editcap ${main} ${join(scratch, 'editcap.pcap')}`, packets: N, input: main, against: 0, note: editcapNote },
        {
          tool: 'cp',
          label: 'cp F out.pcap',
          cmd: `cp ${main} ${join(scratch, 'cp.pcap')}`,
          packets: N,
          input: main,
          against: 0,
          note: 'copies the input inside the kernel (copy_file_range, no user-space buffers): a floor for writing about as many bytes as strip writes, not the same work',
        },
        { tool: 'peelcap', label: 'strip --eth F -w /dev/null', cmd: `${peelcap} strip -q --eth ${main} -w /dev/null`, packets: N, input: main, against: -1, note: 'no disk writes: the decoding and encoding rate' },
        { tool: 'editcap', label: 'editcap F /dev/null (plain copy)', cmd: `editcap ${main} /dev/null`, packets: N, input: main, against: 3, note: editcapNote },
      ],
    },
    {
      id: 'json',
      title: 'JSON lines',
      ratioMeaning: 'peelcap packets/s ÷ this tool\'s packets/s',
      entries: [
        { tool: 'peelcap', label: 'json F', cmd: `${peelcap} json ${main}`, packets: N, input: main, against: -1 },
        { tool: 'tshark', label: '-T ek', cmd: `tshark -n -T ek -r ${slice}`, packets: S, input: slice, against: 0, note: sliceNote },
      ],
    },
    {
      id: 'jobs',
      title: '--jobs 2 (worker threads)',
      ratioMeaning: 'speed-up over the same command with --jobs 1',
      entries: [
        { tool: 'peelcap', label: 'stats --jobs 1', cmd: `${peelcap} stats --jobs 1 ${main}`, packets: N, input: main, against: -1 },
        { tool: 'peelcap', label: 'stats --jobs 2', cmd: `${peelcap} stats --jobs 2 ${main}`, packets: N, input: main, against: -2, note: oneThread },
        { tool: 'peelcap', label: 'stats --jobs 2, two threads forced', cmd: `${FORCE} ${peelcap} stats --jobs 2 ${main}`, packets: N, input: main, against: 0, note: forcedNote },
        { tool: 'peelcap', label: `read --jobs 1 '${PEELCAP_FILTER}'`, cmd: `${peelcap} read --jobs 1 ${main} ${q(PEELCAP_FILTER)}`, packets: N, input: main, against: -1 },
        { tool: 'peelcap', label: `read --jobs 2 '${PEELCAP_FILTER}'`, cmd: `${peelcap} read --jobs 2 ${main} ${q(PEELCAP_FILTER)}`, packets: N, input: main, against: -2, note: oneThread },
        {
          tool: 'peelcap',
          label: `read --jobs 2 '${PEELCAP_FILTER}', two threads forced`,
          cmd: `${FORCE} ${peelcap} read --jobs 2 ${main} ${q(PEELCAP_FILTER)}`,
          packets: N,
          input: main,
          against: 3,
          note: forcedNote,
        },
      ],
    },
  ];
  if (big && sizes.big) {
    const B = sizes.big;
    // the filter target is "at least libpcap's own read-and-copy rate on the same file": this one too
    tasks.find((t) => t.id === 'filter')!.entries.push({
      tool: 'tcpdump',
      label: `-r F -w /dev/null (${B.toLocaleString('en')} packets; copy, no decode)`,
      cmd: `tcpdump -r ${big} -w /dev/null`,
      packets: B,
      input: big,
      against: -1,
      note: `libpcap reading and copying the ${B.toLocaleString('en')}-packet file: the reference for the \`read --jobs\` filter rows on it below`,
    });
    const jobs = tasks.find((t) => t.id === 'jobs')!;
    jobs.entries.push(
      { tool: 'peelcap', label: `stats --jobs 1 (${B.toLocaleString('en')} packets)`, cmd: `${peelcap} stats --jobs 1 ${big}`, packets: B, input: big, against: -1 },
      { tool: 'peelcap', label: `stats --jobs 2 (${B.toLocaleString('en')} packets)`, cmd: `${peelcap} stats --jobs 2 ${big}`, packets: B, input: big, against: -2 },
      { tool: 'peelcap', label: `read --jobs 1 filter (${B.toLocaleString('en')} packets)`, cmd: `${peelcap} read --jobs 1 ${big} ${q(PEELCAP_FILTER)}`, packets: B, input: big, against: -1 },
      { tool: 'peelcap', label: `read --jobs 2 filter (${B.toLocaleString('en')} packets)`, cmd: `${peelcap} read --jobs 2 ${big} ${q(PEELCAP_FILTER)}`, packets: B, input: big, against: -2 },
    );
  }
  const memory: Entry[] = [{ tool: 'peelcap', label: `stats, ${N.toLocaleString('en')} packets`, cmd: `${peelcap} stats ${main}`, packets: N, input: main, against: -1 }];
  if (big && sizes.big) {
    memory.push({ tool: 'peelcap', label: `stats, ${sizes.big.toLocaleString('en')} packets`, cmd: `${peelcap} stats ${big}`, packets: sizes.big, input: big, against: -1 });
  }
  tasks.push({ id: 'memory', title: 'peak memory (flat-memory check)', ratioMeaning: '', entries: memory });
  return tasks;
}

/** Speed-up rows (against -2) compare with the entry just above them. */
function baselineIndex(e: Entry, i: number): number {
  return e.against === -2 ? i - 1 : e.against;
}

function runTask(t: Task, runs: number, log: (m: string) => void): Result[] {
  const results: Result[] = t.entries.map((e) => ({ ...e, seconds: [], fixed: [], cpu: [], rssKiB: [] }));
  for (let r = 0; r < runs; r++) {
    // alternate: every tool once per round, so drift (caches, other load) hits all of them alike
    for (const res of results) {
      if (res.error) continue;
      try {
        // every tool reads its input from the page cache: this machine reclaims cold file pages, and
        // the 10 M-packet file and another do not stay cached together
        warmInput(res.input);
        const m = measure(res.cmd);
        res.seconds.push(m.seconds);
        res.cpu.push(m.cpuSeconds);
        res.rssKiB.push(m.maxRssKiB);
        if (res.tool === 'peelcap') res.fixed.push(measure(res.cmd.split(res.input).join(emptyCapture(res.input))).seconds);
        log(`  ${t.id} ${res.tool} ${res.label}: ${m.seconds.toFixed(3)} s, ${(m.maxRssKiB / 1024).toFixed(0)} MB`);
      } catch (e) {
        res.error = (e as Error).message.split('\n').slice(0, 3).join(' ').slice(0, 300);
        log(`  ${t.id} ${res.tool} ${res.label}: FAILED ${res.error}`);
      }
    }
  }
  return results;
}

/** A capture with the header of `input` and no packets (beside it): the same command on it costs only start-up. */
function emptyCapture(input: string): string {
  let path = emptyOf.get(input);
  if (path === undefined) {
    path = join(dirname(input), `empty-of-${basename(input)}`);
    // the blocks before the first packet: pcap's file header, pcapng's SHB and IDBs (no cuts planned)
    writeFileSync(path, planRanges(input, Number.MAX_SAFE_INTEGER).prefix);
    emptyOf.set(input, path);
  }
  return path;
}
const emptyOf = new Map<string, string>();

/** Streaming rate of a peelcap run: packets over its median time less the command's fixed cost. */
function streamingRate(r: Result): number {
  return r.seconds.length && r.fixed.length ? r.packets / Math.max(median(r.seconds) - median(r.fixed), 1e-3) : NaN;
}

/** Read a file once, untimed, so the measured run finds it in the page cache. */
function warmInput(path: string): void {
  execFileSync('sh', ['-c', 'cat "$1" > /dev/null', 'sh', path]);
}

const pps = (r: Result): number => (r.seconds.length ? r.packets / median(r.seconds) : NaN);

/**
 * The most `--jobs 2` can gain over a `--jobs 1` run on two cores: the same CPU work spread evenly
 * over both (2 x wall / CPU). `--jobs 1` already keeps more than one core busy (the file is read on
 * a libuv thread, V8 compiles and collects on helper threads), so this is below 2.
 */
const twoCoreCeiling = (one: Result): number => (one.seconds.length ? (2 * median(one.seconds)) / median(one.cpu) : NaN);

function fmtRate(x: number): string {
  if (!Number.isFinite(x)) return '—';
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)} M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)} k`;
  return x.toFixed(0);
}

function toolVersion(cmd: string): string {
  try {
    const lines = execFileSync('sh', ['-c', `${cmd} 2>&1`], { encoding: 'utf8' }).split('\n');
    return (lines.find((l) => l.trim() && !l.startsWith('Running as user')) ?? '').trim();
  } catch {
    return 'not installed';
  }
}

function machine(): string[] {
  let model = cpus()[0]?.model ?? 'unknown';
  try {
    const m = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) model = m[1].trim();
  } catch {
    // not Linux: os.cpus() model
  }
  const nproc = toolVersion('nproc');
  return [
    `- date: ${new Date().toISOString()}`,
    `- machine: ${nproc} CPUs (nproc), ${model}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory`,
    `- Node ${process.version}; ${toolVersion('tshark --version')}; ${toolVersion('tcpdump --version')}; ${toolVersion('editcap --version')}`,
  ];
}

interface Targets {
  lines: string[];
}

function find(all: Map<TaskId, Result[]>, task: TaskId, pred: (r: Result) => boolean): Result | undefined {
  return all.get(task)?.find(pred);
}

function verdict(ok: boolean | undefined): string {
  return ok === undefined ? 'not measured' : ok ? '**met**' : '**not met**';
}

/** Where we stand against each target of issue 7. */
function targets(all: Map<TaskId, Result[]>): Targets {
  const warm = (r: Result | undefined): string => (r && r.fixed.length ? `; ${fmtRate(streamingRate(r))} packets/s without start-up` : '');
  const lines: string[] = [];
  const filter = find(all, 'filter', (r) => r.tool === 'peelcap');
  const tsharkFilter = find(all, 'filter', (r) => r.tool === 'tshark');
  const tcpdumpCopy = find(all, 'stats', (r) => r.tool === 'tcpdump' && r.input.endsWith('.pcap'));
  const fRate = filter ? pps(filter) : NaN;
  const have = (x: number): boolean | undefined => (Number.isFinite(x) ? true : undefined);
  // the same filter on the 10 M-packet file (the --jobs rows), against libpcap's copy of that file
  const bigCopy = find(all, 'filter', (r) => r.tool === 'tcpdump' && r.against === -1);
  const bigRows = (all.get('jobs') ?? []).filter((r) => r.input === bigCopy?.input && r.label.startsWith('read --jobs'));
  const onBig = bigCopy
    ? `; ${bigCopy.packets.toLocaleString('en')} packets: ${bigRows.map((r) => `${fmtRate(pps(r))} packets/s with ${/--jobs \d+/.exec(r.label)?.[0]}`).join(', ')} (libpcap copy: ${fmtRate(pps(bigCopy))})`
    : '';
  lines.push(
    `| decode + inner filter >= 5 M packets/s | ${fmtRate(fRate)} packets/s${warm(filter)} (libpcap copy: ${tcpdumpCopy ? fmtRate(pps(tcpdumpCopy)) : '—'})${onBig} | ${verdict(have(fRate) && fRate >= 5e6)} |`,
  );
  const vsTshark = tsharkFilter ? fRate / pps(tsharkFilter) : NaN;
  lines.push(`| decode + inner filter >= 50x tshark | ${Number.isFinite(vsTshark) ? `${vsTshark.toFixed(0)}x` : '—'} | ${verdict(have(vsTshark) && vsTshark >= 50)} |`);
  const strip = find(all, 'strip', (r) => r.tool === 'peelcap' && !r.label.includes('/dev/null'));
  const stripNull = find(all, 'strip', (r) => r.tool === 'peelcap' && r.label.includes('/dev/null'));
  const copy = find(all, 'strip', (r) => r.tool === 'cp');
  const sRate = strip ? pps(strip) : NaN;
  const sNull = stripNull ? pps(stripNull) : NaN;
  lines.push(
    `| strip to pcap >= 3 M packets/s | to a file: ${fmtRate(sRate)} packets/s${warm(strip)} (\`cp\` of the input: ${copy ? fmtRate(pps(copy)) : '—'}); to /dev/null: ${fmtRate(sNull)} packets/s${warm(stripNull)} | ${verdict(have(sRate) && sRate >= 3e6)} |`,
  );
  const json = find(all, 'json', (r) => r.tool === 'peelcap');
  const jRate = json ? pps(json) : NaN;
  lines.push(`| JSON lines >= 1 M packets/s | ${fmtRate(jRate)} packets/s${warm(json)} | ${verdict(have(jRate) && jRate >= 1e6)} |`);
  const mem = all.get('memory') ?? [];
  const rss = mem.filter((r) => r.rssKiB.length).map((r) => `${(Math.max(...r.rssKiB) / 1024).toFixed(0)} MB (${r.packets.toLocaleString('en')} packets)`);
  const rssOk = mem.length ? mem.every((r) => r.rssKiB.length && Math.max(...r.rssKiB) <= 150 * 1024) : undefined;
  lines.push(`| peak RSS <= 150 MB on the 1 M and 10 M files | ${rss.join(', ') || '—'} | ${verdict(rssOk)} |`);
  const jobs = all.get('jobs') ?? [];
  for (const what of ['stats', 'read']) {
    // every `--jobs 2` row against the `--jobs 1` row above it, per input size
    const speeds: string[] = [];
    const oks: boolean[] = [];
    jobs.forEach((two, i) => {
      const b = baselineIndex(two, i);
      if (b < 0 || !two.label.startsWith(`${what} --jobs 2`)) return;
      const one = jobs[b];
      const speed = pps(two) / pps(one);
      const forced = two.label.endsWith('forced') ? ', two threads forced' : '';
      if (Number.isFinite(speed)) {
        speeds.push(`${speed.toFixed(2)}x on ${two.packets.toLocaleString('en')} packets${forced} (ceiling ${twoCoreCeiling(one).toFixed(2)}x)`);
        if (!forced) oks.push(speed >= 1.6);
      } else {
        speeds.push(`failed: ${(two.error ?? one.error ?? '').slice(0, 80)}`);
      }
    });
    const status = oks.length === 0 ? 'not measured' : oks.every(Boolean) ? '**met**' : oks.some(Boolean) ? '**met on some inputs only**' : '**not met**';
    lines.push(`| --jobs 2 >= 1.6x for ${what === 'read' ? 'decode + filter' : 'stats'} | ${speeds.join('; ') || '—'} | ${status} |`);
  }
  return { lines };
}

/** What every peelcap time includes, and how much two threads can get from this machine right now. */
interface Context {
  /** Median wall time of `peelcap --version` (Node start-up and module loading). */
  startup: number;
  /** CPU-bound work done by two processes at once, relative to one (2.0 = two free cores). */
  twoCoreCapacity: number;
  /** Median wall time of one fixed CPU-bound loop: compares this machine's speed between runs. */
  spin: number;
}

const SPIN = `node -e "let x=0;for(let i=0;i<4e8;i++)x+=i&1;if(x<0)console.log(x)"`;

function measureContext(runs: number, log: (m: string) => void): Context {
  const start: number[] = [];
  const one: number[] = [];
  const two: number[] = [];
  for (let r = 0; r < Math.max(runs, 3); r++) {
    start.push(measure(`${peelcap} --version`).seconds);
    one.push(measure(SPIN).seconds);
    two.push(measure(`${SPIN} & ${SPIN}; wait`).seconds);
  }
  const c = { startup: median(start), twoCoreCapacity: (2 * median(one)) / median(two), spin: median(one) };
  log(`start-up ${c.startup.toFixed(3)} s; two-process CPU capacity ${c.twoCoreCapacity.toFixed(2)}x`);
  return c;
}

function render(o: BenchOptions, tasks: Task[], all: Map<TaskId, Result[]>, corpora: string[], ctx: Context): string {
  const out: string[] = [];
  out.push('# peelcap benchmark results', '');
  out.push(`Generated by \`npm run bench${o.quick ? ' -- --quick' : ''}\` (bench/run.ts). Wall time of the whole command (Node start-up`);
  out.push(`included) under \`/usr/bin/time -v\`, output to /dev/null, input read once beforehand (from the page cache);`);
  out.push(`median of ${o.runs} run${o.runs === 1 ? '' : 's'}, tools alternating.`, '');
  out.push(...machine());
  out.push(`- peelcap start-up (\`peelcap --version\`, included in every peelcap time): ${ctx.startup.toFixed(3)} s`);
  out.push(
    `- CPU speed reference: a fixed loop (\`node -e\`, 4e8 iterations) took ${ctx.spin.toFixed(3)} s; this shared VM's speed varies over a day, so compare runs by this line and the tcpdump/tshark rows`,
    `- CPU capacity for two threads during this run: ${ctx.twoCoreCapacity.toFixed(2)}x one thread (two CPU-bound processes at once; 2.00 = two free cores)`,
    '',
  );
  out.push('Corpora (bench/generate.ts, deterministic, seeded; VXLAN, Geneve+OVN option, MPLSoUDP, MPLSoGRE, Contrail mirror, QinQ, plain; 64–1500 B):', '');
  for (const c of corpora) out.push(`- ${c}`);
  out.push('');
  out.push('| task | tool | command | packets | median s | packets/s | packets/s w/o start-up | peak RSS | ratio | note |');
  out.push('|---|---|---|---:|---:|---:|---:|---:|---:|---|');
  for (const t of tasks) {
    const res = all.get(t.id);
    if (!res) continue;
    res.forEach((r, i) => {
      const b = baselineIndex(r, i);
      let ratio = '';
      if (b >= 0 && res[b]) {
        const x = t.id === 'jobs' ? pps(r) / pps(res[b]) : pps(res[b]) / pps(r);
        ratio = Number.isFinite(x) ? `${x.toFixed(x >= 10 ? 0 : 2)}x` : '—';
      }
      const med = r.seconds.length ? median(r.seconds).toFixed(3) : '—';
      const rss = r.rssKiB.length ? `${(Math.max(...r.rssKiB) / 1024).toFixed(0)} MB` : '—';
      const cpu = t.id === 'jobs' && r.cpu.length ? `CPU ${median(r.cpu).toFixed(2)} s (${(median(r.cpu) / median(r.seconds)).toFixed(2)} cores busy)` : undefined;
      const ceiling = t.id === 'jobs' && b >= 0 && res[b] ? `ceiling on 2 cores: ${twoCoreCeiling(res[b]).toFixed(2)}x` : undefined;
      const note = [r.note, cpu, ceiling, r.error ? `FAILED: ${r.error.replace(/\|/g, '/')}` : undefined].filter(Boolean).join('; ');
      const warm = r.tool === 'peelcap' && r.fixed.length ? fmtRate(streamingRate(r)) : '';
      out.push(`| ${t.title} | ${r.tool} | \`${r.label.replace(/\|/g, '/')}\` | ${r.packets.toLocaleString('en')} | ${med} | ${fmtRate(pps(r))} | ${warm} | ${rss} | ${ratio} | ${note} |`);
    });
  }
  out.push('');
  out.push('Ratio: for the tool comparisons, peelcap packets/s ÷ that tool\'s packets/s (above 1: peelcap is faster); for');
  out.push('`--jobs 2`, the speed-up over the `--jobs 1` row of the same command. tshark reads a slice of the corpus (the same packet mix)');
  out.push('because it runs at tens of kpps; packets/s rates are compared, not times.', '');
  out.push('Reading the numbers:', '');
  out.push('- Every peelcap time includes Node start-up and set-up; "w/o start-up" subtracts the same command\'s median time on an');
  out.push('  empty capture (file header only), for the streaming rate.');
  out.push('- `tcpdump -r F -w /dev/null` and `editcap` only copy records (no decoding): they bound what reading the file costs.');
  out.push('- `--jobs 1` already keeps more than one core busy: the file is read on a libuv thread (the kernel\'s page-cache');
  out.push('  copy) while the main thread decodes, and V8 compiles and collects garbage on helper threads. Its "cores busy" note');
  out.push('  says how much; `--jobs 2` can at best spread that same CPU time over both cores, hence the "ceiling" (2 x wall / CPU),');
  out.push('  and each worker also boots its own V8 isolate and compiles the decoders again. The capacity line above says how');
  out.push('  much of a second core was free during the run.');
  out.push('- That start-up (~0.3 s of CPU per thread) is why `--jobs` starts a thread beyond the first only per ~1 GiB of');
  out.push(`  capture: below that, \`--jobs 2\` runs one thread; the "two threads forced" rows (${FORCE}) show what two would cost.`, '');
  out.push('## Targets (issue 7)', '');
  out.push('| target | measured | status |', '|---|---|---|');
  out.push(...targets(all).lines);
  out.push('');
  return `${out.join('\n')}\n`;
}

export async function runBench(argv: string[], log: (m: string) => void = (m) => process.stderr.write(`${m}\n`)): Promise<string> {
  const o = parseOptions(argv);
  const set = corpusSet(o.quick);
  const wantBig = !o.quick && (o.only === undefined || o.only === 'memory' || o.only === 'jobs');
  const specs: CorpusSpec[] = [set.main, set.ng, set.slice, ...(wantBig && set.big ? [set.big] : [])];
  const dir = corporaDir();
  const paths = await ensureCorpora(specs, dir, log);
  const [main, ng, slice, big] = paths;
  const scratch = join(dir, 'scratch');
  mkdirSync(scratch, { recursive: true });
  const tasks = buildTasks({ main, ng, slice, big }, { main: set.main.packets, slice: set.slice.packets, big: wantBig ? set.big?.packets : undefined }, scratch);
  const context = measureContext(o.runs, log);
  const all = new Map<TaskId, Result[]>();
  for (const t of tasks) {
    if (o.only && t.id !== o.only) continue;
    log(`${t.title}:`);
    all.set(t.id, runTask(t, o.runs, log));
  }
  rmSync(scratch, { recursive: true, force: true });
  const corpora = specs.map((s) => `${s.file}: ${s.packets.toLocaleString('en')} packets, ${s.format}`);
  const md = render(o, tasks, all, corpora, context);
  mkdirSync(dirname(o.out), { recursive: true });
  writeFileSync(o.out, md);
  log(`wrote ${o.out}`);
  return md;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  runBench(process.argv.slice(2)).then(
    (md) => process.stdout.write(md),
    (e: unknown) => {
      process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
