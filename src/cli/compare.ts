/**
 * `model-gate compare`: the two sides given as flags (two .onnx models on the config's eval set,
 * or, for task: results, two result sets; the config may name those), one report.
 */
import { cliRefs, loadConfig, type ConfigEnvironment, type ConfigOverrides } from '../config/load.js';
import { runCompare } from '../engine.js';
import { stderrProgress } from '../progress-stderr.js';
import { writeReportFiles } from '../publish/files.js';

export async function compareCommand(overrides: ConfigOverrides, environment: ConfigEnvironment): Promise<number> {
  const config = await loadConfig(overrides, environment);
  const refs = cliRefs(config, overrides, environment);
  const progress = stderrProgress(config.progress, process.stderr);
  const { report, markdown, html } = await runCompare(config, refs, progress);
  await writeReportFiles(config.output, report, markdown, html);
  process.stdout.write(markdown);
  for (const gate of report.gates.filter((g) => !g.passed)) process.stderr.write(`model-gate: gate ${gate.name} failed: ${gate.line}\n`);
  return report.verdict === 'pass' ? 0 : 1;
}
