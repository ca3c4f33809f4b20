/**
 * Which tensors get QuantizeLinear/DequantizeLinear, following onnxruntime 1.30's QDQ quantizer
 * (qdq_quantizer.py and operators/*.py, registry.py) with its quantize_static defaults:
 * - The ops considered are those of onnxruntime 1.30's QLinearOps, common and QDQ registries.
 * - Conv/ConvTranspose/Gemm: activation input and output, weight (int8, per-channel on the output
 *   channel axis if asked: Conv 0, ConvTranspose 1, Gemm 0 with transB else 1), int32 bias.
 * - MatMul: both inputs (an initializer input is an int8 per-channel weight on its last axis when
 *   per-channel is on) and the output.
 * - Relu/Clip: removed when their input is quantized and feeds nothing else; the producer then
 *   writes the activation's output, quantized with the activation's calibrated range (so the
 *   QDQ pair does the clamping). Before that, their input takes their output's range.
 * - Reshape/Flatten/Transpose/Squeeze/Unsqueeze/MaxPool/AveragePool/Resize/Slice/Pad/TopK: when
 *   the input is quantized, the output reuses the input's scale and zero point (QDQDirect8BitOp).
 * - Gather/GatherElements: a float initializer data input is quantized (uint8, own range); when
 *   the data input is quantized, the output reuses its parameters. Indices stay as they are.
 * - Where: when both value inputs are quantized, the output is quantized.
 * - Split: input quantized, every output shares its parameters.
 * - Other registry ops (Add, Mul, Concat, GlobalAveragePool, Sigmoid, Softmax...): every float
 *   input and output is quantized.
 * - Everything else stays float and is reported with the reason.
 */
import { floatAttribute, intAttribute, onnx, onnxOpset, type GraphMsg, type ModelMsg, type NodeMsg } from './model-io.js';

export type TensorRole =
  | { kind: 'activation' }
  | { kind: 'weight'; axis: number | null };

export interface BiasPlan {
  input: string;
  weight: string;
  beta: number;
}

export interface QdqPlan {
  /** Tensors to quantize, in onnxruntime's order (first request wins). */
  tensors: Map<string, TensorRole>;
  /** output → input whose scale and zero point it reuses. */
  shared: Map<string, string>;
  biases: Map<string, BiasPlan>;
  /** Relu/Clip nodes folded into the producer's QDQ: producer output renamed to the activation output. */
  removed: Set<NodeMsg>;
  renamedOutputs: Map<string, string>;
  quantizedNodes: NodeMsg[];
  floatNodes: { op: string; name: string; reason: string }[];
}

const PASS_THROUGH = new Set(['Reshape', 'Flatten', 'Transpose', 'Squeeze', 'Unsqueeze', 'AveragePool', 'Slice', 'Pad', 'TopK', 'MaxPool', 'Resize']);
const ALL_IO = new Set(['ArgMax', 'Add', 'Mul', 'LeakyRelu', 'Sigmoid', 'GlobalAveragePool', 'Concat', 'Softmax', 'CumSum']);
const GATHER = new Set(['Gather', 'GatherElements']);
const REMOVABLE = new Set(['Relu', 'Clip']);
/** In onnxruntime's registries but not handled here; left float and said so. */
const NOT_HANDLED = new Set(['InstanceNormalization', 'LayerNormalization', 'BatchNormalization', 'EmbedLayerNormalization', 'Attention', 'LSTM']);

export const QUANTIZABLE_OPS: ReadonlySet<string> = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'Split', 'Where', ...GATHER, ...PASS_THROUGH, ...ALL_IO, ...REMOVABLE]);

export interface PlanInput {
  model: ModelMsg;
  ranges: Map<string, [number, number]>;
  floatTensors: ReadonlySet<string>;
  perChannel: boolean;
}

/** onnxruntime's adjust_tensor_ranges: Relu/Clip inputs take the output range; Softmax outputs are [0, 1]. */
export function adjustRanges(graph: GraphMsg, ranges: Map<string, [number, number]>): void {
  const consumers = consumerCounts(graph);
  for (const node of graph.node) {
    if (REMOVABLE.has(node.opType)) {
      const [input, output] = [node.input[0], node.output[0]];
      if (consumers.get(input) !== 1 || !ranges.has(input) || !ranges.has(output)) continue;
      ranges.set(input, ranges.get(output)!);
    } else if (node.opType === 'Softmax' && ranges.has(node.output[0])) {
      ranges.set(node.output[0], [0, 1]);
    }
  }
}

function consumerCounts(graph: GraphMsg): Map<string, number> {
  const counts = new Map<string, number>();
  for (const node of graph.node) for (const name of node.input) counts.set(name, (counts.get(name) ?? 0) + 1);
  return counts;
}

