/**
 * The latency figures' reproducibility for `npm run bench` (issue 10), from repeated runs of the
 * built CLI with the default latency settings, in this one bench run:
 * - A/A: fmnist-lenet-v1 against a byte-different copy of itself, 20 compares: how often the CI
 *   holds 1.0, whether a 10% gate ever fails, the spread of the point estimates;
 * - a known slowdown: lenet against lenet computing its graph twice (same predictions), 20
 *   compares: how often the CI's lower bound is above 1.15;
 * - coverage: lenet-v1 → dwnet-v3, 10 compares: how many runs' CIs hold the median of the ten.
 * The eval set is 20 images a class: latency doesn't depend on it, and the runs stay short.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeByteDifferentCopy, writeComputedTwice } from './bench-models.js';

type Row = [string, string];
const EXAMPLE = 'examples/fashion-mnist';

interface LatencyOutcome {
  ratio: number;
  ci: [number, number];
  noiseFloor: number | null;
  gate: string;
}

function compare(work: string, config: string, baseline: string, candidate: string, run: number): LatencyOutcome {
  const json = join(work, `latency-${run}.json`);
  const result = spawnSync(process.execPath, ['dist/cli.js', 'compare', '--config', config, '--baseline', baseline, '--candidate', candidate, '--json', json, '--quiet'], {
    env: { ...process.env, MODEL_GATE_CACHE_DIR: join(work, 'cache') },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (result.status !== 0 && result.status !== 1) throw new Error(`model-gate compare exited ${result.status}`);
  const report = JSON.parse(readFileSync(json, 'utf8'));
  const gate = report.gates.find((g: { name: string }) => g.name === 'max-latency-regression');
  return {
    ratio: report.comparison.latencyRatioP50,
    ci: report.comparison.latencyRatioP50Ci95,
    noiseFloor: report.comparison.latencyNoiseFloor,
    gate: gate.outcome ?? (gate.passed ? 'pass' : 'fail'),
  };
}

const fmt = (o: LatencyOutcome) => `${o.ratio.toFixed(3)} (${o.ci[0].toFixed(3)}–${o.ci[1].toFixed(3)})`;

export async function benchLatency(work: string, evalRoot: string): Promise<Row[]> {
  // 20 images of each class, copied out of the demo's extracted eval set.
  const subset = join(work, 'latency-set');
  for (const name of readdirSync(evalRoot)) {
    mkdirSync(join(subset, name), { recursive: true });
    for (const file of readdirSync(join(evalRoot, name)).sort().slice(0, 20)) copyFileSync(join(evalRoot, name, file), join(subset, name, file));
  }
  const example = readFileSync(join(EXAMPLE, 'model-gate.yml'), 'utf8');
  const config = join(work, 'latency.yml');
  // The demo's classes and preprocessing; the default latency settings; a 10% latency gate.
  writeFileSync(
    config,
    example
      .replace(/source: .*/, `source: ${subset}`)
      .replace(/sha256: .*/, '')
      .replace(/^latency: .*$/m, '')
      .replace(/^gates: .*$/m, 'gates: { max-top1-drop: 100, max-latency-regression: 10 }'),
  );
  const lenet = join(EXAMPLE, 'models', 'fmnist-lenet-v1.onnx');
  const dwnet = join(EXAMPLE, 'models', 'fmnist-dwnet-v3.onnx');
  const copy = join(work, 'lenet-copy.onnx');
  const twice = join(work, 'lenet-twice.onnx');
  await writeByteDifferentCopy(lenet, copy);
  await writeComputedTwice(lenet, twice);
  let run = 0;
  // The default settings (one intra-op thread for the latency sessions), then the same with the
  // eval set's thread count (one per core): on 2 cores the second pool thread competes with
  // Node's own threads, and at batch 1 on a sub-millisecond model that contention, not the model,
  // decides the spread (docs/latency.md, "Threads").
  const perCore = join(work, 'latency-threads-per-core.yml');
  writeFileSync(perCore, `${readFileSync(config, 'utf8')}\nlatency: { threads: 0 }\n`);
  const rows: Row[] = [];
  for (const [settings, file] of [
    ['default settings', config],
    ['latency.threads: 0 (one per core)', perCore],
  ] as const) {
    const repeat = (n: number, candidate: string) => Array.from({ length: n }, () => compare(work, file, lenet, candidate, run++));
    const aa = repeat(20, copy);
    const holds = aa.filter((o) => o.ci[0] <= 1 && o.ci[1] >= 1).length;
    const failed = aa.filter((o) => o.gate === 'fail').length;
    const neutral = aa.filter((o) => o.gate === 'not-measurable').length;
    const outside = aa.filter((o) => o.ratio < 0.93 || o.ratio > 1.07).length;
    const floors = aa
      .map((o) => o.noiseFloor)
      .filter((f): f is number => f !== null)
      .sort((a, b) => a - b);
    const slow = repeat(20, twice);
    const detected = slow.filter((o) => o.ci[0] > 1.15).length;
    const pair = repeat(10, dwnet);
    const median = [...pair.map((o) => o.ratio)]
      .sort((a, b) => a - b)
      .slice(4, 6)
      .reduce((a, b) => Math.sqrt(a * b));
    const covered = pair.filter((o) => o.ci[0] <= median && o.ci[1] >= median).length;
    rows.push(
      [`latency, ${settings}: A/A (lenet vs a byte-different copy), 20 compares: CI holds 1.0 (target ≥ 18)`, `${holds} of 20`],
      ['  10% latency gate failed (target 0) · not measurable', `${failed} · ${neutral}`],
      ['  point estimates outside 0.93–1.07 (target 0)', `${outside} (${aa.map((o) => o.ratio.toFixed(3)).join(', ')})`],
      ['  A/A noise floor, median and largest', floors.length ? `±${(floors[floors.length >> 1] * 100).toFixed(1)}% · ±${(floors[floors.length - 1] * 100).toFixed(1)}%` : 'no control'],
      ['  known slowdown (lenet vs lenet computed twice), 20 compares: CI lower bound > 1.15 (target ≥ 19)', `${detected} of 20 (${slow.map(fmt).join(', ')})`],
      [`  lenet-v1 → dwnet-v3, 10 compares: CI holds the median of the ten, ×${median.toFixed(3)} (target ≥ 8)`, `${covered} of 10 (${pair.map(fmt).join(', ')})`],
    );
  }
  return rows;
}
