/**
 * Run one command under `/usr/bin/time -v` and report wall time and peak RSS. Output goes to
 * /dev/null (or where the command line redirects it) so only decoding and writing are timed.
 */
import { spawnSync } from 'node:child_process';

export interface Measurement {
  seconds: number;
  /** User + system CPU time of the command and its threads. */
  cpuSeconds: number;
  maxRssKiB: number;
  exitCode: number;
}

/** Runs `sh -c cmd` under GNU time; throws if the command fails (a benchmark of a failure is meaningless). */
export function measure(cmd: string, env: NodeJS.ProcessEnv = process.env): Measurement {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-v', 'sh', '-c', `${cmd} >/dev/null`], {
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr ?? '');
  const exit = /Exit status: (\d+)/.exec(r.stderr ?? '');
  const user = /User time \(seconds\): ([\d.]+)/.exec(r.stderr ?? '');
  const sys = /System time \(seconds\): ([\d.]+)/.exec(r.stderr ?? '');
  const exitCode = exit ? Number(exit[1]) : (r.status ?? 1);
  if (exitCode !== 0) {
    const tail = (r.stderr ?? '').split('\n').slice(0, 8).join('\n');
    throw new Error(`benchmark command failed (exit ${exitCode}): ${cmd}\n${tail}`);
  }
  const cpuSeconds = (user ? Number(user[1]) : NaN) + (sys ? Number(sys[1]) : NaN);
  return { seconds, cpuSeconds, maxRssKiB: rss ? Number(rss[1]) : 0, exitCode };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
