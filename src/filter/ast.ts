/** Parse tree of a filter: syntax only; names and literals are resolved by the checker. */
import type { Span } from './errors.js';

/** Which occurrences of a field a test looks at. */
export type Scope =
  | { kind: 'any' } // every occurrence in the packet (Wireshark semantics)
  | { kind: 'inner' } // the innermost frame (after the last tunnel header)
  | { kind: 'outer' } // the outermost occurrence
  | { kind: 'tunnel'; index: number }; // tunnel[i]; negative counts from the innermost

export interface FieldRef extends Span {
  scope: Scope;
  /** Field name without the scope prefix ('' for a bare `tunnel[i]`). */
  name: string;
  /** Span of the name itself (for "unknown field" carets). */
  nameSpan: Span;
}

/** A literal as written: a word (number, address, bare name) or a quoted string; `/prefix` for CIDR. */
export interface Literal extends Span {
  kind: 'word' | 'string';
  text: string;
  prefix?: { bits: string; span: Span };
}

export interface SetItem extends Span {
  lo: Literal;
  /** Upper bound of a range `lo..hi`. */
  hi?: Literal;
}

/** `==` any equal, `!=`/`!==` all not equal, `===` all equal, `~=` any not equal (Wireshark 4). */
export type CmpOp = '==' | '!=' | '===' | '~=' | '<' | '<=' | '>' | '>=';

export type Expr =
  | { type: 'or'; a: Expr; b: Expr }
  | { type: 'and'; a: Expr; b: Expr }
  | { type: 'not'; e: Expr }
  | { type: 'true' }
  | { type: 'present'; field: FieldRef }
  | { type: 'cmp'; field: FieldRef; op: CmpOp; opSpan: Span; value: Literal }
  | { type: 'in'; field: FieldRef; negated: boolean; opSpan: Span; items: SetItem[] }
  | { type: 'contains'; field: FieldRef; opSpan: Span; value: Literal }
  | { type: 'bitand'; field: FieldRef; opSpan: Span; value: Literal };
