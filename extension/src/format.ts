/**
 * One way to show a param, metric or tag value as text: the rules of nbtrack/formatting.py,
 * which the CLI, the widgets and the report use. tests/views/formatting_cases.json pins both
 * to one table of cases (tests/views/test_formatting.py runs this file under Node).
 *
 * null/undefined -> "-"; booleans true/false; a whole number below 1e15 its digits (JSON
 * cannot tell 3.0 from 3); NaN, ±Infinity nan, inf, -inf; other numbers 4 significant digits
 * without padding zeros, in exponent form below 1e-4 and from 1e4 (Python's ".4g": an exact
 * tie rounds to even); text as it is; arrays and objects JSON-like with inner values by these
 * rules and keys sorted. Self-contained (no imports), so Node can run it as it is compiled.
 */

export const MISSING = '-';
const PRECISION = 4;
const WHOLE_BELOW = 1e15;

export function formatValue(value: unknown): string {
  if (value === null || value === undefined) {
    return MISSING;
  }
  return typeof value === 'string' ? value : inner(value);
}

export function formatNumber(x: number): string {
  if (Number.isNaN(x)) {
    return 'nan';
  }
  if (!Number.isFinite(x)) {
    return x > 0 ? 'inf' : '-inf';
  }
  if (Number.isInteger(x) && Math.abs(x) < WHOLE_BELOW) {
    return String(x); // String(-0) is "0"
  }
  return general(x);
}

/** A byte count as the CLI shows it (nbtrack/cli/output.py size()): "512 B", "1.2 kB", "25.3 GB". */
export function formatSize(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) {
    return MISSING;
  }
  let n = bytes;
  for (const unit of ['B', 'kB', 'MB', 'GB']) {
    if (Math.abs(n) < 1000 || unit === 'GB') {
      return unit === 'B' ? `${Math.round(n)} B` : `${n.toFixed(1)} ${unit}`;
    }
    n /= 1000;
  }
  return `${bytes} B`;
}

function inner(value: unknown): string {
  if (value === null || value === undefined) {
    return 'null';
  }
  if (typeof value === 'boolean') {
    return value ? 'true' : 'false';
  }
  if (typeof value === 'number') {
    return formatNumber(value);
  }
  if (typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map(inner).join(', ')}]`;
  }
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    return `{${keys.map(k => `${JSON.stringify(k)}: ${inner(record[k])}`).join(', ')}}`;
  }
  return String(value);
}

/** printf's %.4g: PRECISION significant digits, ties to even on the exact value, zeros trimmed. */
function general(x: number): string {
  const sign = x < 0 ? '-' : '';
  // 100 significant digits of the exact binary value: enough to see an exact tie.
  const [mantissa, exponentText] = Math.abs(x).toExponential(99).split('e');
  const digits = mantissa.replace('.', '');
  let exponent = Number(exponentText);
  let kept = Number(digits.slice(0, PRECISION));
  const next = Number(digits[PRECISION]);
  const tail = /[1-9]/.test(digits.slice(PRECISION + 1));
  if (next > 5 || (next === 5 && (tail || kept % 2 === 1))) {
    kept += 1;
  }
  if (kept === 10 ** PRECISION) {
    kept = 10 ** (PRECISION - 1);
    exponent += 1;
  }
  const shown = String(kept);
  if (exponent < -4 || exponent >= PRECISION) {
    const power = String(Math.abs(exponent)).padStart(2, '0');
    return `${sign}${trimmed(`${shown[0]}.${shown.slice(1)}`)}e${exponent < 0 ? '-' : '+'}${power}`;
  }
  const fixed = exponent >= 0
    ? `${shown.slice(0, exponent + 1)}.${shown.slice(exponent + 1)}`
    : `0.${'0'.repeat(-exponent - 1)}${shown}`;
  return sign + trimmed(fixed);
}

function trimmed(text: string): string {
  return text.replace(/0+$/, '').replace(/\.$/, '');
}

// --- Runs as people see them: one short id rule and one colour per run (nbtrack/formatting.py). ---

export const SHORT_ID_MIN = 6;
/** Tableau 10, made to be told apart. */
export const PALETTE = [
  '#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f',
  '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'
];

/**
 * Each id's last N characters, N the same for all: the least N >= SHORT_ID_MIN that tells them
 * apart. Run ids are time-sorted (ULIDs), so a sweep's runs share their prefix and differ in
 * the suffix. Pass every id the view shows.
 */
export function shortIds(ids: string[]): Map<string, string> {
  const distinct = Array.from(new Set(ids));
  const longest = distinct.reduce((most, id) => Math.max(most, id.length), 0);
  let length = SHORT_ID_MIN;
  while (length < longest && new Set(distinct.map(id => id.slice(-length))).size < distinct.length) {
    length += 1;
  }
  return new Map(distinct.map(id => [id, id.slice(-length)]));
}

/** The palette's colour number index, cycling past its end (nbtrack/formatting.py palette_colour). A
 * run's own colour comes from the server (`colour` on every run it sends): the palette entry of its row
 * number, so a sweep's runs differ and a run keeps its colour everywhere. Use this for groups. */
export function paletteColour(index: number): string {
  return PALETTE[((index % PALETTE.length) + PALETTE.length) % PALETTE.length];
}

/** Words of a metric whose smaller value is the better one: nbtrack.analyze.differences.LOWER_IS_BETTER. */
const LOWER_IS_BETTER = ['loss', 'cost', 'error', 'err', 'mse', 'mae', 'rmse', 'mape', 'brier', 'latency', 'time',
  'seconds', 'duration', 'std'];
/** A field may name a summary after the key (metrics.test.loss.min). */
const SUMMARIES = ['min', 'max', 'last', 'first', 'mean'];

/** is_lower_better's twin: the key's last part (before a summary) names a loss, an error, a time...
 * tests/views/formatting_cases.json ("lower_is_better") pins both. */
export function isLowerBetter(field: string): boolean {
  const parts = field.toLowerCase().replace(/^metrics\./, '').split('.');
  if (parts.length > 1 && SUMMARIES.includes(parts[parts.length - 1])) {
    parts.pop();
  }
  const last = parts[parts.length - 1];
  return LOWER_IS_BETTER.some(word => last.includes(word));
}
