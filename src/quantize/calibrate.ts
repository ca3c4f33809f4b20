/**
 * MinMax calibration in bounded memory, the way onnxruntime's MinMaxCalibrater does it: each
 * tensor to calibrate gets a ReduceMin and a ReduceMax node right after the node that writes it,
 * so a batch leaves only two scalars per tensor behind and every intermediate tensor is freed as
 * soon as its last reader ran. Batches are pulled from a CalibrationSource one at a time; peak
 * memory is the model plus one batch's live tensors, whatever the number of images.
 *
 * Two sessions, both unoptimized as onnxruntime's calibrator runs them (fused kernels round
 * intermediate tensors differently, which would move a range by an ulp):
 * 1. every node output declared as a graph output, only to read the element type and shape
 *    onnxruntime infers for it (no inference is run). Float32 tensors are the ones calibrated;
 *    the shapes give the live bytes per image, hence the batch size for a memory budget.
 * 2. the model with the ReduceMin/ReduceMax pairs, run on the calibration batches.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { loadModel, readSignatures, runBatch } from '../inference/index.js';
import type { TensorSignature } from '../contracts/tensors.js';
import { makeNode, onnx, toNumber, writeModelFile, type GraphMsg, type ModelMsg, type NodeMsg, type TensorMsg, type ValueInfoMsg } from './model-io.js';
import { batchForBudget, liveBytesPerSample } from './calibration-memory.js';

/** Calibration images as the model takes them, read a batch at a time. */
export interface CalibrationSource {
  readonly samples: number;
  /** One sample's shape, without the batch dimension. */
  readonly sampleShape: readonly number[];
  /** Float tensors of samples [start, end), batch-major. */
  read(start: number, end: number): Promise<Float32Array>;
}

export interface CalibrationOptions {
  /** Receives the temporary models (removed afterwards). */
  workDir: string;
  /** The model as the user knows it, for error messages. */
  label: string;
  /** Images per calibration batch; null or absent = as many as the memory budget allows (at most 64). */
  batchSize?: number | null;
  /** Bytes one batch's intermediate tensors may take; absent = 1 GiB. */
  memoryBudgetBytes?: number | null;
}

export interface Calibration {
  /** Global [min, max] per float32 tensor that was asked for. */
  ranges: Map<string, [number, number]>;
  /** Every non-initializer tensor of the graph onnxruntime infers as float32 (inputs and node outputs). */
  floatTensors: Set<string>;
  samples: number;
  batchSize: number;
  /** Estimated bytes of intermediate tensors alive at once per image. */
  liveBytesPerSample: number;
}

/** The knobs a user turns when calibration does not fit, as error messages name them. */
export const CALIBRATION_KNOBS = { memory: 'quantization.calibration-memory-mb', batch: 'quantization.calibration-batch-size' };

const DEFAULT_BUDGET = 1024 ** 3;

/** The graph's model input: its first input that is not an initializer. */
function modelInput(graph: GraphMsg): ValueInfoMsg | undefined {
  const initializers = new Set(graph.initializer.map((t) => t.name));
  return graph.input.find((v) => !initializers.has(v.name));
}

/**
 * Writes `model` with its graph temporarily changed by `edit` (restored afterwards, so the
 * caller's model is unchanged), tensor by tensor: no copy of the weights is ever held whole.
 */
async function writeEdited(model: ModelMsg, path: string, edit: (graph: GraphMsg) => void): Promise<void> {
  const graph = model.graph!;
  const saved = { node: graph.node, output: graph.output, input: graph.input, initializer: graph.initializer };
  try {
    edit(graph);
    await writeModelFile(model, path);
  } finally {
    Object.assign(graph, saved);
  }
}

/** A copy of the input's ValueInfo with the sample's dims fixed, so onnxruntime infers concrete shapes. */
function withSampleShape(input: ValueInfoMsg, sampleShape: readonly number[]): ValueInfoMsg {
  const copy = onnx.ValueInfoProto.decode(onnx.ValueInfoProto.encode(input as onnx.ValueInfoProto.$Properties).finish());
  const dims = copy.type?.tensorType?.shape?.dim;
  if (dims && dims.length === sampleShape.length + 1) sampleShape.forEach((d, i) => (dims[i + 1] = onnx.TensorShapeProto.Dimension.create({ dimValue: d })));
  return copy as unknown as ValueInfoMsg;
}

