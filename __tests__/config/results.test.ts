/** The results: section of model-gate.yml and where the two result sets come from. */
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { loadConfig, parseConfig, type ConfigEnvironment } from '../../src/config/load.js';
import { resultsRefs } from '../../src/config/results.js';
import { UserError } from '../../src/errors.js';

const env: ConfigEnvironment = { cwd: '/work', env: { HOME: '/home/u' }, stderrIsTTY: false };
const parse = (text: string, overrides = {}) => parseConfig(text, '/repo/model-gate.yml', '/repo', overrides, env);

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error('expected a UserError');
}

describe('task: results config', () => {
  it('reads the example, resolving result paths against the config folder', async () => {
    const cwd = process.cwd();
    const config = await loadConfig({ config: 'examples/llm-results/model-gate.yml' }, { ...env, cwd });
    const folder = join(cwd, 'examples/llm-results');
    expect(config.task).toBe('results');
    expect(config.eval).toEqual({ source: '', sha256: null, format: 'results', manifest: null });
    expect(config.results).toEqual({
      format: 'lm-eval',
      baseline: { role: 'baseline', path: join(folder, 'runs/llama-7b'), label: 'runs/llama-7b' },
      candidate: { role: 'candidate', path: join(folder, 'runs/llama-2-7b'), label: 'runs/llama-2-7b' },
      metric: 'acc_norm',
      filter: null,
      slices: ['task', 'language'],
      derive: { language: { from: 'task', pattern: '_(de|fr)$', default: 'en' } },
      focus: { language: ['en', 'de'] },
      allowMissing: false,
      scoreScale: 1,
    });
    expect(config.gates).toMatchObject({ maxMetricDrop: 0.5, minFocusGain: null, noWorseFocusSlice: true, maxLatencyRegression: 25 });
    expect(Object.isFrozen(config.results?.focus.language)).toBe(true);
  });

  it('adds focus columns to the slices, and turns no-worse-focus-slice on with a focus', () => {
    const config = parse('task: results\nresults: { slices: [task], focus: { language: [en] }, allow-missing: true, score-scale: 100 }\n');
    expect(config.results?.slices).toEqual(['task', 'language']);
    expect([config.results?.allowMissing, config.results?.scoreScale, config.gates.noWorseFocusSlice]).toEqual([true, 100, true]);
    expect(parse('task: results\n').gates.noWorseFocusSlice).toBe(false);
  });

  it('takes --baseline/--candidate over the config, against the working directory', () => {
    const config = parse('task: results\nresults: { baseline: runs/a, candidate: runs/b }\n');
    expect(resultsRefs(config, { baseline: 'other/a' }, env)).toEqual({
      baseline: { role: 'baseline', path: '/work/other/a', label: 'other/a' },
      candidate: { role: 'candidate', path: '/repo/runs/b', label: 'runs/b' },
    });
    expect(errorOf(() => resultsRefs(parse('task: results\n'), {}, env))).toBe(
      "--baseline: required (the baseline's result file or folder), or set results.baseline in /repo/model-gate.yml",
    );
  });

  it('names the key of every problem', () => {
    expect(errorOf(() => parse('task: results\neval: { source: x }\nclasses: [a, b]\ngates: { max-top1-drop: 1 }\n'))).toBe(
      [
        '/repo/model-gate.yml: invalid config:',
        '  - eval: not used with task: results (the result files are the evaluation (results.baseline / results.candidate))',
        '  - classes: not used with task: results (slices come from the result files (results.slices))',
        '  - gates.max-top1-drop: not used with task: results (task: results has max-metric-drop)',
      ].join('\n'),
    );
    expect(errorOf(() => parse('task: results\nresults: { format: csv, filter: strict-match }\n'))).toMatch(/results.filter: only used with lm-evaluation-harness files/);
    expect(errorOf(() => parse("task: results\nresults: { derive: { lang: { from: task, pattern: '(' } } }\n"))).toMatch(/results.derive.lang.pattern: not a valid regular expression/);
    expect(errorOf(() => parse('task: results\ngates: { min-focus-gain: 0 }\n'))).toMatch(/gates.min-focus-gain: needs results.focus/);
    expect(errorOf(() => parse('task: results\nresults: { focus: { language: [] } }\n'))).toMatch(/results.focus.language: expected at least 1 items/);
    expect(errorOf(() => parse('task: results\nresults: { metirc: acc }\n'))).toMatch(/results.metirc: unknown key/);
    expect(errorOf(() => parse('task: results\n', { eval: 'x.tar.gz' }))).toBe('--eval: not used with task: results (the result files are the evaluation)');
    expect(errorOf(() => parse('eval: { source: ./f }\nclasses: [a, b]\nresults: { metric: acc }\ngates: { max-metric-drop: 1 }\n'))).toBe(
      ['/repo/model-gate.yml: invalid config:', '  - results: only used with task: results', '  - gates.max-metric-drop: only used with task: results'].join('\n'),
    );
    expect(errorOf(() => parse('task: results\nmodels:\n  - { name: llm, manifest: m.yml, key: llm }\n  - { name: b, path: evals/b, quantized: b.onnx }\n'))).toBe(
      [
        '/repo/model-gate.yml: invalid config:',
        '  - models[0]: task: results reads a result file or folder in the repository; give its path, not a manifest and key',
        '  - models[1].quantized: not used with task: results (model-gate runs no model)',
      ].join('\n'),
    );
    expect(errorOf(() => parse('classes: [a, b]\n'))).toBe('/repo/model-gate.yml: invalid config:\n  - eval: required key is missing');
  });
});
