/**
 * Predicate back end: turns the checked tree into nested closures over the PacketView. Everything
 * that depends only on the filter text (literal bytes, masks, kind tables, scope) is fixed here;
 * at run time a closure loops over the view's typed arrays and compares bytes in place.
 * Nothing is allocated per packet.
 */
import { Layer, Tunnel } from '../layers.js';
import type { PacketView } from '../packet.js';
import type { Topology } from '../topology/types.js';
import type { Scope } from './ast.js';
import type { Checked, CheckedTest, Matcher } from './check.js';
import type { Reader, Source } from './fields.js';

/** A compiled filter: true when the decoded packet matches. */
export type Predicate = (p: PacketView) => boolean;
type Test = (p: PacketView, h: number) => boolean;
/** "Some occurrence satisfies f" for one (source, scope). */
type Some = (p: PacketView, f: Test) => boolean;

const TRUE: Test = () => true;

function kindTable(kinds: readonly number[], size: number): Uint8Array {
  const t = new Uint8Array(size);
  if (kinds.length === 0) t.fill(1);
  for (const k of kinds) t[k] = 1;
  return t;
}

/** Tunnel index selected by a scope among tunnels whose kind is in `mask`, or -1. */
function pickTunnel(p: PacketView, mask: Uint8Array, scope: Scope): number {
  const n = p.tunnelCount;
  if (scope.kind === 'outer') {
    for (let t = 0; t < n; t++) if (mask[p.tunnelKind[t]]) return t;
    return -1;
  }
  if (scope.kind === 'inner') {
    for (let t = n - 1; t >= 0; t--) if (mask[p.tunnelKind[t]]) return t;
    return -1;
  }
  if (scope.kind === 'tunnel') {
    const t = scope.index < 0 ? n + scope.index : scope.index;
    return t >= 0 && t < n && mask[p.tunnelKind[t]] ? t : -1;
  }
  return -1;
}

function someLayer(kinds: readonly Layer[], scope: Scope): Some {
  const mask = kindTable(kinds, Layer.Count);
  switch (scope.kind) {
    case 'any':
      return (p, f) => {
        const k = p.layerKind;
        for (let i = 0, n = p.layerCount; i < n; i++) if (mask[k[i]] && f(p, i)) return true;
        return false;
      };
    case 'inner':
      return (p, f) => {
        const k = p.layerKind;
        if (p.innerStart < 0) return false;
        for (let i = p.innerStart, n = p.layerCount; i < n; i++) if (mask[k[i]] && f(p, i)) return true;
        return false;
      };
    case 'outer':
      return (p, f) => {
        const k = p.layerKind;
        for (let i = 0, n = p.layerCount; i < n; i++) if (mask[k[i]]) return f(p, i);
        return false;
      };
    case 'tunnel': {
      // The headers that carried tunnel t: layers after the previous tunnel header up to its own.
      const idx = scope.index;
      return (p, f) => {
        const t = idx < 0 ? p.tunnelCount + idx : idx;
        if (t < 0 || t >= p.tunnelCount) return false;
        const k = p.layerKind;
        for (let i = t > 0 ? p.tunnelLayer[t - 1] + 1 : 0, hi = p.tunnelLayer[t]; i <= hi; i++) if (mask[k[i]] && f(p, i)) return true;
        return false;
      };
    }
  }
}

function someTunnel(kinds: readonly Tunnel[], scope: Scope): Some {
  const mask = kindTable(kinds, 256);
  if (scope.kind === 'any') {
    return (p, f) => {
      for (let t = 0, n = p.tunnelCount; t < n; t++) if (mask[p.tunnelKind[t]] && f(p, t)) return true;
      return false;
    };
  }
  return (p, f) => {
    const t = pickTunnel(p, mask, scope);
    return t >= 0 && f(p, t);
  };
}

