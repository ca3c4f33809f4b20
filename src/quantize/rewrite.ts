/**
 * Applies a QdqPlan to a model: computes the parameters (params.ts), adds the quantized
 * initializers and the QuantizeLinear/DequantizeLinear nodes, rewires consumers, drops the float
 * weights nothing reads any more, and re-sorts the nodes topologically. Tensor names follow
 * onnxruntime's suffixes (_QuantizeLinear_Output, _DequantizeLinear_Output, _scale, _zero_point,
 * _quantized) so the result reads like onnxruntime's own output.
 */
import { floatValues, makeNode, makeTensor, tensorDims, type GraphMsg, type ModelMsg, type NodeMsg, type TensorMsg } from './model-io.js';
import { activationParams, quantizeBias, quantizeWeight, widenForInt32Bias, type QuantizedWeight } from './params.js';
import type { QdqPlan } from './plan.js';

interface Named { scale: string; zeroPoint: string; scaleValue: Float32Array }

export function applyPlan(model: ModelMsg, plan: QdqPlan, ranges: Map<string, [number, number]>): void {
  const graph = model.graph!;
  const initializers = new Map(graph.initializer.map((t) => [t.name, t]));
  const graphOutputs = new Set(graph.output.map((v) => v.name));
  const added: NodeMsg[] = [];
  const params = new Map<string, Named>();

  // Fold the removed Relu/Clip nodes: their producer now writes the activation's output.
  graph.node = graph.node.filter((node) => !plan.removed.has(node));
  for (const node of graph.node) node.output = node.output.map((name) => plan.renamedOutputs.get(name) ?? name);

  const renameInputs = (from: string, to: string, except: NodeMsg | null) => {
    for (const node of [...graph.node, ...added]) {
      if (node === except) continue;
      node.input = node.input.map((name) => (name === from ? to : name));
    }
  };

  /** Q→DQ pair on an activation tensor with the given parameter initializers. */
  const addActivationPair = (name: string, named: Named) => {
    let qInput = name;
    let dqOutput = `${name}_DequantizeLinear_Output`;
    if (graphOutputs.has(name)) {
      // A graph output keeps its name: the producer writes a new tensor that gets quantized.
      qInput = `${name}_QuantizeLinear_Input`;
      dqOutput = name;
      for (const node of graph.node) node.output = node.output.map((o) => (o === name ? qInput : o));
    } else renameInputs(name, dqOutput, null);
    const quantized = `${name}_QuantizeLinear_Output`;
    added.push(makeNode('QuantizeLinear', [qInput, named.scale, named.zeroPoint], [quantized], `${name}_QuantizeLinear`));
    added.push(makeNode('DequantizeLinear', [quantized, named.scale, named.zeroPoint], [dqOutput], `${name}_DequantizeLinear`));
  };

  const quantizedWeights = new Map<string, { weight: QuantizedWeight; values: Float32Array; dims: number[] }>();
  const addInitializer = (tensor: TensorMsg) => graph.initializer.push(tensor);

  for (const [name, role] of plan.tensors) {
    const initializer = initializers.get(name);
    if (initializer && role.kind === 'weight') {
      const values = floatValues(initializer);
      const dims = tensorDims(initializer);
      let weight = quantizeWeight(values, dims, role.axis);
      const bias = [...plan.biases].find(([, b]) => b.weight === name);
      const inputScale = bias ? activationScale(bias[1].input, ranges, params) : null;
      if (bias && inputScale !== null) weight = widenForInt32Bias(weight, values, dims, floatValues(initializers.get(bias[0])!), inputScale);
      quantizedWeights.set(name, { weight, values, dims });
      const shape = weight.axis === null ? [] : [weight.scale.length];
      addInitializer(makeTensor(`${name}_quantized`, weight.values, dims));
      addInitializer(makeTensor(`${name}_scale`, weight.scale, shape));
      addInitializer(makeTensor(`${name}_zero_point`, new Int8Array(weight.scale.length), shape));
      params.set(name, { scale: `${name}_scale`, zeroPoint: `${name}_zero_point`, scaleValue: weight.scale });
      const dq = makeNode('DequantizeLinear', [`${name}_quantized`, `${name}_scale`, `${name}_zero_point`], [`${name}_DequantizeLinear_Output`], `${name}_DequantizeLinear`, weight.axis ?? undefined);
      renameInputs(name, `${name}_DequantizeLinear_Output`, null);
      added.push(dq);
      continue;
    }
    // Activations, and float initializers feeding ops without a weight input (Add, Concat...),
    // are uint8 asymmetric over their own range.
    const range = initializer ? rangeOf(floatValues(initializer)) : ranges.get(name);
    if (!range) continue;
    const named = defineActivationParams(name, range, params, addInitializer);
    addActivationPair(name, named);
  }

  for (const [output, input] of plan.shared) {
    const named = params.get(input);
    if (!named || params.has(output)) continue;
    params.set(output, named);
    addActivationPair(output, named);
  }

  const floatBiases = new Set<string>();
  for (const [name, bias] of plan.biases) {
    const weight = quantizedWeights.get(bias.weight);
    const inputParams = params.get(bias.input);
    if (!weight || !inputParams) continue;
    const { values, scale } = quantizeBias(floatValues(initializers.get(name)!), inputParams.scaleValue[0], weight.weight.scale, bias.beta);
    const dims = tensorDims(initializers.get(name)!);
    addInitializer(makeTensor(`${name}_quantized`, values, dims));
    addInitializer(makeTensor(`${name}_quantized_scale`, scale, [scale.length]));
    // As onnxruntime: a per-tensor bias has a scalar zero point (its scale stays a 1-element vector).
    addInitializer(makeTensor(`${name}_quantized_zero_point`, new Int32Array(scale.length), scale.length > 1 ? [scale.length] : []));
    // The DequantizeLinear writes the bias's own name, replacing the float initializer (onnxruntime
    // does the same), so the consumers stay as they are.
    floatBiases.add(name);
    added.push(makeNode('DequantizeLinear', [`${name}_quantized`, `${name}_quantized_scale`, `${name}_quantized_zero_point`], [name], `${name}_DequantizeLinear`, scale.length > 1 ? 0 : undefined));
  }
  graph.initializer = graph.initializer.filter((t) => !floatBiases.has(t.name));
  graph.input = graph.input.filter((v) => !floatBiases.has(v.name));

  graph.node = topologicalOrder([...graph.node, ...added]);
  dropUnusedInitializers(graph);
}

