/**
 * Live capture the way Wireshark does it: a capture tool runs as a child process and streams a
 * capture file on its stdout (`tcpdump -U -w -`, or `dumpcap -w -` when tcpdump is missing), which
 * we read like any other capture. Its stderr is kept to explain a failure (no permission, no such
 * interface).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';

/** The capture could not start or failed: `message` says why and what to do. */
export class LiveCaptureError extends Error {
  override name = 'LiveCaptureError';
}

export interface LiveOptions {
  /** Let the capture tool stop after this many packets. */
  count?: number;
  /** A BPF capture filter handed to the tool. */
  bpf?: string;
  /** Snapshot length (default: the tool's, 262144). */
  snaplen?: number;
  /** Tools to try, in order (default tcpdump, then dumpcap). */
  tools?: readonly ('tcpdump' | 'dumpcap')[];
}

function toolArgs(tool: 'tcpdump' | 'dumpcap', iface: string, o: LiveOptions): string[] {
  const args: string[] = [];
  if (tool === 'tcpdump') {
    // -U: write each packet as it arrives (no block buffering) so output follows the wire.
    args.push('-U', '-w', '-', '--time-stamp-precision', 'nano', '-i', iface);
    if (o.count !== undefined) args.push('-c', String(o.count));
    if (o.snaplen !== undefined) args.push('-s', String(o.snaplen));
    if (o.bpf) args.push(o.bpf);
  } else {
    args.push('-q', '-i', iface, '-w', '-');
    if (o.count !== undefined) args.push('-c', String(o.count));
    if (o.snaplen !== undefined) args.push('-s', String(o.snaplen));
    if (o.bpf) args.push('-f', o.bpf);
  }
  return args;
}

export class LiveCapture {
  private stderrText = '';
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private stopping = false;
  /** Resolves when the tool has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    private readonly child: ChildProcess,
    readonly tool: 'tcpdump' | 'dumpcap',
    readonly iface: string,
  ) {
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (s: string) => {
      // keep the tail only: the failure reason is at the end
      this.stderrText = (this.stderrText + s).slice(-8192);
    });
    this.exited = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
  }

  /** The capture file stream (the tool's stdout). */
  get stream(): Readable {
    return this.child.stdout!;
  }

  /** What the tool said on stderr. */
  get stderr(): string {
    return this.stderrText;
  }

  /** Ask the tool to finish (SIGINT: it flushes what it has); SIGKILL if it has not gone in 2 s. */
  stop(): void {
    if (this.stopping || this.exitInfo) return;
    this.stopping = true;
    this.child.kill('SIGINT');
    const t = setTimeout(() => {
      if (!this.exitInfo) this.child.kill('SIGKILL');
    }, 2000);
    t.unref();
  }

  /** After exit: the error that explains a failed capture, or undefined when it ran normally. */
  async failure(): Promise<LiveCaptureError | undefined> {
    const { code, signal } = await this.exited;
    // SIGINT makes tcpdump exit 0; a signal exit is our own SIGKILL
    if (code === 0 || signal !== null) return undefined;
    return new LiveCaptureError(explain(this.tool, this.iface, this.stderrText, code));
  }
}

/** Turn the tool's stderr into one message with a remedy. */
export function explain(tool: string, iface: string, stderr: string, code: number | null): string {
  const said = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^(listening on|tcpdump: listening|Capturing on|File: )/i.test(l))
    .join(' / ');
  const base = `live capture on '${iface}' failed: ${tool} exited with ${code ?? 'a signal'}${said ? `: ${said}` : ''}`;
  if (/permission|not permitted/i.test(stderr)) {
    return `${base}\n  capturing needs privileges: run as root, or grant ${tool} the capability: sudo setcap cap_net_raw,cap_net_admin=eip "$(command -v ${tool})"`;
  }
  if (/no such device|doesn't exist|not exist|no suitable device|There is no device/i.test(stderr)) {
    return `${base}\n  list the interfaces with 'ip link' (or '${tool} -D') and pass one with -i`;
  }
  if (/syntax error|can't parse filter|invalid/i.test(stderr)) return `${base}\n  the capture filter was rejected`;
  return base;
}

function trySpawn(tool: 'tcpdump' | 'dumpcap', args: string[]): Promise<ChildProcess | undefined> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.once('spawn', () => resolve(child));
    child.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') resolve(undefined);
      else reject(new LiveCaptureError(`cannot start ${tool}: ${e.message}`));
    });
  });
}

/**
 * Start capturing on `iface`. Rejects with LiveCaptureError when no capture tool is installed.
 * A tool that starts but cannot capture exits at once; see LiveCapture.failure().
 */
export async function startLiveCapture(iface: string, o: LiveOptions = {}): Promise<LiveCapture> {
  const tools = o.tools ?? ['tcpdump', 'dumpcap'];
  for (const tool of tools) {
    const child = await trySpawn(tool, toolArgs(tool, iface, o));
    if (child) return new LiveCapture(child, tool, iface);
  }
  throw new LiveCaptureError(
    `live capture needs ${tools.join(' or ')}, and none is installed\n` +
      `  install one (Debian/Ubuntu: sudo apt-get install tcpdump), or capture elsewhere and read the file: peelcap read FILE`,
  );
}
