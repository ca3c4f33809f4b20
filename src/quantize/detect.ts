/**
 * Is a model already quantized? Then quantizing it again would stack a second quantization on the
 * first, so the caller skips it and says so. Quantized means: QDQ nodes, onnxruntime's integer
 * ops (QLinear*, ConvInteger, MatMulInteger, DynamicQuantizeLinear...), or int8/uint8 weights.
 */
import { decodeModel, onnx, type ModelMsg } from './model-io.js';

const QUANTIZED_OPS = /^(QuantizeLinear|DequantizeLinear|DynamicQuantizeLinear|QLinear\w+|ConvInteger|MatMulInteger\w*|QGemm|QAttention|DynamicQuantize\w+|MatMulNBits)$/;

/** Why the model counts as quantized, or null if it does not. */
export function quantizedReason(model: ModelMsg): string | null {
  const graph = model.graph;
  if (!graph) return null;
  const node = graph.node.find((n) => QUANTIZED_OPS.test(n.opType));
  if (node) return `it has ${node.opType} nodes`;
  const int8 = graph.initializer.find((t) => (t.dataType === onnx.TensorProto.DataType.INT8 || t.dataType === onnx.TensorProto.DataType.UINT8) && t.dims.length >= 2);
  if (int8) return `its weight ${int8.name} is ${int8.dataType === onnx.TensorProto.DataType.INT8 ? 'int8' : 'uint8'}`;
  return null;
}

export function isAlreadyQuantized(model: ModelMsg): boolean {
  return quantizedReason(model) !== null;
}

export function isAlreadyQuantizedBytes(bytes: Uint8Array): boolean {
  return isAlreadyQuantized(decodeModel(bytes, 'model'));
}