function rangeOf(values: Float32Array): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min === Infinity ? [0, 0] : [min, max];
}

function defineActivationParams(name: string, range: [number, number], params: Map<string, Named>, add: (t: TensorMsg) => void): Named {
  const existing = params.get(name);
  if (existing) return existing;
  const { scale, zeroPoint } = activationParams(range[0], range[1]);
  add(makeTensor(`${name}_scale`, scale, []));
  add(makeTensor(`${name}_zero_point`, Uint8Array.of(zeroPoint[0]), []));
  const named = { scale: `${name}_scale`, zeroPoint: `${name}_zero_point`, scaleValue: scale };
  params.set(name, named);
  return named;
}

/** The uint8 scale an activation has (or will have), for the int32-bias check before its QDQ exists. */
function activationScale(name: string, ranges: Map<string, [number, number]>, params: Map<string, Named>): number | null {
  const known = params.get(name);
  if (known) return known.scaleValue[0];
  const range = ranges.get(name);
  return range ? activationParams(range[0], range[1]).scale[0] : null;
}

/**
 * Kahn's algorithm; among ready nodes the one listed first goes first, so the original nodes keep
 * their order and each Q/DQ node lands just before its first consumer's turn.
 */
function topologicalOrder(nodes: NodeMsg[]): NodeMsg[] {
  const producer = new Map<string, number>();
  nodes.forEach((node, i) => node.output.forEach((name) => producer.set(name, i)));
  const waiting = new Array<number>(nodes.length).fill(0);
  const dependents: number[][] = nodes.map(() => []);
  nodes.forEach((node, i) => {
    for (const name of new Set(node.input)) {
      const from = producer.get(name);
      if (from === undefined || from === i) continue;
      waiting[i]++;
      dependents[from].push(i);
    }
  });
  const ready = new MinHeap();
  waiting.forEach((count, i) => count === 0 && ready.push(i));
  const ordered: NodeMsg[] = [];
  while (ready.size > 0) {
    const i = ready.pop();
    ordered.push(nodes[i]);
    for (const j of dependents[i]) if (--waiting[j] === 0) ready.push(j);
  }
  // A cycle cannot come from our rewrite; if the input had one, keep the rest in their order.
  if (ordered.length < nodes.length) ordered.push(...nodes.filter((node) => !ordered.includes(node)));
  return ordered;
}

class MinHeap {
  private readonly items: number[] = [];
  get size(): number {
    return this.items.length;
  }
  push(value: number): void {
    const a = this.items;
    a.push(value);
    for (let i = a.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (a[parent] <= a[i]) break;
      [a[parent], a[i]] = [a[i], a[parent]];
      i = parent;
    }
  }
  pop(): number {
    const a = this.items;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l] < a[m]) m = l;
        if (r < a.length && a[r] < a[m]) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}

/** onnxruntime's clean_initializers: float weights replaced by their int8 copies go away (and so do graph inputs naming them). */
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
