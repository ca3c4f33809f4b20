/**
 * A ConvNeXt-T-sized fp32 model for the calibration memory bench (issue 16: 28M parameters at
 * 224×224 must calibrate on 256 images within 3 GB, and 512 images may cost at most 200 MB more
 * than 64). The graph is torchvision's convnext_tiny as torch.onnx.export (opset 17) writes it,
 * with deterministic random weights instead of trained ones: a 4×4/4 stem, stages of
 * [3, 3, 9, 3] blocks at widths [96, 192, 384, 768] with LayerNorm + 2×2/2 downsampling between
 * them, each block a depthwise 7×7 Conv, NHWC LayerNormalization, Linear (MatMul + Add) ×4,
 * Erf-GELU, Linear back, layer scale, residual Add; then GlobalAveragePool, LayerNorm, Gemm to
 * 1,000 classes. 28.6M parameters, a 115 MB file, built in well under a second.
 */
import { writeFile } from 'node:fs/promises';
import { randomValues } from './bench.js';
import { encodeModel, makeTensor, onnx, type ModelMsg, type NodeMsg, type TensorMsg } from './model-io.js';

const A = onnx.AttributeProto.AttributeType;
type Attribute = { name: string; type: number; i?: number; f?: number; ints?: number[] };

class GraphBuilder {
  readonly nodes: NodeMsg[] = [];
  readonly initializers: TensorMsg[] = [];
  parameters = 0;
  private count = 0;

  weight(name: string, dims: number[], scale: number): string {
    const size = dims.reduce((a, b) => a * b, 1);
    this.parameters += size;
    this.initializers.push(makeTensor(name, randomValues(size, scale, this.initializers.length + 1), dims));
    return name;
  }

  constant(name: string, value: number): string {
    this.initializers.push(makeTensor(name, Float32Array.of(value), []));
    return name;
  }

  node(op: string, inputs: string[], attributes: Attribute[] = [], output = `/${op}_${this.count}_output_0`): string {
    this.count++;
    this.nodes.push(onnx.NodeProto.create({ opType: op, input: inputs, output: [output], name: `/${op}_${this.count}`, attribute: attributes }) as unknown as NodeMsg);
    return output;
  }
}

const ints = (name: string, values: number[]): Attribute => ({ name, type: A.INTS, ints: values });

function layerNorm(g: GraphBuilder, x: string, channels: number, prefix: string, channelsFirst: boolean): string {
  const scale = g.weight(`${prefix}.weight`, [channels], 0.2);
  const bias = g.weight(`${prefix}.bias`, [channels], 0.1);
  const nhwc = channelsFirst ? g.node('Transpose', [x], [ints('perm', [0, 2, 3, 1])]) : x;
  const normed = g.node(
    'LayerNormalization',
    [nhwc, scale, bias],
    [
      { name: 'axis', type: A.INT, i: -1 },
      { name: 'epsilon', type: A.FLOAT, f: 1e-6 },
    ],
  );
  return channelsFirst ? g.node('Transpose', [normed], [ints('perm', [0, 3, 1, 2])]) : normed;
}

function conv(g: GraphBuilder, x: string, prefix: string, from: number, to: number, kernel: number, stride: number, pad: number, group = 1): string {
  const w = g.weight(`${prefix}.weight`, [to, from / group, kernel, kernel], 1 / Math.sqrt((from / group) * kernel * kernel));
  const b = g.weight(`${prefix}.bias`, [to], 0.05);
  return g.node('Conv', [x, w, b], [ints('kernel_shape', [kernel, kernel]), ints('strides', [stride, stride]), ints('pads', [pad, pad, pad, pad]), { name: 'group', type: A.INT, i: group }]);
}

function linear(g: GraphBuilder, x: string, prefix: string, from: number, to: number): string {
  const w = g.weight(`${prefix}.weight`, [from, to], 1 / Math.sqrt(from));
  return g.node('Add', [g.node('MatMul', [x, w]), g.weight(`${prefix}.bias`, [to], 0.05)]);
}

function block(g: GraphBuilder, x: string, prefix: string, dim: number): string {
  const dw = conv(g, x, `${prefix}.dwconv`, dim, dim, 7, 1, 3, dim);
  const nhwc = g.node('Transpose', [dw], [ints('perm', [0, 2, 3, 1])]);
  const up = linear(g, layerNorm(g, nhwc, dim, `${prefix}.norm`, false), `${prefix}.fc1`, dim, 4 * dim);
  // GELU as torch exports it at opset 17: x · 0.5 · (1 + erf(x / √2))
  const erf = g.node('Erf', [g.node('Div', [up, g.constant(`${prefix}.sqrt2`, Math.SQRT2)])]);
  const gelu = g.node('Mul', [g.node('Mul', [up, g.node('Add', [erf, g.constant(`${prefix}.one`, 1)])]), g.constant(`${prefix}.half`, 0.5)]);
  const down = linear(g, gelu, `${prefix}.fc2`, 4 * dim, dim);
  const nchw = g.node('Transpose', [down], [ints('perm', [0, 3, 1, 2])]);
  const scaled = g.node('Mul', [g.weight(`${prefix}.layer_scale`, [dim, 1, 1], 0.1), nchw]);
  return g.node('Add', [scaled, x]);
}

export function syntheticConvNextTiny(): { model: ModelMsg; parameters: number } {
  const g = new GraphBuilder();
  const dims = [96, 192, 384, 768];
  const depths = [3, 3, 9, 3];
  let x = layerNorm(g, conv(g, 'input', 'stem', 3, dims[0], 4, 4, 0), dims[0], 'stem.norm', true);
  dims.forEach((dim, stage) => {
    if (stage > 0) x = conv(g, layerNorm(g, x, dims[stage - 1], `down${stage}.norm`, true), `down${stage}`, dims[stage - 1], dim, 2, 2, 0);
    for (let i = 0; i < depths[stage]; i++) x = block(g, x, `stage${stage}.${i}`, dim);
  });
  const pooled = layerNorm(g, g.node('GlobalAveragePool', [x]), 768, 'head.norm', true);
  const flat = g.node('Flatten', [pooled], [{ name: 'axis', type: A.INT, i: 1 }]);
  g.node('Gemm', [flat, g.weight('head.weight', [1000, 768], 1 / Math.sqrt(768)), g.weight('head.bias', [1000], 0.05)], [{ name: 'transB', type: A.INT, i: 1 }], 'logits');
  const tensorType = (shape: (number | string)[]) => ({
    tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } },
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'model-gate synthetic ConvNeXt-T',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'synthetic-convnext-tiny',
      node: g.nodes as onnx.NodeProto.$Properties[],
      initializer: g.initializers as onnx.TensorProto.$Properties[],
      input: [{ name: 'input', type: tensorType(['batch', 3, 224, 224]) }],
      output: [{ name: 'logits', type: tensorType(['batch', 1000]) }],
    },
  }) as unknown as ModelMsg;
  return { model, parameters: g.parameters };
}

/** Writes syntheticConvNextTiny() to `path` and returns its parameter count. */
export async function writeSyntheticConvNextTiny(path: string): Promise<number> {
  const { model, parameters } = syntheticConvNextTiny();
  await writeFile(path, encodeModel(model));
  return parameters;
}
