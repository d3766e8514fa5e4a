/**
 * Tokens of the filter language. Words are maximal runs of name/literal characters
 * (`ip.src`, `10.0.0.1`, `fe80::1`, `00:11:22:33:44:55`, `0x1f`, `vxlan-gpe`); what a word means is
 * decided by the parser and the type checker from where it stands.
 */
import { fail, type Span } from './errors.js';

export type TokenKind =
  | 'word'
  | 'string'
  | 'cmp' // == != === !== ~= < <= > >=
  | 'and' // && (the word 'and' stays a word)
  | 'or' // ||
  | 'not' // !
  | 'bitand' // &
  | '('
  | ')'
  | '{'
  | '}'
  | '['
  | ']'
  | ','
  | '..'
  | '/'
  | 'eof';

export interface Token extends Span {
  kind: TokenKind;
  /** Word or operator text; for strings the unescaped value. */
  text: string;
}

const WORD = /[A-Za-z0-9_.:\-]/;

/** Split `text` into tokens; throws FilterError on a stray character or an unterminated string. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, pos: number, len: number, t = text.slice(pos, pos + len)) => {
    out.push({ kind, pos, len, text: t });
  };
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const two = text.slice(i, i + 2);
    const three = text.slice(i, i + 3);
    if (three === '===' || three === '!==') {
      push('cmp', i, 3);
      i += 3;
    } else if (two === '==' || two === '!=' || two === '<=' || two === '>=' || two === '~=') {
      push('cmp', i, 2);
      i += 2;
    } else if (two === '&&') {
      push('and', i, 2);
      i += 2;
    } else if (two === '||') {
      push('or', i, 2);
      i += 2;
    } else if (two === '..') {
      push('..', i, 2);
      i += 2;
    } else if (c === '<' || c === '>') {
      push('cmp', i, 1);
      i++;
    } else if (c === '!') {
      push('not', i, 1);
      i++;
    } else if (c === '&') {
      push('bitand', i, 1);
      i++;
    } else if ('(){}[],/'.includes(c)) {
      push(c as TokenKind, i, 1);
      i++;
    } else if (c === '"') {
      i = readString(text, i, out);
    } else if (c === '=') {
      fail(text, { pos: i, len: 1 }, "single '=' is not an operator", " — use '==' to compare");
    } else if (c === '~') {
      fail(text, { pos: i, len: 1 }, "'~' (matches) is not supported", " — use 'contains' or '=='");
    } else if (WORD.test(c)) {
      const start = i;
      // A word stops before '..' so that ranges like 7..9 split into 7, .., 9.
      while (i < text.length && WORD.test(text[i]) && !(text[i] === '.' && text[i + 1] === '.')) i++;
      push('word', start, i - start);
    } else {
      fail(text, { pos: i, len: 1 }, `unexpected character '${c}'`);
    }
  }
  out.push({ kind: 'eof', pos: text.length, len: 1, text: '' });
  return out;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', '0': '\0' };

function readString(text: string, start: number, out: Token[]): number {
  let i = start + 1;
  let value = '';
  while (i < text.length && text[i] !== '"') {
    if (text[i] === '\\') {
      const e = text[i + 1];
      if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 4))) {
        value += String.fromCharCode(parseInt(text.slice(i + 2, i + 4), 16));
        i += 4;
        continue;
      }
      if (e === undefined || !(e in ESCAPES)) fail(text, { pos: i, len: 2 }, `bad escape '\\${e ?? ''}' in string`);
      value += ESCAPES[e];
      i += 2;
      continue;
    }
    value += text[i++];
  }
  if (i >= text.length) fail(text, { pos: start, len: text.length - start }, 'unterminated string', ' — add the closing "');
  out.push({ kind: 'string', pos: start, len: i + 1 - start, text: value });
  return i + 1;
}
