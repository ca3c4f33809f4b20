/**
 * Builds the one frozen Config from model-gate.yml plus command-line overrides plus the
 * environment. With config/action.ts (the Action's inputs and GITHUB_* variables) this is the only
 * module that reads process.env; every other stage gets what it needs from the Config it is
 * handed (and git, which inherits the environment, gets it handed down from here).
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { parseDocument } from 'yaml';
import { UserError } from '../errors.js';
import { normaliseAllowedHost } from './allowed-hosts.js';
import { describeSchemaError } from './errors.js';
import { sha256OfFileSync } from './file-hash.js';
import { expandPreset } from './presets.js';
import { resultsConfig, resultsOnlyProblems, resultsProblems, resultsRefs } from './results.js';
import { configSchema } from './schema.js';
import type { Config, ExecutionProviderRequest, ModelRef, ResultsRef } from './types.js';
import { parseShard } from './shard.js';

/** What the command line (and, for the execution provider, the Action's input) can override. */
export interface ConfigOverrides {
  readonly config?: string;
  readonly baseline?: string;
  readonly candidate?: string;
  readonly eval?: string;
  readonly evalSha256?: string;
  readonly json?: string;
  readonly markdown?: string;
  readonly html?: string;
  readonly executionProvider?: string;
  readonly threads?: string;
  readonly quiet?: boolean;
  readonly baselineQuantized?: string;
  readonly candidateQuantized?: string;
  readonly outDir?: string;
  readonly samples?: boolean;
  /** "i/n": evaluate shard i of n. */
  readonly shard?: string;
  /** Where that shard's record goes. */
  readonly shardOut?: string;
}

export interface ConfigEnvironment {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stderrIsTTY: boolean;
}

export function processEnvironment(): ConfigEnvironment {
  return { cwd: process.cwd(), env: process.env, stderrIsTTY: Boolean(process.stderr.isTTY) };
}

type Raw = Record<string, any>;

const ARCHIVE = /\.(tar\.gz|tgz|tar|zip)$/i;
const REMOTE = /^[a-z][a-z0-9+.-]*:\/\//i;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new UserError(`${file}: cannot read the config file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

function parseYaml(text: string, file: string): Raw {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const at = first.linePos?.[0] ? `:${first.linePos[0].line}:${first.linePos[0].col}` : '';
    throw new UserError(`${file}${at}: not valid YAML: ${first.message.split('\n')[0]}`);
  }
  let data: unknown;
  try {
    // toJS expands aliases and refuses a document whose aliases would blow up ("billion laughs").
    data = doc.toJS() ?? {};
  } catch (error) {
    const excessive = /alias count/i.test((error as Error).message);
    throw new UserError(
      excessive
        ? `${file}: not valid YAML: its aliases (*name) expand to too many values to read safely; write the values out instead`
        : `${file}: not valid YAML: ${(error as Error).message.split('\n')[0]}`,
      { cause: error },
    );
  }
  if (typeof data !== 'object' || Array.isArray(data)) throw new UserError(`${file}: expected a mapping of keys at the top level`);
  return data as Raw;
}

function validate(data: Raw, file: string): void {
  // verbose: each error carries its schema, so an unknown key can be matched against the known ones.
  const ajv = new Ajv({ allErrors: true, strict: true, verbose: true });
  const check = ajv.compile(configSchema);
  if (check(data)) return;
  const lines = [...new Set((check.errors ?? []).map((e) => describeSchemaError(e, data)))];
  throw new UserError(`${file}: invalid config:\n  - ${lines.join('\n  - ')}`);
}

function pickProvider(value: string | undefined, fallback: ExecutionProviderRequest, origin: string): ExecutionProviderRequest {
  if (value === undefined || value === '') return fallback;
  if (value === 'auto' || value === 'cpu' || value === 'cuda') return value;
  throw new UserError(`${origin}: expected one of auto | cpu | cuda, got '${value}'`);
}

function pickThreads(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value)) throw new UserError(`--threads: expected a whole number ≥ 0 (0 = one thread per core), got '${value}'`);
  return Number(value);
}

const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };
/** Default inference.memory-budget: room for ~3,400 ImageNet-size (224×224×3) images per chunk. */
const DEFAULT_MEMORY_BUDGET = 512e6;

