/**
 * The model's own metadata: metadata_props read from the ONNX bytes as onnx and onnxruntime read
 * them, Ultralytics' Python literals and Hugging Face's id2label as Python reads them
 * (scripts/reference/onnx-metadata.py wrote reference.json), and what model-gate refuses, warns
 * about, and takes as a default (models/metadata-check.ts), with the exact messages.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DecodeSpec } from '../../src/config/types.js';
import { parseOnnxFacts } from '../../src/models/onnx-facts.js';
import { parsePythonNames, readModelMetadata } from '../../src/models/metadata.js';
import { checkModelMetadata, withMetadataDefaults, type MetadataFacts } from '../../src/models/metadata-check.js';

const FIXTURE = join(process.cwd(), '__tests__', 'fixtures', 'onnx-metadata');
const reference = JSON.parse(readFileSync(join(FIXTURE, 'reference.json'), 'utf8'));
const EXAMPLE_CLASSES = ['T-shirt-top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle-boot'];
const SWAPPED = ['Shirt', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'T-shirt-top', 'Sneaker', 'Bag', 'Ankle-boot'];

const metadataOf = (file: string) => parseOnnxFacts(readFileSync(join(FIXTURE, file)), file).metadata;
const facts = (over: Partial<MetadataFacts> = {}): MetadataFacts => ({
  model: 'models/m.onnx',
  task: 'classification',
  classes: EXAMPLE_CLASSES,
  classesFrom: 'classes in /repo/model-gate.yml',
  size: null,
  modelInputSize: [28, 28],
  stride: null,
  ...over,
});

describe('metadata_props', () => {
  it.each(['fmnist-dwnet-v3.ultralytics.onnx', 'fmnist-dwnet-v3.hf.onnx'])('%s: the same keys and values as onnx and onnxruntime read', (file) => {
    const expected = reference.files[file];
    expect(metadataOf(file)).toEqual(expected.metadataProps);
    expect(metadataOf(file)).toEqual(expected.onnxruntimeCustomMetadata);
    // The re-encoded graph computes what the original does (onnxruntime, fixed random batch).
    expect(expected.maxAbsDiffToOriginal).toBe(0);
  });

  it("reads Ultralytics' names, imgsz, stride and task as Python does", () => {
    const expected = reference.files['fmnist-dwnet-v3.ultralytics.onnx'];
    expect(expected.namesIsPythonStr).toBe(true);
    expect(readModelMetadata(metadataOf('fmnist-dwnet-v3.ultralytics.onnx'))).toEqual({
      source: 'ultralytics',
      names: expected.names,
      namesKey: 'names',
      imgsz: expected.imgsz,
      stride: expected.stride,
      task: expected.task,
      unreadable: [],
    });
  });

  it("reads Hugging Face's id2label", () => {
    const meta = readModelMetadata(metadataOf('fmnist-dwnet-v3.hf.onnx'));
    expect(meta).toMatchObject({ source: 'huggingface', namesKey: 'id2label', imgsz: null, stride: null, task: null });
    expect(meta.names).toEqual(reference.files['fmnist-dwnet-v3.hf.onnx'].names);
  });

  it('parses the names Python writes with quotes, escapes and non-ASCII', () => {
    expect(parsePythonNames(reference.tricky.repr)).toEqual(reference.tricky.names);
  });

  it('reports what it cannot read and guesses nothing', () => {
    const meta = readModelMetadata({ names: "{0: 'a', 2: 'c'}", imgsz: 'big', stride: '-1', author: 'Ultralytics' });
    expect(meta.names).toBeNull();
    expect(meta.unreadable).toEqual(['names (the indices are not 0…1)', 'stride (expected a positive integer)', 'imgsz (expected [height, width] or one integer)']);
    expect(readModelMetadata({}).source).toBeNull();
    expect(readModelMetadata(undefined).names).toBeNull();
  });
});

describe('the metadata against the config', () => {
  const ultralytics = readModelMetadata(metadataOf('fmnist-dwnet-v3.ultralytics.onnx'));

  it('accepts the same classes written with other punctuation ("T-shirt/top" = "T-shirt-top")', () => {
    expect(checkModelMetadata(ultralytics, facts())).toEqual({ refusals: [], warnings: [] });
  });

  it('refuses classes in another order, naming both orders', () => {
    expect(checkModelMetadata(ultralytics, facts({ classes: SWAPPED })).refusals).toEqual([
      "models/m.onnx: the model's metadata (Ultralytics' names) lists its classes in another order than classes in /repo/model-gate.yml\n" +
        '    model:  [T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot]\n' +
        '    config: [Shirt, Trouser, Pullover, Dress, Coat, Sandal, T-shirt-top, Sneaker, Bag, Ankle-boot]\n' +
        "  Output k is scored as class k of the config, so these two classes would be scored as each other. Write the classes in the model's order.",
    ]);
  });

  it('names the positions instead of both orders for a long list', () => {
    const names = Array.from({ length: 100 }, (_, k) => `class${k}`);
    const swapped = names.map((n, k) => (k === 3 ? 'class40' : k === 40 ? 'class3' : n));
    const [refusal] = checkModelMetadata({ ...ultralytics, names }, facts({ classes: swapped })).refusals;
    expect(refusal).toBe(
      "models/m.onnx: the model's metadata (Ultralytics' names) lists its classes in another order than classes in /repo/model-gate.yml: " +
        "position 3 is 'class40' in the config, 'class3' in the model (which has 'class40' at 40); position 40 is 'class3' in the config, 'class40' in the model (which has 'class3' at 3)\n" +
        "  Output k is scored as class k of the config, so these two classes would be scored as each other. Write the classes in the model's order.",
    );
  });

  it('warns, but runs, when names differ in wording or number', () => {
    const renamed = EXAMPLE_CLASSES.map((n) => (n === 'Bag' ? 'Handbag' : n));
    expect(checkModelMetadata(ultralytics, facts({ classes: renamed }))).toEqual({
      refusals: [],
      warnings: [
        "models/m.onnx: the model's metadata (Ultralytics' names) names 1 class differently from classes in /repo/model-gate.yml (8: 'Bag' vs 'Handbag'); the report uses the config's names",
      ],
    });
    expect(checkModelMetadata(ultralytics, facts({ classes: EXAMPLE_CLASSES.slice(0, 9) })).warnings).toEqual([
      "models/m.onnx: the model's metadata (Ultralytics' names) names 10 classes, classes in /repo/model-gate.yml lists 9",
    ]);
  });

  it("refuses an Ultralytics task that is not the config's", () => {
    expect(checkModelMetadata(ultralytics, facts({ task: 'detection' })).refusals).toEqual([
      "models/m.onnx: the model's metadata says it is an Ultralytics 'classify' model, which model-gate does not score as task: detection (use task: classification)",
    ]);
    expect(checkModelMetadata({ ...ultralytics, task: 'segment' }, facts({ task: 'detection', classes: [] })).refusals).toEqual([
      "models/m.onnx: the model's metadata says it is an Ultralytics 'segment' model, which model-gate does not score as task: detection (model-gate reads detect and classify models)",
    ]);
  });

  it('warns when imgsz differs from preprocess.size or from the fixed input, and when detection.stride differs', () => {
    const detector = { ...ultralytics, task: 'detect', imgsz: [640, 640] as const, stride: 32 };
    expect(checkModelMetadata(detector, facts({ task: 'detection', classes: [], size: [320, 320], modelInputSize: null, stride: 16 })).warnings).toEqual([
      "models/m.onnx: the model was exported at imgsz [640, 640] (its metadata), but preprocess.size is [320, 320]: the scores are for another input size than the model's",
      "models/m.onnx: the model's stride is 32 (its metadata), detection.stride is 16: inputs padded to a multiple of 16 may not fit the model",
    ]);
    expect(checkModelMetadata(detector, facts({ task: 'detection', classes: [], modelInputSize: [480, 640] })).warnings).toEqual([
      "models/m.onnx: the model's metadata says imgsz [640, 640], but its input is fixed at [480, 640]; the input's size is used",
    ]);
  });

  it('takes imgsz and stride as defaults only where the config and the model input leave them open', () => {
    const spec: DecodeSpec = { color: 'rgb', size: null, resize: 'letterbox', kernel: 'linear', cropRatio: 0.875, padValue: 114, stride: 32 };
    const detector = { ...ultralytics, task: 'detect', imgsz: [480, 640] as const, stride: 64 };
    expect(withMetadataDefaults(spec, detector, null, false)).toEqual({ ...spec, size: [480, 640], stride: 64 });
    // Written keys and a fixed model input win.
    expect(withMetadataDefaults({ ...spec, size: [320, 320] }, detector, null, true)).toEqual({ ...spec, size: [320, 320] });
    expect(withMetadataDefaults(spec, detector, [640, 640], false)).toEqual({ ...spec, stride: 64 });
    expect(withMetadataDefaults(spec, readModelMetadata({}), null, false)).toBe(spec);
  });
});
