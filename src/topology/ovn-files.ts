/**
 * Offline OVN Southbound dumps: `ovn-sbctl --format=json list TABLE` ({"headings", "data"}),
 * `ovsdb-client transact ... select` results ([{"rows": [...]}, ...]) and the plain `ovn-sbctl list`
 * text records (`column : value` lines, blank line between records).
 */
import { TopologyError } from './errors.js';
import { ovnTableOf, type OvnTable, type OvnTables } from './ovn.js';
import type { Row } from './ovsdb-values.js';

/** True when `doc` (parsed JSON) looks like an ovn-sbctl or OVSDB transact dump. */
export function isOvnJson(doc: unknown): boolean {
  if (doc && typeof doc === 'object' && !Array.isArray(doc)) {
    const o = doc as Record<string, unknown>;
    return Array.isArray(o.headings) && Array.isArray(o.data);
  }
  return Array.isArray(doc) && doc.length > 0 && doc.every((r) => r && typeof r === 'object' && ('rows' in r || 'error' in r || 'count' in r));
}

function add(tables: OvnTables, table: OvnTable, rows: Row[]): void {
  (tables[table] ??= []).push(...rows);
}

/** Add the rows of one parsed JSON dump to `tables`. */
export function addOvnJson(doc: unknown, file: string, tables: OvnTables, warn: (msg: string) => void): void {
  if (!Array.isArray(doc)) {
    const o = doc as { headings: unknown[]; data: unknown[] };
    const headings = o.headings.map(String);
    const table = ovnTableOf(new Set(headings));
    if (!table) throw new TopologyError(`ovn-sbctl JSON with columns ${headings.join(', ')} is not a table peelcap reads`, file);
    const rows: Row[] = [];
    o.data.forEach((r, i) => {
      if (!Array.isArray(r) || r.length !== headings.length) {
        throw new TopologyError(`row ${i + 1} has ${Array.isArray(r) ? r.length : 'no'} cells, expected ${headings.length}`, file);
      }
      const row: Row = {};
      headings.forEach((h, j) => (row[h] = r[j]));
      rows.push(row);
    });
    add(tables, table, rows);
    return;
  }
  doc.forEach((result: Record<string, unknown>, i: number) => {
    if (result.error !== undefined) throw new TopologyError(`operation ${i + 1} failed: ${JSON.stringify(result.error)}`, file);
    const rows = result.rows;
    if (!Array.isArray(rows) || rows.length === 0) return;
    const table = ovnTableOf(new Set(rows.flatMap((r) => Object.keys(r as object))));
    if (!table) warn(`${file}: result ${i + 1} is not a table peelcap reads: skipped`);
    else add(tables, table, rows as Row[]);
  });
}

/** True when text looks like `ovn-sbctl list` output. */
export function isOvnListText(text: string): boolean {
  return /^_uuid\s+: [0-9a-f-]{36}\s*$/m.test(text) && /^tunnel_key\s+: \d+|^(?:chassis_name|hostname)\s+: /m.test(text);
}

/**
 * Parse `ovn-sbctl list` text. Values use the ovs-vsctl syntax: bare or quoted atoms,
 * `[a, b]` sets and `{k=v, k="v"}` maps; they are turned into the RFC 7047 JSON cells the
 * JSON dumps have, so one code path reads both.
 */
export function addOvnListText(text: string, file: string, tables: OvnTables): void {
  const lines = text.split(/\r?\n/);
  let rec: Row | undefined;
  let recLine = 0;
  const flush = () => {
    if (!rec) return;
    const table = ovnTableOf(new Set(Object.keys(rec)));
    if (!table) throw new TopologyError('record is not from a table peelcap reads', file, recLine);
    add(tables, table, [rec]);
    rec = undefined;
  };
  lines.forEach((line, i) => {
    if (line.trim() === '') return flush();
    const m = /^([A-Za-z_][\w-]*)\s*:\s?(.*)$/.exec(line);
    if (!m) throw new TopologyError(`expected 'column : value', got '${line.trim()}'`, file, i + 1);
    if (!rec) {
      rec = {};
      recLine = i + 1;
    }
    try {
      rec[m[1].replace(/-/g, '_')] = parseCtlValue(m[2].trim());
    } catch (e) {
      throw new TopologyError(`bad value for ${m[1]}: ${(e as Error).message}`, file, i + 1);
    }
  });
  flush();
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** One ovs-vsctl-syntax value -> RFC 7047 JSON cell. */
function parseCtlValue(s: string): unknown {
  let i = 0;
  const atom = (): unknown => {
    if (s[i] === '"') {
      let out = '';
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length) i++;
        out += s[i++];
      }
      if (s[i] !== '"') throw new Error('unterminated string');
      i++;
      return out;
    }
    const start = i;
    while (i < s.length && !',]}='.includes(s[i])) i++;
    const word = s.slice(start, i).trim();
    if (/^-?\d+$/.test(word)) return Number(word);
    if (word === 'true' || word === 'false') return word === 'true';
    if (UUID_RE.test(word)) return ['uuid', word];
    return word;
  };
  const skipSpace = () => {
    while (s[i] === ' ') i++;
  };
  const list = (close: string, pairs: boolean): unknown[] => {
    const out: unknown[] = [];
    i++;
    skipSpace();
    while (i < s.length && s[i] !== close) {
      const k = atom();
      skipSpace();
      if (pairs) {
        if (s[i] !== '=') throw new Error(`expected '=' at column ${i + 1}`);
        i++;
        skipSpace();
        out.push([k, atom()]);
      } else out.push(k);
      skipSpace();
      if (s[i] === ',') i++;
      skipSpace();
    }
    if (s[i] !== close) throw new Error(`missing '${close}'`);
    i++;
    return out;
  };
  let v: unknown;
  if (s[0] === '[') {
    const items = list(']', false);
    v = items.length === 1 ? items[0] : ['set', items];
  } else if (s[0] === '{') v = ['map', list('}', true)];
  else {
    v = atom();
  }
  skipSpace();
  if (i < s.length) throw new Error(`unexpected '${s.slice(i)}'`);
  return v;
}