/** "512MB" (powers of 1000), "2GiB" (powers of 1024) or a whole number of bytes. */
function parseBytes(value: string | number | undefined, key: string, file: string): number {
  if (value === undefined) return DEFAULT_MEMORY_BUDGET;
  const match = typeof value === 'number' ? null : /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?\s*$/i.exec(value);
  const bytes = typeof value === 'number' ? value : match ? Number(match[1]) * BYTE_UNITS[(match[2] ?? 'b').toLowerCase()] : NaN;
  if (!(Number.isFinite(bytes) && bytes >= 1)) {
    throw new UserError(`${file}: invalid config:\n  - ${key}: expected a size such as 512MB, 2GB, 1.5GiB or a number of bytes, got '${value}'`);
  }
  return Math.floor(bytes);
}

/** Built int8 models go next to what the run writes: the --json report, else the shard record. */
function defaultOutDir(overrides: ConfigOverrides, cwd: string): string {
  const beside = overrides.json ?? overrides.shardOut;
  return beside ? dirname(resolve(cwd, beside)) : 'model-gate-out';
}

function pickShard(value: string | undefined): Config['shard'] {
  if (value === undefined || value === '') return null;
  return parseShard(value, '--shard', '2/7');
}

function cacheDirFrom(env: ConfigEnvironment['env']): string {
  if (env.MODEL_GATE_CACHE_DIR) return resolve(env.MODEL_GATE_CACHE_DIR);
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'model-gate');
  return join(env.HOME || homedir(), '.cache', 'model-gate');
}

const CLASSIFICATION_FORMATS = ['class-folders', 'manifest'];
const DETECTION_FORMATS = ['coco', 'yolo'];

/** Keys that only classification reads. */
function classificationProblems(raw: Raw, format: string): string[] {
  const problems: string[] = [];
  if (!raw.classes) problems.push("classes: required: the class names in the model's output order");
  if (!CLASSIFICATION_FORMATS.includes(format)) problems.push(`eval.format: expected one of ${CLASSIFICATION_FORMATS.join(' | ')} for task classification, got '${format}'`);
  for (const key of ['annotations', 'labels', 'images']) if (raw.eval?.[key]) problems.push(`eval.${key}: only used with task: detection`);
  if (raw.detection) problems.push('detection: only used with task: detection');
  if (raw.gates?.['max-map-drop'] !== undefined) problems.push('gates.max-map-drop: only used with task: detection (classification has max-top1-drop)');
  if (raw.preprocess?.resize === 'rect') problems.push('preprocess.resize: rect is for detection models with dynamic height/width (task: detection)');
  return problems;
}

/** Keys that only detection reads, and the ones it does not. */
function detectionProblems(raw: Raw, format: string): string[] {
  const problems: string[] = [];
  if (!DETECTION_FORMATS.includes(format)) problems.push(`eval.format: expected one of ${DETECTION_FORMATS.join(' | ')} for task detection, got '${format}'`);
  if (format === 'coco' && !raw.eval?.annotations) problems.push('eval.annotations: required when eval.format is coco (the COCO JSON file inside the eval set)');
  if (format !== 'coco' && raw.eval?.annotations) problems.push('eval.annotations: only used with eval.format: coco');
  if (format === 'yolo' && !raw.eval?.labels) problems.push('eval.labels: required when eval.format is yolo (the folder of label .txt files inside the eval set)');
  if (format !== 'yolo' && raw.eval?.labels) problems.push('eval.labels: only used with eval.format: yolo');
  if (format === 'yolo' && !raw.classes) problems.push('classes: required when eval.format is yolo: the class names, YOLO class k being classes[k]');
  if (raw.classes && raw.classes.length < 1) problems.push('classes: expected at least 1 item');
  const categoryIds = raw.detection?.['category-ids'];
  if (categoryIds && format === 'yolo') problems.push('detection.category-ids: only used with eval.format: coco (YOLO class k is category k + 1)');
  if (categoryIds && raw.classes && raw.classes.length !== categoryIds.length) {
    problems.push(`detection.category-ids: expected one category id per class (${raw.classes.length}), got ${categoryIds.length}`);
  }
  for (const key of ['max-top1-drop', 'min-error-reduction']) {
    if (raw.gates?.[key] !== undefined) problems.push(`gates.${key}: only used with task: classification (detection has max-map-drop)`);
  }
  const resize = raw.preprocess?.resize ?? 'letterbox';
  if (!['letterbox', 'rect', 'ultralytics-val'].includes(resize)) {
    problems.push(`preprocess.resize: expected letterbox | rect | ultralytics-val for task detection, got '${resize}' (boxes map back only through these)`);
  }
  if (raw.preprocess?.rect !== undefined && resize !== 'ultralytics-val') problems.push("preprocess.rect: only used with resize: ultralytics-val (Ultralytics' rect batches)");
  if (raw.preprocess?.auto !== undefined && resize !== 'letterbox') problems.push('preprocess.auto: only used with resize: letterbox (rect always pads to a stride multiple)');
  if (raw.gates?.['max-int8-drop'] !== undefined) problems.push('gates.max-int8-drop: only used with task: classification (detection has max-int8-map-drop)');
  return problems;
}

