/**
 * Type checker: resolves field names and scopes, parses every literal against its field's type, and
 * produces the checked tree both back ends (predicate and BPF) compile. All user-facing mistakes are
 * reported here, at compile time, pointing at the offending token.
 */
import type { Expr, FieldRef, Literal, SetItem } from './ast.js';
import { closest, fail, type Span } from './errors.js';
import { FIELD_BY_NAME, TYPE_TEXT, type FieldDef, type Reader } from './fields.js';
import { parseIpv4, parseIpv6, parseMac, parseNumber, prefixMask, type MaskedBytes } from './literals.js';
import type { Topology } from '../topology/types.js';

/** What a test compares against, already parsed. Number intervals are inclusive. */
export type Matcher =
  | { k: 'num'; ranges: ReadonlyArray<readonly [number, number]> }
  | { k: 'bitand'; mask: number }
  | { k: 'addr'; items: readonly MaskedBytes[] }
  | { k: 'str'; contains: boolean; values: readonly string[] };

/**
 * How occurrences combine (Wireshark 4 semantics): `any` some value matches (==, <, in, contains);
 * `none` the field is present and no value matches (!=, !==, not in); `all` present and every value
 * matches (===); `anyNot` some value does not match (~=); `present` the field or protocol exists.
 */
export type Mode = 'present' | 'any' | 'none' | 'all' | 'anyNot';

export interface CheckedTest {
  type: 'test';
  field: FieldDef;
  ref: FieldRef;
  mode: Mode;
  /** Readers of the field that this comparison uses (those whose type fits the literal). */
  readers: readonly Reader[];
  match: Matcher | undefined;
}

export type Checked =
  | { type: 'or' | 'and'; a: Checked; b: Checked }
  | { type: 'not'; e: Checked }
  | { type: 'true' }
  | CheckedTest;

export interface CheckOptions {
  topology?: Topology;
}

const SUGGEST = [...FIELD_BY_NAME.keys()];

