/**
 * The results: section of model-gate.yml (task: results): cross-key checks a JSON schema can't
 * say clearly, the typed ResultsConfig, and the two result sets' paths (flags win over the file).
 */
import { resolve } from 'node:path';
import { UserError } from '../errors.js';
import type { ConfigEnvironment, ConfigOverrides } from './load.js';
import type { Config, ResultsConfig, ResultsRef } from './types.js';

type Raw = Record<string, any>;

/** Keys that do nothing for task: results, with what to do instead. */
const NOT_FOR_RESULTS: Record<string, string> = {
  eval: 'the result files are the evaluation (results.baseline / results.candidate)',
  classes: 'slices come from the result files (results.slices)',
  preprocess: 'model-gate runs no model for task: results',
  inference: 'model-gate runs no model for task: results',
  latency: "per-sample latency comes from the result files' latency_ms",
  detection: 'only used with task: detection',
  quantization: 'model-gate runs no model for task: results',
};

const GATES_NOT_FOR_RESULTS: Record<string, string> = {
  'max-top1-drop': 'task: results has max-metric-drop',
  'min-error-reduction': 'only used with task: classification',
  'max-map-drop': 'only used with task: detection',
  'max-int8-drop': 'model-gate runs no model for task: results',
};

const RESULTS_GATES = ['max-metric-drop', 'min-focus-gain', 'no-worse-focus-slice'];

/** Problems with a task: results config (one line each, naming the key). */
export function resultsProblems(raw: Raw): string[] {
  const problems: string[] = [];
  for (const [key, why] of Object.entries(NOT_FOR_RESULTS)) if (raw[key] !== undefined) problems.push(`${key}: not used with task: results (${why})`);
  for (const [key, why] of Object.entries(GATES_NOT_FOR_RESULTS)) if (raw.gates?.[key] !== undefined) problems.push(`gates.${key}: not used with task: results (${why})`);
  const results: Raw = raw.results ?? {};
  const format = results.format ?? 'auto';
  if (results.filter !== undefined && format !== 'auto' && format !== 'lm-eval') {
    problems.push(`results.filter: only used with lm-evaluation-harness files (results.format lm-eval or auto), not ${format}`);
  }
  const derive: Raw = results.derive ?? {};
  for (const [column, rule] of Object.entries<Raw>(derive)) {
    try {
      new RegExp(rule.pattern);
    } catch (error) {
      problems.push(`results.derive.${column}.pattern: not a valid regular expression (${(error as Error).message})`);
    }
    if (derive[rule.from] !== undefined) problems.push(`results.derive.${column}.from: '${rule.from}' is itself derived; derive from a column of the result files`);
    if (rule.from === column) problems.push(`results.derive.${column}.from: a column can't be derived from itself`);
  }
  (raw.models ?? []).forEach((m: Raw, i: number) => {
    if (m.manifest !== undefined || m.key !== undefined) problems.push(`models[${i}]: task: results reads a result file or folder in the repository; give its path, not a manifest and key`);
    if (m.quantized !== undefined) problems.push(`models[${i}].quantized: not used with task: results (model-gate runs no model)`);
  });
  const hasFocus = Object.keys(results.focus ?? {}).length > 0;
  for (const key of ['min-focus-gain', 'no-worse-focus-slice']) {
    if (raw.gates?.[key] !== undefined && !hasFocus) problems.push(`gates.${key}: needs results.focus (the slices that matter)`);
  }
  return problems;
}

/** For the other tasks: the results-only keys are errors. */
export function resultsOnlyProblems(raw: Raw): string[] {
  const problems: string[] = [];
  if (raw.results !== undefined) problems.push('results: only used with task: results');
  for (const key of RESULTS_GATES) if (raw.gates?.[key] !== undefined) problems.push(`gates.${key}: only used with task: results`);
  return problems;
}

export function resultsConfig(raw: Raw, fromFile: (p: string) => string): ResultsConfig {
  const r: Raw = raw.results ?? {};
  const ref = (role: 'baseline' | 'candidate'): ResultsRef | null => (r[role] ? { role, path: fromFile(r[role]), label: r[role] } : null);
  const focus: Record<string, string[]> = r.focus ?? {};
  return {
    format: r.format ?? 'auto',
    baseline: ref('baseline'),
    candidate: ref('candidate'),
    metric: r.metric ?? null,
    filter: r.filter ?? null,
    // Focus columns are always broken down too: the report must show what the gates judge.
    slices: [...new Set([...(r.slices ?? []), ...Object.keys(focus)])],
    derive: Object.fromEntries(Object.entries<Raw>(r.derive ?? {}).map(([column, rule]) => [column, { from: rule.from, pattern: rule.pattern, default: rule.default ?? null }])),
    focus,
    allowMissing: r['allow-missing'] ?? false,
    scoreScale: r['score-scale'] ?? 1,
  };
}

/**
 * The two result sets of a task: results run: --baseline / --candidate (against the working
 * directory) when given, else results.baseline / results.candidate from the config.
 */
export function resultsRefs(config: Config, overrides: ConfigOverrides, environment: ConfigEnvironment): { baseline: ResultsRef; candidate: ResultsRef } {
  if (!config.results) throw new UserError(`${config.configPath ?? 'config'}: task is ${config.task}, not results`);
  const pick = (role: 'baseline' | 'candidate'): ResultsRef => {
    const flag = overrides[role];
    if (flag) return { role, path: resolve(environment.cwd, flag), label: flag };
    const fromConfig = config.results?.[role];
    if (fromConfig) return fromConfig;
    throw new UserError(`--${role}: required (the ${role}'s result file or folder), or set results.${role} in ${config.configPath ?? 'the config'}`);
  };
  return { baseline: pick('baseline'), candidate: pick('candidate') };
}
