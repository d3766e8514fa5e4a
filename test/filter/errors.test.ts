/** Every compile-time error of the filter language: reason text, column and caret line. */
import { describe, expect, it } from 'vitest';
import { compileFilter, FilterError } from '../../src/filter/index.js';
import type { Topology } from '../../src/topology/types.js';

function err(text: string, opts = {}): FilterError {
  try {
    compileFilter(text, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(FilterError);
    return e as FilterError;
  }
  throw new Error(`'${text}' compiled but should not`);
}

describe('filter errors point at the spot', () => {
  it('unknown field: suggestion, column and caret line', () => {
    const e = err('vnid == 5');
    expect(e.reason).toBe("unknown field 'vnid' at column 1 — did you mean 'vni'?");
    expect(e.column).toBe(1);
    expect(e.message).toBe("unknown field 'vnid' at column 1 — did you mean 'vni'?\n  vnid == 5\n  ^~~~");
  });

  it('unknown field after a scope prefix points at the name, not the prefix', () => {
    const e = err('tcp and inner.tcp.dstprt == 22');
    expect(e.reason).toBe("unknown field 'tcp.dstprt' at column 15 — did you mean 'tcp.dstport'?");
    expect(e.message.split('\n')[2]).toBe(`  ${' '.repeat(14)}^~~~~~~~~~`);
  });

  it('unknown field with nothing close gives no suggestion', () => {
    expect(err('zzzzzzzz').reason).toBe("unknown field 'zzzzzzzz' at column 1 — see 'peelcap help filter' for the list");
  });

  it('type errors are caught at compile time', () => {
    expect(err('vni == "abc"').reason).toBe('vni is a number, got a string at column 8');
    expect(err('vni == abc').reason).toBe("vni is a number, got 'abc' at column 8");
    expect(err('ip.src == "10.0.0.1"').reason).toBe('ip.src is an IP address, got a string at column 11');
    expect(err('contrail.srcvn == default').reason).toBe('contrail.srcvn is a string, got \'default\' at column 19 — quote it: "default"');
    expect(err('ipv6.src == 10.0.0.1').reason).toBe('ipv6.src is an IPv6 address, got an IPv4 address at column 13 — use ip.src/ip.dst/ip.addr');
    expect(err('tcp == 5').reason).toBe("tcp is a protocol: it can only be tested for presence at column 8 — write 'tcp' alone");
    expect(err('ip.src > 10.0.0.1').reason).toBe("'>' needs numbers: ip.src is an IP address at column 8");
    expect(err('vni contains "a"').reason).toBe("'contains' needs a string field and a quoted string: vni is a number at column 5");
    expect(err('eth.src & 1').reason).toBe("'&' needs a number field: eth.src is a MAC address at column 9");
    expect(err('tunnel.type == "vxlam"').reason).toMatch(/^unknown tunnel.type "vxlam" at column 16 — known: vxlan, vxlan-gpe, geneve/);
  });

  it('bad address literals', () => {
    expect(err('ip.src == 10.0.0.256').reason).toBe("bad IP address '10.0.0.256' at column 11");
    expect(err('ip.src == 10.0.0.0/33').reason).toBe("bad prefix length '/33' at column 20 — 0..32 for an IPv4 address");
    expect(err('ip.dst == fe80::/129').reason).toBe("bad prefix length '/129' at column 18 — 0..128 for an IPv6 address");
    expect(err('ip.src == 1:2:3:4:5:6:7:8:9').reason).toBe("bad IP address '1:2:3:4:5:6:7:8:9' at column 11");
    expect(err('eth.src == 00:11:22:33:44').reason).toBe("bad MAC address '00:11:22:33:44' at column 12");
    expect(err('eth.src == 00:11:22:33:44:55/8').reason).toBe('a MAC address takes no /prefix at column 12');
  });

  it('syntax errors', () => {
    expect(err('vni ==').reason).toBe('expected a value, got end of filter at column 7');
    expect(err('vni == 5 )').reason).toBe("unmatched ')' at column 10");
    expect(err('(vni == 5').reason).toBe("missing ')' for the '(' at column 1: got end of filter at column 10");
    expect(err('vni == 5 vxlan').reason).toBe("expected 'and', 'or' or the end of the filter, got 'vxlan' at column 10");
    expect(err('and vni').reason).toBe("expected a field or protocol name, got 'and' at column 1");
    expect(err('vni = 5').reason).toBe("single '=' is not an operator at column 5 — use '==' to compare");
    expect(err('vni in 5').reason).toBe("expected '{' to start a set, e.g. in {7 8 9}, got '5' at column 8");
    expect(err('vni in {}').reason).toBe('empty set at column 8 — list at least one value');
    expect(err('vni in {1 2').reason).toBe("missing '}' for this set at column 8");
    expect(err('vni in {9..7}').reason).toBe('empty range 9..7 at column 9 — write the lower bound first');
    expect(err('ip.src in {10.0.0.1..10.0.0.9}').reason).toBe('a range needs numbers: ip.src is an IP address at column 12');
    expect(err('tunnel[x].vni == 1').reason).toBe("expected a tunnel index like 0 or -1, got 'x' at column 8");
    expect(err('vni # 5').reason).toBe("unexpected character '#' at column 5");
    expect(err('contrail.srcvn ~ "x"').reason).toBe("'~' (matches) is not supported at column 16 — use 'contains' or '=='");
    expect(err('contrail.srcvn matches "x"').reason).toBe("'matches' is not supported at column 16 — use 'contains' or '=='");
  });

  it('unterminated string and bad escape', () => {
    const e = err('contrail.srcvn == "abc');
    expect(e.reason).toBe('unterminated string at column 19 — add the closing "');
    expect(e.message.split('\n')[2]).toBe(`  ${' '.repeat(18)}^~~~`);
    expect(err('contrail.srcvn == "a\\q"').reason).toBe("bad escape '\\q' in string at column 21");
  });

  it('scopes that do not apply', () => {
    expect(err('inner.frame.len > 5').reason).toBe('frame.len is a per-packet field: it takes no inner./outer./tunnel[] scope at column 1');
  });

  it('names without a topology say that --topology is needed; with one they compile', () => {
    expect(err('ovn.inport == "vm1"').reason).toBe('ovn.inport names need a topology at column 1 — pass --topology (or compare the numeric key)');
    expect(err('host == "cmpt001"').reason).toBe('host names need a topology at column 1 — pass --topology (or compare the numeric key)');
    expect(err('ovn.inport == vm1').reason).toBe('ovn.inport is a port key (number) or a port name (string), got \'vm1\' at column 15 — quote a name: "vm1"');
    const topology: Topology = { tunnelNames: () => undefined, hostName: () => undefined, applyTo: () => {}, close: () => {} };
    expect(() => compileFilter('ovn.inport == "vm1" or host == "cmpt001"', { topology })).not.toThrow();
    // numeric keys and in-packet VN strings need no topology
    expect(() => compileFilter('ovn.inport == 3 and vn == "default-domain:tim:traffic-net"')).not.toThrow();
  });
});

describe('any text either compiles or fails with a FilterError', () => {
  it('random filters built from the language pieces never crash the compiler', async () => {
    const fc = await import('fast-check');
    const piece = fc.constantFrom('vni', 'ip.src', '==', '!=', 'in', '{', '}', '..', '(', ')', '"x', '"vm1"', '10.0.0.0/8', 'fe80::1', '0x1f', '7', 'and', '||', '!', 'not', 'inner.tcp', 'tunnel[', ']', '-1', '.vni', '&', 'contains', 'eth.src', '00:11:22:33:44:55', '=', '~', '#', ',');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), fc.boolean(), (parts, spaced) => {
        const text = parts.join(spaced ? ' ' : '');
        try {
          compileFilter(text);
        } catch (e) {
          if (!(e instanceof FilterError)) throw e;
          expect(e.column).toBeGreaterThanOrEqual(1);
          expect(e.column).toBeLessThanOrEqual(text.length + 1);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
