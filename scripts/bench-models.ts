/**
 * Small synthetic models for the bench's real-size runs, written with the repo's own ONNX writer
 * (deterministic random weights), so the memory and speed figures need no model file nobody has:
 * an RGB classifier for 224×224 input and an RGB detector for 640×640 in the YOLOv8 output layout.
 * They are cheap to run on purpose: the bench measures the pipeline around them. Plus the latency
 * bench's two variants of a real model: a byte-different copy (A/A) and one that computes twice.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { decodeModel, encodeModel, makeNode, makeTensor, onnx, type ModelMsg, type NodeMsg } from '../src/quantize/model-io.js';

function randomValues(count: number, scale: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let state = seed;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = (state / 2 ** 32 - 0.5) * 2 * scale;
  }
  return out;
}

function ints(node: NodeMsg, name: string, values: number[]): NodeMsg {
  node.attribute.push(onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: values }) as never);
  return node;
}

function conv(input: string, output: string, weight: string, kernel: number, stride: number): NodeMsg {
  return ints(ints(makeNode('Conv', [input, weight, `${weight}_b`], [output], output), 'kernel_shape', [kernel, kernel]), 'strides', [stride, stride]);
}

function model(name: string, nodes: NodeMsg[], weights: [string, number[]][], input: (number | string)[], output: (number | string)[], seed: number): ModelMsg {
  const tensorType = (dims: (number | string)[]) => ({
    tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } },
  });
  const initializer = weights.map(([tensor, dims], i) => {
    const count = dims.reduce((n, d) => n * d, 1);
    return makeTensor(tensor, randomValues(count, 1 / Math.sqrt(count / dims[0]), seed + i), dims);
  });
  return onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'model-gate bench',
    opsetImport: [{ domain: '', version: 17 }],
    graph: { name, node: nodes as never[], initializer: initializer as never[], input: [{ name: 'images', type: tensorType(input) }], output: [{ name: 'out', type: tensorType(output) }] },
  }) as unknown as ModelMsg;
}

/** Conv8×8/8(3→w)–Relu–Conv3×3/2(w→w)–Relu–GlobalAveragePool–Flatten–Gemm(w→classes) on [N,3,224,224]. */
export async function writeRgbClassifier(path: string, width: number, classes: number, seed: number): Promise<void> {
  const nodes = [
    conv('images', 'c1', 'w1', 8, 8),
    makeNode('Relu', ['c1'], ['r1'], 'r1'),
    conv('r1', 'c2', 'w2', 3, 2),
    makeNode('Relu', ['c2'], ['r2'], 'r2'),
    makeNode('GlobalAveragePool', ['r2'], ['g'], 'g'),
    makeNode('Flatten', ['g'], ['f'], 'f'),
    makeNode('Gemm', ['f', 'w3', 'b3'], ['out'], 'fc'),
  ];
  nodes[nodes.length - 1].attribute.push(onnx.AttributeProto.create({ name: 'transB', type: onnx.AttributeProto.AttributeType.INT, i: 1 }) as never);
  const weights: [string, number[]][] = [
    ['w1', [width, 3, 8, 8]],
    ['w1_b', [width]],
    ['w2', [width, width, 3, 3]],
    ['w2_b', [width]],
    ['w3', [classes, width]],
    ['b3', [classes]],
  ];
  await writeFile(path, encodeModel(model('rgb-classifier', nodes, weights, ['batch', 3, 224, 224], ['batch', classes], seed)));
}

/**
 * Conv32×32/32(3→4+C)–Sigmoid–Mul(scale)–Reshape on [N,3,640,640] → [N, 4+C, 400]: YOLOv8's layout,
 * with boxes spread over the 640×640 input (cx, cy up to 640, w, h up to 128) and scores in (0, 1).
 */
export async function writeRgbDetector(path: string, classes: number, seed: number): Promise<void> {
  const channels = 4 + classes;
  const scale = new Float32Array(channels).fill(1);
  scale.set([640, 640, 128, 128]);
  const nodes = [
    conv('images', 'c', 'w', 32, 32),
    makeNode('Sigmoid', ['c'], ['s'], 's'),
    makeNode('Mul', ['s', 'scale'], ['m'], 'm'),
    makeNode('Reshape', ['m', 'shape'], ['out'], 'reshape'),
  ];
  const built = model(
    'rgb-detector',
    nodes,
    [
      ['w', [channels, 3, 32, 32]],
      ['w_b', [channels]],
    ],
    ['batch', 3, 640, 640],
    ['batch', channels, 400],
    seed,
  );
  built.graph!.initializer.push(
    makeTensor('scale', scale, [1, channels, 1, 1]),
    onnx.TensorProto.create({ name: 'shape', dataType: onnx.TensorProto.DataType.INT64, dims: [3], int64Data: [0, channels, -1] }) as never,
  );
  await writeFile(path, encodeModel(built));
}

/**
 * A copy of `source` that differs in its bytes only (the producer version): the A/A model, the
 * same graph and weights under a different sha256, as a PR that changes nothing would look.
 */
export async function writeByteDifferentCopy(source: string, path: string): Promise<void> {
  const model = decodeModel(await readFile(source), source);
  (model as unknown as { producerVersion: string }).producerVersion = 'model-gate bench A/A copy';
  await writeFile(path, encodeModel(model));
}

/**
 * `source` computing its whole graph twice on the same input and adding the two outputs: the same
 * predictions (twice the logits, same argmax) at about twice the compute, a known slowdown.
 */
export async function writeComputedTwice(source: string, path: string): Promise<void> {
  const model = decodeModel(await readFile(source), source);
  const graph = model.graph!;
  const output = graph.output[0].name;
  // The copy reads its own copies of the weights: with shared ones onnxruntime's common
  // subexpression elimination would fold the two branches back into one.
  const produced = new Set([...graph.node.flatMap((n) => n.output), ...graph.initializer.map((t) => t.name)]);
  const twin = (name: string) => (produced.has(name) ? `${name}__twice` : name);
  graph.initializer.push(...graph.initializer.map((t) => ({ ...t, name: twin(t.name) })));
  const copies = graph.node.map((node) => {
    const copy = makeNode(node.opType, node.input.map(twin), node.output.map(twin), `${node.name}__twice`);
    copy.attribute.push(...node.attribute);
    copy.domain = node.domain;
    return copy;
  });
  for (const node of graph.node) node.output = node.output.map((name) => (name === output ? `${output}__first` : name));
  graph.node.push(...copies, makeNode('Add', [`${output}__first`, `${output}__twice`], [output], 'sum_of_both'));
  await writeFile(path, encodeModel(model));
}
