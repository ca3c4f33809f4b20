/**
 * Runs a loaded model on input batches and hands back outputs as plain Float32Arrays the rest
 * of the pipeline owns. runAll walks a whole eval set in the batch size the model can take.
 */
import * as ort from 'onnxruntime-node';
import type { OutputTensor } from '../contracts/tensors.js';
import { UserError } from '../errors.js';
import type { Progress } from '../progress.js';
import { sessionOf, type LoadedModel } from './session.js';

const product = (dims: readonly number[]) => dims.reduce((total, dim) => total * dim, 1);

function halfToFloat(half: number): number {
  const sign = half & 0x8000 ? -1 : 1;
  const exponent = (half >> 10) & 0x1f;
  const fraction = half & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/**
 * A fresh Float32Array holding the output's values. onnxruntime-node 1.30 already gives each
 * run its own output buffers, but copying costs ~nothing next to inference (a few floats per
 * sample) and keeps us correct if a future version reuses or pools them; it also converts the
 * numeric types a model may emit (float16 arrives as raw Uint16 bits). Non-numeric outputs
 * (strings, maps) return null and are left out.
 */
function toFloat32(type: string, data: unknown): Float32Array | null {
  if (type === 'float32') return (data as Float32Array).slice();
  if (type === 'float16') return Float32Array.from(data as Uint16Array, halfToFloat);
  if (type === 'int64' || type === 'uint64') return Float32Array.from(data as BigInt64Array, Number);
  if (['float64', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'bool'].includes(type)) {
    return Float32Array.from(data as ArrayLike<number>);
  }
  return null;
}

/** Runs one input tensor (any batch the model accepts) and returns every numeric output. */
export async function runBatch(model: LoadedModel, input: Float32Array, dims: readonly number[]): Promise<Record<string, OutputTensor>> {
  if (input.length !== product(dims)) {
    throw new Error(`runBatch(${model.label}): ${input.length} values do not fill dims [${dims.join(',')}]`);
  }
  const { session, inputName } = sessionOf(model);
  const results = await session.run({ [inputName]: new ort.Tensor('float32', input, [...dims]) });
  const outputs: Record<string, OutputTensor> = {};
  for (const [name, tensor] of Object.entries(results)) {
    const data = toFloat32(tensor.type, tensor.data);
    if (data) outputs[name] = { data, dims: [...tensor.dims] };
  }
  return outputs;
}

/** dynamic → the configured batch size; a fixed batch N → N (batch 1 models go one by one). */
export function effectiveBatchSize(model: LoadedModel, configuredBatchSize: number): number {
  return model.batchDim === 'dynamic' ? configuredBatchSize : model.batchDim;
}

/** Keeps the first `rows` rows of a batch-major output (drops the rows that came from padding). */
function firstRows(model: LoadedModel, name: string, output: OutputTensor, batch: number, rows: number): OutputTensor {
  if (output.dims[0] !== batch) {
    throw new UserError(`${model.label}: output '${name}' has shape [${output.dims.join(',')}] for a batch of ${batch}; ` + 'model-gate needs outputs whose first dimension is the batch');
  }
  if (rows === batch) return output;
  const rowSize = product(output.dims.slice(1));
  return { data: output.data.slice(0, rows * rowSize), dims: [rows, ...output.dims.slice(1)] };
}

export interface BatchRunOptions {
  /** Number of samples to run: [0, total). */
  total: number;
  /** The configured batch size; used only when the model's batch dimension is dynamic. */
  batchSize: number;
  /** Dims of one sample, without the batch: [C,H,W] (nchw) or [H,W,C] (nhwc). */
  sampleShape: readonly number[];
  /** The float data of samples [start, end): (end - start) samples of sampleShape each. */
  makeInput: (start: number, end: number) => Float32Array;
  /** Outputs of samples [start, end) only (padding already dropped); count = end - start. */
  onOutputs: (start: number, end: number, outputs: Record<string, OutputTensor>, count: number) => void;
  /** Called after each batch with the samples done so far. */
  onBatch?: (done: number) => void;
}

export interface RunAllOptions extends BatchRunOptions {
  /** Receives the phase `run <label>` with one tick per batch. */
  progress: Progress;
}

/**
 * Runs samples [0, total) through the model in the batch size it can take. A fixed batch N > 1 is
 * zero-padded for the last partial batch and the padded rows are dropped before onOutputs.
 */
export async function runInBatches(model: LoadedModel, options: BatchRunOptions): Promise<void> {
  const { total, sampleShape, makeInput, onOutputs } = options;
  const batch = effectiveBatchSize(model, options.batchSize);
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`runInBatches(${model.label}): invalid batch size ${batch}`);
  const sampleSize = product(sampleShape);
  const fixedBatch = model.batchDim !== 'dynamic';
  for (let start = 0; start < total; start += batch) {
    const end = Math.min(start + batch, total);
    const rows = end - start;
    const data = makeInput(start, end);
    if (data.length !== rows * sampleSize) {
      throw new Error(`runInBatches(${model.label}): makeInput(${start}, ${end}) gave ${data.length} values, expected ${rows * sampleSize}`);
    }
    const runRows = fixedBatch ? batch : rows;
    let input = data;
    if (runRows > rows) {
      input = new Float32Array(runRows * sampleSize);
      input.set(data);
    }
    const outputs = await runBatch(model, input, [runRows, ...sampleShape]);
    const kept: Record<string, OutputTensor> = {};
    for (const [name, output] of Object.entries(outputs)) kept[name] = firstRows(model, name, output, runRows, rows);
    onOutputs(start, end, kept, rows);
    options.onBatch?.(end);
  }
}

/** runInBatches with its own progress phase (calibration, tests). */
export async function runAll(model: LoadedModel, options: RunAllOptions): Promise<void> {
  const { progress } = options;
  progress.start(`run ${model.label}`, options.total);
  try {
    await runInBatches(model, { ...options, onBatch: (done) => progress.tick(done) });
  } finally {
    progress.end();
  }
}
