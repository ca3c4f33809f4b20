/**
 * Runs models on the prepared eval set: every fp32 model, its int8 variant when quantization is
 * configured, and the task's other preprocessings, each one record (a ModelRun) fed by one stream
 * of the eval set (stream.ts), then the latency benchmark with the models of each group
 * interleaved. The comparison (PR gate, CLI) and the nightly run are both built on this.
 */
import { availableParallelism } from 'node:os';
import type { Config, ModelRef } from '../config/types.js';
import { UserError } from '../errors.js';
import { checkInputFits, gpuName, inputSizeFromModel, loadModel, resolveThreads, type LoadedModel, type RoundSamples } from '../inference/index.js';
import { resolveModel, type ModelFile } from '../models/index.js';
import { decodeDefaultsFor } from '../models/metadata-check.js';
import type { DecodeSpec } from '../config/types.js';
import { CachedFileChangedError } from '../evalset/integrity.js';
import { decodeSpecKey, imageSizesOnce, openDecodePool, resolveInputSize, type ImageSizes, type ResolvedDecodeSpec } from '../preprocess/index.js';
import type { Progress } from '../progress.js';
import { int8Variants, type Int8Variant } from '../quantize/variants.js';
import { taskFor } from '../tasks/index.js';
import { calibrationDecoder } from './calibration.js';
import type { EvalContext } from './context.js';
import { measureGroupLatency, pooled } from './latency-inputs.js';
import { providerFallback } from './provider-note.js';
import { checkMetadataOf, classNamesFor } from './model-checks.js';
import { LATENCY_SHARD, shardSamples, type ShardSpec } from './shard.js';
import { streamEvalSet } from './stream.js';

/** What one model (fp32 or int8) produced. */
export interface ModelResult {
  readonly file: ModelFile;
  readonly provider: 'cpu' | 'cuda';
  readonly providerNote: string | null;
  readonly predictions: unknown[];
  /** Raw per-run latencies in ms, keyed by batch size. */
  readonly latencyMs: Record<number, number[]>;
  /** The same runs by round: [batch][round] → runs. */
  readonly latencyRounds: RoundSamples;
}

/** One model on one of the task's alternative preprocessings (Task.preprocessVariants). */
export interface VariantResult {
  readonly name: string;
  readonly spec: ResolvedDecodeSpec;
  /** null: the model cannot take this input (see note). */
  readonly predictions: unknown[] | null;
  /** Batch-1 latencies, measured interleaved with every other model and variant of the group. */
  readonly latencyMs: Record<number, number[]>;
  readonly note: string | null;
}

export interface EvaluatedModel {
  readonly fp32: ModelResult;
  /** The task's alternative preprocessings, in its order; empty when it has none configured. */
  readonly variants: readonly VariantResult[];
  /** null: quantization is off. Otherwise the variant, with `result` null when it couldn't run (see variant.note). */
  readonly int8: { readonly variant: Int8Variant; readonly result: ModelResult | null } | null;
  readonly spec: ResolvedDecodeSpec;
}

/** How the eval set was streamed, for the report. */
export interface StreamSummary {
  readonly workers: number;
  readonly memoryBudget: number;
  readonly chunkImages: number;
  readonly chunks: number;
  /** true: decoding the next chunk overlapped inference (GPU); false: they took turns on the CPU cores. */
  readonly overlap: boolean;
}

export interface Evaluation {
  readonly models: EvaluatedModel[];
  readonly threads: number;
  /** Intra-op threads of the latency sessions (latency.threads). */
  readonly latencyThreads: number;
  readonly stream: StreamSummary;
  /** Per latency group: the A/A control arm's rounds (its first model on other sessions), or null for a group of one. */
  readonly latencyControls: readonly (RoundSamples | null)[];
  /** Wall time of the stream (decode and inference, calibration and quantization before it) and of the latency benchmark. */
  readonly timing: { readonly evaluateMs: number; readonly latencyMs: number };
  /** The sample indices evaluated: all of them, or a shard's. */
  readonly included: readonly number[];
}

export interface EvaluateOptions {
  /**
   * Models whose latency is measured together, interleaved (indices into refs): the pairs of a PR
   * run, or each model alone in a nightly run. Default: all of them in one group.
   */
  readonly latencyGroups?: readonly (readonly number[])[];
  /** Evaluate only this shard's samples; latency only in shard LATENCY_SHARD (engine/shard.ts). */
  readonly shard?: ShardSpec | null;
}

/**
 * One model on one preprocessing: what the stream feeds and the latency benchmark times. An int8
 * model and the fp32 model on another preprocessing are runs like any other.
 */
