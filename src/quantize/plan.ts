/**
 * Which tensors get QuantizeLinear/DequantizeLinear: onnxruntime 1.30's QDQQuantizer.quantize_model
 * loop (qdq_quantizer.py, operators/*.py) with quantize_static's defaults, operator by operator.
 * Like onnxruntime it walks the nodes in file order and edits the graph as it goes (a folded
 * Relu/Clip hands its output name to its producer, a bias shared by two nodes is duplicated, a
 * Gemm's beta moves into its bias). The bookkeeping follows onnxruntime's, including its quirks:
 * a plain request keeps the first role a tensor was given, a per-channel weight or a shared-
 * parameter output overwrites it.
 *
 * Ops considered (onnxruntime's QLinearOps and QDQ registries; op type only, as onnxruntime):
 * - Conv, ConvTranspose, Gemm: activation input and output, int8 weight (per channel on axis 0,
 *   ConvTranspose 1, Gemm 0 with transB else 1), int32 bias.
 * - MatMul: every initializer input is an int8 weight (per channel on axis 1), every other input
 *   and the output are activations.
 * - LayerNormalization, BatchNormalization, InstanceNormalization: input and output activations,
 *   scale an int8 weight (per tensor: axis 1 is out of range for a 1-D scale), int32 bias.
 * - Relu, Clip: nothing unless the input is quantized; then folded into the producer when the
 *   output was calibrated and the input has no other reader, else input and output quantized.
 * - Reshape, Transpose, Squeeze, Unsqueeze, Flatten, AveragePool, Slice, TopK, MaxPool (opset
 *   12+), Resize (opset 11+): the output reuses the input's parameters, when the input is quantized.
 * - Pad: every input quantized; the output reuses input 0's parameters for reflect/edge/wrap or a
 *   constant 0, else gets its own.
 * - Split: input quantized, every output reuses its parameters. Gather/GatherElements: a float
 *   initializer data input is quantized and shared; a quantized data input is shared.
 * - Where: outputs quantized when both value inputs are.
 * - Everything else in the registries (Add, Mul, Concat, GlobalAveragePool, Sigmoid, Softmax,
 *   ArgMax, LeakyRelu, CumSum, EmbedLayerNormalization): every float input and output.
 * Nodes named in `excluded` (onnxruntime's nodes_to_exclude) and ops outside the registries stay
 * float.
 */
import { floatAttribute, intAttribute, onnx, onnxOpset, type GraphMsg, type ModelMsg, type NodeMsg, type TensorMsg } from './model-io.js';

export interface TensorQuantInfo {
  kind: 'activation' | 'weight';
  /** Per-channel axis of a weight, else null. */
  axis: number | null;
  /** The tensor whose scale and zero point this one reuses, and the node that reads it. */
  provider: { input: string; node: string } | null;
}

export interface BiasQuantInfo {
  node: string;
  input: string;
  weight: string;
  beta: number;
}

export interface QdqPlan {
  /** Tensors to quantize, in onnxruntime's order. */
  tensors: Map<string, TensorQuantInfo>;
  biases: Map<string, BiasQuantInfo>;
  /** Relu/Clip nodes folded into their producer. */
  removed: Set<NodeMsg>;
  /** Nodes onnxruntime's quantizer visits (in the registries, not excluded). */
  visited: Set<NodeMsg>;
}

const DIRECT_8BIT = new Set(['Reshape', 'Transpose', 'Squeeze', 'Unsqueeze', 'Flatten', 'AveragePool', 'Slice', 'TopK']);
const NORMALIZATION = new Set(['InstanceNormalization', 'LayerNormalization', 'BatchNormalization']);
const REMOVABLE = new Set(['Relu', 'Clip']);
const ALL_IO = new Set(['ArgMax', 'Add', 'Mul', 'LeakyRelu', 'Sigmoid', 'GlobalAveragePool', 'Concat', 'Softmax', 'CumSum', 'EmbedLayerNormalization']);

/** quantize_static's default op_types_to_quantize: the QLinearOps and QDQ registries' keys. */
export const QUANTIZABLE_OPS: ReadonlySet<string> = new Set([
  'Conv',
  'ConvTranspose',
  'Gemm',
  'MatMul',
  'Pad',
  'Split',
  'Gather',
  'GatherElements',
  'Where',
  'MaxPool',
  'Resize',
  ...DIRECT_8BIT,
  ...NORMALIZATION,
  ...REMOVABLE,
  ...ALL_IO,
]);

/** should_quantize_node. */
export function shouldQuantize(node: NodeMsg, excluded: ReadonlySet<string>): boolean {
  return QUANTIZABLE_OPS.has(node.opType) && !excluded.has(node.name);
}

