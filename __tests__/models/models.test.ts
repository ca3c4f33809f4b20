import { mkdtemp, rm, symlink, writeFile, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelRef } from '../../src/config/types.js';
import { UserError } from '../../src/errors.js';
import { parseOnnxFacts, resolveModel } from '../../src/models/index.js';
import { identityModel, modelProto, type TensorSpec } from './onnx-writer.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const modelsDir = path.resolve(here, '../../examples/fashion-mnist/models');
const ref = (file: string): ModelRef => ({ role: 'candidate', path: file, label: path.basename(file) });

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'model-gate-models-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function writeTmp(name: string, bytes: Uint8Array | string): Promise<string> {
  const file = path.join(tmp, name);
  await writeFile(file, bytes);
  return file;
}

describe('resolveModel on the example models (values from MODEL_CARD.md)', () => {
  test('fmnist-lenet-v1', async () => {
    const model = await resolveModel(ref(path.join(modelsDir, 'fmnist-lenet-v1.onnx')));
    expect(model.bytes).toBe(83_483);
    expect(model.sha256).toBe('40c549b7f2ad0e51ac9a6bee33155db18bb961b5dd9a597b8319d5ea465cf979');
    expect(model.role).toBe('candidate');
    expect(model.facts).toEqual({
      irVersion: 8,
      opset: 17,
      producer: 'pytorch',
      params: 20_522,
      inputs: [{ name: 'input', dims: ['batch', 1, 28, 28], type: 'float32' }],
      outputs: [{ name: 'logits', dims: ['batch', 10], type: 'float32' }],
      externalDataFiles: [],
      metadata: {},
    });
  });

  test('fmnist-dwnet-v3', async () => {
    const model = await resolveModel(ref(path.join(modelsDir, 'fmnist-dwnet-v3.onnx')));
    expect(model.bytes).toBe(79_177);
    expect(model.sha256).toBe('1af69a5ea9e516a36731baa13f1f7b508db84fcb634a81a7648ed99d5628a5b3');
    expect(model.facts.opset).toBe(17);
    expect(model.facts.inputs).toEqual([{ name: 'input', dims: ['batch', 1, 28, 28], type: 'float32' }]);
    expect(model.facts.outputs).toEqual([{ name: 'logits', dims: ['batch', 10], type: 'float32' }]);
    // The card's 19,306 is PyTorch's count before export. The exporter folded BatchNorm into the
    // convolutions, removing gamma+beta for 16+16+32+32+64+64+64+64+128 = 480 channels (960
    // values). By hand from the architecture: depthwise 3x3 weights 144+144+288+576+576,
    // pointwise 512+2048+4096+8192, conv biases 480, head 128*10+10 → 18,346 = 19,306 − 960.
    expect(model.facts.params).toBe(19_306 - 2 * 480);
  });
});

