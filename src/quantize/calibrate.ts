/**
 * MinMax calibration, as onnxruntime's MinMaxCalibrater does it (no moving average): run the
 * calibration images through a copy of the model whose interesting intermediate tensors are
 * extra graph outputs, and keep each tensor's global min and max over all batches.
 *
 * The extra outputs are declared by name only; onnxruntime infers their types, and the session's
 * output metadata tells us which tensors are float32 (the only ones quantized). That replaces the
 * shape-inference pass onnxruntime's Python tool runs for the same purpose.
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadModel, runBatch } from '../inference/index.js';
import { cloneModel, encodeModel, onnx, type ModelMsg, type ValueInfoMsg } from './model-io.js';

export interface CalibrationBatch {
  data: Float32Array;
  /** [batch, ...sample shape] */
  dims: number[];
}

export interface Calibration {
  /** Global [min, max] per float32 tensor that was asked for. */
  ranges: Map<string, [number, number]>;
  /** Every tensor of the graph onnxruntime reported as float32 (inputs and node outputs). */
  floatTensors: Set<string>;
  samples: number;
}

export async function calibrate(
  model: ModelMsg,
  tensors: ReadonlySet<string>,
  batches: readonly CalibrationBatch[],
  workDir: string,
): Promise<Calibration> {
  const graph = model.graph!;
  const augmented = cloneModel(model);
  const augmentedGraph = augmented.graph!;
  const present = new Set(augmentedGraph.output.map((o) => o.name));
  // Every node output becomes a graph output so we learn its element type; the ranges are only
  // kept for the tensors asked for.
  for (const node of graph.node) {
    for (const name of node.output) {
      if (name === '' || present.has(name)) continue;
      present.add(name);
      augmentedGraph.output.push(onnx.ValueInfoProto.create({ name }) as unknown as ValueInfoMsg);
    }
  }
  const path = join(workDir, `calibration-${process.pid}-${Date.now()}.onnx`);
  await writeFile(path, encodeModel(augmented));

  // Unoptimized, as onnxruntime's calibrator runs it, so ranges match its to the last bit.
  const loaded = await loadModel(path, { provider: 'cpu', threads: 0, label: 'calibration model', optimization: 'disabled' });
  try {
    const floatTensors = new Set<string>();
    for (const signature of [...loaded.inputs, ...loaded.outputs]) {
      if (signature.type === 'float32') floatTensors.add(signature.name);
    }
    const ranges = new Map<string, [number, number]>();
    let samples = 0;
    for (const batch of batches) {
      const outputs = await runBatch(loaded, batch.data, batch.dims);
      outputs[loaded.inputs[0].name] = { data: batch.data, dims: batch.dims };
      samples += batch.dims[0];
      for (const name of tensors) {
        const output = outputs[name];
        if (!output || !floatTensors.has(name)) continue;
        let [min, max] = ranges.get(name) ?? [Infinity, -Infinity];
        const data = output.data;
        for (let i = 0; i < data.length; i++) {
          const v = data[i];
          if (v < min) min = v;
          if (v > max) max = v;
        }
        ranges.set(name, [min, max]);
      }
    }
    return { ranges, floatTensors, samples };
  } finally {
    await loaded.release();
    await rm(path, { force: true });
  }
}
