#!/usr/bin/env node
/**
 * peelcap command line entry: parse, run, and turn every failure into one message and an exit code
 * (0 done, 1 input error, 2 bad usage). No stack traces unless PEELCAP_DEBUG is set.
 */
import { readFileSync } from 'node:fs';
import { CliError } from './errors.js';
import { helpText } from './help.js';

/**
 * Our package.json, found upwards from this file: three levels up from dist/src/cli/main.js (and
 * src/cli/main.ts), one up from the bundle dist/peelcap.js.
 */
function version(): string {
  let dir = new URL('.', import.meta.url);
  for (let up = 0; up < 4; up++, dir = new URL('..', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'peelcap') return pkg.version;
    } catch {
      // no package.json here: look one level up
    }
  }
  return 'unknown';
}

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h'))) {
    process.stdout.write(helpText('main'));
    return argv.length === 0 ? 2 : 0;
  }
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    process.stdout.write(`peelcap ${version()}\n`);
    return 0;
  }
  // Loaded only to run a command: --version and --help start without the engine.
  const { parseCommandLine } = await import('./args.js');
  const o = parseCommandLine(argv);
  if (o.help) {
    process.stdout.write(helpText(o.command));
    return 0;
  }
  const { runCommand } = await import('./run.js');
  return runCommand(o, { stdout: process.stdout, stderr: process.stderr });
}

// A reader that went away (`| head`) is a normal end, wherever the EPIPE surfaces.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof CliError) {
      process.stderr.write(`peelcap: ${e.message}\n`);
      process.exitCode = e.exitCode;
      return;
    }
    const err = e as Error;
    process.stderr.write(`peelcap: internal error: ${err?.message ?? String(e)}\n  please report it with the command line and, if you can, the capture\n`);
    if (process.env.PEELCAP_DEBUG) process.stderr.write(`${err?.stack}\n`);
    process.exitCode = 1;
  },
);