export interface ModelRun {
  /** Index of the fp32 model (in refs) this run belongs to. */
  readonly owner: number;
  readonly kind: 'fp32' | 'int8' | 'preprocess';
  /** The task's preprocessing variant name, for kind 'preprocess'. */
  readonly variant: string | null;
  readonly file: ModelFile;
  readonly model: LoadedModel;
  readonly spec: ResolvedDecodeSpec;
  readonly sampleShape: readonly number[];
  readonly predictions: unknown[];
}

const channelsOf = (config: Config) => (config.preprocess.color === 'gray' ? 1 : 3);

export function sampleShape(config: Config, [h, w]: readonly [number, number]): number[] {
  const c = channelsOf(config);
  return config.preprocess.layout === 'nchw' ? [c, h, w] : [h, w, c];
}

/** Decode worker threads: the configured number, or one per core this process may use. */
export function resolveWorkers(requested: number): number {
  return requested === 0 ? availableParallelism() : requested;
}

/**
 * The decode each model needs: the configured size, or the model's own fixed input size; rect
 * (and letterbox auto) turn that bound into the set-wide stride-padded size (preprocess/input-size.ts).
 */
async function decodeSpecFor(config: Config, file: ModelFile, configured: DecodeSpec, sizes: ImageSizes): Promise<ResolvedDecodeSpec> {
  // An Ultralytics model's imgsz and stride, where the config leaves them unset (models/metadata-check.ts).
  const preprocess = decodeDefaultsFor(config, file, configured);
  const size = preprocess.size ?? inputSizeFromModel(file.facts.inputs[0], config.preprocess.layout);
  if (!size) {
    throw new UserError(`${file.label}: input '${file.facts.inputs[0]?.name}' has no fixed height/width; set preprocess.size in ${config.configPath}`);
  }
  return resolveInputSize(preprocess, [size[0], size[1]], sizes, { batchSize: config.inference.batchSize });
}

function fits(config: Config, model: LoadedModel, spec: ResolvedDecodeSpec): void {
  // Rect batches go in at several sizes: the model must take each of them.
  const sizes = spec.rectBatches ? [...new Map(spec.rectBatches.shapes.map((s) => [s.join('x'), s])).values()] : [spec.size];
  for (const [height, width] of sizes) checkInputFits(model, { channels: channelsOf(config), height, width, layout: config.preprocess.layout });
}

/** Loads every fp32 model, then the int8 ones; a broken int8 file costs only its own results. */
async function loadRuns(config: Config, files: ModelFile[], specs: ResolvedDecodeSpec[], int8Of: (Int8Variant | null)[], threads: number, progress: Progress): Promise<ModelRun[]> {
  const runs: ModelRun[] = [];
  const { interOpThreads, spinWait } = config.inference;
  const load = (file: ModelFile) => loadModel(file.path, { provider: config.inference.executionProvider, threads, interOpThreads, spinWait, label: file.label });
  const add = (owner: number, kind: ModelRun['kind'], file: ModelFile, model: LoadedModel) =>
    runs.push({ owner, kind, variant: null, file, model, spec: specs[owner], sampleShape: sampleShape(config, specs[owner].size), predictions: [] });
  try {
    for (const [owner, file] of files.entries()) {
      const model = await load(file);
      add(owner, 'fp32', file, model);
      fits(config, model, specs[owner]);
    }
    for (const [owner, variant] of int8Of.entries()) {
      if (!variant?.file) continue;
      let model: LoadedModel | null = null;
      try {
        model = await load(variant.file);
        fits(config, model, specs[owner]);
        add(owner, 'int8', variant.file, model);
      } catch (error) {
        await model?.release();
        if (!(error instanceof UserError)) throw error;
        int8Of[owner] = { ...variant, file: null, note: `int8 model failed to load: ${error.message}` };
        progress.warn(`${variant.file.label}: ${error.message}; reporting fp32 only`);
      }
    }
  } catch (error) {
    await Promise.all(runs.map((run) => run.model.release()));
    throw error;
  }
  return runs;
}

/**
 * The task's other preprocessings for each fp32 run: a run of its own where the pixels differ, the
 * fp32 run itself where they don't, or a note where the model cannot take that input.
 */