/**
 * A missing sha256, with the value to paste when the archive is a local file (it is hashed only
 * on this error path); `key` is the config key or the flag that pins it.
 */
function missingSha256(key: string, source: string, where: string): string {
  if (REMOTE.test(source))
    return `${key}: required for archives and URLs, to pin the exact bytes of '${source}': download it once and give its sha256 (the output of sha256sum FILE) as ${key}`;
  const actual = sha256OfFileSync(source);
  const paste = key.startsWith('--') ? `add ${key} ${actual}` : `add ${key.split('.').pop()}: ${actual} under ${where}`;
  return actual === null
    ? `${key}: required for archives, to pin the exact bytes of '${source}'`
    : `${key}: required for archives, to pin the exact bytes of '${source}'. Its sha256 is ${actual}: check it is the file you mean, then ${paste}`;
}

/** Checks that span several keys, which a JSON schema can't say clearly. */
function crossCheck(raw: Raw, source: string, sha256: string | null, file: string, configDir: string, shaKey = 'eval.sha256'): void {
  const problems: string[] = [];
  if ((REMOTE.test(source) || ARCHIVE.test(source)) && !sha256) problems.push(missingSha256(shaKey, source, 'eval'));
  const detection = raw.task === 'detection';
  const format = raw.eval?.format ?? (detection ? 'coco' : 'class-folders');
  if (format === 'manifest' && !raw.eval?.manifest) problems.push('eval.manifest: required when eval.format is manifest');
  if (format !== 'manifest' && raw.eval?.manifest) problems.push('eval.manifest: only used with eval.format: manifest');
  if (raw.task === 'results') problems.push(...resultsProblems(raw));
  else problems.push(...(detection ? detectionProblems(raw, format) : classificationProblems(raw, format)), ...resultsOnlyProblems(raw));
  const channels = (raw.preprocess?.color ?? 'rgb') === 'gray' ? 1 : 3;
  for (const key of ['mean', 'std'] as const) {
    const list = raw.preprocess?.[key];
    if (list && list.length !== 1 && list.length !== channels) {
      problems.push(`preprocess.${key}: expected 1 or ${channels} values for color ${raw.preprocess?.color ?? 'rgb'}, got ${list.length}`);
    }
  }
  const quant = raw.quantization ?? {};
  if (quant.calibration && (REMOTE.test(quant.calibration) || ARCHIVE.test(quant.calibration)) && !quant['calibration-sha256']) {
    problems.push(
      missingSha256(
        'quantization.calibration-sha256',
        REMOTE.test(quant.calibration) || isAbsolute(quant.calibration) ? quant.calibration : resolve(configDir, quant.calibration),
        'quantization',
      ),
    );
  }
  if ((quant['calibration-format'] ?? 'class-folders') === 'manifest' && !quant['calibration-manifest']) {
    problems.push('quantization.calibration-manifest: required when quantization.calibration-format is manifest');
  }
  for (const gate of ['max-int8-drop', 'max-int8-map-drop']) {
    if (raw.gates?.[gate] !== undefined && (quant.mode ?? 'none') === 'none') problems.push(`gates.${gate}: needs quantization.mode provided or static-int8`);
  }
  if (raw.gates?.['max-int8-map-drop'] !== undefined && !detection) problems.push('gates.max-int8-map-drop: only used with task: detection (classification has max-int8-drop)');
  if (quant['keep-float'] && (quant.mode ?? 'none') !== 'static-int8') problems.push('quantization.keep-float: only used with quantization.mode: static-int8');
  (raw['allowed-hosts'] ?? []).forEach((entry: string, i: number) => {
    const normalised = normaliseAllowedHost(entry);
    if ('problem' in normalised) problems.push(`allowed-hosts[${i}]: ${normalised.problem}`);
  });
  const names = new Set<string>();
  (raw.models ?? []).forEach((m: Raw, i: number) => {
    const key = `models[${i}]`;
    if (names.has(m.name)) problems.push(`${key}.name: '${m.name}' is used twice`);
    names.add(m.name);
    const byPath = m.path !== undefined;
    const byManifest = m.manifest !== undefined || m.key !== undefined;
    if (byPath === byManifest) problems.push(`${key}: expected either path, or manifest and key`);
    else if (byManifest && (m.manifest === undefined || m.key === undefined)) problems.push(`${key}: manifest and key go together`);
    for (const field of ['path', 'manifest'] as const) {
      const value: string | undefined = m[field];
      if (value !== undefined && (isAbsolute(value) || value.split(/[\\/]/).includes('..'))) {
        problems.push(`${key}.${field}: expected a path inside the repository, got '${value}'`);
      }
    }
  });
  if (problems.length > 0) throw new UserError(`${file}: invalid config:\n  - ${problems.join('\n  - ')}`);
}

