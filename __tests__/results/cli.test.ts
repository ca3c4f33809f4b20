/**
 * `model-gate compare` on task: results, through the built CLI (dist/cli.js) as a user runs it:
 * the example prints the comment of __outputs__/llm-results.md, writes the three report files,
 * and exits 1 (its focus gate fails); flags override the config's result paths; bad input exits 2.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { renderMarkdown } from '../../src/report/markdown.js';
import { resultsTask } from '../../src/tasks/results/index.js';
import { runCli } from '../helpers/run-cli.js';
import { exampleReport } from './example-report.js';

const CONFIG = 'examples/llm-results/model-gate.yml';
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mg-results-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const cli = (args: string[], cwd?: string) => runCli(args, { cacheDir: join(dir, 'cache'), cwd });

describe('model-gate compare, task: results (dist/cli.js)', () => {
  it('prints the example comment, writes --json/--markdown/--html, and exits 1 on the failed focus gate', async () => {
    const [json, markdown, html] = ['report.json', 'report.md', 'report.html'].map((f) => join(dir, f));
    const run = await cli(['compare', '--config', CONFIG, '--json', json, '--markdown', markdown, '--html', html]);
    expect(run.code).toBe(1);
    // The comment built in-process from the same files (what __outputs__/llm-results.md holds), byte for byte.
    expect(run.stdout).toBe(renderMarkdown(await exampleReport(), resultsTask));
    expect(run.stdout.split('\n')[1]).toMatch(
      /^\*\*❌ Gate failed:\*\* significantly worse on language de −14\.58 pt\. \*\*Accuracy: real loss\*\*, worse where it matters: \*\*−14\.58 pt\*\* acc\\_norm on language de/,
    );
    expect(await readFile(markdown, 'utf8')).toBe(run.stdout);
    expect(run.stderr).toContain('model-gate: gate no-worse-focus-slice failed: language de −14.58 pt (Holm-adjusted p = 6.2e-8)');
    expect(run.stderr).toContain('baseline: 720 acc_norm results in 6 files (runs/llama-7b)');
    const report = JSON.parse(await readFile(json, 'utf8'));
    expect([report.task, report.verdict, report.evalSet.samples]).toEqual(['results', 'fail', 720]);
    expect(report.environment).toMatchObject({ executionProvider: 'none', onnxruntime: 'none', threads: 0 });
    expect(report.models.candidate.samples).toHaveLength(720);
    expect(report.models.baseline.samples[0]).toEqual({ id: 'arc_challenge/0', correct: expect.any(Boolean), slices: { task: 'arc_challenge', language: 'en' } });
    const page = await readFile(html, 'utf8');
    expect(page).toContain('<title>model-gate · results · llama-7b → llama-2-7b</title>');
    expect(page).toContain('720 paired samples');
  });

  it('takes --baseline/--candidate over the config, against the working directory, and exits 0 when the gates pass', async () => {
    const run = await cli(['compare', '--config', 'model-gate.yml', '--baseline', 'runs/llama-2-7b', '--json', join(dir, 'same.json')], join(process.cwd(), 'examples/llm-results'));
    expect(run.stderr).not.toContain('failed');
    expect(run.code).toBe(0);
    const report = JSON.parse(await readFile(join(dir, 'same.json'), 'utf8'));
    expect([report.models.baseline.label, report.models.candidate.label]).toEqual(['runs/llama-2-7b', 'runs/llama-2-7b']);
    expect([report.comparison.overall.delta, report.verdict]).toEqual([0, 'pass']);
    expect(run.stdout.split('\n')[1]).toMatch(/^\*\*✅ Gates passed\.\*\* \*\*Accuracy: no change\*\*/);
  });

  it('exits 2 with the file named when a result set cannot be read, and refuses int8 flags', async () => {
    const missing = await cli(['compare', '--config', CONFIG, '--candidate', join(dir, 'nowhere')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`model-gate: ${join(dir, 'nowhere')}: cannot read the result files (ENOENT)\n`);
    const int8 = await cli(['compare', '--config', CONFIG, '--baseline-quantized', 'a.onnx']);
    expect(int8.code).toBe(2);
    expect(int8.stderr).toBe('model-gate: --baseline-quantized: not used with task: results (model-gate runs no model)\n');
  });
});