async function preprocessRuns(config: Config, files: ModelFile[], fp32: ModelRun[], sizes: ImageSizes) {
  const wanted = taskFor(config.task).preprocessVariants?.(config) ?? [];
  const table: { name: string; spec: ResolvedDecodeSpec; run: ModelRun | null; note: string | null }[][] = [];
  for (const variant of wanted) {
    const perModel = [];
    for (const main of fp32) {
      const spec = await decodeSpecFor(config, files[main.owner], variant.preprocess, sizes);
      try {
        fits(config, main.model, spec);
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        perModel.push({ name: variant.name, spec, run: null, note: error.message });
        continue;
      }
      const same = decodeSpecKey(spec) === decodeSpecKey(main.spec);
      const run: ModelRun = same ? main : { ...main, kind: 'preprocess', variant: variant.name, spec, sampleShape: sampleShape(config, spec.size), predictions: [] };
      perModel.push({ name: variant.name, spec, run, note: null });
    }
    table.push(perModel);
  }
  return table;
}

/** An evaluation whose latency can be measured again (the nightly run's confirmation). */
export interface OpenEvaluation {
  readonly evaluation: Evaluation;
  /** Measures the latency of one group (an index into latencyGroups) again: the fp32 runs' latencies, by ref index. */
  remeasure(group: number): Promise<Map<number, Record<number, number[]>>>;
  close(): Promise<void>;
}

export async function evaluateModels(config: Config, ctx: EvalContext, refs: readonly ModelRef[], progress: Progress, options: EvaluateOptions = {}): Promise<Evaluation> {
  const open = await openEvaluation(config, ctx, refs, progress, options);
  await open.close();
  return open.evaluation;
}

/**
 * Every file the decode reads from a cached eval set is checked against the hashes recorded when it
 * was extracted. On the first changed one the entry is rebuilt from its archive and the whole
 * evaluation starts again, so nothing read from the changed entry (image sizes, calibration, a
 * decoded chunk) is used; a second change fails the run.
 */
export async function openEvaluation(config: Config, ctx: EvalContext, refs: readonly ModelRef[], progress: Progress, options: EvaluateOptions = {}): Promise<OpenEvaluation> {
  try {
    return await openEvaluationOnce(config, ctx, refs, progress, options);
  } catch (error) {
    if (!(error instanceof CachedFileChangedError) || ctx.integrity === null) throw error;
    await ctx.integrity.rebuild();
    return openEvaluationOnce(config, ctx, refs, progress, options);
  }
}