/** Float initializers of more elements than this become typed graph inputs in session 1. */
const WEIGHT_ELEMENTS = 1024;

/**
 * Session 1: onnxruntime's type and shape of every graph input and node output. Large float
 * weights go in as graph inputs of their type and shape rather than as data, so this session
 * costs kilobytes instead of a second copy of the weights; types and shapes come out the same
 * (no op's output shape depends on the values of a large float weight).
 */
export async function tensorSignatures(model: ModelMsg, workDir: string, label: string, sampleShape?: readonly number[]): Promise<Map<string, TensorSignature>> {
  const path = join(workDir, `signatures-${process.pid}-${Date.now()}.onnx`);
  const stripped = new Set<string>();
  await writeEdited(model, path, (graph) => {
    const input = modelInput(graph);
    const declared = new Set(graph.input.map((v) => v.name));
    const isWeight = (t: TensorMsg) => t.dataType === onnx.TensorProto.DataType.FLOAT && t.dims.reduce<number>((n, d) => n * toNumber(d), 1) > WEIGHT_ELEMENTS;
    const weights = graph.initializer.filter(isWeight);
    for (const t of weights) stripped.add(t.name);
    graph.initializer = graph.initializer.filter((t) => !isWeight(t));
    const typed = weights
      .filter((t) => !declared.has(t.name))
      .map(
        (t) =>
          onnx.ValueInfoProto.create({
            name: t.name,
            type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: t.dims.map((d) => ({ dimValue: toNumber(d) })) } } },
          }) as unknown as ValueInfoMsg,
      );
    graph.input = [...graph.input, ...typed];
    const present = new Set(graph.output.map((o) => o.name));
    const extra: ValueInfoMsg[] = [];
    for (const node of graph.node) {
      for (const name of node.output) {
        if (name === '' || present.has(name)) continue;
        present.add(name);
        extra.push(onnx.ValueInfoProto.create({ name }) as unknown as ValueInfoMsg);
      }
    }
    graph.output = [...graph.output, ...extra];
    if (input && sampleShape) graph.input = graph.input.map((v) => (v === input ? withSampleShape(v, sampleShape) : v));
  });
  try {
    const loaded = await readSignatures(path, `${label} (calibration types)`);
    return new Map([...loaded.inputs, ...loaded.outputs].filter((s) => !stripped.has(s.name)).map((s) => [s.name, s]));
  } finally {
    await rm(path, { force: true });
  }
}

/**
 * The graph's nodes followed by a ReduceMin/ReduceMax pair per calibrated tensor, appended in
 * reverse order of the tensors. Where the pairs sit decides memory: onnxruntime orders nodes by a
 * reverse depth-first search from the leaf nodes, taking the last leaf first (see ortOrder in
 * calibration-memory.ts), so the pair of the first tensor, placed last, runs first, then the
 * producer of the second tensor and its pair, and so on: each tensor is reduced as soon as it
 * is written and freed after its last reader. (Placed right after each producer, or anywhere in
 * forward order, the pairs would run after the whole network and keep every intermediate tensor
 * of the batch alive: ~265 MB per 224×224 image on ConvNeXt-T instead of ~15 MB.)
 */
function withReductions(graph: GraphMsg, tensors: readonly string[]): { nodes: NodeMsg[]; outputs: Map<string, [string, string]> } {
  const outputs = new Map<string, [string, string]>();
  const wanted = new Set(tensors);
  const ordered: string[] = [];
  const visit = (name: string) => {
    if (wanted.has(name) && !outputs.has(name)) {
      outputs.set(name, [`model-gate/calibration/${ordered.length}/min`, `model-gate/calibration/${ordered.length}/max`]);
      ordered.push(name);
    }
  };
  for (const input of graph.input) visit(input.name);
  for (const node of graph.node) node.output.forEach(visit);
  const reductions = ordered.reverse().flatMap((name) => {
    const [min, max] = outputs.get(name)!;
    return [makeNode('ReduceMax', [name], [max], max), makeNode('ReduceMin', [name], [min], min)];
  });
  return { nodes: [...graph.node, ...reductions], outputs };
}

