/**
 * The display-filter language: `compileFilter(text)` parses, type-checks and compiles once into a
 * predicate over a decoded PacketView. See fields.ts (FIELDS) for the names and README for the syntax.
 *
 * Semantics follow Wireshark 4: a bare field tests every occurrence in the packet (`ip.src == X` is
 * true when any IP header has source X); `!=` means "present and no occurrence equals" (Wireshark's
 * `!==`/all_ne), `~=` "some occurrence differs", `===` "every occurrence equals". `inner.` restricts
 * a field to the innermost frame (for tunnel fields: the innermost tunnel of that kind); `outer.`
 * to its first (outermost) occurrence; `tunnel[i].` to tunnel i (0 outermost, -1 innermost) and,
 * for header fields such as ip.src, to the headers that carried it.
 */
import type { PacketView } from '../packet.js';
import type { Topology } from '../topology/types.js';
import { check, type Checked } from './check.js';
import { compileChecked } from './compile.js';
import { parse } from './parser.js';

export { FilterError } from './errors.js';
export { FIELDS, type FieldDef, type FieldType } from './fields.js';

/** A compiled filter: call it with a decoded packet; `text` is the source filter. */
export interface CompiledFilter {
  (p: PacketView): boolean;
  readonly text: string;
  /** Canonical names of the fields and protocols it tests (aliases resolved), each once. */
  readonly fields: readonly string[];
}

export interface FilterOptions {
  /** Needed for name comparisons (`ovn.inport == "vm1"`, `network == "net1"`, `host == "cmpt001"`). */
  topology?: Topology;
}

/**
 * Compile filter text into a predicate. An empty or blank text matches every packet.
 * Throws FilterError (message: reason, the text and a caret line) on any mistake.
 */
export function compileFilter(text: string, opts: FilterOptions = {}): CompiledFilter {
  const checked = check(parse(text), text, opts);
  const pred = compileChecked(checked, opts.topology);
  Object.defineProperty(pred, 'text', { value: text, enumerable: true });
  Object.defineProperty(pred, 'fields', { value: [...testedFields(checked, new Set())], enumerable: true });
  return pred as CompiledFilter;
}

function testedFields(c: Checked, into: Set<string>): Set<string> {
  if (c.type === 'test') into.add(c.field.name);
  else if (c.type === 'not') testedFields(c.e, into);
  else if (c.type !== 'true') testedFields(c.b, testedFields(c.a, into));
  return into;
}

/** Check a filter without compiling it (for CLI argument validation). Throws FilterError. */
export function validateFilter(text: string, opts: FilterOptions = {}): void {
  check(parse(text), text, opts);
}
