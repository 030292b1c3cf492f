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
