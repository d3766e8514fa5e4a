/**
 * Filter errors that point at the spot: a one-line reason naming the column, then the filter text and
 * a caret line under the offending token.
 */

/** A filter that cannot be compiled. `column` is 1-based; `message` is the multi-line pointed error. */
export class FilterError extends Error {
  override name = 'FilterError';
  constructor(
    /** One-line reason, e.g. `unknown field 'vnid' at column 1 — did you mean 'vni'?`. */
    readonly reason: string,
    /** 1-based column of the offending token in `text`. */
    readonly column: number,
    /** The filter text. */
    readonly text: string,
    /** Length of the offending token (at least 1). */
    readonly length = 1,
  ) {
    super(`${reason}\n  ${text}\n  ${' '.repeat(column - 1)}^${'~'.repeat(Math.max(0, length - 1))}`);
  }
}

/** Where in the text a token or node lies (0-based start, length). */
export interface Span {
  pos: number;
  len: number;
}

/** Throw a FilterError whose reason is `${what} at column N${tail}`. */
export function fail(text: string, at: Span, what: string, tail = ''): never {
  const col = Math.min(at.pos, text.length) + 1;
  throw new FilterError(`${what} at column ${col}${tail}`, col, text, Math.max(1, at.len));
}

/** Levenshtein distance (small strings only: field names). */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length];
}

/** The closest candidate within a distance proportional to the word's length, or undefined. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestD || (d === bestD && best === undefined)) {
      best = c;
      bestD = d;
    }
  }
  return best;
}
