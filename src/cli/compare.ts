/**
 * `model-gate compare`: the two sides given as flags (two .onnx models on the config's eval set,
 * or, for task: results, two result sets; the config may name those), one report; with --shard,
 * only that shard's part, written as a shard record for `model-gate merge`.
 */
import { cliRefs, loadConfig, type ConfigEnvironment, type ConfigOverrides } from '../config/load.js';
import type { ModelRef } from '../config/types.js';
import { compareShard, prepareEval, runCompare } from '../engine.js';
import { writeShardRecord } from '../engine/shard-files.js';
import { UserError } from '../errors.js';
import { stderrProgress } from '../progress-stderr.js';
import { writeReportFiles } from '../publish/files.js';

export async function compareCommand(overrides: ConfigOverrides, environment: ConfigEnvironment): Promise<number> {
  const config = await loadConfig(overrides, environment);
  const refs = cliRefs(config, overrides, environment);
  const progress = stderrProgress(config.progress, process.stderr);
  if (config.shard) {
    if (!overrides.shardOut) throw new UserError('--shard-out: required with --shard (the file the shard record goes to)');
    // parseConfig refuses --shard for task: results, so both sides are models here.
    const record = await compareShard(config, await prepareEval(config, progress), [{ refs: refs as { baseline: ModelRef; candidate: ModelRef } }], progress);
    await writeShardRecord(overrides.shardOut, record);
    process.stderr.write(
      `model-gate: shard ${config.shard.index}/${config.shard.count}: ${record.sampleIds.length.toLocaleString('en-US')} of ${record.evalSet.samples.toLocaleString('en-US')} samples${record.latencyMeasured ? ', latency' : ''} → ${overrides.shardOut}\n`,
    );
    return 0;
  }
  const { report, markdown, html } = await runCompare(config, refs, progress);
  await writeReportFiles(config.output, report, markdown, html);
  process.stdout.write(markdown);
  for (const gate of report.gates.filter((g) => !g.passed)) process.stderr.write(`model-gate: gate ${gate.name} failed: ${gate.line}\n`);
  return report.verdict === 'pass' ? 0 : 1;
}
