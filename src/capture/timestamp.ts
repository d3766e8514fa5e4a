/**
 * Exact conversions between 64-bit timestamp counters (split in two 32-bit halves, as pcapng stores
 * them) and seconds + nanoseconds. A nanosecond count of today (~1.7e18) is far beyond 2^53, so the
 * common µs/ns paths use long division in 16-bit steps (every intermediate < 2^53, exact in a
 * double); only unusual resolutions fall back to BigInt.
 */

/** Result slot reused by the reader: no object per packet. */
export interface TimeSlot {
  sec: number;
  nsec: number;
}

const TWO16 = 65536;
const TWO32 = 4294967296;

/**
 * Set `out` to (hi * 2^32 + lo) / unitsPerSecond as whole seconds + nanoseconds (truncated toward
 * zero, as Wireshark does). `unitsPerSecond` must be a positive integer.
 */
export function unitsToTime(hi: number, lo: number, unitsPerSecond: number, out: TimeSlot): void {
  // µs, ns and every other 10^k <= 10^9: the remainder scales to nanoseconds exactly.
  if (unitsPerSecond <= 1e9 && 1e9 % unitsPerSecond === 0) {
    divide(hi, lo, unitsPerSecond, out);
    out.nsec *= 1e9 / unitsPerSecond;
    return;
  }
  unitsToTimeBig(hi, lo, unitsPerSecond, out);
}

/**
 * Long division of the 64-bit value hi * 2^32 + lo by d <= 2^32 in base 2^16: quotient in out.sec,
 * remainder (in units) left in out.nsec for the caller to scale.
 */
export function divide(hi: number, lo: number, d: number, out: TimeSlot): void {
  const q1 = Math.floor(hi / d);
  let r = hi - q1 * d;
  let rem = r * TWO16 + (lo >>> 16);
  const q2 = Math.floor(rem / d);
  r = rem - q2 * d;
  rem = r * TWO16 + (lo & 0xffff);
  const q3 = Math.floor(rem / d);
  out.sec = q1 * TWO32 + q2 * TWO16 + q3;
  out.nsec = rem - q3 * d;
}

function unitsToTimeBig(hi: number, lo: number, unitsPerSecond: number, out: TimeSlot): void {
  const v = (BigInt(hi) << 32n) | BigInt(lo);
  const per = BigInt(unitsPerSecond);
  out.sec = Number(v / per);
  out.nsec = Number(((v % per) * 1_000_000_000n) / per);
}

/** High 32 bits of sec * 1e9 + nsec (sec < 2^32 * 4); see nsLow32. */
export function nsHigh32(sec: number, nsec: number): number {
  const sh = Math.floor(sec / TWO16);
  const sl = sec - sh * TWO16;
  const x = sh * 1e9; // < 2^48: exact
  const low = (x % TWO16) * TWO16 + sl * 1e9 + nsec; // < 2^47: exact
  return Math.floor(x / TWO16) + Math.floor(low / TWO32);
}

/** Low 32 bits of sec * 1e9 + nsec, computed exactly without BigInt. */
export function nsLow32(sec: number, nsec: number): number {
  const sh = Math.floor(sec / TWO16);
  const sl = sec - sh * TWO16;
  const x = sh * 1e9;
  const low = (x % TWO16) * TWO16 + sl * 1e9 + nsec;
  return low % TWO32;
}
