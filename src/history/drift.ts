/**
 * Drift detection for the nightly run (issue 6), pure functions over the history records.
 *
 * Accuracy: the same model bytes on the same eval set must score exactly the same every night
 * (top-1 is correct/n, computed the same way and round-tripped exactly through JSON), so any
 * difference from the last night with the same model sha256 and eval sha256 is a finding.
 *
 * Latency: a robust z-score of tonight's batch-1 p50 against the comparable nights before it.
 * These functions are pure so the caller can confirm an alert with one re-run of the benchmark:
 * call latencyRegression again with the re-run's record and alert only if both runs alert.
 */
import type { HistoryRecord } from '../contracts/history.js';
import { ms, percent } from '../report/format.js';

export interface Finding {
  kind: 'accuracy-drift' | 'latency-regression';
  model: string;
  message: string;
  old?: number;
  new?: number;
  /** Infinity when the history had no spread at all (MAD = 0): JSON.stringify writes it as null. */
  z?: number;
  changePercent?: number;
}

/** 1.4826·MAD estimates the standard deviation of normally distributed data. */
export const MAD_TO_SIGMA = 1.4826;
export const Z_LIMIT = 3.5;
export const DEFAULT_LATENCY_THRESHOLD = 0.1;
export const DEFAULT_WINDOW = 30;
/** Fewer comparable nights than this say nothing about the spread: no latency alert yet. */
export const DEFAULT_MIN_POINTS = 5;

const short = (sha: string) => sha.slice(0, 7);

/** Enough decimals that two different fractions never print the same. */
function distinctPercents(a: number, b: number): [string, string] {
  for (let digits = 2; digits < 8; digits++) {
    if (percent(a, digits) !== percent(b, digits)) return [percent(a, digits), percent(b, digits)];
  }
  return [String(a), String(b)];
}

/**
 * Compares tonight's accuracy with the latest earlier record of the same model sha256 on the same
 * eval sha256. Against the latest (not the first) night: a drift is reported on the night it
 * happens, and the new value is what the following nights must then reproduce. Records without
 * an eval sha256 are never compared (nothing proves the eval set was the same).
 */