/**
 * Builds the Config from the text of a model-gate.yml. `file` names it in errors; relative
 * paths in it resolve against `configDir`. The Action passes the text of the base commit's
 * config here, so a PR can't loosen its own gates.
 */
export function parseConfig(text: string, file: string, configDir: string, overrides: ConfigOverrides, environment: ConfigEnvironment): Config {
  const { cwd } = environment;
  const parsed = parseYaml(text, file);
  validate(parsed, file);
  // A preset becomes the keys it stands for before anything else reads preprocess.
  const expanded = expandPreset(parsed, parsed.task ?? 'classification', file, configDir);
  // No preprocess section stays none (task: results refuses one that is there).
  const raw: Raw = parsed.preprocess === undefined && !expanded.record ? parsed : { ...parsed, preprocess: expanded.preprocess };
  const fromFile = (p: string) => (REMOTE.test(p) || isAbsolute(p) ? p : resolve(configDir, p));
  const fromFlag = (p: string) => (REMOTE.test(p) || isAbsolute(p) ? p : resolve(cwd, p));

  const results = raw.task === 'results';
  if (overrides.samples && raw.task === 'detection') {
    throw new UserError('--samples: task: detection has no per-sample outcome (AP ranks the detections of the whole set), so its report has no samples');
  }
  if (!results && !raw.eval) throw new UserError(`${file}: invalid config:\n  - eval: required key is missing`);
  if (results && overrides.shard) throw new UserError('--shard: not used with task: results (there is no eval set to split; the result files are read whole)');
  if (results && (overrides.eval || overrides.evalSha256)) {
    throw new UserError(`--${overrides.eval ? 'eval' : 'eval-sha256'}: not used with task: results (the result files are the evaluation)`);
  }
  const source = results ? '' : overrides.eval ? fromFlag(overrides.eval) : fromFile(raw.eval.source);
  const sha256 = results ? null : ((overrides.evalSha256 ?? (overrides.eval ? undefined : raw.eval.sha256))?.toLowerCase() ?? null);
  if (overrides.evalSha256 && !/^[0-9a-f]{64}$/.test(sha256 ?? '')) {
    throw new UserError(`--eval-sha256: expected 64 hexadecimal characters, got '${overrides.evalSha256}'`);
  }
  crossCheck(raw, source, sha256, file, configDir, overrides.eval ? '--eval-sha256' : 'eval.sha256');

  const pre = raw.preprocess ?? {};
  const inf = raw.inference ?? {};
  const lat = raw.latency ?? {};
  const gates = raw.gates ?? {};
  const quant = raw.quantization ?? {};
  const progress = overrides.quiet || environment.env.MODEL_GATE_PROGRESS === 'off' ? 'off' : environment.stderrIsTTY ? 'tty' : 'lines';

  const detection = raw.task === 'detection';
  const det = raw.detection ?? {};
  const config: Config = {
    configPath: file,
    task: raw.task ?? 'classification',
    eval: results
      ? { source, sha256, format: 'results', manifest: null }
      : {
          source,
          sha256,
          written: overrides.eval
            ? { key: '--eval', text: overrides.eval, base: `the working directory ${cwd}` }
            : { key: `eval.source in ${file}`, text: raw.eval.source, base: `the config file's folder ${configDir}` },
          format: raw.eval.format ?? (detection ? 'coco' : 'class-folders'),
          manifest: raw.eval.manifest ?? null,
          ...(detection ? { annotations: raw.eval.annotations ?? null, labels: raw.eval.labels ?? null, images: raw.eval.images ?? null } : {}),
        },
    classes: raw.classes ?? [],
    preprocess: {
      color: pre.color ?? 'rgb',
      size: pre.size ? [pre.size[0], pre.size[1]] : null,
      resize: pre.resize ?? (detection ? 'letterbox' : 'stretch'),
      kernel: pre.kernel ?? 'linear',
      cropRatio: pre['crop-ratio'] ?? 0.875,
      padValue: pre['pad-value'] ?? 114,
      // Set only where they apply, so a classification config reads exactly as before.
      ...(pre.scaleup !== undefined || detection ? { scaleup: pre.scaleup ?? true } : {}),
      ...(pre.auto !== undefined || detection ? { auto: pre.auto ?? false } : {}),
      // yolo val runs rect batches unless told otherwise (Ultralytics' rect=True in val mode).
      ...(pre.resize === 'ultralytics-val' ? { rect: pre.rect ?? true } : {}),
      ...(detection ? { stride: det.stride ?? 32 } : {}),
      scale: pre.scale ?? 1 / 255,
      mean: pre.mean ?? [0],
      std: pre.std ?? [1],
      layout: pre.layout ?? 'nchw',
      ...(pre.arithmetic !== undefined ? { arithmetic: pre.arithmetic } : {}),
      workers: pre.workers ?? 0,
      ...(expanded.record ? { preset: expanded.record } : {}),
    },
    inference: {
      executionProvider: pickProvider(overrides.executionProvider, inf['execution-provider'] ?? 'auto', '--execution-provider'),
      batchSize: inf['batch-size'] ?? 64,
      threads: pickThreads(overrides.threads, inf.threads ?? 0),
      memoryBudget: parseBytes(inf['memory-budget'], 'inference.memory-budget', file),
      interOpThreads: inf['inter-op-threads'] ?? 1,
      spinWait: inf['spin-wait'] ?? true,
    },
    latency: { batchSizes: lat['batch-sizes'] ?? [1], warmup: lat.warmup ?? 10, runs: lat.runs ?? 200, rounds: lat.rounds ?? 7, threads: lat.threads ?? 1 },
    gates: {
      maxTop1Drop: gates['max-top1-drop'] ?? 0.5,
      minErrorReduction: gates['min-error-reduction'] ?? 0,
      requireSignificant: gates['require-significant'] ?? false,
      maxLatencyRegression: gates['max-latency-regression'] ?? 25,
      maxInt8Drop: gates['max-int8-drop'] ?? null,
      ...(detection ? { maxMapDrop: gates['max-map-drop'] ?? 0.5, maxInt8MapDrop: gates['max-int8-map-drop'] ?? null } : {}),
      ...(results
        ? {
            maxMetricDrop: gates['max-metric-drop'] ?? 0.5,
            minFocusGain: gates['min-focus-gain'] ?? null,
            noWorseFocusSlice: gates['no-worse-focus-slice'] ?? Object.keys(raw.results?.focus ?? {}).length > 0,
          }
        : {}),
    },
    ...(results ? { results: resultsConfig(raw, fromFile) } : {}),
    ...(detection
      ? {
          detection: {
            output: det.output ?? 'auto',
            conf: det.conf ?? 0.001,
            iou: det.iou ?? 0.7,
            maxNms: det['max-nms'] ?? 30000,
            maxDet: det['max-det'] ?? 300,
            clip: det.clip ?? true,
            categoryIds: det['category-ids'] ?? null,
            comparePreprocessing: det['compare-preprocessing'] ?? false,
            multiLabel: det['multi-label'] ?? expanded.record?.name === 'ultralytics-val',
            stride: det.stride ?? 32,
            strideSet: det.stride !== undefined,
            operatingConf: det['operating-conf'] ?? 0.25,
          },
        }
      : {}),
    nightly: {
      latencyThreshold: (raw.nightly?.['latency-threshold'] ?? 10) / 100,
      failOnRegression: raw.nightly?.['fail-on-regression'] ?? true,
      historyBranch: raw.nightly?.['history-branch'] ?? 'model-gate-history',
      mention: (raw.nightly?.mention ?? []).map((name: string) => (name.startsWith('@') ? name : `@${name}`)),
    },
    quantization: {
      mode: quant.mode ?? 'none',
      perChannel: quant['per-channel'] ?? false,
      calibration: quant.calibration
        ? {
            source: fromFile(quant.calibration),
            sha256: quant['calibration-sha256']?.toLowerCase() ?? null,
            written: { key: `quantization.calibration in ${file}`, text: quant.calibration, base: `the config file's folder ${configDir}` },
            format: quant['calibration-format'] ?? 'class-folders',
            manifest: quant['calibration-manifest'] ?? null,
          }
        : null,
      calibrationSamples: quant['calibration-samples'] ?? 256,
      calibrationMemory: (quant['calibration-memory-mb'] ?? 1024) * 2 ** 20,
      calibrationBatchSize: quant['calibration-batch-size'] ?? null,
      keepFloat: quant['keep-float'] ? { tail: quant['keep-float'].tail ?? false, nodes: quant['keep-float'].nodes ?? [], after: quant['keep-float'].after ?? [] } : null,
    },
    models: (raw.models ?? []).map((m: Raw) => ({
      ...(m.path !== undefined ? { name: m.name, path: m.path } : { name: m.name, manifest: m.manifest, key: m.key }),
      ...(m.quantized !== undefined ? { quantized: m.quantized } : {}),
    })),
    allowedHosts: (raw['allowed-hosts'] ?? []).map((entry: string) => (normaliseAllowedHost(entry) as { host: string }).host),
    output: {
      json: overrides.json ? resolve(cwd, overrides.json) : null,
      markdown: overrides.markdown ? resolve(cwd, overrides.markdown) : null,
      html: overrides.html ? resolve(cwd, overrides.html) : null,
      dir: resolve(cwd, overrides.outDir ?? defaultOutDir(overrides, cwd)),
      ...(overrides.samples ? { samples: true } : {}),
    },
    cacheDir: cacheDirFrom(environment.env),
    progress,
    shard: pickShard(overrides.shard),
  };
  return deepFreeze(config);
}

