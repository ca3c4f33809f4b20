/**
 * Reading and writing ONNX models through the generated protobufjs code (onnx-pb.js), plus the
 * small tensor helpers the quantizer needs: float data out of an initializer, int8/uint8/int32/
 * float initializers in. Unknown fields ride along in each message's `$unknowns` (see onnx.proto).
 */
import { open } from 'node:fs/promises';
import protobuf from 'protobufjs/minimal.js';
import { UserError } from '../errors.js';
import { onnx } from './onnx-pb.js';

export { onnx };

export const DataType = onnx.TensorProto.DataType;

/*
 * Strict views of the decoded messages. The generated .d.ts types nested messages as
 * `$Properties` (every field optional), but what decode() and create() return are class
 * instances: repeated fields are arrays and absent scalars read their defaults from the
 * prototype. These views say so, for the fields the quantizer touches.
 */
export interface TensorMsg {
  name: string;
  dataType: number;
  dims: Int64[];
  rawData: Uint8Array;
  floatData: number[];
  dataLocation: number;
}
export interface AttributeMsg {
  name: string;
  type: number;
  i: Int64;
  f: number;
  g?: GraphMsg | null;
  graphs: GraphMsg[];
}
export interface NodeMsg {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  domain: string;
  attribute: AttributeMsg[];
}
export interface ValueInfoMsg {
  name: string;
}
export interface GraphMsg {
  node: NodeMsg[];
  initializer: TensorMsg[];
  input: ValueInfoMsg[];
  output: ValueInfoMsg[];
}
export interface ModelMsg {
  graph?: GraphMsg | null;
  opsetImport: { domain: string; version: Int64 }[];
}

/** protobufjs hands int64 fields out as Long (the `long` package is installed) or number. */
export type Int64 = number | { toNumber(): number };

export function toNumber(value: Int64): number {
  return typeof value === 'number' ? value : value.toNumber();
}

/**
 * protobufjs readers discard unknown fields unless told otherwise (Reader.discardUnknown defaults
 * to true). This reader keeps them, for itself and every nested message it decodes, without
 * changing the process-wide default other protobufjs users may rely on.
 */
export function decodeModel(bytes: Uint8Array, label: string): ModelMsg {
  try {
    const reader = protobuf.Reader.create(bytes) as protobuf.Reader & { discardUnknown: boolean };
    reader.discardUnknown = false;
    return onnx.ModelProto.decode(reader) as unknown as ModelMsg;
  } catch (error) {
    throw new UserError(`${label}: not a readable ONNX model (${(error as Error).message})`, { cause: error });
  }
}

export function encodeModel(model: ModelMsg): Uint8Array {
  return onnx.ModelProto.encode(model as onnx.ModelProto.$Properties).finish();
}

function varint(value: number): Uint8Array {
  const bytes: number[] = [];
  for (let v = value; ; v = Math.floor(v / 128)) {
    if (v < 128) {
      bytes.push(v);
      return Uint8Array.from(bytes);
    }
    bytes.push((v % 128) | 128);
  }
}

/** Wire tags: ModelProto.graph (field 7) and GraphProto.initializer (field 5), length-delimited. */
const GRAPH_TAG = (7 << 3) | 2;
const INITIALIZER_TAG = (5 << 3) | 2;

/**
 * Writes `model` to `path` without ever holding the whole encoding: the model and graph without
 * their initializers first, then each initializer as its own GraphProto field (protobuf allows a
 * message's fields in any order), so the largest buffer is one tensor. A parser reads the same
 * model as encodeModel's bytes; the bytes themselves differ in field order.
 */
