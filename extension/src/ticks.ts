/** Axis ticks and their labels: round numbers, whole seconds to days, powers of ten, times of day. */

import { formatNumber } from './format';

export type XKind = 'number' | 'time' | 'seconds';

/** Round tick values (1, 2, 5 times a power of ten) inside [lo, hi]. */
export function ticks(lo: number, hi: number, count: number): number[] {
  const span = hi - lo;
  if (!(span > 0) || !Number.isFinite(span)) {
    return [lo];
  }
  const raw = span / count;
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map(m => m * power).find(s => span / s <= count) ?? 10 * power;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
    out.push(Math.abs(t) < step * 1e-9 ? 0 : Number(t.toPrecision(12)));
  }
  return out;
}

const SECONDS = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600,
  43200, 86400, 172800, 604800];

/** Ticks on whole seconds, minutes, hours or days (x in seconds). */
export function timeTicks(lo: number, hi: number, count: number): number[] {
  const span = hi - lo;
  const step = SECONDS.find(s => span / s <= count);
  if (!step || !(span > 0)) {
    return ticks(lo, hi, count);
  }
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
    out.push(Number(t.toFixed(3)));
  }
  return out;
}

export function logTicks(lo: number, hi: number): number[] {
  const whole = ticks(Math.floor(lo), Math.ceil(hi), 6).filter(t => Number.isInteger(t) && t >= lo && t <= hi);
  if (whole.length >= 2) {
    return whole;
  }
  // Less than two decades: round values (1, 2, 5 x 10^k, else every digit), never 3.162.
  for (const mantissas of [[1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]]) {
    const found: number[] = [];
    for (let k = Math.floor(lo); k <= Math.ceil(hi); k += 1) {
      for (const m of mantissas) {
        const t = Math.log10(m) + k;
        if (t >= lo - 1e-9 && t <= hi + 1e-9) {
          found.push(t);
        }
      }
    }
    if (found.length >= 2) {
      return found;
    }
  }
  return ticks(lo, hi, 4);
}

export function xText(value: number, kind: XKind, span: number): string {
  if (kind === 'time') {
    const date = new Date(value * 1000);
    if (span > 2 * 86400) {
      return date.toLocaleDateString();
    }
    const time = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
    return span < 10 ? `${time}.${Math.floor((value % 1) * 10 + 1e-6)}` : time;
  }
  if (kind === 'seconds') {
    return value >= 3600 && span >= 3600 ? `${formatNumber(value / 3600)} h`
      : value >= 120 && span >= 120 ? `${formatNumber(value / 60)} min` : `${formatNumber(value)} s`;
  }
  return formatNumber(value);
}
