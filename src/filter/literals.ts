/**
 * Address literals of the filter language, parsed once at compile time into byte arrays that the
 * predicate compares in place against the packet bytes.
 */

/** IPv4 dotted quad -> 4 bytes, or undefined. Strict: four decimal octets 0..255, no leading '+'. */
export function parseIpv4(s: string): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!/^\d{1,3}$/.test(parts[i])) return undefined;
    const v = Number(parts[i]);
    if (v > 255) return undefined;
    out[i] = v;
  }
  return out;
}

/** IPv6 text (RFC 4291 forms: '::' compression, trailing dotted IPv4) -> 16 bytes, or undefined. */
export function parseIpv6(s: string): Uint8Array | undefined {
  if (!s.includes(':')) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    const parts = h.split(':');
    for (let i = 0; i < parts.length; i++) {
      const g = parts[i];
      if (i === parts.length - 1 && g.includes('.')) {
        const v4 = parseIpv4(g);
        if (!v4) return undefined;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
        out.push(parseInt(g, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  const n = head.length + tail.length;
  if (halves.length === 2 ? n > 7 : n !== 8) return undefined;
  const all = [...head, ...new Array<number>(8 - n).fill(0), ...tail];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = all[i] >> 8;
    out[2 * i + 1] = all[i] & 255;
  }
  return out;
}

/** MAC as 6 hex pairs separated by ':' or '-', or Cisco 'xxxx.xxxx.xxxx' -> 6 bytes, or undefined. */
export function parseMac(s: string): Uint8Array | undefined {
  let hex: string;
  if (/^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$/.test(s)) hex = s.replace(/[:-]/g, '');
  else if (/^[0-9a-fA-F]{4}(\.[0-9a-fA-F]{4}){2}$/.test(s)) hex = s.replace(/\./g, '');
  else return undefined;
  const out = new Uint8Array(6);
  for (let i = 0; i < 6; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** A byte-string value and mask: matches bytes b when (b[i] & mask[i]) === value[i] for every i. */
export interface MaskedBytes {
  value: Uint8Array;
  mask: Uint8Array;
}

/** Apply a prefix length to an address: the network bytes and the mask. */
export function prefixMask(addr: Uint8Array, bits: number): MaskedBytes {
  const mask = new Uint8Array(addr.length);
  for (let i = 0; i < addr.length; i++) {
    const b = Math.max(0, Math.min(8, bits - 8 * i));
    mask[i] = (0xff00 >> b) & 0xff;
  }
  const value = addr.map((v, i) => v & mask[i]);
  return { value, mask };
}

/** Parse a decimal or 0x-hex unsigned integer; undefined if the word is not one. */
export function parseNumber(s: string): number | undefined {
  if (/^\d+$/.test(s)) return Number(s);
  if (/^0[xX][0-9a-fA-F]+$/.test(s)) return parseInt(s.slice(2), 16);
  return undefined;
}
