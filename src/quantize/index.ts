/**
 * The built-in static int8 quantizer (quantization.mode: static-int8): onnxruntime's quantize_static
 * in TypeScript, QDQ format, MinMax calibration, uint8 asymmetric activations, int8 symmetric
 * weights per tensor or per channel, int32 biases. model-io.ts reads/writes the protobuf,
 * calibrate.ts collects ranges, plan.ts decides what gets QDQ, params.ts computes the numbers,
 * rewrite.ts edits the graph.
 */
import { readFile } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { calibrate, type CalibrationBatch } from './calibrate.js';
import { quantizedReason } from './detect.js';
import { decodeModel, encodeModel, type GraphMsg, type NodeMsg } from './model-io.js';
import { adjustRanges, planQdq, QUANTIZABLE_OPS } from './plan.js';
import { applyPlan } from './rewrite.js';

export type { CalibrationBatch } from './calibrate.js';
export { isAlreadyQuantized, isAlreadyQuantizedBytes, quantizedReason } from './detect.js';
export { decodeModel, encodeModel, onnx, type ModelMsg } from './model-io.js';

export interface QuantizeOptions {
  /** Per-channel int8 weights (else per tensor). Activations are uint8 asymmetric, weights int8 symmetric. */
  perChannel: boolean;
}

export interface QuantizeReport {
  quantizedNodes: { op: string; count: number }[];
  floatNodes: { op: string; name: string; reason: string }[];
  calibrationSamples: number;
  perChannel: boolean;
}

/** Float tensors that feed or leave an op onnxruntime would quantize: the ones to calibrate. */
function tensorsToCalibrate(graph: GraphMsg): Set<string> {
  const initializers = new Set(graph.initializer.map((t) => t.name));
  const names = new Set<string>();
  for (const node of graph.node) {
    if (!QUANTIZABLE_OPS.has(node.opType)) continue;
    for (const name of [...node.input, ...node.output]) if (name !== '' && !initializers.has(name)) names.add(name);
  }
  return names;
}

function countByOp(nodes: readonly NodeMsg[]): { op: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const node of nodes) counts.set(node.opType, (counts.get(node.opType) ?? 0) + 1);
  return [...counts].map(([op, count]) => ({ op, count }));
}

/**
 * Quantizes the fp32 model at `modelPath`. `calibration` holds preprocessed batches exactly as the
 * model takes them; `workDir` receives the temporary calibration model (removed afterwards).
 * Throws a UserError for a model that is already quantized or that has no graph.
 */
export async function quantizeStaticInt8(
  modelPath: string,
  calibration: readonly CalibrationBatch[],
  options: QuantizeOptions,
  workDir: string,
): Promise<{ bytes: Uint8Array; report: QuantizeReport }> {
  const model = decodeModel(await readFile(modelPath), modelPath);
  if (!model.graph) throw new UserError(`${modelPath}: the model has no graph`);
  const already = quantizedReason(model);
  if (already) throw new UserError(`${modelPath} is already quantized (${already})`);
  if (calibration.length === 0) throw new UserError('static int8 quantization needs at least one calibration image');

  const { ranges, floatTensors, samples } = await calibrate(model, tensorsToCalibrate(model.graph), calibration, workDir);
  adjustRanges(model.graph, ranges);
  const plan = planQdq({ model, ranges, floatTensors, perChannel: options.perChannel });
  applyPlan(model, plan, ranges);
  return {
    bytes: encodeModel(model),
    report: {
      quantizedNodes: countByOp(plan.quantizedNodes),
      // Constant nodes only hold values; listing them as "left float" would be noise.
      floatNodes: plan.floatNodes.filter((node) => node.op !== 'Constant'),
      calibrationSamples: samples,
      perChannel: options.perChannel,
    },
  };
}
