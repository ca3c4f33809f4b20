/**
 * The Action run's report.json (contracts/run.ts): the lines that explain a failed run, and the
 * reader the fork-comment workflow uses, which checks it field by field because it comes back
 * from an untrusted run.
 */
import type { RunReport } from '../contracts/run.js';
import { UserError } from '../errors.js';
import { gateVerdict, gateVerdictText } from '../report/verdict.js';

/** Lines that explain a failed run: per model with a failed gate, its verdict, then each failed gate's full line. */
export function failedGateLines(run: RunReport): string[] {
  return run.comparisons.flatMap(({ name, report }) => {
    const failed = report.gates.filter((g) => !g.passed);
    if (failed.length === 0) return [];
    return [`model-gate · ${name}: ${gateVerdictText(gateVerdict(report.gates, 'plain'), 'plain')}`, ...failed.map((g) => `  gate ${g.name}: ${g.line}`)];
  });
}

/**
 * The check annotation of each model that did not fail, with the verdict line's icon: a notice
 * (✅) when its gates passed, a warning (⚠️) when one was not measurable. Failed models are in
 * failedGateLines, which fail the step (an error annotation, ❌).
 */
export function verdictAnnotations(run: RunReport): { level: 'notice' | 'warning'; message: string }[] {
  return run.comparisons.flatMap(({ name, report }) => {
    const verdict = gateVerdict(report.gates, 'plain');
    if (verdict.kind === 'fail') return [];
    return [{ level: verdict.kind === 'pass' ? 'notice' : 'warning', message: `model-gate · ${name}: ${gateVerdictText(verdict, 'plain')}` }];
  });
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Reads report.json from an artifact another (possibly untrusted) run uploaded. */
export function parseRunReport(text: string, origin: string): RunReport {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${origin}: not JSON (${(error as Error).message})`);
  }
  const problem = (what: string) => new UserError(`${origin}: ${what}`);
  if (!isObject(data) || data.schemaVersion !== 1 || data.kind !== 'model-gate-run') throw problem('not a model-gate run report (schemaVersion 1)');
  if (!['pass', 'fail', 'skipped'].includes(data.verdict as string)) throw problem('verdict must be pass, fail or skipped');
  if (typeof data.configPath !== 'string' || !/^[A-Za-z0-9._/-]{1,200}$/.test(data.configPath)) throw problem('configPath is missing or has unexpected characters');
  const pr = data.pullRequest;
  if (!isObject(pr) || typeof pr.number !== 'number' || !Number.isSafeInteger(pr.number) || pr.number <= 0 || !/^[0-9a-f]{40}$/.test(String(pr.headSha))) {
    throw problem('pullRequest.number must be a positive whole number and pullRequest.headSha a commit sha');
  }
  if (
    !Array.isArray(data.comparisons) ||
    !data.comparisons.every((c) => isObject(c) && typeof c.name === 'string' && /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(c.name) && isObject(c.report) && c.report.schemaVersion === 1)
  ) {
    throw problem('comparisons must be a list of {name, report} with schemaVersion 1 reports');
  }
  for (const key of ['configChangedKeys', 'notes'] as const) {
    if (!Array.isArray(data[key]) || !(data[key] as unknown[]).every((v) => typeof v === 'string')) throw problem(`${key} must be a list of strings`);
  }
  return data as unknown as RunReport;
}
