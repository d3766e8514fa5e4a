/**
 * Command line parsing with node:util parseArgs: tcpdump habits (`-r`, `-w`, `-c`, `-i`, `-t…`,
 * `-` for stdin/stdout, the filter as the trailing words).
 */
import { parseArgs } from 'node:util';
import type { WriteFormat } from '../capture/writer.js';
import type { InterfacePer } from '../output/strip.js';
import { timeModeFromCount, type TimeMode } from '../output/time.js';
import { usage } from './errors.js';

export const COMMANDS = ['read', 'json', 'strip', 'stats', 'live', 'bpf'] as const;
export type Command = (typeof COMMANDS)[number];

export interface CliOptions {
  command: Command;
  /** Capture file or '-' (stdin). */
  input?: string;
  /** Live capture interface. */
  iface?: string;
  /** Filter text ('' = everything). */
  filter: string;
  count?: number;
  decodeAs: string[];
  topology: string[];
  depth?: number;
  checksums: boolean;
  quiet: boolean;
  verbose: number;
  time: TimeMode;
  nano: boolean;
  /** strip */
  write?: string;
  format?: WriteFormat;
  interfacePer?: InterfacePer;
  eth: boolean;
  comments: boolean;
  /** stats */
  json: boolean;
  top: number;
  /** Worker threads for a capture file (`-j N` / `--jobs N`); 1 = sequential. */
  jobs: number;
  help: boolean;
}

const OPTIONS = {
  r: { type: 'string', short: 'r' },
  i: { type: 'string', short: 'i' },
  c: { type: 'string', short: 'c' },
  w: { type: 'string', short: 'w' },
  t: { type: 'boolean', short: 't', multiple: true },
  v: { type: 'boolean', short: 'v', multiple: true },
  q: { type: 'boolean', short: 'q' },
  h: { type: 'boolean', short: 'h' },
  help: { type: 'boolean' },
  'decode-as': { type: 'string', multiple: true },
  topology: { type: 'string', multiple: true },
  depth: { type: 'string' },
  checksums: { type: 'boolean' },
  nano: { type: 'boolean' },
  format: { type: 'string' },
  'interface-per': { type: 'string' },
  eth: { type: 'boolean' },
  'no-comments': { type: 'boolean' },
  json: { type: 'boolean' },
  top: { type: 'string' },
  jobs: { type: 'string', short: 'j' },
} as const;

/** Options that only make sense for some commands. */
const ONLY: Record<string, readonly Command[]> = {
  w: ['strip'],
  format: ['strip'],
  'interface-per': ['strip'],
  eth: ['strip'],
  'no-comments': ['strip'],
  json: ['stats'],
  top: ['stats'],
  t: ['read', 'live'],
  nano: ['read', 'live'],
};

function positiveInt(name: string, v: string | undefined, min = 1): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min) {
    throw usage(`${name} wants a whole number >= ${min}, got '${v}'`);
  }
  return n;
}

const spell = (k: string): string => (k.length === 1 ? `-${k}` : `--${k}`);

/** Parse `argv` (without node and the script). The command word is optional: the default is `read`. */
export function parseCommandLine(argv: string[]): CliOptions {
  let command: Command = 'read';
  let args = argv;
  if (argv.length > 0 && (COMMANDS as readonly string[]).includes(argv[0])) {
    command = argv[0] as Command;
    args = argv.slice(1);
  } else if (argv[0] === 'help') {
    const c = argv[1] && (COMMANDS as readonly string[]).includes(argv[1]) ? (argv[1] as Command) : 'read';
    return { ...defaults(c), help: true };
  }

  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    const msg = (e as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw usage(msg, `see: peelcap ${command} --help`);
  }
  const v = parsed.values;
  const o = defaults(command);
  o.help = Boolean(v.h || v.help);
  if (o.help) return o;

  for (const [key, cmds] of Object.entries(ONLY)) {
    if ((v as Record<string, unknown>)[key] !== undefined && !cmds.includes(command)) {
      throw usage(`${spell(key)} is an option of ${cmds.map((c) => `'${c}'`).join(' and ')}, not of '${command}'`, `see: peelcap ${command} --help`);
    }
  }

  const words = [...parsed.positionals];
  if (command === 'bpf') {
    o.filter = words.join(' ');
    if (!o.filter.trim()) throw usage('bpf needs a filter', "example: peelcap bpf 'vni == 8 and icmp'");
    return o;
  }
  o.iface = v.i;
  if (command === 'live' && !o.iface) throw usage('live needs an interface: -i IFACE', 'example: peelcap live -i eth0');
  if (v.r !== undefined && o.iface !== undefined) throw usage('give either -r FILE or -i IFACE, not both');
  if (v.r !== undefined) o.input = v.r;
  else if (o.iface === undefined) {
    if (words.length === 0) {
      throw usage(`${command} needs a capture: a FILE, - for stdin, or -i IFACE`, `example: peelcap ${command} capture.pcap`);
    }
    o.input = words.shift();
  }
  o.filter = words.join(' ');

  o.count = positiveInt('-c', v.c);
  o.depth = positiveInt('--depth', v.depth);
  o.decodeAs = v['decode-as'] ?? [];
  o.topology = v.topology ?? [];
  o.checksums = Boolean(v.checksums);
  o.quiet = Boolean(v.q);
  o.verbose = v.v?.length ?? 0;
  o.time = timeModeFromCount(v.t?.length ?? 0);
  o.nano = Boolean(v.nano);
  o.json = Boolean(v.json);
  o.top = positiveInt('--top', v.top) ?? 20;
  o.jobs = positiveInt('--jobs', v.jobs) ?? 1;

  if (command === 'strip') {
    if (v.w === undefined) throw usage('strip needs an output: -w OUT.pcap, -w OUT.pcapng or -w - (stdout)', 'example: peelcap strip in.pcap -w inner.pcap');
    o.write = v.w;
    o.format = stripFormat(v.format, v.w);
    o.eth = Boolean(v.eth);
    o.comments = !v['no-comments'];
    if (v['interface-per'] !== undefined) {
      const per = v['interface-per'];
      if (per !== 'vni' && per !== 'label' && per !== 'tunnel') throw usage(`--interface-per wants vni, label or tunnel, got '${per}'`);
      if (o.format !== 'pcapng') throw usage('--interface-per needs pcapng output', 'write to a .pcapng file or add --format pcapng');
      o.interfacePer = per;
    }
  }
  return o;
}

function stripFormat(format: string | undefined, out: string): WriteFormat {
  if (format !== undefined) {
    if (format !== 'pcap' && format !== 'pcap-ns' && format !== 'pcapng') {
      throw usage(`--format wants pcap, pcap-ns or pcapng, got '${format}'`);
    }
    return format;
  }
  return /\.pcapng$/i.test(out) ? 'pcapng' : 'pcap';
}

function defaults(command: Command): CliOptions {
  return {
    command,
    filter: '',
    decodeAs: [],
    topology: [],
    checksums: false,
    quiet: false,
    verbose: 0,
    time: 'time',
    nano: false,
    eth: false,
    comments: true,
    json: false,
    top: 20,
    jobs: 1,
    help: false,
  };
}
