/**
 * The commands: build registry, topology, filter and sink from the parsed options, then run the
 * pipeline on a file, stdin or a live capture. What only some command lines need (topology loaders,
 * live capture, bpf, --jobs, the progress bar) is imported when asked for, so start-up stays short;
 * the builders the --jobs workers share (registry, filter, sink) stay synchronous.
 */
import { statSync } from 'node:fs';
import { createRegistry } from '../../decoders/index.js';
import { CaptureError } from '../capture/record.js';
import { compileFilter, FilterError, type CompiledFilter } from '../filter/index.js';
import type { LiveCapture } from '../live.js';
import { JsonSink } from '../output/json.js';
import { LineOutput } from '../output/line-output.js';
import type { ProgressBar } from '../output/progress.js';
import type { PacketSink } from '../output/sink.js';
import { StatsSink } from '../output/stats.js';
import { StripSink } from '../output/strip.js';
import { TextSink } from '../output/text.js';
import { TimeFormatter } from '../output/time.js';
import { runPipeline, type PipelineOptions, type PipelineResult } from '../pipeline.js';
import { DecodeAsError, type Registry } from '../registry.js';
import type { Topology } from '../topology/index.js';
import type { CliOptions } from './args.js';
import { CliError, fileErrorMessage, inputError, outputErrorMessage, usage } from './errors.js';

/** Streams the CLI talks to (tests and the library can substitute their own). */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Run one command; resolves with the exit code. Throws CliError for usage and input errors. */
export async function runCommand(o: CliOptions, io: CliIo): Promise<number> {
  if (o.command === 'bpf') return runBpf(o, io);

  const warn = (m: string) => {
    if (!o.quiet) io.stderr.write(`peelcap: warning: ${m}\n`);
  };
  const reg = buildRegistry(o);
  const topology = await buildTopology(o, warn);
  try {
    if (topology) topology.applyTo(reg);
    const filter = buildFilter(o, topology);
    if (o.jobs > 1) {
      // loaded only when asked for; undefined = this input is read by one thread after all
      const { runParallel } = await import('../parallel/run.js');
      const code = await runParallel(o, io, { reg, topology, filter, warn });
      if (code !== undefined) return code;
    }
    const stop = new AbortController();
    const sink = buildSink(o, io, reg, topology, warn, () => stop.abort('output closed'));
    const job: Job = { reg, filter, sink, count: o.count, onWarning: warn, signal: stop.signal };
    if (o.iface !== undefined) return await runLive(o, io, job);
    return await runFile(o, io, job);
  } finally {
    topology?.close();
  }
}

async function runBpf(o: CliOptions, io: CliIo): Promise<number> {
  // loaded only for this command
  const { toBpf, BpfError } = await import('../filter/bpf.js');
  try {
    const r = toBpf(o.filter);
    io.stdout.write(`${r.expression}\n`);
    if (!o.quiet) for (const n of r.notes) io.stderr.write(`note: ${n}\n`);
  } catch (e) {
    if (e instanceof FilterError) throw usage(`bad filter: ${e.message}`);
    if (e instanceof BpfError) throw usage(e.message, 'capture more broadly with tcpdump and filter with peelcap instead');
    throw e;
  }
  return 0;
}

export function buildRegistry(o: CliOptions): Registry {
  const reg = createRegistry();
  if (o.depth !== undefined) reg.depth = o.depth;
  reg.checksums = o.checksums;
  for (const spec of o.decodeAs) {
    try {
      reg.decodeAs(spec);
    } catch (e) {
      if (e instanceof DecodeAsError) throw usage(e.message);
      throw e;
    }
  }
  return reg;
}

export async function buildTopology(o: CliOptions, warn: (m: string) => void): Promise<Topology | undefined> {
  if (o.topology.length === 0) return undefined;
  const { loadTopology, TopologyError } = await import('../topology/index.js');
  try {
    // A one-shot read of a file needs no live OVSDB updates.
    return await loadTopology(o.topology, { warn, follow: o.iface !== undefined });
  } catch (e) {
    if (e instanceof TopologyError) throw inputError(`cannot load topology: ${e.message}`);
    const err = e as NodeJS.ErrnoException;
    if (err.code && err.path) throw fileErrorMessage(err.path, err);
    throw e;
  }
}

export function buildFilter(o: CliOptions, topology: Topology | undefined): CompiledFilter | undefined {
  if (!o.filter.trim()) return undefined;
  try {
    return compileFilter(o.filter, { topology });
  } catch (e) {
    if (e instanceof FilterError) throw usage(`bad filter: ${e.message}`, "see the README's filter section for the field names");
    throw e;
  }
}