/** Items (labels, options) of the tunnels a scope selects; unscoped = every item of the packet. */
function someItem(kind: Tunnel, count: (p: PacketView) => number, start: (p: PacketView, t: number) => number, len: (p: PacketView, t: number) => number, scope: Scope): Some {
  if (scope.kind === 'any') {
    return (p, f) => {
      for (let i = 0, n = count(p); i < n; i++) if (f(p, i)) return true;
      return false;
    };
  }
  const mask = kindTable([kind], 256);
  return (p, f) => {
    const t = pickTunnel(p, mask, scope);
    if (t < 0) return false;
    for (let i = start(p, t), e = i + len(p, t); i < e; i++) if (f(p, i)) return true;
    return false;
  };
}

function some(source: Source, scope: Scope): Some {
  switch (source.k) {
    case 'layer':
      return someLayer(source.kinds, scope);
    case 'tunnel':
      return someTunnel(source.kinds, scope);
    case 'label':
      return someItem(Tunnel.Mpls, (p) => p.labelCount, (p, t) => p.tunnelLabelStart[t], (p, t) => p.tunnelLabelCount[t], scope);
    case 'option':
      return someItem(Tunnel.Geneve, (p) => p.optCount, (p, t) => p.tunnelOptStart[t], (p, t) => p.tunnelOptCount[t], scope);
    case 'packet':
      return (p, f) => f(p, 0);
  }
}

const utf8 = new TextEncoder();

function bytesEqual(b: Uint8Array, start: number, lit: Uint8Array): boolean {
  for (let i = 0; i < lit.length; i++) if (b[start + i] !== lit[i]) return false;
  return true;
}

function bytesContain(b: Uint8Array, start: number, len: number, lit: Uint8Array): boolean {
  for (let i = start, last = start + len - lit.length; i <= last; i++) if (bytesEqual(b, i, lit)) return true;
  return false;
}

/** Per reader: does this occurrence have a value, and does the value match. */
interface ValueTest {
  present: Test;
  match: Test;
}

function valueTest(r: Reader, m: Matcher | undefined, topo: Topology | undefined): ValueTest {
  switch (r.t) {
    case 'num': {
      const get = r.get;
      const present: Test = (p, h) => get(p, h) >= 0;
      if (!m) return { present, match: present };
      if (m.k === 'bitand') {
        const mask = m.mask | 0;
        return { present, match: (p, h) => { const v = get(p, h); return v >= 0 && (v & mask) !== 0; } };
      }
      if (m.k !== 'num') break;
      if (m.ranges.length === 1) {
        const [lo, hi] = m.ranges[0];
        if (lo === hi) return { present, match: (p, h) => get(p, h) === lo };
        return { present, match: (p, h) => { const v = get(p, h); return v >= 0 && v >= lo && v <= hi; } };
      }
      const lo = Float64Array.from(m.ranges, (x) => x[0]);
      const hi = Float64Array.from(m.ranges, (x) => x[1]);
      return {
        present,
        match: (p, h) => {
          const v = get(p, h);
          if (v < 0) return false;
          for (let i = 0; i < lo.length; i++) if (v >= lo[i] && v <= hi[i]) return true;
          return false;
        },
      };
    }
    case 'addr': {
      const { at, width } = r;
      const present: Test = (p, h) => at(p, h) >= 0;
      if (!m) return { present, match: present };
      if (m.k !== 'addr') break;
      const items = m.items;
      return {
        present,
        match: (p, h) => {
          const o = at(p, h);
          if (o < 0) return false;
          const w = width(p, h);
          const b = p.buf;
          for (let k = 0; k < items.length; k++) {
            const { value, mask } = items[k];
            if (value.length !== w) continue;
            let i = 0;
            while (i < w && (b[o + i] & mask[i]) === value[i]) i++;
            if (i === w) return true;
          }
          return false;
        },
      };
    }
    case 'ip4num': {
      const get = r.get;
      const present: Test = (p, h) => get(p, h) >= 0;
      if (!m) return { present, match: present };
      if (m.k !== 'addr') break;
      const v4 = m.items.filter((x) => x.value.length === 4);
      const val = Float64Array.from(v4, (x) => ((x.value[0] << 24) | (x.value[1] << 16) | (x.value[2] << 8) | x.value[3]) >>> 0);
      const msk = Int32Array.from(v4, (x) => (x.mask[0] << 24) | (x.mask[1] << 16) | (x.mask[2] << 8) | x.mask[3]);
      return {
        present,
        match: (p, h) => {
          const v = get(p, h);
          if (v < 0) return false;
          for (let i = 0; i < val.length; i++) if ((v & msk[i]) >>> 0 === val[i]) return true;
          return false;
        },
      };
    }
    case 'bytes': {
      const { start, len } = r;
      const present: Test = (p, h) => len(p, h) >= 0;
      if (!m) return { present, match: present };
      if (m.k !== 'str') break;
      const lits = m.values.map((s) => utf8.encode(s));
      if (m.contains) {
        const lit = lits[0];
        return { present, match: (p, h) => { const n = len(p, h); return n >= 0 && bytesContain(p.buf, start(p, h), n, lit); } };
      }
      return {
        present,
        match: (p, h) => {
          const n = len(p, h);
          for (let i = 0; i < lits.length; i++) if (n === lits[i].length && bytesEqual(p.buf, start(p, h), lits[i])) return true;
          return false;
        },
      };
    }
    case 'name': {
      const get = r.bind(topo!);
      const present: Test = (p, h) => get(p, h) !== undefined;
      if (!m) return { present, match: present };
      if (m.k !== 'str') break;
      const vals = m.values;
      if (m.contains) {
        const lit = vals[0];
        return { present, match: (p, h) => get(p, h)?.includes(lit) === true };
      }
      return { present, match: (p, h) => { const s = get(p, h); return s !== undefined && vals.includes(s); } };
    }
  }
  throw new Error(`internal: ${r.t} reader cannot take a ${m?.k} matcher`);
}