export function accuracyDrift(history: HistoryRecord[], current: HistoryRecord): Finding[] {
  if (current.evalSha256 === null) return [];
  const previous = history.filter((r) => r.model.sha256 === current.model.sha256 && r.evalSha256 === current.evalSha256).at(-1);
  if (!previous) return [];
  const compared: [string, number | null | undefined, number | null | undefined][] = [
    ['top-1', previous.metrics.top1, current.metrics.top1],
    ['top-5', previous.metrics.top5, current.metrics.top5],
    ['int8 top-1', previous.quantized?.metrics.top1, current.quantized?.metrics.top1],
  ];
  const findings: Finding[] = [];
  for (const [metric, before, now] of compared) {
    if (typeof before !== 'number' || typeof now !== 'number' || before === now) continue;
    const [oldText, newText] = distinctPercents(before, now);
    findings.push({
      kind: 'accuracy-drift',
      model: current.model.name,
      old: before,
      new: now,
      message:
        `${current.model.name}: ${metric} changed from ${oldText} to ${newText} with the same model (sha256 ${short(current.model.sha256)}) ` +
        `and eval set (sha256 ${short(current.evalSha256)}) as on ${previous.timestamp} (commit ${short(previous.commit)}): ` +
        `nondeterminism or runtime drift (${current.executionProvider} on ${current.runner.cpu}${current.runner.gpu ? ` / ${current.runner.gpu}` : ''}).`,
    });
  }
  return findings;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * z = (x − median) / (1.4826·MAD), MAD = median |h − median|. With MAD = 0 (every night equal,
 * e.g. a timer's coarse resolution) the spread is unknown but zero: z is +Infinity above the
 * median, −Infinity below, 0 on it, so the percentage threshold alone decides.
 */
export function robustZ(history: readonly number[], x: number): { z: number; median: number; mad: number } {
  if (history.length === 0) throw new RangeError('robustZ needs at least one history value');
  const center = median(history);
  const mad = median(history.map((h) => Math.abs(h - center)));
  const deviation = x - center;
  const z = mad === 0 ? (deviation === 0 ? 0 : deviation * Infinity) : deviation / (MAD_TO_SIGMA * mad);
  return { z, median: center, mad };
}

/**
 * Nights measuring the same thing as `current`: same model bytes, eval set, execution provider
 * and runner hardware. A change of any of these is "a detected change": latency is expected to
 * move with it, so the window restarts after it.
 */
export function isComparable(a: HistoryRecord, b: HistoryRecord): boolean {
  return a.model.sha256 === b.model.sha256 && a.evalSha256 === b.evalSha256 && a.executionProvider === b.executionProvider && a.runner.cpu === b.runner.cpu && a.runner.gpu === b.runner.gpu;
}

/**
 * The latest `window` records of current's model (by name) since its last non-comparable record,
 * oldest first. Other models' records interleaved in the file are ignored.
 */
export function latencyWindow(history: readonly HistoryRecord[], current: HistoryRecord, window = DEFAULT_WINDOW): HistoryRecord[] {
  const picked: HistoryRecord[] = [];
  for (let i = history.length - 1; i >= 0 && picked.length < window; i--) {
    const record = history[i];
    if (record.model.name !== current.model.name) continue;
    if (!isComparable(record, current)) break;
    picked.push(record);
  }
  return picked.reverse();
}

/**
 * Alerts when tonight's batch-1 p50 is both improbable (z > 3.5) and material (slower than the
 * window's median by more than `threshold`, a fraction).
 *
 * Scale: the issue says "log p50", but its reference (history [100,101,99,100,102,98,100,101,99,
 * 100], new 106 → z = 4.047) is only reproduced on raw milliseconds: median 100, MAD 1,
 * 6 / 1.4826 = 4.047. On log p50 the same data give MAD = ln(101/100) and z = ln 1.06 / (1.4826 ·
 * 0.00995) = 3.950. We follow the reference (raw ms); the two agree to a few percent for the
 * small relative spreads of nightly latency, and both alert here.
 *
 * Returns z = NaN and no finding when fewer than `minPoints` comparable nights exist.
 * `history` must not contain `current` itself.
 */
export function latencyRegression(
  history: HistoryRecord[],
  current: HistoryRecord,
  opts: { threshold?: number; window?: number; minPoints?: number } = {},
): { finding: Finding | null; z: number; changePercent: number } {
  const threshold = opts.threshold ?? DEFAULT_LATENCY_THRESHOLD;
  const points = latencyWindow(history, current, opts.window ?? DEFAULT_WINDOW).map((r) => r.latency.batch1.p50Ms);
  const x = current.latency.batch1.p50Ms;
  if (points.length === 0) return { finding: null, z: Number.NaN, changePercent: Number.NaN };
  const { z, median: center } = robustZ(points, x);
  const change = center === 0 ? (x === 0 ? 0 : Infinity) : x / center - 1;
  const changePercent = change * 100;
  if (points.length < (opts.minPoints ?? DEFAULT_MIN_POINTS)) return { finding: null, z: Number.NaN, changePercent };
  if (!(z > Z_LIMIT && change > threshold)) return { finding: null, z, changePercent };
  const zText = Number.isFinite(z) ? z.toFixed(2) : '∞ (no spread in the history)';
  return {
    z,
    changePercent,
    finding: {
      kind: 'latency-regression',
      model: current.model.name,
      old: center,
      new: x,
      z,
      changePercent,
      message:
        `${current.model.name}: batch-1 p50 latency ${ms(x)} vs a median of ${ms(center)} over the last ${points.length} comparable nights ` +
        `(+${changePercent.toFixed(1)}%, robust z = ${zText} > ${Z_LIMIT}; threshold ${+(threshold * 100).toFixed(2)}%).`,
    },
  };
}