export function buildSink(
  o: CliOptions,
  io: CliIo,
  reg: Registry,
  topology: Topology | undefined,
  warn: (m: string) => void,
  onBroken: () => void,
): PacketSink {
  switch (o.command) {
    case 'json':
      return new JsonSink(new LineOutput(io.stdout, onBroken), { reg, detail: o.verbose > 0, topology });
    case 'stats':
      return new StatsSink(io.stdout, o.json, topology, o.top);
    case 'strip':
      return new StripSink({
        format: o.format!,
        out: o.write === '-' ? io.stdout : o.write!,
        eth: o.eth,
        interfacePer: o.interfacePer,
        comments: o.comments,
        topology,
        warn,
      });
    default:
      return new TextSink(new LineOutput(io.stdout, onBroken), {
        time: new TimeFormatter(o.time, o.nano),
        verbose: o.verbose,
        reg,
        topology,
      });
  }
}

/** Map reader failures to CLI errors: the file, the byte offset, what to do. */
export function readFailure(e: unknown, input: string): CliError | undefined {
  if (e instanceof CaptureError) return inputError(e.message, 'the capture is damaged or not a capture; packets before the fault were processed');
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string' && err.syscall !== undefined) {
    if (err.code === 'EPIPE') return undefined;
    // an error naming another file than the input concerns the -w output
    if (typeof err.path === 'string' && err.path !== input) return outputErrorMessage(err.path, err);
    if (err.syscall === 'write') return outputErrorMessage('the output', err);
    return fileErrorMessage(input, err);
  }
  return undefined;
}

/** Everything the pipeline needs except the input. */
type Job = Omit<PipelineOptions, 'source' | 'name' | 'onProgress'>;

async function runFile(o: CliOptions, io: CliIo, job: Job): Promise<number> {
  const input = o.input!;
  let progress: ProgressBar | undefined;
  if (input !== '-' && !o.quiet && io.stderr === process.stderr && process.stderr.isTTY) {
    let size: number | undefined;
    try {
      size = statSync(input).size;
    } catch {
      // no size: no bar; the open itself reports the problem
    }
    if (size !== undefined) progress = new (await import('../output/progress.js')).ProgressBar(size);
  }
  try {
    await runPipeline({
      ...job,
      source: input,
      onProgress: progress ? (bytes, packets) => progress!.update(bytes, packets) : undefined,
    });
  } catch (e) {
    if (isEpipe(e)) return 0;
    const mapped = readFailure(e, input);
    if (mapped) throw mapped;
    throw e;
  } finally {
    progress?.finish();
  }
  report(o, io, job.sink);
  return 0;
}

async function runLive(o: CliOptions, io: CliIo, job: Job): Promise<number> {
  let live: LiveCapture;
  const { LiveCaptureError, startLiveCapture } = await import('../live.js');
  try {
    // With a filter, -c counts matching packets: we stop the tool ourselves.
    live = await startLiveCapture(o.iface!, { count: job.filter ? undefined : o.count });
  } catch (e) {
    if (e instanceof LiveCaptureError) throw inputError(e.message);
    throw e;
  }
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    live.stop();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  let result: PipelineResult;
  try {
    result = await runPipeline({ ...job, source: live.stream, name: `${live.tool} -i ${o.iface}` });
  } catch (e) {
    // a tool that could not capture has exited (or is about to): give it a moment to say why
    const exited = await Promise.race([live.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 1000))]);
    if (!exited) live.stop();
    const failed = await live.failure();
    if (failed) throw inputError(failed.message);
    if (isEpipe(e)) return 0;
    if (e instanceof CaptureError && interrupted) {
      // stopped before the tool wrote its header: nothing captured
      result = { read: 0, matched: 0, stopped: 'signal' };
    } else {
      const mapped = readFailure(e, o.iface!);
      if (mapped) throw mapped;
      throw e;
    }
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
  live.stop();
  const failed = await live.failure();
  if (failed && result.read === 0) throw inputError(failed.message);
  if (!o.quiet) io.stderr.write(`${result.matched} packet${result.matched === 1 ? '' : 's'}${interrupted ? ' (interrupted)' : ''}\n`);
  return 0;
}

/** The one summary line a file command prints: how many packets strip wrote to a file. */
function report(o: CliOptions, io: CliIo, sink: PacketSink): void {
  if (o.quiet) return;
  if (sink instanceof StripSink && o.write !== '-') {
    io.stderr.write(`${sink.written} packet${sink.written === 1 ? '' : 's'} written to ${o.write}\n`);
  }
}

function isEpipe(e: unknown): boolean {
  const c = (e as NodeJS.ErrnoException | undefined)?.code;
  return c === 'EPIPE' || c === 'ERR_STREAM_DESTROYED';
}
