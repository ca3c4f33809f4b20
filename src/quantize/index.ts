/**
 * The built-in static int8 quantizer (quantization.mode: static-int8): onnxruntime 1.30's
 * quantize_static in TypeScript, QDQ format, MinMax calibration, uint8 asymmetric activations,
 * int8 symmetric weights per tensor or per channel, int32 biases, with the same parameters bit
 * for bit. model-io.ts reads/writes the protobuf, calibrate.ts collects ranges in bounded memory,
 * plan.ts decides what gets QDQ, params.ts computes the numbers, rewrite.ts edits the graph,
 * keep-float.ts resolves the nodes a user keeps in float.
 */
import { readFile } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { calibrate, type Calibration, type CalibrationSource } from './calibrate.js';
import { quantizedReason } from './detect.js';
import { keptFloat, type KeepFloat } from './keep-float.js';
import { decodeModel, encodeModel, onnx, onnxOpset, toNumber, type GraphMsg, type ModelMsg, type NodeMsg } from './model-io.js';
import { adjustRanges, planQdq, QUANTIZABLE_OPS } from './plan.js';
import { applyPlan } from './rewrite.js';

export type { CalibrationSource } from './calibrate.js';
export { arraySource, CALIBRATION_KNOBS, tensorSignatures } from './calibrate.js';
export type { KeepFloat } from './keep-float.js';
export { isAlreadyQuantized, isAlreadyQuantizedBytes, quantizedReason } from './detect.js';
export { decodeModel, encodeModel, onnx, type ModelMsg } from './model-io.js';

export interface QuantizeOptions {
  /** Per-channel int8 weights (else per tensor). Activations are uint8 asymmetric, weights int8 symmetric. */
  perChannel: boolean;
  /** Nodes to leave in float (onnxruntime's nodes_to_exclude), e.g. a detector's box-decoding tail. */
  keepFloat?: KeepFloat;
  /** Calibration images per batch; absent = derived from memoryBudgetBytes. */
  batchSize?: number | null;
  /** Bytes one calibration batch's intermediate tensors may take (default 1 GiB). */
  memoryBudgetBytes?: number | null;
  /** The model as the user knows it, for messages (default: the path). */
  label?: string;
}

export interface QuantizeReport {
  quantizedNodes: { op: string; count: number }[];
  /** Nodes left in float, with the reason. */
  floatNodes: { op: string; name: string; reason: string }[];
  /** Float initializers still in the int8 model (weights and constants nothing quantized), with their element count. */
  floatWeights: { name: string; elements: number; readers: string[] }[];
  calibrationSamples: number;
  calibrationBatch: number;
  perChannel: boolean;
}

/** Float tensors that feed or leave an op onnxruntime would quantize: the ones its calibrator reduces. */
export function tensorsToCalibrate(graph: GraphMsg): Set<string> {
  const initializers = new Set(graph.initializer.map((t) => t.name));
  const names = new Set<string>();
  for (const node of graph.node) {
    if (!QUANTIZABLE_OPS.has(node.opType)) continue;
    for (const name of [...node.input, ...node.output]) if (name !== '' && !initializers.has(name)) names.add(name);
  }
  return names;
}

function countByOp(nodes: Iterable<NodeMsg>): { op: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const node of nodes) counts.set(node.opType, (counts.get(node.opType) ?? 0) + 1);
  return [...counts].map(([op, count]) => ({ op, count }));
}

/**
 * Quantizes the fp32 model at `modelPath`, calibrating on `source` (preprocessed exactly as the
 * model takes them); `workDir` receives the temporary calibration models (removed afterwards).
 * Throws a UserError for a model that is already quantized, has no graph, or does not fit the
 * calibration memory budget.
 */
export async function quantizeStaticInt8(modelPath: string, source: CalibrationSource, options: QuantizeOptions, workDir: string): Promise<{ bytes: Uint8Array; report: QuantizeReport }> {
  const label = options.label ?? modelPath;
  const model = decodeModel(await readFile(modelPath), modelPath);
  if (!model.graph) throw new UserError(`${label}: the model has no graph`);
  const already = quantizedReason(model);
  if (already) throw new UserError(`${label} is already quantized (${already})`);
  if (source.samples === 0) throw new UserError('static int8 quantization needs at least one calibration image');
  const calibration = await calibrate(model, tensorsToCalibrate(model.graph), source, {
    workDir,
    label,
    batchSize: options.batchSize,
    memoryBudgetBytes: options.memoryBudgetBytes,
  });
  return quantizeCalibrated(model, calibration, options);
}

/** The quantization proper, from calibrated ranges (also what tests feed onnxruntime's own ranges to). */
export function quantizeCalibrated(
  model: ModelMsg,
  calibration: Pick<Calibration, 'ranges' | 'floatTensors' | 'samples'> & { batchSize?: number },
  options: QuantizeOptions,
): { bytes: Uint8Array; report: QuantizeReport } {
  const graph = model.graph!;
  const excluded = keptFloat(graph, options.keepFloat);
  const ranges = new Map(calibration.ranges);
  const originalFloat = new Set(graph.initializer.filter((t) => t.dataType === onnx.TensorProto.DataType.FLOAT).map((t) => t.name));
  adjustRanges(graph, ranges, excluded.nodes);
  const plan = planQdq({ model, ranges, floatTensors: calibration.floatTensors, perChannel: options.perChannel, excluded: excluded.nodes });
  const nodes = [...graph.node];
  // Judged before the rewrite renames the nodes' inputs and outputs.
  const handled = (node: NodeMsg) => plan.removed.has(node) || [...node.input, ...node.output].some((name) => plan.tensors.has(name) || plan.biases.has(name));
  const quantizedNodes = nodes.filter((node) => plan.visited.has(node) && handled(node));
  const quantized = new Set(quantizedNodes);
  const rewrite = applyPlan(model, plan, ranges);

  const reason = (node: NodeMsg) => {
    if (excluded.nodes.has(node.name)) return excluded.reasons.get(node.name)!;
    if (!QUANTIZABLE_OPS.has(node.opType)) return "no int8 path in onnxruntime's quantizer";
    if (node.opType === 'MaxPool' && onnxOpset(model) < 12) return 'onnxruntime quantizes MaxPool from opset 12';
    if (node.opType === 'Resize' && onnxOpset(model) < 11) return 'onnxruntime quantizes Resize from opset 11';
    return 'its input is not quantized';
  };
  const floatNodes = nodes.filter((node) => !quantized.has(node) && node.opType !== 'Constant').map((node) => ({ op: node.opType, name: node.name, reason: reason(node) }));
  for (const bias of rewrite.floatBiases) floatNodes.push({ op: 'bias', name: bias.name, reason: bias.reason });
  for (const name of rewrite.unresolved) floatNodes.push({ op: 'tensor', name, reason: 'shares the parameters of a tensor that is not quantized' });

  const readers = new Map<string, Set<string>>();
  for (const node of graph.node) for (const input of node.input) readers.set(input, (readers.get(input) ?? new Set()).add(node.opType));
  const floatWeights = graph.initializer
    .filter((t) => originalFloat.has(t.name))
    .map((t) => ({ name: t.name, elements: t.dims.reduce<number>((n, d) => n * toNumber(d), 1), readers: [...(readers.get(t.name) ?? [])] }));
  return {
    bytes: encodeModel(model),
    report: {
      quantizedNodes: countByOp(quantizedNodes),
      floatNodes,
      floatWeights,
      calibrationSamples: calibration.samples,
      calibrationBatch: calibration.batchSize ?? 0,
      perChannel: options.perChannel,
    },
  };
}
