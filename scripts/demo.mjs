// @ts-check
// `npm run demo`: runs the two embedded examples through the built CLI and prints both reports:
// classification (examples/fashion-mnist) and detection (examples/fmnist-det). Exits non-zero only
// when a run errors (exit 2); a failed gate (exit 1) is part of what the demo shows, not a failure.
import { spawnSync } from 'node:child_process';

const EXAMPLES = [
  ['examples/fashion-mnist', 'fmnist-lenet-v1.onnx', 'fmnist-dwnet-v3.onnx'],
  ['examples/fmnist-det', 'fmnist-det-small-v1.v8.onnx', 'fmnist-det-wide-v2.v8.onnx'],
];

let failed = false;
for (const [folder, baseline, candidate] of EXAMPLES) {
  process.stderr.write(`\n== ${folder}: ${baseline} → ${candidate}\n`);
  const result = spawnSync(
    process.execPath,
    ['dist/cli.js', 'compare', '--config', `${folder}/model-gate.yml`, '--baseline', `${folder}/models/${baseline}`, '--candidate', `${folder}/models/${candidate}`],
    { stdio: 'inherit' },
  );
  if (result.status !== 0 && result.status !== 1) failed = true;
}
process.exitCode = failed ? 2 : 0;
