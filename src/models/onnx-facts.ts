/**
 * Reads the facts the report shows about a model (IR version, opset, producer, parameter count,
 * input/output signatures, external data files) straight from the ONNX protobuf bytes, without
 * a runtime, so a bad file is described before onnxruntime sees it.
 */
import type { TensorSignature } from '../contracts/tensors.js';
import { UserError } from '../errors.js';
import { ProtobufError, fieldsNumbered, intField, readFields, readRepeatedInt64, textField, toMessage, toText, type ProtoField } from './protobuf.js';

export interface OnnxFacts {
  irVersion: number;
  /** Version of the default domain ('' or 'ai.onnx'). */
  opset: number;
  producer: string;
  params: number;
  inputs: TensorSignature[];
  outputs: TensorSignature[];
  /** Distinct `location`s of tensors stored outside the .onnx file, relative to its folder, as written. */
  externalDataFiles: string[];
  /** The model's metadata_props (key → value; a repeated key keeps its last value), e.g. Ultralytics' names, imgsz, stride, task. */
  metadata?: Record<string, string>;
}

// Field numbers from onnx/onnx.proto3.
const MODEL = { irVersion: 1, producerName: 2, graph: 7, opsetImport: 8, metadataProps: 14 } as const;
const OPSET = { domain: 1, version: 2 } as const;
const GRAPH = { node: 1, initializer: 5, input: 11, output: 12 } as const;
const NODE = { input: 1, attribute: 5 } as const;
const ATTRIBUTE = { t: 5, g: 6, tensors: 10, graphs: 11 } as const;
const TENSOR = { dims: 1, dataType: 2, name: 8, externalData: 13 } as const;
const ENTRY = { key: 1, value: 2 } as const;
const VALUE_INFO = { name: 1, type: 2 } as const;
const TYPE = { tensor: 1, sequence: 4, map: 5, sparseTensor: 8, optional: 9 } as const;
const TENSOR_TYPE = { elemType: 1, shape: 2 } as const;
const SHAPE = { dim: 1 } as const;
const DIM = { value: 1, param: 2 } as const;

/** TensorProto.DataType → the names onnxruntime-node uses for Tensor.type. */
const ELEMENT_TYPES: Record<number, string> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
  17: 'float8e4m3fn',
  18: 'float8e4m3fnuz',
  19: 'float8e5m2',
  20: 'float8e5m2fnuz',
  21: 'uint4',
  22: 'int4',
  23: 'float4e2m1',
};

/** Proto3 merge semantics: all occurrences of an embedded message field are concatenated. */
function mergedMessage(fields: readonly ProtoField[], fieldNumber: number): ProtoField[] | null {
  const parts = fieldsNumbered(fields, fieldNumber);
  return parts.length === 0 ? null : parts.flatMap(toMessage);
}

function readDim(dimFields: ProtoField[]): number | string {
  const param = textField(dimFields, DIM.param);
  if (param !== '') return param;
  const value = intField(dimFields, DIM.value, -1);
  return value > 0 ? value : '?';
}

function readSignature(valueInfo: ProtoField[]): TensorSignature {
  const name = textField(valueInfo, VALUE_INFO.name);
  const type = mergedMessage(valueInfo, VALUE_INFO.type);
  const tensorType = type && mergedMessage(type, TYPE.tensor);
  if (!tensorType) {
    const kind = !type
      ? 'unknown'
      : mergedMessage(type, TYPE.sequence)
        ? 'sequence'
        : mergedMessage(type, TYPE.map)
          ? 'map'
          : mergedMessage(type, TYPE.optional)
            ? 'optional'
            : mergedMessage(type, TYPE.sparseTensor)
              ? 'sparse_tensor'
              : 'unknown';
    return { name, dims: [], type: kind };
  }
  const elemType = intField(tensorType, TENSOR_TYPE.elemType);
  const shape = mergedMessage(tensorType, TENSOR_TYPE.shape);
  const dims = shape ? fieldsNumbered(shape, SHAPE.dim).map((dim) => readDim(toMessage(dim))) : [];
  return { name, dims, type: ELEMENT_TYPES[elemType] ?? `unknown(${elemType})` };
}

interface TensorInfo {
  name: string;
  elementCount: number;
  externalLocation: string | null;
}

function readTensor(tensor: ProtoField[]): TensorInfo {
  const dims = readRepeatedInt64(tensor, TENSOR.dims);
  const name = textField(tensor, TENSOR.name);
  if (dims.some((dim) => dim < 0)) throw new ProtobufError(`tensor '${name}' has a negative dimension [${dims.join(',')}]`);
  const elementCount = dims.reduce((product, dim) => product * dim, 1);
  let externalLocation: string | null = null;
  for (const entryField of fieldsNumbered(tensor, TENSOR.externalData)) {
    const entry = toMessage(entryField);
    if (textField(entry, ENTRY.key) === 'location') externalLocation = textField(entry, ENTRY.value);
  }
  return { name, elementCount, externalLocation };
}

