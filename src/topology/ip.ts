/**
 * Address text <-> numbers for topology keys. Lookups on the packet path use IPv4 as an unsigned
 * 32-bit number and IPv6 as its canonical text (RFC 5952, as `ipv6String` prints it).
 */
import { ipv6String, u32 } from '../bytes.js';
import { parseIpv4, parseIpv6 } from '../filter/literals.js';

/** IPv4 dotted quad -> unsigned 32-bit number, or -1 when `s` is not one. */
export function ipv4ToU32(s: string): number {
  const b = parseIpv4(s.trim());
  return b ? u32(b, 0) : -1;
}

/** Canonical text of an IPv6 address written in any valid form (brackets and zone allowed), or undefined. */
export function canonicalIpv6(s: string): string | undefined {
  let text = s.trim();
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  const pct = text.indexOf('%');
  const b = parseIpv6(pct >= 0 ? text.slice(0, pct) : text);
  return b ? ipv6String(b, 0) : undefined;
}

/** First IPv4 address inside a name such as `172.20.0.23`, `cmpt001_172.20.0.23` or `cmpt001@172.20.0.23`. */
export function ipv4InName(name: string): { ip: number; rest: string } | undefined {
  const m = /(?:^|[^\d.])(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})(?![\d.]*\d)/.exec(name);
  if (!m) return undefined;
  const ip = ipv4ToU32(m[1]);
  if (ip < 0) return undefined;
  const rest = (name.slice(0, m.index + m[0].length - m[1].length) + name.slice(m.index + m[0].length))
    .replace(/^[\s_@:=-]+|[\s_@:=-]+$/g, '');
  return { ip, rest };
}