/** The CLI: reads --config from disk and builds the Config with the flags on top. */
export async function loadConfig(overrides: ConfigOverrides, environment: ConfigEnvironment): Promise<Config> {
  if (!overrides.config) throw new UserError('--config: required (a model-gate.yml file)');
  const configPath = resolve(environment.cwd, overrides.config);
  return parseConfig(await readText(configPath), configPath, dirname(configPath), overrides, environment);
}

/** The CLI's two models, from --baseline and --candidate. */
export function cliModelRefs(overrides: ConfigOverrides, environment: ConfigEnvironment): { baseline: ModelRef; candidate: ModelRef } {
  const ref = (role: 'baseline' | 'candidate'): ModelRef => {
    const given = overrides[role];
    if (!given) throw new UserError(`--${role}: required (path of the ${role} .onnx model)`);
    const quantized = overrides[role === 'baseline' ? 'baselineQuantized' : 'candidateQuantized'];
    return { role, path: resolve(environment.cwd, given), label: given, quantized: quantized ? resolve(environment.cwd, quantized) : null };
  };
  return { baseline: ref('baseline'), candidate: ref('candidate') };
}

/**
 * The CLI's two sides for this config: the result sets for task: results (--baseline/--candidate
 * over results.baseline/results.candidate), else the two .onnx models given as flags.
 */
export function cliRefs(config: Config, overrides: ConfigOverrides, environment: ConfigEnvironment): { baseline: ModelRef | ResultsRef; candidate: ModelRef | ResultsRef } {
  if (!config.results) return cliModelRefs(overrides, environment);
  for (const flag of ['baselineQuantized', 'candidateQuantized'] as const) {
    if (overrides[flag]) throw new UserError(`--${flag === 'baselineQuantized' ? 'baseline' : 'candidate'}-quantized: not used with task: results (model-gate runs no model)`);
  }
  return resultsRefs(config, overrides, environment);
}
