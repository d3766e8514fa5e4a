/**
 * Recursive-descent parser. Precedence as in Wireshark: `not` binds tightest, then `and`, then `or`.
 *
 *   expr    := and ( ('or' | '||') and )*
 *   and     := unary ( ('and' | '&&') unary )*
 *   unary   := ('not' | '!') unary | '(' expr ')' | test
 *   test    := field [ CMP value | ['not'] 'in' '{' item* '}' | 'contains' value | '&' value ]
 *   field   := ['inner.' | 'outer.' | 'tunnel' '[' int ']' ('.' name)?] name
 *   item    := value ['..' value] [',']
 *   value   := WORD ['/' WORD] | STRING
 */
import type { CmpOp, Expr, FieldRef, Literal, Scope, SetItem } from './ast.js';
import { fail } from './errors.js';
import { tokenize, type Token } from './lexer.js';

const WORD_CMP: Record<string, CmpOp> = { eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=', any_eq: '==', all_ne: '!=', all_eq: '===', any_ne: '~=' };
const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'contains', 'matches', ...Object.keys(WORD_CMP)]);

/** Parse filter text into a tree; an empty (or blank) text is match-all. Throws FilterError. */
export function parse(text: string): Expr {
  const toks = tokenize(text);
  let i = 0;
  const peek = (): Token => toks[i];
  const isWord = (w: string) => toks[i].kind === 'word' && toks[i].text.toLowerCase() === w;
  const describe = (t: Token) => (t.kind === 'eof' ? 'end of filter' : t.kind === 'string' ? 'a string' : `'${text.slice(t.pos, t.pos + t.len)}'`);
  const unexpected = (t: Token, expected: string): never => fail(text, t, `expected ${expected}, got ${describe(t)}`);

  if (peek().kind === 'eof') return { type: 'true' };

  function orExpr(): Expr {
    let e = andExpr();
    while (peek().kind === 'or' || isWord('or')) {
      i++;
      e = { type: 'or', a: e, b: andExpr() };
    }
    return e;
  }
  function andExpr(): Expr {
    let e = unary();
    while (peek().kind === 'and' || isWord('and')) {
      i++;
      e = { type: 'and', a: e, b: unary() };
    }
    return e;
  }
  function unary(): Expr {
    const t = peek();
    if (t.kind === 'not' || isWord('not')) {
      i++;
      return { type: 'not', e: unary() };
    }
    if (t.kind === '(') {
      i++;
      const e = orExpr();
      if (peek().kind !== ')') fail(text, peek(), `missing ')' for the '(' at column ${t.pos + 1}: got ${describe(peek())}`);
      i++;
      return e;
    }
    if (t.kind !== 'word' || KEYWORDS.has(t.text.toLowerCase())) unexpected(t, 'a field or protocol name');
    return test();
  }
  function field(): FieldRef {
    const t = toks[i++];
    let scope: Scope = { kind: 'any' };
    let name = t.text;
    let nameSpan = { pos: t.pos, len: t.len };
    let end = t.pos + t.len;
    const lower = name.toLowerCase();
    if (lower === 'tunnel' && peek().kind === '[') {
      i++;
      const n = toks[i];
      if (n.kind !== 'word' || !/^-?\d+$/.test(n.text)) unexpected(n, 'a tunnel index like 0 or -1');
      i++;
      if (peek().kind !== ']') unexpected(peek(), "']'");
      end = toks[i].pos + 1;
      i++;
      scope = { kind: 'tunnel', index: Number(n.text) };
      name = '';
      nameSpan = { pos: t.pos, len: end - t.pos };
      // `tunnel[0].vni`: the '.vni' part lexes as a word glued to the ']'.
      const nx = peek();
      if (nx.kind === 'word' && nx.pos === end && nx.text.startsWith('.')) {
        i++;
        name = nx.text.slice(1);
        nameSpan = { pos: nx.pos + 1, len: nx.len - 1 };
        end = nx.pos + nx.len;
        if (name === '') fail(text, nx, "expected a field name after 'tunnel[…].'");
      }
    } else if (lower.startsWith('inner.') || lower.startsWith('outer.')) {
      scope = { kind: lower.startsWith('inner.') ? 'inner' : 'outer' };
      name = name.slice(6);
      nameSpan = { pos: t.pos + 6, len: t.len - 6 };
      if (name === '') fail(text, t, `expected a field name after '${t.text}'`);
    }
    return { scope, name: name.toLowerCase(), nameSpan, pos: t.pos, len: end - t.pos };
  }
  function value(): Literal {
    const t = peek();
    if (t.kind === 'string') {
      i++;
      return { kind: 'string', text: t.text, pos: t.pos, len: t.len };
    }
    if (t.kind !== 'word' || KEYWORDS.has(t.text.toLowerCase())) unexpected(t, 'a value');
    i++;
    const lit: Literal = { kind: 'word', text: t.text, pos: t.pos, len: t.len };
    if (peek().kind === '/') {
      i++;
      const b = peek();
      if (b.kind !== 'word') unexpected(b, 'a prefix length after /');
      i++;
      lit.prefix = { bits: b.text, span: { pos: b.pos, len: b.len } };
      lit.len = b.pos + b.len - t.pos;
    }
    return lit;
  }
  function test(): Expr {
    const f = field();
    const t = peek();
    const lower = t.kind === 'word' ? t.text.toLowerCase() : '';
    if (t.kind === 'cmp' || Object.hasOwn(WORD_CMP, lower)) {
      i++;
      const op: CmpOp = t.kind === 'cmp' ? (t.text === '!==' ? '!=' : (t.text as CmpOp)) : WORD_CMP[lower];
      return { type: 'cmp', field: f, op, opSpan: t, value: value() };
    }
    if (lower === 'in' || (lower === 'not' && toks[i + 1].kind === 'word' && toks[i + 1].text.toLowerCase() === 'in')) {
      const negated = lower === 'not';
      i += negated ? 2 : 1;
      return { type: 'in', field: f, negated, opSpan: t, items: set() };
    }
    if (lower === 'contains') {
      i++;
      return { type: 'contains', field: f, opSpan: t, value: value() };
    }
    if (lower === 'matches') fail(text, t, "'matches' is not supported", " — use 'contains' or '=='");
    if (t.kind === 'bitand') {
      i++;
      return { type: 'bitand', field: f, opSpan: t, value: value() };
    }
    return { type: 'present', field: f };
  }
  function set(): SetItem[] {
    const open = peek();
    if (open.kind !== '{') unexpected(open, "'{' to start a set, e.g. in {7 8 9}");
    i++;
    const items: SetItem[] = [];
    while (peek().kind !== '}') {
      if (peek().kind === 'eof') fail(text, open, "missing '}' for this set");
      const lo = value();
      const item: SetItem = { lo, pos: lo.pos, len: lo.len };
      if (peek().kind === '..') {
        i++;
        item.hi = value();
        item.len = item.hi.pos + item.hi.len - lo.pos;
      }
      items.push(item);
      if (peek().kind === ',') i++;
    }
    if (items.length === 0) fail(text, open, 'empty set', ' — list at least one value');
    i++;
    return items;
  }

  const e = orExpr();
  if (peek().kind !== 'eof') {
    const t = peek();
    if (t.kind === ')') fail(text, t, "unmatched ')'");
    unexpected(t, "'and', 'or' or the end of the filter");
  }
  return e;
}
