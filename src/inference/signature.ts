/**
 * Checks that the tensor preprocessing will produce fits the model's input signature, so a
 * mismatch is a clear UserError before any image is decoded, not an onnxruntime shape error
 * (or, worse, a silently mis-laid-out tensor) halfway through the eval set.
 */
import type { TensorLayout } from '../config/types.js';
import type { TensorSignature } from '../contracts/tensors.js';
import { UserError } from '../errors.js';

export interface InputExpectation {
  channels: number;
  height: number;
  width: number;
  layout: TensorLayout;
}

/** Per-sample dims (without batch) in the order the layout puts them. */
function sampleDims(expect: InputExpectation): number[] {
  return expect.layout === 'nchw'
    ? [expect.channels, expect.height, expect.width]
    : [expect.height, expect.width, expect.channels];
}

export function checkInputFits(
  model: { inputs: TensorSignature[]; label: string },
  expect: InputExpectation,
): void {
  if (model.inputs.length !== 1) {
    throw new UserError(`${model.label}: the model has ${model.inputs.length} inputs; model-gate feeds exactly one image tensor`);
  }
  const input = model.inputs[0];
  const shown = `[${input.dims.join(',')}]`;
  if (input.type !== 'float32') {
    throw new UserError(`${model.label}: input '${input.name}' has dtype ${input.type}; model-gate feeds float32 tensors`);
  }
  // An empty dims list means the model declares no shape at all: nothing to check against.
  if (input.dims.length === 0) return;
  const layoutName = expect.layout === 'nchw' ? '[batch,channels,height,width]' : '[batch,height,width,channels]';
  if (input.dims.length !== 4) {
    throw new UserError(
      `${model.label}: input '${input.name}' has shape ${shown} (rank ${input.dims.length}); ` +
        `model-gate feeds a rank-4 image batch ${layoutName} (${expect.layout})`,
    );
  }
  const given = sampleDims(expect);
  const fits = given.every((size, i) => {
    const declared = input.dims[i + 1];
    return typeof declared !== 'number' || declared === size;
  });
  if (!fits) {
    throw new UserError(
      `${model.label}: input '${input.name}' expects ${shown} (${expect.layout}) but preprocessing gives [${given.join(',')}]`,
    );
  }
}

/** The model's fixed [height, width], for "size defaults to the model input"; null if either is not fixed. */
export function inputSizeFromModel(signature: TensorSignature, layout: TensorLayout): [number, number] | null {
  if (signature.dims.length !== 4) return null;
  const [height, width] = layout === 'nchw' ? signature.dims.slice(2, 4) : signature.dims.slice(1, 3);
  return typeof height === 'number' && typeof width === 'number' ? [height, width] : null;
}
