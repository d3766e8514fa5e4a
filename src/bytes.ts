/**
 * Big-endian reads over a Uint8Array and the formatting used by outputs. Plain index arithmetic:
 * V8 inlines these, and they need no DataView per chunk. Callers bounds-check first.
 */
export function u16(b: Uint8Array, i: number): number {
  return (b[i] << 8) | b[i + 1];
}

export function u24(b: Uint8Array, i: number): number {
  return (b[i] << 16) | (b[i + 1] << 8) | b[i + 2];
}

export function u32(b: Uint8Array, i: number): number {
  return ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
}

export function u16le(b: Uint8Array, i: number): number {
  return b[i] | (b[i + 1] << 8);
}

export function u32le(b: Uint8Array, i: number): number {
  return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
}

export function ipv4String(b: Uint8Array, i: number): string {
  return `${b[i]}.${b[i + 1]}.${b[i + 2]}.${b[i + 3]}`;
}

export function ipv4FromU32(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** RFC 5952 text of the IPv6 address at b[i..i+16): lowercase, longest zero run (>= 2 groups) as '::'. */
export function ipv6String(b: Uint8Array, i: number): string {
  const g = new Array<number>(8);
  for (let k = 0; k < 8; k++) g[k] = (b[i + 2 * k] << 8) | b[i + 2 * k + 1];
  let bestStart = -1;
  let bestLen = 0;
  for (let k = 0; k < 8; ) {
    if (g[k] !== 0) {
      k++;
      continue;
    }
    let j = k;
    while (j < 8 && g[j] === 0) j++;
    if (j - k > bestLen) {
      bestStart = k;
      bestLen = j - k;
    }
    k = j;
  }
  if (bestLen < 2) bestStart = -1;
  // IPv4-mapped ::ffff:a.b.c.d, as tshark and tcpdump print it
  if (bestStart === 0 && bestLen === 5 && g[5] === 0xffff) return `::ffff:${ipv4String(b, i + 12)}`;
  let out = '';
  for (let k = 0; k < 8; k++) {
    if (k === bestStart) {
      out += '::';
      k += bestLen - 1;
      continue;
    }
    if (out.length > 0 && !out.endsWith(':')) out += ':';
    out += g[k].toString(16);
  }
  return out;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function macString(b: Uint8Array, i: number): string {
  return `${HEX[b[i]]}:${HEX[b[i + 1]]}:${HEX[b[i + 2]]}:${HEX[b[i + 3]]}:${HEX[b[i + 4]]}:${HEX[b[i + 5]]}`;
}

export function hexString(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += HEX[b[i]];
  return s;
}

/** Bytes as text: UTF-8 when valid, else Latin-1 (VN names in mirror TLVs are not guaranteed UTF-8). */
const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');
export function text(b: Uint8Array, start: number, end: number): string {
  const v = b.subarray(start, end);
  try {
    return utf8.decode(v);
  } catch {
    return latin1.decode(v);
  }
}
