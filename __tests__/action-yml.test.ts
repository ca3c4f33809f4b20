/**
 * action.yml, the inputs the code reads (src/config/action.ts) and the example workflows agree:
 * an input the code reads but action.yml does not declare is never passed by the runner, and a
 * workflow step that sets an undeclared input or reads an undeclared output is silently ignored.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const action = parse(readFileSync('action.yml', 'utf8')) as { inputs: Record<string, unknown>; outputs: Record<string, unknown> };
const source = readFileSync('src/config/action.ts', 'utf8');
const read = new Set(
  [...source.matchAll(/input\('([a-z-]+)'\)|workspacePath\(input, '([a-z-]+)'\)|\['(results-baseline)', '(results-candidate)'\]/g)].flatMap((m) => m.slice(1).filter(Boolean)),
);

it('declares every input the code reads, and reads every input it declares', () => {
  expect(read.size).toBeGreaterThan(10);
  expect([...read].sort()).toEqual(Object.keys(action.inputs).sort());
});

interface Step {
  id?: string;
  uses?: string;
  with?: Record<string, unknown>;
}
const workflows = readdirSync('examples/workflows').filter((f) => f.endsWith('.yml'));

it.each(workflows)('%s sets only declared inputs and reads only declared outputs of model-gate', (file) => {
  const text = readFileSync(join('examples/workflows', file), 'utf8');
  const jobs = Object.values((parse(text) as { jobs: Record<string, { steps: Step[] }> }).jobs);
  const ours = jobs.flatMap((job) => job.steps).filter((step) => step.uses?.startsWith('model-gate/model-gate@'));
  expect(ours.length).toBeGreaterThan(0);
  for (const step of ours) for (const key of Object.keys(step.with ?? {})) expect([file, key, key in action.inputs]).toEqual([file, key, true]);
  const ids = new Set(ours.map((step) => step.id).filter(Boolean));
  for (const [, id, output] of text.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
    if (ids.has(id)) expect([file, output, output in action.outputs]).toEqual([file, output, true]);
  }
});