function readers(graph: GraphMsg, name: string): number {
  let count = 0;
  for (const node of graph.node) for (const input of node.input) if (input === name) count++;
  return count;
}

/** adjust_tensor_ranges: a Relu/Clip input read only there takes the output's range; Softmax outputs are [0, 1]. */
export function adjustRanges(graph: GraphMsg, ranges: Map<string, [number, number]>, excluded: ReadonlySet<string>): void {
  for (const node of graph.node) {
    if (!shouldQuantize(node, excluded)) continue;
    if (REMOVABLE.has(node.opType)) {
      const [input, output] = [node.input[0], node.output[0]];
      if (readers(graph, input) !== 1 || !ranges.has(input) || !ranges.has(output)) continue;
      ranges.set(input, ranges.get(output)!);
    } else if (node.opType === 'Softmax' && ranges.has(node.output[0])) {
      ranges.set(node.output[0], [0, 1]);
    }
  }
}

export interface PlanInput {
  model: ModelMsg;
  /** Calibrated ranges (after adjustRanges): onnxruntime's quantization_params keys. */
  ranges: ReadonlyMap<string, [number, number]>;
  /** Non-initializer tensors known to be float32 (onnxruntime's value_info types). */
  floatTensors: ReadonlySet<string>;
  perChannel: boolean;
  excluded: ReadonlySet<string>;
}

export function planQdq({ model, ranges, floatTensors, perChannel, excluded }: PlanInput): QdqPlan {
  const graph = model.graph!;
  const original = new Map(graph.initializer.map((t) => [t.name, t]));
  const initializer = (name: string) => graph.initializer.find((t) => t.name === name);
  const isFloat = (t: TensorMsg | undefined) => t?.dataType === onnx.TensorProto.DataType.FLOAT || t?.dataType === onnx.TensorProto.DataType.FLOAT16;
  const opset = onnxOpset(model);
  const plan: QdqPlan = { tensors: new Map(), biases: new Map(), removed: new Set(), visited: new Set() };
  const { tensors, biases } = plan;

  const quantizable = (name: string) => {
    const init = initializer(name);
    return init ? isFloat(init) : floatTensors.has(name);
  };
  const isQuantized = (name: string) => tensors.has(name) || biases.has(name);
  const request = (name: string, kind: TensorQuantInfo['kind'], provider: TensorQuantInfo['provider'] = null) => {
    if (!name || !quantizable(name)) return;
    if (provider) tensors.set(name, { kind, axis: null, provider });
    else if (!tensors.has(name)) tensors.set(name, { kind, axis: null, provider: null });
  };
  const activation = (name: string) => request(name, 'activation');
  const share = (output: string, input: string, node: NodeMsg) => request(output, 'activation', { input, node: node.name });
  /** is_tensor_per_channel: only original initializers, only with per-channel on, only an in-range axis. */
  const channelAxis = (name: string, axis: number): number | null => {
    const init = original.get(name);
    if (!init || !perChannel) return null;
    const rank = init.dims.length;
    const normalized = axis < 0 ? axis + rank : axis;
    return normalized >= 0 && normalized < rank ? normalized : null;
  };
  const weight = (name: string, defaultAxis: number) => {
    const axis = channelAxis(name, defaultAxis);
    if (axis === null) return request(name, 'weight');
    if (isFloat(initializer(name))) tensors.set(name, { kind: 'weight', axis, provider: null });
  };
  const bias = (node: NodeMsg, name: string, input: string, weightName: string, beta: number) => {
    const init = initializer(name);
    if (!init || !isFloat(init)) return;
    let actual = name;
    if (biases.has(name)) {
      // Read by a second node: onnxruntime gives this node its own copy, since the scale differs.
      actual = `${name}${largestSuffix(graph, name) + 1}`;
      graph.initializer.push(copyTensor(init, actual));
      for (const other of graph.node) if (other.name === node.name) other.input = other.input.map((i) => (i === name ? actual : i));
    }
    biases.set(actual, { node: node.name, input, weight: weightName, beta });
  };
  /** try_replacing_upstream_output: the producer of `upstream` writes `output` instead. */
  const foldInto = (upstream: string, output: string) => {
    const graphEnds = new Set([...graph.input, ...graph.output].map((v) => v.name));
    if (!ranges.has(output) || readers(graph, upstream) !== 1 || graphEnds.has(upstream)) return false;
    for (const node of graph.node) node.output = node.output.map((o) => (o === upstream ? output : o));
    tensors.delete(upstream);
    return true;
  };

  for (const node of graph.node) {
    if (!shouldQuantize(node, excluded)) continue;
    plan.visited.add(node);
    const op = node.opType;
    const [in0, in1, in2] = node.input;
    const out0 = node.output[0];
    if (op === 'Conv' || op === 'ConvTranspose' || op === 'Gemm') {
      activation(in0);
      activation(out0);
      weight(in1, op === 'Conv' ? 0 : op === 'ConvTranspose' ? 1 : intAttribute(node, 'transB', 0) > 0 ? 0 : 1);
      if (node.input.length === 3) {
        if (op !== 'Gemm') bias(node, in2, in0, in1, 1);
        else if (initializer(in2)) {
          bias(node, in2, in0, in1, floatAttribute(node, 'beta', 1));
          const beta = node.attribute.find((a) => a.name === 'beta');
          if (beta) beta.f = 1;
        }
      }
    } else if (op === 'MatMul') {
      for (const name of [...node.input, ...node.output]) {
        if (initializer(name)) weight(name, 1);
        else activation(name);
      }
    } else if (NORMALIZATION.has(op)) {
      activation(in0);
      if (channelAxis(in1, 1) !== null || initializer(in1)) weight(in1, 1);
      else activation(in1);
      if (node.input.length > 2 && in2) bias(node, in2, in0, in1, 1);
      for (const output of node.output) activation(output);
    } else if (REMOVABLE.has(op)) {
      if (!isQuantized(in0)) continue;
      if (foldInto(in0, out0)) plan.removed.add(node);
      else activation(in0);
      activation(out0);
    } else if (DIRECT_8BIT.has(op) || op === 'MaxPool' || op === 'Resize') {
      if ((op === 'MaxPool' && opset < 12) || (op === 'Resize' && opset < 11)) continue;
      if (isQuantized(in0)) share(out0, in0, node);
    } else if (op === 'Pad') {
      for (const input of node.input) if (input) activation(input);
      if (padKeepsRange(graph, node, opset, quantizable(in0))) share(out0, in0, node);
      else activation(out0);
    } else if (op === 'Split') {
      if (!isQuantized(in0)) activation(in0);
      for (const output of node.output) share(output, in0, node);
    } else if (op === 'Gather' || op === 'GatherElements') {
      if (isFloat(initializer(in0))) {
        activation(in0);
        share(out0, in0, node);
      } else if (isQuantized(in0)) share(out0, in0, node);
    } else if (op === 'Where') {
      if (isQuantized(in1) && isQuantized(node.input[2])) for (const output of node.output) activation(output);
    } else {
      for (const name of [...node.input, ...node.output]) activation(name);
    }
  }
  return plan;
}

