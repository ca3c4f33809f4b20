/**
 * Nodes a user keeps in float (onnxruntime's nodes_to_exclude), as Ultralytics' int8 exports keep
 * a detector's DFL/box-decoding tail in float: named nodes, everything downstream of named nodes,
 * or the model's tail (every node after the last weighted op on its path to the outputs).
 */
import { UserError } from '../errors.js';
import type { GraphMsg, NodeMsg } from './model-io.js';

export interface KeepFloat {
  /** These nodes, by name. */
  readonly nodes?: readonly string[];
  /** Every node that reads, directly or not, an output of these nodes (the named nodes stay int8). */
  readonly after?: readonly string[];
  /**
   * The tail: every node downstream of a Conv/ConvTranspose/Gemm/MatMul with no such op after it,
   * typically the box decoding of a detector (or the softmax of a classifier).
   */
  readonly tail?: boolean;
}

const WEIGHTED = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul']);

/** Every node reading, directly or through other nodes, an output of `roots`. */
function downstream(graph: GraphMsg, roots: readonly NodeMsg[]): Set<NodeMsg> {
  const readersOf = new Map<string, NodeMsg[]>();
  for (const node of graph.node) for (const input of node.input) readersOf.set(input, [...(readersOf.get(input) ?? []), node]);
  const found = new Set<NodeMsg>();
  const stack = [...roots];
  while (stack.length > 0) {
    const node = stack.pop()!;
    for (const output of node.output) {
      for (const reader of readersOf.get(output) ?? []) {
        if (found.has(reader)) continue;
        found.add(reader);
        stack.push(reader);
      }
    }
  }
  return found;
}

/** Names of the nodes to keep float, each with the reason the report gives. */
export function keptFloat(graph: GraphMsg, keep: KeepFloat | undefined): { nodes: Set<string>; reasons: Map<string, string> } {
  const reasons = new Map<string, string>();
  if (!keep) return { nodes: new Set(), reasons };
  const byName = new Map(graph.node.map((n) => [n.name, n]));
  const lookup = (name: string, key: string) => {
    const node = byName.get(name);
    if (!node) throw new UserError(`quantization keep-float ${key}: the model has no node named ${JSON.stringify(name)}`);
    return node;
  };
  for (const name of keep.nodes ?? []) reasons.set(lookup(name, 'nodes').name, 'kept in float (named)');
  for (const name of keep.after ?? []) {
    for (const node of downstream(graph, [lookup(name, 'after')])) if (!reasons.has(node.name)) reasons.set(node.name, `kept in float (after ${name})`);
  }
  if (keep.tail) {
    // Nodes are in topological order (ONNX requires it), so one backward pass finds which nodes
    // still have a weighted op after them.
    const readersOf = new Map<string, NodeMsg[]>();
    for (const node of graph.node) for (const input of node.input) readersOf.set(input, [...(readersOf.get(input) ?? []), node]);
    const weightedAfter = new Set<NodeMsg>();
    for (const node of [...graph.node].reverse()) {
      const readers = node.output.flatMap((o) => readersOf.get(o) ?? []);
      if (readers.some((r) => WEIGHTED.has(r.opType) || weightedAfter.has(r))) weightedAfter.add(node);
    }
    for (const node of downstream(
      graph,
      graph.node.filter((n) => WEIGHTED.has(n.opType)),
    )) {
      if (!WEIGHTED.has(node.opType) && !weightedAfter.has(node) && !reasons.has(node.name)) reasons.set(node.name, 'kept in float (output tail)');
    }
  }
  // onnxruntime excludes by name: an unnamed node cannot be singled out (it would exclude them all).
  reasons.delete('');
  return { nodes: new Set(reasons.keys()), reasons };
}