function allocationFailure(error: unknown): boolean {
  return /alloc|out of memory|bad_alloc/i.test(error instanceof Error ? error.message : String(error));
}

export async function calibrate(model: ModelMsg, candidates: ReadonlySet<string>, source: CalibrationSource, options: CalibrationOptions): Promise<Calibration> {
  const graph = model.graph!;
  const { label, workDir } = options;
  const signatures = await tensorSignatures(model, workDir, label, source.sampleShape);
  const floatTensors = new Set([...signatures.values()].filter((s) => s.type === 'float32').map((s) => s.name));
  const tensors = [...candidates].filter((name) => floatTensors.has(name));
  const { nodes, outputs } = withReductions(graph, tensors);

  // The reductions write one float each.
  const sizes = new Map(signatures);
  for (const name of [...outputs.values()].flat()) sizes.set(name, { name, dims: [1], type: 'float32' });
  const perSample = liveBytesPerSample(nodes, graph, sizes);
  const budget = options.memoryBudgetBytes ?? DEFAULT_BUDGET;
  const batchSize = batchForBudget({ label, perSample, budget, requested: options.batchSize ?? null, samples: source.samples, knobs: CALIBRATION_KNOBS });

  const path = join(workDir, `calibration-${process.pid}-${Date.now()}.onnx`);
  await writeEdited(model, path, (g) => {
    g.node = nodes;
    g.output = [...g.output, ...[...outputs.values()].flat().map((name) => onnx.ValueInfoProto.create({ name }) as unknown as ValueInfoMsg)];
  });
  try {
    const loaded = await loadModel(path, { provider: 'cpu', threads: 0, label: `${label} (calibration)`, optimization: 'disabled', memory: 'lean' });
    try {
      const ranges = new Map<string, [number, number]>();
      const sampleSize = source.sampleShape.reduce((a, b) => a * b, 1);
      for (let start = 0; start < source.samples; start += batchSize) {
        const end = Math.min(source.samples, start + batchSize);
        const data = await source.read(start, end);
        if (data.length !== (end - start) * sampleSize) {
          throw new Error(`calibration source gave ${data.length} values for samples ${start}–${end} of shape [${source.sampleShape.join(',')}]`);
        }
        let results;
        try {
          results = await runBatch(loaded, data, [end - start, ...source.sampleShape]);
        } catch (error) {
          if (!allocationFailure(error)) throw error;
          throw new UserError(
            `${label}: onnxruntime ran out of memory calibrating a batch of ${end - start} images; set ${CALIBRATION_KNOBS.batch} lower or ${CALIBRATION_KNOBS.memory} to what the machine has`,
            { cause: error },
          );
        }
        for (const [name, [minName, maxName]] of outputs) {
          const low = results[minName].data[0];
          const high = results[maxName].data[0];
          const [min, max] = ranges.get(name) ?? [Infinity, -Infinity];
          // As numpy's nanmin/nanmax: a NaN batch does not poison the range.
          ranges.set(name, [low < min ? low : min, high > max ? high : max]);
        }
      }
      return { ranges, floatTensors, samples: source.samples, batchSize, liveBytesPerSample: perSample };
    } finally {
      await loaded.release();
    }
  } finally {
    await rm(path, { force: true });
  }
}

/** A CalibrationSource over tensors already in memory ([samples, ...sampleShape], batch-major). */
export function arraySource(data: Float32Array, sampleShape: readonly number[]): CalibrationSource {
  const size = sampleShape.reduce((a, b) => a * b, 1);
  return { samples: data.length / size, sampleShape, read: async (start, end) => data.subarray(start * size, end * size) };
}
