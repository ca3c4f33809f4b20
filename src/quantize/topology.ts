/** Topological node order for the rewritten graph (the rewrite appends its Q/DQ nodes at the end). */
import type { NodeMsg } from './model-io.js';

/**
 * Kahn's algorithm; among ready nodes the one listed first goes first, so the original nodes keep
 * their order and each Q/DQ node lands just before its first consumer's turn.
 */
export function topologicalOrder(nodes: NodeMsg[]): NodeMsg[] {
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
    for (let i = a.length - 1; i > 0;) {
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
      for (let i = 0; ;) {
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
