/**
 * A topology source that cannot be used: names the file (or address) and, when known, the line.
 * A message that already names the source (an OVSDB address) is kept as it is.
 */
export class TopologyError extends Error {
  override name = 'TopologyError';
  constructor(
    message: string,
    /** File path or OVSDB address the problem is in. */
    readonly source: string,
    /** 1-based line number, when the problem is on one line. */
    readonly line?: number,
  ) {
    super(message.includes(source) ? message : line !== undefined ? `${source}:${line}: ${message}` : `${source}: ${message}`);
  }
}

/** 1-based line of character offset `pos` in `text`. */
export function lineAt(text: string, pos: number): number {
  let line = 1;
  for (let i = 0; i < pos && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** JSON.parse with a TopologyError that names the file and line of a syntax error. */
export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const m = /position (\d+)/.exec(msg);
    throw new TopologyError(`invalid JSON (${msg})`, file, m ? lineAt(text, Number(m[1])) : undefined);
  }
}