export function planQdq({ model, ranges, floatTensors, perChannel }: PlanInput): QdqPlan {
  const graph = model.graph!;
  const initializers = new Map(graph.initializer.map((t) => [t.name, t]));
  const graphInputs = new Set(graph.input.map((v) => v.name));
  const graphOutputs = new Set(graph.output.map((v) => v.name));
  const consumers = consumerCounts(graph);
  const opset = onnxOpset(model);
  const plan: QdqPlan = { tensors: new Map(), shared: new Map(), biases: new Map(), removed: new Set(), renamedOutputs: new Map(), quantizedNodes: [], floatNodes: [] };

  const isFloatInitializer = (name: string) => initializers.get(name)?.dataType === onnx.TensorProto.DataType.FLOAT;
  const quantizable = (name: string) => name !== '' && (initializers.has(name) ? isFloatInitializer(name) : floatTensors.has(name));
  // First request wins, whether it quantizes the tensor or makes it share another's parameters.
  const request = (name: string, role: TensorRole) => {
    if (quantizable(name) && !plan.tensors.has(name) && !plan.shared.has(name)) plan.tensors.set(name, role);
  };
  const activation = (name: string) => request(name, { kind: 'activation' });
  const weight = (name: string, axis: number) => {
    if (!isFloatInitializer(name)) return activation(name);
    request(name, { kind: 'weight', axis: perChannel ? axis : null });
  };
  const isQuantized = (name: string) => plan.tensors.has(name) || plan.shared.has(name);
  const share = (output: string, input: string) => {
    if (quantizable(output) && !plan.tensors.has(output) && !plan.shared.has(output)) plan.shared.set(output, input);
  };

  for (const node of graph.node) {
    const op = node.domain === '' || node.domain === 'ai.onnx' ? node.opType : `${node.domain}.${node.opType}`;
    const [in0, in1, in2] = node.input;
    const out0 = node.output[0];
    let handled = true;
    if (op === 'Conv' || op === 'ConvTranspose' || op === 'Gemm') {
      activation(in0);
      activation(out0);
      const transB = intAttribute(node, 'transB', 0);
      weight(in1, op === 'Conv' ? 0 : op === 'ConvTranspose' ? 1 : transB ? 0 : 1);
      if (in2 && isFloatInitializer(in2) && isFloatInitializer(in1)) {
        const beta = op === 'Gemm' ? floatAttribute(node, 'beta', 1) : 1;
        plan.biases.set(in2, { input: in0, weight: in1, beta });
      }
    } else if (op === 'MatMul') {
      for (const name of [in0, in1]) {
        const rank = initializers.get(name)?.dims.length ?? 0;
        if (perChannel && isFloatInitializer(name) && rank >= 2) weight(name, rank - 1);
        else activation(name);
      }
      activation(out0);
    } else if (REMOVABLE.has(op)) {
      if (!isQuantized(in0)) handled = false;
      else {
        const upstreamSafe = ranges.has(out0) && consumers.get(in0) === 1 && !graphOutputs.has(in0) && !graphInputs.has(in0);
        if (upstreamSafe) {
          plan.removed.add(node);
          plan.renamedOutputs.set(in0, out0);
          plan.tensors.delete(in0);
        } else activation(in0);
        activation(out0);
      }
    } else if (PASS_THROUGH.has(op)) {
      if ((op === 'MaxPool' && opset < 12) || (op === 'Resize' && opset < 11) || !isQuantized(in0)) handled = false;
      else share(out0, in0);
    } else if (GATHER.has(op)) {
      if (isFloatInitializer(in0)) activation(in0);
      if (!isQuantized(in0)) handled = false;
      else share(out0, in0);
    } else if (op === 'Where') {
      if (!isQuantized(in1) || !isQuantized(node.input[2])) handled = false;
      else for (const output of node.output) activation(output);
    } else if (op === 'Split') {
      activation(in0);
      for (const output of node.output) share(output, in0);
    } else if (ALL_IO.has(op)) {
      for (const name of [...node.input, ...node.output]) activation(name);
    } else handled = false;

    if (handled) plan.quantizedNodes.push(node);
    else plan.floatNodes.push({ op, name: node.name, reason: floatReason(op, opset) });
  }
  // Relu/Clip folded away: their input tensor no longer exists, so anything planned for it moves.
  for (const [from] of plan.renamedOutputs) plan.shared.delete(from);
  return plan;
}

function floatReason(op: string, opset: number): string {
  if (op === 'Constant') return 'constant';
  if (REMOVABLE.has(op) || PASS_THROUGH.has(op) || GATHER.has(op) || op === 'Where') {
    if (op === 'MaxPool' && opset < 12) return 'MaxPool has an int8 path from opset 12';
    return 'its input is not quantized';
  }
  if (NOT_HANDLED.has(op)) return 'onnxruntime quantizes it, the built-in quantizer does not';
  return 'no int8 path (not in onnxruntime\'s quantization registries)';
}