async function openEvaluationOnce(config: Config, ctx: EvalContext, refs: readonly ModelRef[], progress: Progress, options: EvaluateOptions): Promise<OpenEvaluation> {
  const task = taskFor(config.task);
  const files: ModelFile[] = [];
  for (const ref of refs) files.push(await resolveModel(ref));
  for (const file of files) {
    const note = task.checkOutputs(file.facts.outputs, file.label, config, ctx.samples);
    if (note) progress.info(note);
  }
  checkMetadataOf(files, config, classNamesFor(task, config, ctx.samples), (warning) => progress.warn(warning));
  const sizes = imageSizesOnce(ctx.samples.map((s) => s.file));
  const specs: ResolvedDecodeSpec[] = [];
  for (const file of files) specs.push(await decodeSpecFor(config, file, config.preprocess, sizes));
  const started = performance.now();
  const workers = resolveWorkers(config.preprocess.workers);
  const pool = openDecodePool({ workers, ...(ctx.integrity ? { expectedSha256: ctx.integrity.expected } : {}) });
  let runs: ModelRun[] = [];
  try {
    const calibration = calibrationDecoder(config, ctx, pool, progress);
    const int8Of = await int8Variants(config, refs, files, (i) => calibration(specs[i], sampleShape(config, specs[i].size)), progress);
    const threads = resolveThreads(config.inference.threads);
    runs = await loadRuns(config, files, specs, int8Of, threads, progress);
    for (const note of new Set(runs.map((r) => r.model.providerNote).filter((n): n is string => n !== null))) {
      const fallback = providerFallback(note, gpuName());
      if (fallback.note === null) continue;
      if (fallback.warn) progress.warn(fallback.note);
      else progress.info(fallback.note);
    }
    const fp32 = runs.filter((r) => r.kind === 'fp32');
    const alternatives = await preprocessRuns(config, files, fp32, sizes);
    const extra = alternatives
      .flat()
      .map((a) => a.run)
      .filter((r): r is ModelRun => r !== null && r.kind === 'preprocess');
    const streamed = [...runs, ...extra];
    const overlap = runs.every((r) => r.model.provider === 'cuda');
    const latencyBatch = Math.max(...[1, ...config.latency.batchSizes]);
    progress.info(
      `evaluate: ${ctx.samples.length.toLocaleString('en-US')} images through ${streamed.length} model run${streamed.length === 1 ? '' : 's'}; ` +
        `decode on ${pool.workers || 'the main thread'}${pool.workers ? ' workers' : ''}, inference ${threads} thread${threads === 1 ? '' : 's'}` +
        (overlap ? ', decoding the next chunk while the GPU runs' : ', taking turns on the CPU cores'),
    );
    const included = options.shard
      ? shardSamples(
          ctx.samples,
          streamed.map((r) => r.spec),
          options.shard,
        )
      : null;
    const facts = await streamEvalSet(
      ctx.samples,
      streamed,
      {
        include: included,
        pool,
        memoryBudget: config.inference.memoryBudget,
        batchSize: config.inference.batchSize,
        overlap,
        normalize: config.preprocess,
        keepFirst: latencyBatch,
        decode: (outputs, count, batch) => task.decodeOutputs(outputs, count, config, batch),
      },
      progress,
    );
    // The evaluation's sessions are done: every latency round opens fresh ones (docs/latency.md).
    await Promise.all(runs.map((r) => r.model.release()));
    const streamedAt = performance.now();
    // A shard other than the latency shard measures nothing: latency comes from one machine.
    const groups = options.shard && options.shard.index !== LATENCY_SHARD ? [] : (options.latencyGroups ?? [refs.map((_, i) => i)]);
    const latencyThreads = config.latency.threads === 0 ? threads : config.latency.threads;
    const latency = new Map<ModelRun, RoundSamples>();
    const variantLatency = new Map<(typeof alternatives)[number][number], RoundSamples>();
    const controls: (RoundSamples | null)[] = [];
    for (const group of groups) {
      const members = group.flatMap((owner) => runs.filter((r) => r.owner === owner));
      // A pair (or more) gets the A/A control arm: the noise floor its latency gate is judged against.
      const timed = await measureGroupLatency(config, members, facts.firstImages, config.latency, progress, { threads: latencyThreads, control: group.length > 1 });
      members.forEach((run, i) => latency.set(run, timed.runs[i]));
      controls.push(timed.control);
      // Other preprocessings: batch 1, every (variant, model) pair of the group interleaved, so
      // the p50s of different input sizes are measured under the same conditions.
      const entries = alternatives.flat().filter((a) => a.run !== null && group.includes(a.run.owner));
      if (entries.length > 0) {
        const timedVariants = await measureGroupLatency(
          config,
          entries.map((e) => e.run as ModelRun),
          facts.firstImages,
          { ...config.latency, batchSizes: [] },
          progress,
          { threads: latencyThreads, control: false },
        );
        entries.forEach((entry, i) => variantLatency.set(entry, timedVariants.runs[i]));
      }
    }
    const resultOf = (run: ModelRun): ModelResult => {
      const rounds = latency.get(run) ?? {};
      return { file: run.file, provider: run.model.provider, providerNote: run.model.providerNote, predictions: run.predictions, latencyMs: pooled(rounds), latencyRounds: rounds };
    };
    const models = files.map((_, owner): EvaluatedModel => {
      const main = fp32[owner];
      const int8 = runs.find((r) => r.kind === 'int8' && r.owner === owner);
      const variant = int8Of[owner];
      return {
        fp32: resultOf(main),
        int8: variant ? { variant, result: int8 ? resultOf(int8) : null } : null,
        variants: alternatives.map((perModel) => {
          const { name, spec, run, note } = perModel[owner];
          return { name, spec, note, predictions: run?.predictions ?? null, latencyMs: pooled(variantLatency.get(perModel[owner]) ?? {}) };
        }),
        spec: specs[owner],
      };
    });
    const stream = { workers: pool.workers, memoryBudget: config.inference.memoryBudget, chunkImages: facts.chunkImages, chunks: facts.chunks, overlap };
    const timing = { evaluateMs: streamedAt - started, latencyMs: performance.now() - streamedAt };
    const evaluation: Evaluation = {
      models,
      threads,
      latencyThreads,
      stream,
      latencyControls: controls,
      timing,
      included: included ? [...included].sort((a, b) => a - b) : ctx.samples.map((_, i) => i),
    };
    return {
      evaluation,
      async remeasure(group) {
        const members = runs.filter((r) => groups[group].includes(r.owner) && r.kind === 'fp32');
        const timed = await measureGroupLatency(config, members, facts.firstImages, config.latency, progress, { threads: latencyThreads, control: false });
        return new Map(members.map((run, i) => [run.owner, pooled(timed.runs[i])]));
      },
      // Nothing stays loaded: every latency measurement opens its own sessions.
      async close() {},
    };
  } catch (error) {
    await Promise.all(runs.map((r) => r.model.release()));
    throw error;
  } finally {
    await pool.close();
  }
}
