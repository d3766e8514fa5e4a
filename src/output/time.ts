import { fragment, putFrag, putPadded, room, type ByteBatch, type Fragment } from './byte-batch.js';

/**
 * tcpdump-style timestamps. The date/time part of a second is formatted once and reused for every
 * packet of that second, so the per-packet cost is one small concatenation.
 */

/** `-t` count as tcpdump: 0 = HH:MM:SS.frac, 1 = none, 2 = epoch, 3 = delta to previous, 4 = date and time, 5 = delta to first. */
export type TimeMode = 'time' | 'none' | 'epoch' | 'delta' | 'date' | 'since-first';

export function timeModeFromCount(t: number): TimeMode {
  return (['time', 'none', 'epoch', 'delta', 'date', 'since-first'] as const)[Math.min(t, 5)];
}

/** Longest date and time prefix with its '.' (a year of up to 6 digits and a sign; NaN parts are shorter). */
const PREFIX_MAX = 32;

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

export class TimeFormatter {
  private lastSec = NaN;
  private lastPrefix = '';
  /** lastPrefix and the '.' before the fraction, pre-encoded. */
  private lastPrefixDot: Fragment = fragment('.');
  private prevSec = NaN;
  private prevNsec = 0;
  private firstSec = NaN;
  private firstNsec = 0;

  /**
   * @param mode which format
   * @param nano 9 fractional digits instead of 6
   * @param utc format wall-clock times in UTC instead of the local time zone
   */
  constructor(
    readonly mode: TimeMode,
    private readonly nano = false,
    private readonly utc = false,
  ) {}

  private frac(nsec: number): string {
    return this.nano ? String(nsec).padStart(9, '0') : String(Math.floor(nsec / 1000)).padStart(6, '0');
  }

  /** The timestamp text for one packet ('' for mode 'none'). Call once per packet, in order. */
  format(sec: number, nsec: number): string {
    switch (this.mode) {
      case 'none':
        return '';
      case 'epoch':
        return `${sec}.${this.frac(nsec)}`;
      case 'delta': {
        const out = Number.isNaN(this.prevSec) ? this.delta(0, 0) : this.deltaFrom(this.prevSec, this.prevNsec, sec, nsec);
        this.prevSec = sec;
        this.prevNsec = nsec;
        return out;
      }
      case 'since-first':
        if (Number.isNaN(this.firstSec)) {
          this.firstSec = sec;
          this.firstNsec = nsec;
        }
        return this.deltaFrom(this.firstSec, this.firstNsec, sec, nsec);
      default:
        this.second(sec);
        return `${this.lastPrefix}.${this.frac(nsec)}`;
    }
  }

  /**
   * Write `format(sec, nsec)` into a byte batch (the same text). Wall-clock times copy the cached bytes
   * of the second and write the fraction from digit tables.
   */
  write(w: ByteBatch, sec: number, nsec: number): void {
    if (this.mode !== 'time' && this.mode !== 'date') {
      w.ascii(this.format(sec, nsec));
      return;
    }
    this.second(sec);
    const d = room(w, w.pos, PREFIX_MAX + 24);
    const p = putFrag(d, w.pos, this.lastPrefixDot);
    w.pos = this.nano ? putPadded(d, p, nsec, 9) : putPadded(d, p, Math.floor(nsec / 1000), 6);
  }

  /** Format the date/time part of second `sec` unless it is the one of the previous packet. */
  private second(sec: number): void {
    if (sec === this.lastSec) return;
    this.lastSec = sec;
    this.lastPrefix = this.wallClock(sec, this.mode === 'date');
    this.lastPrefixDot = fragment(`${this.lastPrefix}.`);
  }

  private wallClock(sec: number, withDate: boolean): string {
    const d = new Date(sec * 1000);
    const u = this.utc;
    const hms = `${pad2(u ? d.getUTCHours() : d.getHours())}:${pad2(u ? d.getUTCMinutes() : d.getMinutes())}:${pad2(
      u ? d.getUTCSeconds() : d.getSeconds(),
    )}`;
    if (!withDate) return hms;
    const y = u ? d.getUTCFullYear() : d.getFullYear();
    const mo = (u ? d.getUTCMonth() : d.getMonth()) + 1;
    const day = u ? d.getUTCDate() : d.getDate();
    return `${y}-${pad2(mo)}-${pad2(day)} ${hms}`;
  }

  private deltaFrom(s0: number, n0: number, s1: number, n1: number): string {
    let ds = s1 - s0;
    let dn = n1 - n0;
    if (dn < 0) {
      dn += 1e9;
      ds -= 1;
    }
    return this.delta(ds, dn);
  }

  /** tcpdump prints deltas as H:MM:SS.frac (negative deltas, from unordered captures, with a '-'). */
  private delta(ds: number, dn: number): string {
    let sign = '';
    if (ds < 0) {
      sign = '-';
      // -(ds + dn/1e9) split back into whole seconds and nanoseconds
      const total = -(ds * 1e9 + dn);
      ds = Math.floor(total / 1e9);
      dn = total - ds * 1e9;
    }
    const h = Math.floor(ds / 3600);
    const m = Math.floor((ds % 3600) / 60);
    const s = ds % 60;
    return `${sign}${pad2(h)}:${pad2(m)}:${pad2(s)}.${this.frac(dn)}`;
  }
}
