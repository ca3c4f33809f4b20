/**
 * Applies a QdqPlan, in the order of onnxruntime 1.30's QDQQuantizer.quantize_model so that every
 * number comes out the same: parameters of the quantized initializers, the int32-bias widening
 * of weight scales, Q/DQ pairs for the tensors with their own parameters, then for those sharing
 * another's, then the int32 biases; the folded Relu/Clip nodes and unread initializers go, and
 * the nodes are re-sorted topologically. Names follow onnxruntime's suffixes
 * (_QuantizeLinear_Output, _DequantizeLinear_Output, _scale, _zero_point, _quantized).
 * Returns what could not be quantized (onnxruntime would stop with an error there instead).
 */
import { floatValues, makeNode, makeTensor, tensorDims, type GraphMsg, type ModelMsg, type NodeMsg, type TensorMsg } from './model-io.js';
import { activationParams, initializerParams, quantizeBias, quantizeValues, widenForInt32Bias, type InitializerParams } from './params.js';
import type { QdqPlan } from './plan.js';
import { topologicalOrder } from './topology.js';

/** A quantized tensor's parameter initializers (onnxruntime's quantized_value_map entry). */
interface Quantized {
  scale: string;
  zeroPoint: string;
  scaleValue: Float32Array;
}

export interface RewriteResult {
  /** Biases left float, with the reason. */
  floatBiases: { name: string; reason: string }[];
  /** Tensors whose parameters would come from a tensor that was never quantized. */
  unresolved: string[];
}

