/** Fake onnxruntime sessions for tests that must not depend on real timing or a GPU. */
import type { SessionFactory } from '../../src/inference/index.js';

export interface FakeCall {
  model: string;
  batch: number;
}

/** A session with input [inputDims] and output 'logits' [batch, 10] that records each run. */
export function fakeSession(name: string, calls: FakeCall[], inputDims: (number | string)[] = ['batch', 1, 28, 28]) {
  return {
    inputMetadata: [{ name: 'input', isTensor: true as const, type: 'float32' as const, shape: inputDims }],
    outputMetadata: [{ name: 'logits', isTensor: true as const, type: 'float32' as const, shape: ['batch', 10] }],
    async run(feeds: Record<string, { dims: readonly number[] }>) {
      const batch = feeds.input.dims[0];
      calls.push({ model: name, batch });
      return { logits: { data: new Float32Array(batch * 10), dims: [batch, 10], type: 'float32' } };
    },
    async release() {},
  };
}

/** Creates fake sessions; rejects any create whose providers include one listed in `failing`. */
export function fakeFactory(failing: string[], calls: FakeCall[] = [], inputDims?: (number | string)[]) {
  const creates: Array<{ path: string; options: Record<string, unknown> }> = [];
  const factory: SessionFactory = {
    async create(path, options) {
      const record = options as Record<string, unknown>;
      creates.push({ path, options: record });
      const providers = record.executionProviders as string[];
      const broken = providers.find((provider) => failing.includes(provider));
      if (broken) throw new Error(`fake ${broken} provider is broken`);
      return fakeSession(path, calls, inputDims);
    },
  };
  return { factory, creates };
}
