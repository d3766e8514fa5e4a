/**
 * CLI failures carry their exit code: 2 for bad usage (wrong option, bad filter), 1 for input that
 * cannot be read. Messages name the cause and what to do; main prints them without a stack trace.
 */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

/** Bad usage: exit 2. */
export function usage(message: string, hint?: string): CliError {
  return new CliError(hint ? `${message}\n  ${hint}` : message, 2);
}

/** Input that cannot be read: exit 1. */
export function inputError(message: string, hint?: string): CliError {
  return new CliError(hint ? `${message}\n  ${hint}` : message, 1);
}

/** Message for a failed open/read of a file: ENOENT, EACCES, EISDIR… */
/** The -w output file could not be created or written. */
export function outputErrorMessage(path: string, e: NodeJS.ErrnoException): CliError {
  const why = e.code === 'ENOENT' ? 'no such directory' : e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied' : e.message;
  return inputError(`cannot write ${path === 'the output' ? path : `'${path}'`}: ${why}`, 'check the output path; use -w - to write to stdout');
}

export function fileErrorMessage(path: string, e: NodeJS.ErrnoException): CliError {
  switch (e.code) {
    case 'ENOENT':
      return inputError(`cannot open '${path}': no such file`, 'check the path; use - to read a capture from stdin');
    case 'EACCES':
    case 'EPERM':
      return inputError(`cannot open '${path}': permission denied`, 'check the file permissions (or run with sudo)');
    case 'EISDIR':
      return inputError(`cannot read '${path}': it is a directory`, 'give the path of a .pcap or .pcapng file');
    default:
      return inputError(`cannot read '${path}': ${e.message}`);
  }
}