/**
 * Every tensor stored inside a graph: its initializers and the tensors / subgraphs held in node
 * attributes (Constant values, If/Loop bodies). All of them may point at external data, so all
 * must pass the location check; only top-level initializers count as parameters.
 */
function collectGraph(graph: ProtoField[], externalFiles: Set<string>, usedNames: Set<string>): void {
  for (const initializer of fieldsNumbered(graph, GRAPH.initializer)) {
    const { externalLocation } = readTensor(toMessage(initializer));
    if (externalLocation !== null) externalFiles.add(externalLocation);
  }
  for (const nodeField of fieldsNumbered(graph, GRAPH.node)) {
    const node = toMessage(nodeField);
    for (const input of fieldsNumbered(node, NODE.input)) usedNames.add(toText(input));
    for (const attribute of fieldsNumbered(node, NODE.attribute).map(toMessage)) {
      for (const tensor of [...fieldsNumbered(attribute, ATTRIBUTE.t), ...fieldsNumbered(attribute, ATTRIBUTE.tensors)]) {
        const { externalLocation } = readTensor(toMessage(tensor));
        if (externalLocation !== null) externalFiles.add(externalLocation);
      }
      for (const subgraph of [...fieldsNumbered(attribute, ATTRIBUTE.g), ...fieldsNumbered(attribute, ATTRIBUTE.graphs)]) {
        collectGraph(toMessage(subgraph), externalFiles, usedNames);
      }
    }
  }
}

/** Parses ONNX ModelProto bytes; throws a UserError naming `file` when they are not a model. */
export function parseOnnxFacts(bytes: Uint8Array, file: string): OnnxFacts {
  try {
    if (bytes.length === 0) throw new ProtobufError('the file is empty');
    const model = readFields(bytes);
    const irVersion = intField(model, MODEL.irVersion);
    const graph = mergedMessage(model, MODEL.graph);
    if (irVersion <= 0 || !graph) throw new ProtobufError('no ir_version or graph (is this an ONNX file?)');

    const defaultOpsets = fieldsNumbered(model, MODEL.opsetImport)
      .map(toMessage)
      .filter((opset) => ['', 'ai.onnx'].includes(textField(opset, OPSET.domain)));
    if (defaultOpsets.length === 0) throw new ProtobufError('no opset_import for the default ONNX domain');
    const opset = intField(defaultOpsets[defaultOpsets.length - 1], OPSET.version);

    const initializers = fieldsNumbered(graph, GRAPH.initializer).map((field) => readTensor(toMessage(field)));
    const initializerNames = new Set(initializers.map((tensor) => tensor.name));
    const externalFiles = new Set<string>();
    const usedNames = new Set<string>();
    collectGraph(graph, externalFiles, usedNames);

    const outputs = fieldsNumbered(graph, GRAPH.output).map((field) => readSignature(toMessage(field)));
    for (const output of outputs) usedNames.add(output.name);
    // Exporters before IR v4 list every initializer among the graph inputs too; those are weights,
    // not values the caller feeds.
    const inputs = fieldsNumbered(graph, GRAPH.input)
      .map((field) => readSignature(toMessage(field)))
      .filter((input) => !initializerNames.has(input.name));

    // Parameters = elements of the initializers some node (or a graph output) reads; dead
    // initializers an exporter left behind hold no weights the model uses. This is what the
    // deployed graph holds, which can be fewer than the framework's count before export:
    // MODEL_CARD.md gives fmnist-dwnet-v3 19,306 (PyTorch parameters()), but the exporter folded
    // each BatchNorm (gamma + beta over 480 channels = 960 values) into the preceding Conv, so the
    // ONNX file holds 18,346. No ONNX reader can recover the pre-export count.
    const params = initializers.filter((tensor) => usedNames.has(tensor.name)).reduce((sum, tensor) => sum + tensor.elementCount, 0);

    // fromEntries defines own properties, so a key such as "__proto__" stays a plain entry.
    const metadata = Object.fromEntries(
      fieldsNumbered(model, MODEL.metadataProps)
        .map(toMessage)
        .map((entry) => [textField(entry, ENTRY.key), textField(entry, ENTRY.value)]),
    );

    return {
      irVersion,
      opset,
      producer: textField(model, MODEL.producerName),
      params,
      inputs,
      outputs,
      externalDataFiles: [...externalFiles],
      metadata,
    };
  } catch (error) {
    if (error instanceof ProtobufError) {
      throw new UserError(`${file}: not a valid ONNX model: ${error.message}`, { cause: error });
    }
    throw error;
  }
}
