/**
 * A tiny ONNX protobuf writer for tests: builds ModelProto bytes field by field so tests can
 * craft models (external data, fixed batch, legacy initializer-inputs) that no fixture has.
 * Independent of the reader under test: it only knows how to encode.
 */

function varint(value: number | bigint): number[] {
  let rest = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    const byte = Number(rest & 0x7fn);
    rest >>= 7n;
    out.push(rest === 0n ? byte : byte | 0x80);
  } while (rest !== 0n);
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function intField(fieldNumber: number, value: number | bigint): Uint8Array {
  return Uint8Array.from([...varint(fieldNumber << 3), ...varint(value)]);
}

export function bytesField(fieldNumber: number, payload: Uint8Array): Uint8Array {
  return concat(Uint8Array.from([...varint((fieldNumber << 3) | 2), ...varint(payload.length)]), payload);
}

export function stringField(fieldNumber: number, text: string): Uint8Array {
  return bytesField(fieldNumber, new TextEncoder().encode(text));
}

/** Packed repeated int64 (how proto3 writers emit TensorProto.dims). */
export function packedInts(fieldNumber: number, values: number[]): Uint8Array {
  return bytesField(fieldNumber, Uint8Array.from(values.flatMap((value) => varint(value))));
}

export const FLOAT = 1;

export interface TensorSpec {
  name: string;
  dims: number[];
  /** Inline float32 values (raw_data); omitted when `externalLocation` is set. */
  values?: number[];
  externalLocation?: string;
  /** Write dims as one varint per element instead of packed. */
  unpackedDims?: boolean;
}

export function tensorProto(spec: TensorSpec): Uint8Array {
  const dims = spec.unpackedDims ? concat(...spec.dims.map((dim) => intField(1, dim))) : packedInts(1, spec.dims);
  const parts = [dims, intField(2, FLOAT), stringField(8, spec.name)];
  if (spec.externalLocation !== undefined) {
    const entry = (key: string, value: string) => bytesField(13, concat(stringField(1, key), stringField(2, value)));
    parts.push(entry('location', spec.externalLocation), entry('offset', '0'), entry('length', '4'), intField(14, 1));
  } else if (spec.values) {
    parts.push(bytesField(9, new Uint8Array(Float32Array.from(spec.values).buffer)));
  }
  return concat(...parts);
}

/** ValueInfoProto for a float tensor; numbers become dim_value, strings dim_param. */
export function valueInfo(name: string, dims: (number | string)[], elemType = FLOAT): Uint8Array {
  const dimMessages = dims.map((dim) => bytesField(1, typeof dim === 'number' ? intField(1, dim) : stringField(2, dim)));
  const tensorType = concat(intField(1, elemType), bytesField(2, concat(...dimMessages)));
  return concat(stringField(1, name), bytesField(2, bytesField(1, tensorType)));
}

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  /** Attribute `value` holding a tensor (for Constant nodes). */
  valueTensor?: TensorSpec;
}

export function nodeProto(spec: NodeSpec): Uint8Array {
  const parts = [...spec.inputs.map((input) => stringField(1, input)), ...spec.outputs.map((output) => stringField(2, output)), stringField(4, spec.op)];
  if (spec.valueTensor) {
    // AttributeProto: name 1, t 5, type 20 (TENSOR = 4).
    parts.push(bytesField(5, concat(stringField(1, 'value'), bytesField(5, tensorProto(spec.valueTensor)), intField(20, 4))));
  }
  return concat(...parts);
}

export interface ModelSpec {
  irVersion?: number;
  opset?: number;
  producer?: string;
  nodes: NodeSpec[];
  initializers?: TensorSpec[];
  inputs: Array<{ name: string; dims: (number | string)[]; elemType?: number }>;
  outputs: Array<{ name: string; dims: (number | string)[]; elemType?: number }>;
}

export function modelProto(spec: ModelSpec): Uint8Array {
  const graph = concat(
    ...spec.nodes.map((node) => bytesField(1, nodeProto(node))),
    stringField(2, 'test-graph'),
    ...(spec.initializers ?? []).map((tensor) => bytesField(5, tensorProto(tensor))),
    ...spec.inputs.map((input) => bytesField(11, valueInfo(input.name, input.dims, input.elemType))),
    ...spec.outputs.map((output) => bytesField(12, valueInfo(output.name, output.dims, output.elemType))),
  );
  return concat(
    intField(1, spec.irVersion ?? 8),
    stringField(2, spec.producer ?? 'model-gate-tests'),
    bytesField(7, graph),
    bytesField(8, concat(stringField(1, ''), intField(2, spec.opset ?? 17))),
  );
}

/** A runnable model: output = input (Identity), with the given input shape. */
export function identityModel(dims: (number | string)[]): Uint8Array {
  return modelProto({
    nodes: [{ op: 'Identity', inputs: ['input'], outputs: ['output'] }],
    inputs: [{ name: 'input', dims }],
    outputs: [{ name: 'output', dims }],
  });
}
