/**
 * A one-line progress bar on a terminal's stderr: bytes done, packets/s, ETA. Redrawn at most
 * every 200 ms; `finish()` erases it so the terminal keeps only real output.
 */
import { humanBytes } from './stats.js';

const REDRAW_MS = 200;
const WIDTH = 24;

export class ProgressBar {
  private lastDraw = 0;
  private readonly started = Date.now();
  private drawn = false;

  constructor(
    private readonly total: number,
    private readonly err: NodeJS.WriteStream = process.stderr,
  ) {}

  update(bytes: number, packets: number): void {
    const now = Date.now();
    if (now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    const secs = Math.max((now - this.started) / 1000, 0.001);
    const frac = this.total > 0 ? Math.min(bytes / this.total, 1) : 0;
    const fill = Math.round(frac * WIDTH);
    const rate = packets / secs;
    const eta = frac > 0 ? (secs * (1 - frac)) / frac : 0;
    const line =
      `[${'#'.repeat(fill)}${'.'.repeat(WIDTH - fill)}] ${(frac * 100).toFixed(0).padStart(3)}% ` +
      `${humanBytes(bytes)}/${humanBytes(this.total)}  ${formatRate(rate)} pkt/s  ETA ${formatEta(eta)}`;
    this.err.write(`\r${line.slice(0, Math.max((this.err.columns || 80) - 1, 20))}\x1b[K`);
    this.drawn = true;
  }

  finish(): void {
    if (this.drawn) this.err.write('\r\x1b[K');
    this.drawn = false;
  }
}

function formatRate(r: number): string {
  if (r >= 1e6) return `${(r / 1e6).toFixed(2)}M`;
  if (r >= 1e3) return `${(r / 1e3).toFixed(1)}k`;
  return r.toFixed(0);
}

function formatEta(s: number): string {
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`;
}
