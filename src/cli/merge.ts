/** `model-gate merge`: the shards of one comparison into the report an unsharded compare gives. */
import { loadConfig, type ConfigEnvironment, type ConfigOverrides } from '../config/load.js';
import { compareMerged, prepareEval } from '../engine.js';
import { readShardRecords } from '../engine/shard-files.js';
import { UserError } from '../errors.js';
import { stderrProgress } from '../progress-stderr.js';
import { writeReportFiles } from '../publish/files.js';

export async function mergeCommand(overrides: ConfigOverrides, shardFiles: readonly string[], environment: ConfigEnvironment): Promise<number> {
  if (shardFiles.length === 0) throw new UserError('merge: give the shard record files (model-gate merge --config FILE SHARD...)');
  const config = await loadConfig(overrides, environment);
  const progress = stderrProgress(config.progress, process.stderr);
  const records = await readShardRecords(shardFiles);
  // The eval set is verified here too: its labels score the merged predictions.
  const [result] = await compareMerged(config, await prepareEval(config, progress), records);
  await writeReportFiles(config.output, result.report, result.markdown, result.html);
  process.stdout.write(result.markdown);
  for (const gate of result.report.gates.filter((g) => !g.passed)) process.stderr.write(`model-gate: gate ${gate.name} failed: ${gate.line}\n`);
  return result.report.verdict === 'pass' ? 0 : 1;
}