/** OR of tests over a field's readers (ip.addr = src or dst). */
function anyOf(tests: Test[]): Test {
  if (tests.length === 0) return () => false;
  if (tests.length === 1) return tests[0];
  if (tests.length === 2) {
    const [a, b] = tests;
    return (p, h) => a(p, h) || b(p, h);
  }
  return (p, h) => {
    for (let i = 0; i < tests.length; i++) if (tests[i](p, h)) return true;
    return false;
  };
}

function compileTest(t: CheckedTest, topo: Topology | undefined): Predicate {
  const s = some(t.field.source, t.ref.scope);
  const vts = t.readers.map((r) => valueTest(r, t.match, topo));
  const present = t.field.type === 'protocol' ? TRUE : anyOf(vts.map((v) => v.present));
  const match = anyOf(vts.map((v) => v.match));
  switch (t.mode) {
    case 'present':
      return (p) => s(p, present);
    case 'any':
      return (p) => s(p, match);
    case 'none':
      return (p) => s(p, present) && !s(p, match);
    case 'all':
    case 'anyNot': {
      const differs = anyOf(vts.map((v) => (p: PacketView, h: number) => v.present(p, h) && !v.match(p, h)));
      if (t.mode === 'anyNot') return (p) => s(p, differs);
      return (p) => s(p, present) && !s(p, differs);
    }
  }
}

/** Compile a checked tree into one predicate. */
export function compileChecked(c: Checked, topo: Topology | undefined): Predicate {
  switch (c.type) {
    case 'true':
      return () => true;
    case 'not': {
      const e = compileChecked(c.e, topo);
      return (p) => !e(p);
    }
    case 'and': {
      const a = compileChecked(c.a, topo);
      const b = compileChecked(c.b, topo);
      return (p) => a(p) && b(p);
    }
    case 'or': {
      const a = compileChecked(c.a, topo);
      const b = compileChecked(c.b, topo);
      return (p) => a(p) || b(p);
    }
    case 'test':
      return compileTest(c, topo);
  }
}