describe('resolveModel refuses files that are not a model', () => {
  test('missing file', async () => {
    const missing = path.join(tmp, 'nope.onnx');
    const error = await resolveModel(ref(missing)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe(`candidate model ${missing}: file not found`);
  });

  test('Git LFS pointer', async () => {
    const file = await writeTmp('pointer.onnx', 'version https://git-lfs.github.com/spec/v1\noid sha256:40c549b7f2ad0e51ac9a6bee33155db18bb961b5dd9a597b8319d5ea465cf979\nsize 83483\n');
    await expect(resolveModel(ref(file))).rejects.toThrow(`candidate model ${file} is a Git LFS pointer, not the model: the LFS object was not fetched (run \`git lfs pull\`)`);
  });

  test('truncated model', async () => {
    const full = await readFile(path.join(modelsDir, 'fmnist-lenet-v1.onnx'));
    const file = await writeTmp('truncated.onnx', full.subarray(0, 40_000));
    const error = await resolveModel(ref(file)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(new RegExp(`^candidate model ${file}: not a valid ONNX model: .*truncated`));
  });

  test('random bytes', async () => {
    let state = 12345; // fixed LCG so the test is deterministic
    const noise = Uint8Array.from({ length: 4096 }, () => (state = (state * 1103515245 + 12345) >>> 0) >>> 24);
    const file = await writeTmp('noise.onnx', noise);
    await expect(resolveModel(ref(file))).rejects.toThrow(/noise\.onnx: not a valid ONNX model: /);
  });

  test('empty file', async () => {
    const file = await writeTmp('empty.onnx', new Uint8Array(0));
    await expect(resolveModel(ref(file))).rejects.toThrow(`candidate model ${file}: not a valid ONNX model: the file is empty`);
  });

  test('a protobuf that is not a model', async () => {
    expect(() => parseOnnxFacts(Uint8Array.from([0x08, 0x01]), 'x.onnx')).toThrow('x.onnx: not a valid ONNX model: no ir_version or graph (is this an ONNX file?)');
  });
});

describe('external data', () => {
  const externalModel = (location: string) =>
    modelProto({
      nodes: [{ op: 'Add', inputs: ['input', 'w'], outputs: ['output'] }],
      initializers: [{ name: 'w', dims: [1], externalLocation: location }],
      inputs: [{ name: 'input', dims: [1] }],
      outputs: [{ name: 'output', dims: [1] }],
    });

  test('a file next to the model is accepted and listed', async () => {
    await writeTmp('weights.bin', new Uint8Array(4));
    const file = await writeTmp('external-ok.onnx', externalModel('weights.bin'));
    const model = await resolveModel(ref(file));
    expect(model.facts.externalDataFiles).toEqual(['weights.bin']);
  });

  test.each([
    ['../x', "'..' would leave the model folder"],
    ['sub/../../x', "'..' would leave the model folder"],
    ['/etc/passwd', 'absolute paths are not allowed'],
  ])('location %s is refused', async (location, reason) => {
    const file = await writeTmp('external-bad.onnx', externalModel(location));
    await expect(resolveModel(ref(file))).rejects.toThrow(`${file}: external data location '${location}' refused: ${reason}`);
  });

  test('a symlink pointing outside the model folder is refused', async () => {
    const outside = await mkdtemp(path.join(os.tmpdir(), 'model-gate-outside-'));
    try {
      await writeFile(path.join(outside, 'secret.bin'), new Uint8Array(4));
      await symlink(path.join(outside, 'secret.bin'), path.join(tmp, 'escape.bin'));
      const file = await writeTmp('external-link.onnx', externalModel('escape.bin'));
      await expect(resolveModel(ref(file))).rejects.toThrow(/external data location 'escape\.bin' refused: it resolves to .*secret\.bin, outside the model folder/);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  test('a missing external file is an error', async () => {
    const file = await writeTmp('external-missing.onnx', externalModel('gone.bin'));
    await expect(resolveModel(ref(file))).rejects.toThrow(`${file}: external data file 'gone.bin' not found next to the model`);
  });

  test('a Constant node tensor with an escaping location is refused too', async () => {
    const bytes = modelProto({
      nodes: [{ op: 'Constant', inputs: [], outputs: ['c'], valueTensor: { name: 'c', dims: [1], externalLocation: '../c.bin' } }],
      inputs: [],
      outputs: [{ name: 'c', dims: [1] }],
    });
    const file = await writeTmp('external-constant.onnx', bytes);
    await expect(resolveModel(ref(file))).rejects.toThrow("external data location '../c.bin' refused");
  });
});

describe('parseOnnxFacts details', () => {
  test('initializers listed as inputs are not inputs; dead initializers are not params; unpacked dims', () => {
    const weight: TensorSpec = { name: 'w', dims: [2, 3], values: [1, 2, 3, 4, 5, 6], unpackedDims: true };
    const dead: TensorSpec = { name: 'dead', dims: [7, 11], values: new Array(77).fill(0) };
    const facts = parseOnnxFacts(
      modelProto({
        irVersion: 3,
        opset: 9,
        nodes: [{ op: 'MatMul', inputs: ['x', 'w'], outputs: ['y'] }],
        initializers: [weight, dead],
        inputs: [
          { name: 'x', dims: [0, -1, 2] },
          { name: 'w', dims: [2, 3] },
          { name: 'dead', dims: [7, 11] },
        ],
        outputs: [{ name: 'y', dims: ['n', 3] }],
      }),
      'legacy.onnx',
    );
    expect(facts.irVersion).toBe(3);
    expect(facts.opset).toBe(9);
    expect(facts.params).toBe(6); // only w (2*3); dead (77) is read by no node
    expect(facts.inputs).toEqual([{ name: 'x', dims: ['?', '?', 2], type: 'float32' }]);
    expect(facts.outputs).toEqual([{ name: 'y', dims: ['n', 3], type: 'float32' }]);
  });

  test('fixed-batch identity model', () => {
    const facts = parseOnnxFacts(identityModel([4, 3, 8, 8]), 'identity.onnx');
    expect(facts.inputs).toEqual([{ name: 'input', dims: [4, 3, 8, 8], type: 'float32' }]);
    expect(facts.params).toBe(0);
  });
});
