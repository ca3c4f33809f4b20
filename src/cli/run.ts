/**
 * The `model-gate` command line: parses flags and runs a command on the same stages as the
 * Action. Exit codes: 0 pass, 1 a gate failed (compare) or a drift/regression was found
 * (nightly), 2 a usage or input error (or anything else that kept us from a verdict).
 */
import { parseArgs } from 'node:util';
import { processEnvironment, type ConfigOverrides } from '../config/load.js';
import { internalErrorLine, UserError } from '../errors.js';
import { VERSION } from '../version.js';
import { describeArgsError, joinNegativeValues } from './args.js';
import { compareCommand } from './compare.js';
import { mergeCommand } from './merge.js';
import { runMapCommand } from './map.js';
import { nightlyCommand } from './nightly.js';

const HELP = `model-gate ${VERSION}: is the new model a real upgrade, on your data?

Usage:
  model-gate compare --config FILE --baseline A.onnx --candidate B.onnx [options]
  model-gate compare --config FILE [--baseline RESULTS_A --candidate RESULTS_B] [options]   (task: results)
  model-gate merge --config FILE [--json OUT] [--markdown OUT] [--html OUT] SHARD...
  model-gate nightly --config FILE --history H.jsonl [--json OUT] [--repo DIR]
  model-gate map --gt coco.json --dets results.json

compare options:
  --config FILE               model-gate.yml (eval set, classes, preprocessing, gates)
  --baseline FILE             the model in use now (.onnx); task: results: its result file or folder
  --candidate FILE            the model that would replace it (.onnx); task: results: its result file or folder
                              (task: results takes both from results.baseline/candidate when not given)
  --eval SRC                  eval set: folder, .tar.gz/.zip, or https URL (overrides eval.source)
  --eval-sha256 HEX           sha256 of the eval archive or URL (required with them)
  --baseline-quantized FILE   the baseline's own int8 model (quantization.mode: provided)
  --candidate-quantized FILE  the candidate's own int8 model (quantization.mode: provided)
  --out-dir DIR               where built int8 models are written (default: the --json or --shard-out folder, else ./model-gate-out)
  --json OUT                  write the JSON report (schemaVersion 1) here
  --markdown OUT              write the Markdown report here (it is also printed to stdout)
  --html OUT                  write the self-contained HTML report (tables, gallery of flipped images)
  --samples                   classification: every image's outcome in --json (models.<role>.samples), so the
                              report can be gated again as task: results with format: model-gate
  --execution-provider EP     auto | cpu | cuda (auto: CUDA if it loads, else CPU, and says why)
  --threads N                 intra-op threads, 0 = one per core
  --shard I/N                 evaluate shard I of N only (samples split by id) and write a shard record
  --shard-out FILE            where the shard record goes (.json, or .json.gz compressed)
  --quiet                     no progress on stderr

merge: combines the shard records of one sharded compare (every shard 1..N, same config, eval
  set and models) into the report, gates and exit status an unsharded compare gives.

nightly: evaluates every model in the config's models: list as committed at HEAD of --repo
  (default: the working directory), appends one record per model to --history, and reports
  accuracy drift and confirmed latency regressions (findings[] in --json; exit 1 when found).

map: prints COCO's 12 bbox figures for a results file, in pycocotools' order and wording.

  -h, --help                  this text
  -v, --version               the version

Exit status: 0 pass · 1 a gate failed, or nightly found a regression · 2 usage or input error.
Environment: MODEL_GATE_CACHE_DIR (default ~/.cache/model-gate) holds verified eval sets.`;

const OPTIONS = {
  config: { type: 'string' },
  baseline: { type: 'string' },
  candidate: { type: 'string' },
  eval: { type: 'string' },
  'eval-sha256': { type: 'string' },
  json: { type: 'string' },
  'baseline-quantized': { type: 'string' },
  'candidate-quantized': { type: 'string' },
  'out-dir': { type: 'string' },
  markdown: { type: 'string' },
  html: { type: 'string' },
  'execution-provider': { type: 'string' },
  threads: { type: 'string' },
  shard: { type: 'string' },
  'shard-out': { type: 'string' },
  quiet: { type: 'boolean' },
  samples: { type: 'boolean' },
  history: { type: 'string' },
  repo: { type: 'string' },
  gt: { type: 'string' },
  dets: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

export async function cli(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: joinNegativeValues(argv, OPTIONS), options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    process.stderr.write(`model-gate: ${describeArgsError(error as Error, OPTIONS)}\nRun 'model-gate --help' for usage.\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) return (process.stdout.write(`${VERSION}\n`), 0);
  if (values.help || positionals.length === 0) {
    process.stdout.write(`${HELP}\n`);
    return values.help ? 0 : 2;
  }
  const command = positionals[0];
  if (!['compare', 'nightly', 'map', 'merge'].includes(command) || (positionals.length > 1 && command !== 'merge')) {
    process.stderr.write(`model-gate: unknown command '${positionals.join(' ')}'. Run 'model-gate --help' for usage.\n`);
    return 2;
  }
  const overrides: ConfigOverrides = {
    config: values.config,
    baseline: values.baseline,
    candidate: values.candidate,
    eval: values.eval,
    evalSha256: values['eval-sha256'],
    json: values.json,
    markdown: values.markdown,
    html: values.html,
    executionProvider: values['execution-provider'],
    threads: values.threads,
    quiet: values.quiet,
    baselineQuantized: values['baseline-quantized'],
    candidateQuantized: values['candidate-quantized'],
    outDir: values['out-dir'],
    samples: values.samples,
    shard: values.shard,
    shardOut: values['shard-out'],
  };
  try {
    if (command === 'map') {
      if (!values.gt || !values.dets) throw new UserError('map: --gt and --dets are required');
      return await runMapCommand({ gt: values.gt, dets: values.dets }, process.stdout);
    }
    const environment = processEnvironment();
    if (command === 'nightly') return await nightlyCommand(overrides, { history: values.history, repo: values.repo }, environment);
    if (command === 'merge') return await mergeCommand(overrides, positionals.slice(1), environment);
    return await compareCommand(overrides, environment);
  } catch (error) {
    if (error instanceof UserError) process.stderr.write(`model-gate: ${error.message}\n`);
    else process.stderr.write(`${internalErrorLine(error)}\n`);
    return 2;
  }
}