/** Resolve and type-check a parse tree against `text` (for error carets). Throws FilterError. */
export function check(e: Expr, text: string, opts: CheckOptions = {}): Checked {
  const hasTopology = opts.topology !== undefined;

  function resolveField(ref: FieldRef): FieldDef {
    const name = ref.name === '' ? 'tunnel' : ref.name;
    // Under tunnel[i], the tunnel's own fields may drop their 'tunnel.' prefix: tunnel[0].type.
    const f = FIELD_BY_NAME.get(name) ?? (ref.scope.kind === 'tunnel' ? FIELD_BY_NAME.get(`tunnel.${name}`) : undefined);
    if (!f) {
      const s = closest(name, SUGGEST);
      fail(text, ref.nameSpan, `unknown field '${name}'`, s ? ` — did you mean '${s}'?` : " — see 'peelcap help filter' for the list");
    }
    if (ref.scope.kind !== 'any' && f.source.k === 'packet') {
      fail(text, ref, `${f.name} is a per-packet field: it takes no inner./outer./tunnel[] scope`);
    }
    return f;
  }

  const is = (f: FieldDef) => `${f.name} is ${TYPE_TEXT[f.type]}`;
  const got = (l: Literal) => (l.kind === 'string' ? 'a string' : `'${l.text}'`);

  function num(f: FieldDef, l: Literal): number {
    if (l.kind === 'word' && !l.prefix) {
      const v = parseNumber(l.text);
      if (v !== undefined) return v;
    }
    if (f.type === 'enum' && l.kind === 'string') {
      const v = f.names?.get(l.text.toLowerCase());
      if (v === undefined) fail(text, l, `unknown ${f.name} "${l.text}"`, ` — known: ${[...(f.names?.keys() ?? [])].join(', ')}`);
      return v;
    }
    if (f.type === 'enum') fail(text, l, `${is(f)}, got ${got(l)}`, ` — quote it: "${l.text}"`);
    return fail(text, l, `${is(f)}, got ${got(l)}`);
  }

  /** IP/MAC literal (with optional /prefix) for address-typed fields. */
  function address(f: FieldDef, l: Literal): MaskedBytes {
    if (l.kind === 'string') fail(text, l, `${is(f)}, got a string`);
    const [a, what] =
      f.type === 'mac'
        ? [parseMac(l.text), 'MAC address']
        : f.type === 'ipv6'
          ? [parseIpv6(l.text), 'IPv6 address']
          : f.type === 'ipv4' || f.type === 'host'
            ? [parseIpv4(l.text), 'IPv4 address']
            : [parseIpv4(l.text) ?? parseIpv6(l.text), 'IP address'];
    if (!a) {
      if (f.type === 'ipv6' && parseIpv4(l.text)) fail(text, l, `${is(f)}, got an IPv4 address`, " — use ip.src/ip.dst/ip.addr");
      if (f.type === 'host' && !/^[\d.]+$/.test(l.text)) fail(text, l, `${is(f)}, got ${got(l)}`, ` — quote a host name: "${l.text}"`);
      fail(text, l, `bad ${what} '${l.text}'`);
    }
    const span: Span = { pos: l.pos, len: l.len };
    if (!l.prefix) return prefixMask(a, a.length * 8);
    if (f.type === 'mac') fail(text, span, 'a MAC address takes no /prefix');
    const max = a.length * 8;
    const bits = /^\d+$/.test(l.prefix.bits) ? Number(l.prefix.bits) : NaN;
    if (!(bits >= 0 && bits <= max)) fail(text, l.prefix.span, `bad prefix length '/${l.prefix.bits}'`, ` — 0..${max} for an ${a.length === 4 ? 'IPv4' : 'IPv6'} address`);
    return prefixMask(a, bits);
  }

  type Kind = 'num' | 'addr' | 'str';
  /** Which reader kinds a literal of this shape uses, given the field type. */
  function literalKind(f: FieldDef, l: Literal): Kind {
    switch (f.type) {
      case 'protocol':
        return fail(text, l, `${f.name} is a protocol: it can only be tested for presence`, ` — write '${f.name}' alone`);
      case 'number':
      case 'enum':
        return 'num';
      case 'ip':
      case 'ipv4':
      case 'ipv6':
      case 'mac':
        return 'addr';
      case 'string':
      case 'name':
        if (l.kind === 'word') fail(text, l, `${is(f)}, got ${got(l)}`, ` — quote it: "${l.text}"`);
        return 'str';
      case 'port':
        if (l.kind === 'string') return 'str';
        if (parseNumber(l.text) === undefined) fail(text, l, `${is(f)}, got ${got(l)}`, ` — quote a name: "${l.text}"`);
        return 'num';
      case 'host':
        return l.kind === 'string' ? 'str' : 'addr';
    }
  }

  function readersFor(f: FieldDef, kind: Kind, at: Span, ref: FieldRef): Reader[] {
    const rs = f.readers.filter((r) =>
      kind === 'num' ? r.t === 'num' : kind === 'addr' ? r.t === 'addr' || r.t === 'ip4num' : (r.t === 'bytes' || (r.t === 'name' && hasTopology)),
    );
    if (rs.length === 0 && kind === 'str' && f.readers.some((r) => r.t === 'name')) {
      fail(text, { pos: ref.pos, len: at.pos + at.len - ref.pos }, `${f.name} names need a topology`, ' — pass --topology (or compare the numeric key)');
    }
    return rs;
  }

  function presenceReaders(f: FieldDef): Reader[] {
    return f.readers.filter((r) => r.t !== 'name' || hasTopology);
  }

  function comparable(t: Expr & { field: FieldRef; value: Literal; opSpan: Span }, f: FieldDef, op: string): Matcher & { kind: Kind } {
    const l = t.value;
    const kind = literalKind(f, l);
    if (kind === 'num') {
      const v = num(f, l);
      const r: [number, number] =
        op === '<' ? [-Infinity, v - 1] : op === '<=' ? [-Infinity, v] : op === '>' ? [v + 1, Infinity] : op === '>=' ? [v, Infinity] : [v, v];
      return { k: 'num', ranges: [r], kind };
    }
    if (op !== '==' && op !== '!=' && op !== '===' && op !== '~=') {
      fail(text, t.opSpan, `'${op}' needs numbers: ${is(f)}`);
    }
    if (kind === 'addr') return { k: 'addr', items: [address(f, l)], kind };
    return { k: 'str', contains: false, values: [l.text], kind };
  }

  function setMatcher(f: FieldDef, items: SetItem[]): { m: Matcher; kind: Kind } {
    let kind: Kind | undefined;
    const ranges: [number, number][] = [];
    const addrs: MaskedBytes[] = [];
    const strs: string[] = [];
    for (const it of items) {
      const k = literalKind(f, it.lo);
      if (kind !== undefined && k !== kind) fail(text, it, `set values of ${f.name} must all be of one kind`, ' — numbers, addresses or names');
      kind = k;
      if (it.hi && k !== 'num') fail(text, it, `a range needs numbers: ${is(f)}`);
      if (k === 'num') {
        const lo = num(f, it.lo);
        const hi = it.hi ? num(f, it.hi) : lo;
        if (hi < lo) fail(text, it, `empty range ${lo}..${hi}`, ' — write the lower bound first');
        ranges.push([lo, hi]);
      } else if (k === 'addr') addrs.push(address(f, it.lo));
      else strs.push(it.lo.text);
    }
    const m: Matcher = kind === 'num' ? { k: 'num', ranges } : kind === 'addr' ? { k: 'addr', items: addrs } : { k: 'str', contains: false, values: strs };
    return { m, kind: kind! };
  }

  function walk(x: Expr): Checked {
    switch (x.type) {
      case 'or':
      case 'and':
        return { type: x.type, a: walk(x.a), b: walk(x.b) };
      case 'not':
        return { type: 'not', e: walk(x.e) };
      case 'true':
        return x;
      case 'present': {
        const f = resolveField(x.field);
        return { type: 'test', field: f, ref: x.field, mode: 'present', readers: presenceReaders(f), match: undefined };
      }
      case 'cmp': {
        const f = resolveField(x.field);
        const m = comparable(x, f, x.op);
        const mode = x.op === '!=' ? 'none' : x.op === '===' ? 'all' : x.op === '~=' ? 'anyNot' : 'any';
        return { type: 'test', field: f, ref: x.field, mode, readers: readersFor(f, m.kind, x.value, x.field), match: m };
      }
      case 'in': {
        const f = resolveField(x.field);
        if (f.type === 'protocol') literalKind(f, x.items[0].lo);
        const { m, kind } = setMatcher(f, x.items);
        const last = x.items[x.items.length - 1];
        return { type: 'test', field: f, ref: x.field, mode: x.negated ? 'none' : 'any', readers: readersFor(f, kind, last, x.field), match: m };
      }
      case 'contains': {
        const f = resolveField(x.field);
        const kind = literalKind(f, x.value);
        if (kind !== 'str' || x.value.kind !== 'string') fail(text, x.opSpan, `'contains' needs a string field and a quoted string: ${is(f)}`);
        return { type: 'test', field: f, ref: x.field, mode: 'any', readers: readersFor(f, kind, x.value, x.field), match: { k: 'str', contains: true, values: [x.value.text] } };
      }
      case 'bitand': {
        const f = resolveField(x.field);
        if (f.type !== 'number') fail(text, x.opSpan, `'&' needs a number field: ${is(f)}`);
        const mask = num(f, x.value);
        if (mask > 0xffffffff) fail(text, x.value, `mask ${x.value.text} is wider than 32 bits`);
        return { type: 'test', field: f, ref: x.field, mode: 'any', readers: readersFor(f, 'num', x.value, x.field), match: { k: 'bitand', mask } };
      }
    }
  }
  return walk(e);
}