function copyTensor(tensor: TensorMsg, name: string): TensorMsg {
  const copy = onnx.TensorProto.decode(onnx.TensorProto.encode(tensor as onnx.TensorProto.$Properties).finish()) as unknown as TensorMsg;
  copy.name = name;
  return copy;
}

/** get_largest_initializer_name_suffix: the largest integer n with an initializer named prefix + n, or −1. */
function largestSuffix(graph: GraphMsg, prefix: string): number {
  let largest = -1;
  for (const t of graph.initializer) {
    if (!t.name.startsWith(prefix)) continue;
    const rest = t.name.slice(prefix.length);
    if (/^[+-]?\d+$/.test(rest.trim())) largest = Math.max(largest, Number(rest));
  }
  return largest;
}

/** QDQPad._should_quantize_output_same_as_input: reflect/edge/wrap, or a constant 0 pad value. */
function padKeepsRange(graph: GraphMsg, node: NodeMsg, opset: number, inputIsFloat: boolean): boolean {
  const modeAttribute = node.attribute.find((a) => a.name === 'mode') as { s?: Uint8Array } | undefined;
  const mode = modeAttribute?.s ? Buffer.from(modeAttribute.s).toString('utf8') : 'constant';
  if (mode === 'reflect' || mode === 'edge' || mode === 'wrap') return true;
  if (mode !== 'constant' || !inputIsFloat) return false;
  if (opset < 11) return floatAttribute(node, 'value', 0) === 0;
  const name = node.input[2];
  if (!name) return true;
  const value = constantFloat(graph, name);
  return value !== null && value === 0;
}

/** The single float value of an initializer or Constant node output, or null. */
function constantFloat(graph: GraphMsg, name: string): number | null {
  const init = graph.initializer.find((t) => t.name === name);
  const tensor = init ?? (graph.node.find((n) => n.opType === 'Constant' && n.output[0] === name)?.attribute.find((a) => a.name === 'value') as { t?: TensorMsg } | undefined)?.t;
  if (!tensor || tensor.dataType !== onnx.TensorProto.DataType.FLOAT) return null;
  if (tensor.rawData.length >= 4) return Buffer.from(tensor.rawData).readFloatLE(0);
  return tensor.floatData.length > 0 ? tensor.floatData[0] : null;
}