export function applyPlan(model: ModelMsg, plan: QdqPlan, ranges: ReadonlyMap<string, [number, number]>): RewriteResult {
  const graph = model.graph!;
  const initializer = (name: string) => graph.initializer.find((t) => t.name === name);
  const graphOutputs = new Set(graph.output.map((v) => v.name));
  const quantized = new Map<string, Quantized>();
  const result: RewriteResult = { floatBiases: [], unresolved: [] };

  const renameInputs = (from: string, to: string) => {
    for (const node of graph.node) node.input = node.input.map((name) => (name === from ? to : name));
  };
  /** _add_qdq_pair_for_activation. */
  const addPair = (name: string, params: Quantized) => {
    let qInput = name;
    let dqOutput = `${name}_DequantizeLinear_Output`;
    if (graphOutputs.has(name)) {
      // A graph output keeps its name: the producer writes a new tensor that gets quantized.
      qInput = `${name}_QuantizeLinear_Input`;
      dqOutput = name;
      for (const node of graph.node) node.output = node.output.map((o) => (o === name ? qInput : o));
    } else renameInputs(name, dqOutput);
    const q = `${name}_QuantizeLinear_Output`;
    graph.node.push(makeNode('QuantizeLinear', [qInput, params.scale, params.zeroPoint], [q], `${name}_QuantizeLinear`));
    graph.node.push(makeNode('DequantizeLinear', [q, params.scale, params.zeroPoint], [dqOutput], `${name}_DequantizeLinear`));
    quantized.set(name, params);
  };
  /** _make_scale_zp_initializers. */
  const addParams = (name: string, scale: Float32Array, zeroPoint: Int32Array, type: 'int8' | 'uint8', perChannel: boolean): Quantized => {
    const shape = perChannel ? [scale.length] : [];
    const zeros = type === 'int8' ? Int8Array.from(zeroPoint) : Uint8Array.from(zeroPoint);
    graph.initializer.push(makeTensor(`${name}_zero_point`, zeros, shape), makeTensor(`${name}_scale`, scale, shape));
    return { scale: `${name}_scale`, zeroPoint: `${name}_zero_point`, scaleValue: scale };
  };

  // _calc_initializer_quant_params
  const initializerQuant = new Map<string, { params: InitializerParams; values: Float32Array; dims: number[] }>();
  for (const [name, info] of plan.tensors) {
    const tensor = initializer(name);
    if (!tensor) continue;
    const values = floatValues(tensor);
    const dims = tensorDims(tensor);
    initializerQuant.set(name, { params: initializerParams(values, dims, info.kind === 'weight', info.axis), values, dims });
  }
  // _adjust_weight_quant_params_for_bias_tensors: judged on the input's own calibrated scale.
  for (const [name, bias] of plan.biases) {
    const weight = initializerQuant.get(bias.weight);
    const range = ranges.get(bias.input);
    if (!range || !plan.tensors.has(bias.input) || !weight || weight.params.type !== 'int8' || weight.params.zeroPoint.some((z) => z !== 0)) continue;
    const widened = widenForInt32Bias(weight.params.scale, weight.params.axis !== null, floatValues(initializer(name)!), activationParams(range[0], range[1]).scale[0]);
    if (widened) weight.params = { ...weight.params, scale: widened };
  }

  // _quantize_normal_tensors
  for (const [name, info] of plan.tensors) {
    if (info.provider || quantized.has(name)) continue;
    const init = initializerQuant.get(name);
    if (init) {
      const { params, values, dims } = init;
      const named = addParams(name, params.scale, params.zeroPoint, params.type, params.axis !== null);
      renameInputs(name, `${name}_DequantizeLinear_Output`);
      graph.initializer.push(makeTensor(`${name}_quantized`, quantizeValues(values, dims, params), dims));
      graph.node.push(
        makeNode('DequantizeLinear', [`${name}_quantized`, named.scale, named.zeroPoint], [`${name}_DequantizeLinear_Output`], `${name}_DequantizeLinear`, params.axis ?? undefined),
      );
      quantized.set(name, named);
      continue;
    }
    const range = ranges.get(name);
    if (!range) throw new Error(`internal: ${name} is to be quantized but has no calibrated range`);
    const { scale, zeroPoint } = activationParams(range[0], range[1]);
    addPair(name, addParams(name, scale, zeroPoint, 'uint8', false));
  }

  // _quantize_sharing_param_tensors: a provider may itself share, so repeat until nothing moves.
  let waiting = [...plan.tensors].filter(([, info]) => info.provider);
  for (let moved = true; waiting.length > 0 && moved;) {
    moved = false;
    for (const [name, info] of [...waiting]) {
      const provider = quantized.get(info.provider!.input);
      if (!provider) continue;
      waiting = waiting.filter(([other]) => other !== name);
      moved = true;
      if (!quantized.has(name)) addPair(name, provider);
    }
  }
  result.unresolved = waiting.map(([name]) => name);

  // _quantize_bias_tensors
  for (const [name, bias] of plan.biases) {
    const weight = quantized.get(bias.weight);
    const input = quantized.get(bias.input);
    if (!weight || !input) {
      result.floatBiases.push({ name, reason: `${!weight ? `its weight ${bias.weight}` : `its input ${bias.input}`} is not quantized` });
      continue;
    }
    const tensor = initializer(name)!;
    const dims = tensorDims(tensor);
    const { values, scale } = quantizeBias(floatValues(tensor), input.scaleValue[0], weight.scaleValue, bias.beta);
    const q = `${name}_quantized`;
    graph.initializer.push(makeTensor(q, values, dims), makeTensor(`${q}_scale`, scale, [scale.length]));
    // As onnxruntime: a per-tensor bias has a scalar zero point (its scale stays a 1-element vector).
    graph.initializer.push(makeTensor(`${q}_zero_point`, new Int32Array(scale.length), scale.length > 1 ? [scale.length] : []));
    graph.initializer = graph.initializer.filter((t) => t !== tensor);
    graph.input = graph.input.filter((v) => v.name !== name);
    // The DequantizeLinear writes the bias's own name, so its readers stay as they are.
    graph.node.push(makeNode('DequantizeLinear', [q, `${q}_scale`, `${q}_zero_point`], [name], `${name}_DequantizeLinear`, scale.length > 1 ? 0 : undefined));
  }

  graph.node = topologicalOrder(graph.node.filter((node) => !plan.removed.has(node)));
  dropUnusedInitializers(graph);
  return result;
}

/** onnxruntime's clean_initializers: initializers no node (or subgraph) reads and no output names go, with their graph inputs. */
function dropUnusedInitializers(graph: GraphMsg): void {
  const used = new Set<string>(graph.output.map((v) => v.name));
  const visit = (g: GraphMsg) => {
    for (const node of g.node) {
      for (const name of node.input) used.add(name);
      for (const attribute of node.attribute) {
        if (attribute.g) visit(attribute.g);
        for (const sub of attribute.graphs) visit(sub);
      }
    }
  };
  visit(graph);
  const dropped = new Set(graph.initializer.filter((t) => !used.has(t.name)).map((t) => t.name));
  if (dropped.size === 0) return;
  graph.initializer = graph.initializer.filter((t) => !dropped.has(t.name));
  graph.input = graph.input.filter((v) => !dropped.has(v.name));
}

export type { NodeMsg, TensorMsg };