export async function writeModelFile(model: ModelMsg, path: string): Promise<void> {
  const graph = model.graph!;
  const initializers = graph.initializer;
  let head: Uint8Array;
  let graphHead: Uint8Array;
  try {
    graph.initializer = [];
    graphHead = onnx.GraphProto.encode(graph as onnx.GraphProto.$Properties).finish();
    model.graph = null;
    head = encodeModel(model);
  } finally {
    model.graph = graph;
    graph.initializer = initializers;
  }
  const lengths = initializers.map((t) => onnx.TensorProto.encode(t as onnx.TensorProto.$Properties).len);
  const graphLength = graphHead.length + lengths.reduce((sum, n) => sum + 1 + varint(n).length + n, 0);
  const file = await open(path, 'w');
  try {
    for (const chunk of [head, Uint8Array.of(GRAPH_TAG), varint(graphLength), graphHead]) await file.write(chunk);
    for (const [i, tensor] of initializers.entries()) {
      await file.write(Uint8Array.of(INITIALIZER_TAG));
      await file.write(varint(lengths[i]));
      await file.write(onnx.TensorProto.encode(tensor as onnx.TensorProto.$Properties).finish());
    }
  } finally {
    await file.close();
  }
}

/** A deep copy, by a round trip through bytes (cheap next to calibration, and exact). */
export function cloneModel(model: ModelMsg): ModelMsg {
  return decodeModel(encodeModel(model), 'model copy');
}

/** The float values of a FLOAT initializer, whether stored in raw_data or float_data. */
export function floatValues(tensor: TensorMsg): Float32Array {
  if (tensor.dataType !== DataType.FLOAT) throw new Error(`tensor ${tensor.name} is not float32 (data_type ${tensor.dataType})`);
  if (tensor.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    throw new UserError(`initializer ${tensor.name} keeps its data in an external file; the built-in quantizer needs weights inside the .onnx file`);
  }
  const count = tensor.dims.reduce<number>((n, d) => n * toNumber(d), 1);
  if (tensor.rawData.length > 0) {
    if (tensor.rawData.length !== count * 4) throw new UserError(`initializer ${tensor.name}: ${tensor.rawData.length} bytes do not hold ${count} floats`);
    // Copy: rawData is a view into the decoded file and may not be 4-byte aligned.
    const aligned = new Uint8Array(tensor.rawData);
    return new Float32Array(aligned.buffer, 0, count);
  }
  if (tensor.floatData.length !== count) throw new UserError(`initializer ${tensor.name}: ${tensor.floatData.length} values for ${count} elements`);
  return Float32Array.from(tensor.floatData);
}

export function tensorDims(tensor: TensorMsg): number[] {
  return tensor.dims.map(toNumber);
}

function littleEndianBytes(values: Float32Array | Int32Array | Int8Array | Uint8Array): Uint8Array {
  // Typed arrays use the platform's byte order; ONNX raw_data is little-endian. Every platform
  // Node ships prebuilt onnxruntime for is little-endian, so a view is exact.
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice();
}

const TYPE_OF = new Map<object, number>([
  [Float32Array, DataType.FLOAT],
  [Int32Array, DataType.INT32],
  [Int8Array, DataType.INT8],
  [Uint8Array, DataType.UINT8],
]);

/** An initializer holding `values` with shape `dims` ([] for a scalar). */
export function makeTensor(name: string, values: Float32Array | Int32Array | Int8Array | Uint8Array, dims: number[]): TensorMsg {
  const dataType = TYPE_OF.get(values.constructor);
  if (dataType === undefined) throw new Error('unsupported tensor array type');
  return onnx.TensorProto.create({ name, dataType, dims, rawData: littleEndianBytes(values) }) as unknown as TensorMsg;
}

export function makeNode(opType: string, inputs: string[], outputs: string[], name: string, axis?: number): NodeMsg {
  const node = onnx.NodeProto.create({ opType, input: inputs, output: outputs, name }) as unknown as NodeMsg;
  if (axis !== undefined) {
    node.attribute.push(onnx.AttributeProto.create({ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: axis }) as unknown as AttributeMsg);
  }
  return node;
}

export function intAttribute(node: NodeMsg, name: string, fallback: number): number {
  const attribute = node.attribute.find((a) => a.name === name);
  return attribute ? toNumber(attribute.i) : fallback;
}

export function floatAttribute(node: NodeMsg, name: string, fallback: number): number {
  const attribute = node.attribute.find((a) => a.name === name);
  return attribute && Object.prototype.hasOwnProperty.call(attribute, 'f') ? attribute.f : fallback;
}

/** The opset version the model imports for the default ONNX domain. */
export function onnxOpset(model: ModelMsg): number {
  const entry = model.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  return entry ? toNumber(entry.version) : 0;
}
