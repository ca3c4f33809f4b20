/**
 * How many calibration images fit in a memory budget. The estimate walks the calibration graph in
 * the order onnxruntime runs it (ortOrder) and adds up the tensors alive at each step, from the
 * shapes onnxruntime inferred with the sample's dims fixed: a tensor lives from the node that
 * writes it to its last reader, a graph output to the end. Twice that peak per image (allocator rounding, convolution
 * workspaces) times the batch must fit the budget; a budget that cannot hold one image is a
 * UserError naming the model and the knob, not an out-of-memory kill half-way through.
 */
import { UserError } from '../errors.js';
import type { TensorSignature } from '../contracts/tensors.js';
import type { GraphMsg, NodeMsg } from './model-io.js';

const ELEMENT_BYTES: Record<string, number> = {
  float32: 4,
  float16: 2,
  float64: 8,
  int64: 8,
  uint64: 8,
  int32: 4,
  uint32: 4,
  int16: 2,
  uint16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};
/** Headroom over the live-tensor estimate. */
const SLACK = 2;
/** Larger batches do not make CPU calibration faster; they only cost memory. */
export const MAX_CALIBRATION_BATCH = 64;

/** Bytes per sample of a tensor (dim 0 is the batch), or null when a later dim is unknown. */
function bytesPerSample(signature: TensorSignature | undefined): number | null {
  if (!signature) return null;
  let elements = 1;
  for (const dim of signature.dims.slice(1)) {
    if (typeof dim !== 'number') return null;
    elements *= dim;
  }
  return elements * (ELEMENT_BYTES[signature.type] ?? 4);
}

/**
 * onnxruntime's default execution order (GraphViewer: Graph::ReverseDFSFrom the leaf nodes with
 * NodeCompare): the leaves, nodes whose outputs no node reads, go on a stack in node order and the
 * last is taken first; a node's producers are pushed in ascending node order, so the last pushed
 * is explored first; a node is emitted once all its producers are.
 */
export function ortOrder(nodes: readonly NodeMsg[]): NodeMsg[] {
  const producer = new Map<string, number>();
  nodes.forEach((node, i) => node.output.forEach((name) => name && producer.set(name, i)));
  const read = new Set(nodes.flatMap((node) => node.input));
  const inputsOf = nodes.map((node) =>
    node.input
      .map((name) => producer.get(name))
      .filter((i): i is number => i !== undefined)
      .sort((a, b) => a - b),
  );
  const stack: [number, boolean][] = nodes.flatMap((node, i) => (node.output.some((o) => read.has(o)) ? [] : [[i, false] as [number, boolean]]));
  const visited = new Array<boolean>(nodes.length).fill(false);
  const order: NodeMsg[] = [];
  while (stack.length > 0) {
    const [i, leave] = stack.pop()!;
    if (leave) {
      order.push(nodes[i]);
      continue;
    }
    if (visited[i]) continue;
    visited[i] = true;
    stack.push([i, true]);
    for (const j of inputsOf[i]) if (!visited[j]) stack.push([j, false]);
  }
  return order;
}

/** Peak bytes of tensors alive at once, per sample, running `nodes` in onnxruntime's order. */
export function liveBytesPerSample(graphNodes: readonly NodeMsg[], graph: GraphMsg, signatures: ReadonlyMap<string, TensorSignature>): number {
  const nodes = ortOrder(graphNodes);
  const known = [...signatures.values()].map(bytesPerSample).filter((b): b is number => b !== null);
  // A tensor whose shape onnxruntime could not pin down counts as large as the largest known one.
  const fallback = Math.max(0, ...known);
  const size = (name: string) => bytesPerSample(signatures.get(name)) ?? fallback;
  const lastRead = new Map<string, number>();
  nodes.forEach((node, i) => node.input.forEach((name) => lastRead.set(name, i)));
  const initializers = new Set(graph.initializer.map((t) => t.name));
  const kept = new Set(graph.output.map((v) => v.name));
  const live = new Map<string, number>();
  for (const input of graph.input) if (!initializers.has(input.name)) live.set(input.name, size(input.name));
  let current = [...live.values()].reduce((a, b) => a + b, 0);
  let peak = current;
  nodes.forEach((node, i) => {
    for (const name of node.output) {
      if (name === '' || live.has(name)) continue;
      live.set(name, size(name));
      current += size(name);
    }
    peak = Math.max(peak, current);
    for (const name of new Set([...node.input, ...node.output])) {
      if (!live.has(name) || kept.has(name) || (lastRead.get(name) ?? -1) > i) continue;
      current -= live.get(name)!;
      live.delete(name);
    }
  });
  return peak;
}

const mb = (bytes: number) => `${Math.ceil(bytes / 1024 ** 2).toLocaleString('en-US')} MB`;

export interface BatchRequest {
  label: string;
  perSample: number;
  budget: number;
  /** The user's batch size, or null to derive it. */
  requested: number | null;
  samples: number;
  knobs: { memory: string; batch: string };
}

export function batchForBudget({ label, perSample, budget, requested, samples, knobs }: BatchRequest): number {
  const need = perSample * SLACK;
  if (requested !== null) {
    if (!Number.isInteger(requested) || requested < 1) throw new UserError(`${knobs.batch} must be a whole number ≥ 1, got ${requested}`);
    if (requested * need > budget) {
      throw new UserError(
        `${label}: a calibration batch of ${requested} images needs about ${mb(requested * need)} for intermediate tensors, over the calibration memory budget of ${mb(budget)}; lower ${knobs.batch} or raise ${knobs.memory}`,
      );
    }
    return Math.max(1, Math.min(requested, samples));
  }
  const fit = Math.floor(budget / need);
  if (fit < 1) {
    throw new UserError(`${label}: calibrating one image needs about ${mb(need)} for intermediate tensors, over the calibration memory budget of ${mb(budget)}; raise ${knobs.memory}`);
  }
  return Math.max(1, Math.min(fit, MAX_CALIBRATION_BATCH, samples));
}
