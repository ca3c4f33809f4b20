/** Turning one record's field into a 0/1 outcome or a score, with errors that name the file and line. */
import { UserError } from '../../errors.js';

const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function describe(raw: unknown): string {
  const text = JSON.stringify(raw);
  return text === undefined ? String(raw) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** A right/wrong outcome: true/false, 0/1, or their text forms ("1", "0.0", "True", "false"). */
export function parseOutcome(raw: unknown, field: string, where: string): 0 | 1 {
  if (raw === true || raw === false) return raw ? 1 : 0;
  if (raw === 0 || raw === 1) return raw;
  if (typeof raw === 'string') {
    const text = raw.trim().toLowerCase();
    if (text === 'true') return 1;
    if (text === 'false') return 0;
    if (NUMBER_TEXT.test(text) && (Number(text) === 0 || Number(text) === 1)) return Number(text) as 0 | 1;
  }
  throw new UserError(`${where}: '${field}' must be a right/wrong outcome (true/false or 0/1), got ${describe(raw)}`);
}

/**
 * A per-sample metric value: a number, a boolean (1/0), or a number written as text (the
 * harness's 0.3 write_out stores str(value)). Must lie in [0, scale].
 */
export function parseMetricValue(raw: unknown, field: string, where: string, scale: number): number {
  let value: number | null = null;
  if (typeof raw === 'number') value = raw;
  else if (typeof raw === 'boolean') value = raw ? 1 : 0;
  else if (typeof raw === 'string') {
    const text = raw.trim();
    if (text === 'True' || text === 'False') value = text === 'True' ? 1 : 0;
    else if (NUMBER_TEXT.test(text)) value = Number(text);
    else if (/^[-+]?(nan|inf(inity)?)$/i.test(text)) {
      throw new UserError(`${where}: '${field}' is ${text}, not a finite number`);
    }
  } else if (Array.isArray(raw) || (raw !== null && typeof raw === 'object')) {
    throw new UserError(
      `${where}: '${field}' is ${describe(raw)}, not a per-sample score: lm-evaluation-harness keeps corpus-level metrics ` +
        '(bleu, chrf, ter, mcc, f1 of some tasks, perplexities) as per-sample items it aggregates later. ' +
        'Compare a per-sample metric instead (acc, acc_norm, exact_match, …) via results.metric',
    );
  }
  if (value === null || !Number.isFinite(value)) throw new UserError(`${where}: '${field}' must be a number, got ${describe(raw)}`);
  if (value < 0 || value > scale) {
    throw new UserError(`${where}: '${field}' is ${value}, outside [0, ${scale}]` + (value > scale && value <= 100 ? '; for scores on a 0–100 scale set results.score-scale: 100' : ''));
  }
  return value;
}

/** An optional per-sample latency in milliseconds. */
export function parseLatency(raw: unknown, field: string, where: string): number | null {
  if (raw === undefined || raw === null || raw === '') return null;
  const value = typeof raw === 'string' && NUMBER_TEXT.test(raw.trim()) ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new UserError(`${where}: '${field}' must be a non-negative number of milliseconds, got ${describe(raw)}`);
  }
  return value;
}

/** A slice value: strings as they are, numbers and booleans as text; anything else has no slice. */
export function sliceValue(raw: unknown): string | null {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  return null;
}
