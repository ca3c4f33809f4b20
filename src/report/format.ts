/** Number formatting for the Markdown report: one place decides how every figure reads. */

/** A fraction as a percentage: 0.87114 → "87.11%", −0.383 → "−38.3%" (a real minus, never "−0.0%"). */
export const percent = (fraction: number, digits = 2) => `${signedOrPlain(fraction * 100, digits)}%`;

/** A fraction as signed points: 0.0357 → "+3.57 pt". The minus is a real minus sign. */
export function points(fraction: number, digits = 2): string {
  const value = fraction * 100;
  const text = Math.abs(value).toFixed(digits);
  if (Number(text) === 0) return `±${text} pt`;
  return `${value > 0 ? '+' : '−'}${text} pt`;
}

/** Signed number without unit, with a real minus sign. */
export function signed(value: number, digits = 2): string {
  const text = Math.abs(value).toFixed(digits);
  if (Number(text) === 0) return text;
  return `${value > 0 ? '+' : '−'}${text}`;
}

/** An interval of fractions as a percentage range: [0.238, 0.314] → "23.8–31.4%". */
export const percentRange = ([lo, hi]: readonly [number, number], digits = 1) => `${signedOrPlain(lo * 100, digits)}–${signedOrPlain(hi * 100, digits)}%`;

/** An interval of fractions as points: "−0.31 to +0.55 pt". */
export const pointsRange = ([lo, hi]: readonly [number, number], digits = 2) => `${signed(lo * 100, digits)} to ${signed(hi * 100, digits)} pt`;

/** A minus sign only when negative, and none on a figure that rounds to zero ("0.0", not "−0.0"). */
function signedOrPlain(value: number, digits: number): string {
  const text = Math.abs(value).toFixed(digits);
  return value < 0 && Number(text) !== 0 ? `−${text}` : text;
}

/** Whole numbers with thousands separators: 10000 → "10,000". */
export const count = (value: number) => value.toLocaleString('en-US');

/** The significance level the verdicts and require-significant gates use. */
const ALPHA = 0.05;

/**
 * A p-value a reviewer can read. Below 1e-30 the exact figure means nothing more, and below
 * ~1e-308 a double can't hold it at all, so it is given as a bound from its log10. Near α = 0.05,
 * digits are added until the printed figure is on the same side of α as p: 0.0496 (a real gain)
 * never reads "p = 0.05".
 */
export function pValue(p: number, log10p?: number): string {
  const log = log10p ?? Math.log10(p);
  if (log < -30) return 'p < 1e-30';
  if (p < 1e-3) {
    const [mantissa, exponent] = p.toExponential(1).split('e');
    return `p = ${mantissa}e${Number(exponent)}`;
  }
  if (p >= 0.995) return 'p = 1';
  if (p < 0.01) return `p = ${p.toPrecision(2)}`;
  let digits = 2;
  let text = p.toFixed(digits);
  while (digits < 12 && p < ALPHA !== Number(text) < ALPHA) text = p.toFixed(++digits);
  return `p = ${text}`;
}

/** Milliseconds with enough digits for sub-millisecond models. */
export function ms(value: number): string {
  if (value >= 100) return `${value.toFixed(0)} ms`;
  if (value >= 10) return `${value.toFixed(1)} ms`;
  if (value >= 1) return `${value.toFixed(2)} ms`;
  return `${value.toFixed(3)} ms`;
}

/** A ratio of latencies: 1.583 → "×1.58". */
export const ratio = (value: number) => `×${value.toFixed(2)}`;

export function bytes(value: number): string {
  if (value >= 1e9) return `${(value / 1e9).toFixed(2)} GB`;
  if (value >= 1e6) return `${(value / 1e6).toFixed(1)} MB`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(0)} KB`;
  return `${value} B`;
}

/** Parameter counts: 20522 → "20.5k", 25.6e6 → "25.6M". */
export function params(value: number): string {
  if (value >= 1e9) return `${(value / 1e9).toFixed(1)}B`;
  if (value >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)}k`;
  return String(value);
}

/**
 * Markdown-safe inline code for user-controlled text (paths, names). A `|` ends a table cell even
 * inside a code span (GFM), and the `\|` that keeps it in a table shows its backslash everywhere
 * else; so text with a pipe or a backtick becomes an HTML <code> element whose punctuation is
 * written as character references, which reads the same in a table cell and in prose, and is never
 * Markdown or HTML syntax.
 */
export function code(text: string): string {
  const clean = text.replace(/[\r\n]+/g, ' ');
  if (/[|`]/.test(clean)) return `<code>${clean.replace(/[!-/:-@[-`{-~]/g, (ch) => `&#${ch.charCodeAt(0)};`)}</code>`;
  return `\`${clean}\``;
}

/** Escapes user-controlled text for a Markdown table cell or a line of prose. */
export function escapeMarkdown(text: string): string {
  // Only what can change meaning inside a table cell or a line: emphasis, code, links, HTML, pipes.
  return text.replace(/[\r\n]+/g, ' ').replace(/([\\`*_[\]<>|])/g, '\\$1');
}
