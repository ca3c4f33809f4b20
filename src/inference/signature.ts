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
  return expect.layout === 'nchw' ? [expect.channels, expect.height, expect.width] : [expect.height, expect.width, expect.channels];
}

export function checkInputFits(model: { inputs: TensorSignature[]; label: string }, expect: InputExpectation): void {
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
    throw new UserError(`${model.label}: input '${input.name}' has shape ${shown} (rank ${input.dims.length}); ` + `model-gate feeds a rank-4 image batch ${layoutName} (${expect.layout})`);
  }
  const given = sampleDims(expect);
  const fits = given.every((size, i) => {
    const declared = input.dims[i + 1];
    return typeof declared !== 'number' || declared === size;
  });
  if (!fits) {
    throw new UserError(`${model.label}: input '${input.name}' ${mismatch(input.dims.slice(1), given, expect)}`);
  }
}

const AXES = { nchw: 'channels, height, width', nhwc: 'height, width, channels' } as const;
const shape = (dims: readonly (number | string)[]) => `[${dims.join(', ')}]`;
const isChannels = (d: number | string | undefined) => d === 1 || d === 3;

/**
 * Which layout the model's per-image dims read as: the side whose dim is 1 or 3 while the other
 * side's is not (an unknown dim is neither); null when the dims do not say.
 */
function modelLayout(dims: readonly (number | string)[]): TensorLayout | null {
  const first = isChannels(dims[0]) && !isChannels(dims[2]);
  const last = isChannels(dims[2]) && !isChannels(dims[0]);
  return first ? 'nchw' : last ? 'nhwc' : null;
}

/**
 * "wants [3, 224, 224] (channels, height, width) per image, but preprocessing gives [1, 28, 28]:
 * set preprocess.color: rgb and preprocess.size: [224, 224]": the model's shape in its own layout,
 * then the preprocess keys that would make the two agree.
 */
function mismatch(dims: readonly (number | string)[], given: readonly number[], expect: InputExpectation): string {
  const layout = modelLayout(dims) ?? expect.layout;
  const [c, h, w] = layout === 'nchw' ? dims : [dims[2], dims[0], dims[1]];
  const fixes: string[] = [];
  if (layout !== expect.layout) fixes.push(`preprocess.layout: ${layout}`);
  if (typeof c === 'number' && c !== expect.channels && isChannels(c)) fixes.push(`preprocess.color: ${c === 1 ? 'gray' : 'rgb'}`);
  if (typeof h === 'number' && typeof w === 'number' && (h !== expect.height || w !== expect.width)) fixes.push(`preprocess.size: [${h}, ${w}]`);
  else if (typeof h === 'number' && h !== expect.height) fixes.push(`preprocess.size: [${h}, …] (height ${h})`);
  else if (typeof w === 'number' && w !== expect.width) fixes.push(`preprocess.size: [${expect.height}, ${w}] (width ${w})`);
  const wants = `wants ${shape(dims)} (${AXES[layout]}) per image`;
  const gives = `preprocessing gives ${shape(given)} (${AXES[expect.layout]}${layout !== expect.layout ? `: preprocess.layout is ${expect.layout}` : ''})`;
  const fix = fixes.length === 0 ? '' : `: set ${fixes.length === 1 ? fixes[0] : `${fixes.slice(0, -1).join(', ')} and ${fixes[fixes.length - 1]}`}`;
  return `${wants}, but ${gives}${fix}`;
}

/** The model's fixed [height, width], for "size defaults to the model input"; null if either is not fixed. */
export function inputSizeFromModel(signature: TensorSignature, layout: TensorLayout): [number, number] | null {
  if (signature.dims.length !== 4) return null;
  const [height, width] = layout === 'nchw' ? signature.dims.slice(2, 4) : signature.dims.slice(1, 3);
  return typeof height === 'number' && typeof width === 'number' ? [height, width] : null;
}
