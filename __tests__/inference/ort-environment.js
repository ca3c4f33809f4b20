/**
 * Jest runs each test file in its own vm context, so its typed-array constructors differ from
 * the ones onnxruntime-node's native binding creates output tensors with (the main context), and
 * onnxruntime-common's `data instanceof Float32Array` check rejects every output. Sharing the
 * main context's typed-array constructors makes test code see what production code sees.
 * Test files that run real sessions opt in with a `@jest-environment` docblock.
 */
import NodeEnvironment from 'jest-environment-node';

const TYPED_ARRAYS = [
  'ArrayBuffer',
  'Float32Array',
  'Float64Array',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'BigInt64Array',
  'BigUint64Array',
];

export default class OrtEnvironment extends NodeEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of TYPED_ARRAYS) this.global[name] = globalThis[name];
  }
}
