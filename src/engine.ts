/**
 * The compare pipeline shared by the CLI and the Action:
 * models → eval set → samples → decode (once per distinct preprocessing) → inference →
 * latency → report. Every stage is its own module; this file only wires them together.
 */
import { availableParallelism, cpus, platform, arch } from 'node:os';
import type { Config } from './config/types.js';
import { UserError } from './errors.js';
import { resolveEvalSet } from './evalset/index.js';
import { checkInputFits, inputSizeFromModel, loadModel, onnxruntimeVersion, resolveThreads, runAll, type LoadedModel } from './inference/index.js';
import { measureLatency } from './inference/latency.js';
import { resolveModel, type ModelFile } from './models/index.js';
import { decodeImages, decodeSpecKey, toTensor, type DecodedImages, type ResolvedDecodeSpec } from './preprocess/index.js';
import type { Progress } from './progress.js';
import { buildReport } from './report/build.js';
import { renderMarkdown } from './report/markdown.js';
import type { Report } from './report/types.js';
import { taskFor } from './tasks/index.js';
import { VERSION } from './version.js';

export interface CompareResult {
  readonly report: Report<unknown, unknown>;
  readonly markdown: string;
}

const channelsOf = (config: Config) => (config.preprocess.color === 'gray' ? 1 : 3);

/** The decode each model needs: the configured size, or the model's own fixed input size. */
function decodeSpecFor(config: Config, file: ModelFile): ResolvedDecodeSpec {
  const size = config.preprocess.size ?? inputSizeFromModel(file.facts.inputs[0], config.preprocess.layout);
  if (!size) {
    throw new UserError(`${file.label}: input '${file.facts.inputs[0]?.name}' has no fixed height/width; set preprocess.size in ${config.configPath}`);
  }
  return { ...config.preprocess, size: [size[0], size[1]] };
}

export async function runCompare(config: Config, progress: Progress): Promise<CompareResult> {
  const task = taskFor(config.task);
  const files = [await resolveModel(config.baseline), await resolveModel(config.candidate)];
  for (const file of files) task.checkOutputs(file.facts.outputs, file.label, config);

  const evalSet = await resolveEvalSet(config.eval, { cacheDir: config.cacheDir, progress });
  const samples = await task.readSamples(evalSet.root, config);
  progress.info(`eval set: ${samples.length.toLocaleString('en-US')} images from ${evalSet.source}${evalSet.fromCache ? ' (cached)' : ''}`);

  // Decode each image once per distinct preprocessing; models that agree share the pixels.
  const specs = files.map((file) => decodeSpecFor(config, file));
  const decoded = new Map<string, DecodedImages>();
  for (const spec of specs) {
    const key = decodeSpecKey(spec);
    if (!decoded.has(key)) decoded.set(key, await decodeImages(samples.map((s) => s.file), spec, progress));
  }
  const pixelsFor = (i: number) => decoded.get(decodeSpecKey(specs[i])) as DecodedImages;

  const threads = resolveThreads(config.inference.threads);
  const models: LoadedModel[] = [];
  try {
    for (const [i, file] of files.entries()) {
      const model = await loadModel(file.path, { provider: config.inference.executionProvider, threads, label: file.label });
      models.push(model);
      if (model.providerNote) progress.warn(`${file.label}: ${model.providerNote}`);
      const [h, w] = specs[i].size;
      checkInputFits(model, { channels: channelsOf(config), height: h, width: w, layout: config.preprocess.layout });
    }
    const predictions = [];
    for (const [i, model] of models.entries()) {
      const images = pixelsFor(i);
      const perModel: unknown[] = [];
      progress.info(`inference: ${model.label} on ${model.provider.toUpperCase()}, ${threads} threads`);
      await runAll(model, {
        total: samples.length,
        batchSize: config.inference.batchSize,
        sampleShape: sampleShape(config, specs[i].size),
        makeInput: (start, end) => toTensor(images, start, end, config.preprocess),
        onOutputs: (_start, end, outputs, count) => {
          perModel.push(...task.decodeOutputs(outputs, count, config));
        },
        progress,
      });
      predictions.push(perModel);
    }

    const latencyMs = await measureLatency(
      models,
      (modelIndex, batch) => {
        const images = pixelsFor(modelIndex);
        const count = Math.min(batch, images.count);
        const data = repeatToBatch(toTensor(images, 0, count, config.preprocess), count, batch);
        return { data, dims: [batch, ...sampleShape(config, specs[modelIndex].size)] };
      },
      config.latency,
      progress,
    );

    const provider = models.map((m) => m.provider);
    const report = buildReport(task, samples, {
      config,
      version: VERSION,
      generatedAt: new Date().toISOString(),
      evalSet: { source: evalSet.source, sha256: evalSet.sha256, samples: samples.length, fromCache: evalSet.fromCache },
      environment: {
        executionProvider: provider[0] === provider[1] ? provider[0] : provider.join('/'),
        executionProviderNote: models.find((m) => m.providerNote)?.providerNote ?? null,
        threads,
        onnxruntime: onnxruntimeVersion,
        node: process.version,
        platform: `${platform()}-${arch()}`,
        cpu: `${cpus()[0]?.model ?? 'unknown'} (${availableParallelism()} cores)`,
      },
      preprocess: { ...config.preprocess, size: specs[0].size },
      baseline: { file: files[0], executionProvider: models[0].provider, predictions: predictions[0], latencyMs: latencyMs[0] },
      candidate: { file: files[1], executionProvider: models[1].provider, predictions: predictions[1], latencyMs: latencyMs[1] },
    });
    return { report, markdown: renderMarkdown(report, task) };
  } finally {
    await Promise.all(models.map((m) => m.release()));
  }
}

function sampleShape(config: Config, [h, w]: readonly [number, number]): number[] {
  const c = channelsOf(config);
  return config.preprocess.layout === 'nchw' ? [c, h, w] : [h, w, c];
}

/** A latency batch larger than the eval set repeats its samples; timing doesn't care which images they are. */
function repeatToBatch(tensor: Float32Array, count: number, batch: number): Float32Array {
  if (count === batch) return tensor;
  const per = tensor.length / count;
  const out = new Float32Array(per * batch);
  for (let i = 0; i < batch; i++) out.set(tensor.subarray((i % count) * per, (i % count + 1) * per), i * per);
  return out;
}
