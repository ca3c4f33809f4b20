/** What the stages tell each other about tensors: a model's inputs and outputs, a batch's outputs, where an image sits in the input. */

export interface TensorSignature {
  name: string;
  /** Numbers are fixed sizes; strings are symbolic ('batch'); '?' marks an unknown size (-1, 0, or unset). */
  dims: (number | string)[];
  /** onnxruntime's type names: 'float32', 'int64', ...; 'sequence' / 'map' / 'optional' for non-tensors. */
  type: string;
}

/** One output of one batch, as plain float32 values the rest of the pipeline owns. */
export interface OutputTensor {
  data: Float32Array;
  dims: number[];
}

/**
 * Geometry to map model-space coordinates back to the original image (detection uses it):
 * x_original = (x_model - padLeft + cropLeft) / scaleX, y likewise. width/height are the original size.
 */
export interface ImageGeometry {
  width: number;
  height: number;
  scaleX: number;
  scaleY: number;
  padLeft: number;
  padTop: number;
  cropLeft: number;
  cropTop: number;
}
