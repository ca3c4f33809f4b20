/** task: detection in model-gate.yml: its keys, their defaults, and errors that name the key. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type ConfigEnvironment } from '../../src/config/load.js';
import { UserError } from '../../src/errors.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mg-config-det-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const env: ConfigEnvironment = { cwd: '/', env: { HOME: '/home/u' }, stderrIsTTY: false };

async function load(name: string, text: string) {
  const file = join(dir, name);
  await writeFile(file, text);
  return loadConfig({ config: file }, env);
}

async function problems(name: string, text: string): Promise<string> {
  try {
    await load(name, text);
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error('expected a UserError');
}

describe('task: detection', () => {
  it('fills the documented defaults (Ultralytics val settings, letterbox with scaleup, stride 32)', async () => {
    const config = await load('min.yml', 'task: detection\neval: { source: ./set, annotations: coco.json }\n');
    expect(config.eval).toEqual({
      source: join(dir, 'set'),
      sha256: null,
      format: 'coco',
      manifest: null,
      annotations: 'coco.json',
      labels: null,
      images: null,
      written: { key: `eval.source in ${join(dir, 'min.yml')}`, text: './set', base: `the config file's folder ${dir}` },
    });
    expect(config.classes).toEqual([]);
    expect(config.detection).toEqual({
      output: 'auto',
      conf: 0.001,
      iou: 0.7,
      maxNms: 30000,
      maxDet: 300,
      clip: true,
      categoryIds: null,
      comparePreprocessing: false,
      multiLabel: false,
      stride: 32,
      strideSet: false,
      operatingConf: 0.25,
    });
    expect(config.preprocess).toMatchObject({ resize: 'letterbox', padValue: 114, scaleup: true, auto: false, stride: 32 });
    expect(config.gates).toEqual({ maxTop1Drop: 0.5, minErrorReduction: 0, requireSignificant: false, maxLatencyRegression: 25, maxInt8Drop: null, maxMapDrop: 0.5, maxInt8MapDrop: null });
  });

  it('reads every detection key', async () => {
    const config = await load(
      'full.yml',
      `task: detection
eval: { source: ./set, format: yolo, labels: labels, images: imgs }
classes: [a, b]
preprocess: { size: [640, 640], resize: rect, scaleup: false }
detection: { output: yolov5, conf: 0.25, iou: 0.6, max-nms: 1000, max-det: 100, clip: false, compare-preprocessing: true, stride: 64, operating-conf: 0.5 }
gates: { max-map-drop: 1, require-significant: true, max-latency-regression: 10 }
`,
    );
    expect(config.eval).toMatchObject({ format: 'yolo', labels: 'labels', images: 'imgs', annotations: null });
    expect(config.detection).toEqual({
      output: 'yolov5',
      conf: 0.25,
      iou: 0.6,
      maxNms: 1000,
      maxDet: 100,
      clip: false,
      categoryIds: null,
      comparePreprocessing: true,
      multiLabel: false,
      stride: 64,
      strideSet: true,
      operatingConf: 0.5,
    });
    expect(config.preprocess).toMatchObject({ size: [640, 640], resize: 'rect', scaleup: false, stride: 64 });
    expect(config.gates).toMatchObject({ maxMapDrop: 1, requireSignificant: true, maxLatencyRegression: 10 });
  });

  it('names the key and what was expected for keys that do not fit the task or format', async () => {
    const message = await problems(
      'bad.yml',
      `task: detection
eval: { source: ./set, format: yolo, annotations: coco.json }
preprocess: { resize: center-crop, auto: true }
detection: { output: yolov9, category-ids: [1, 1] }
gates: { max-top1-drop: 1 }
`,
    );
    expect(message).toContain('bad.yml: invalid config:');
    expect(message).toContain("detection.output: expected one of auto | yolov8 | yolov5 | end2end, got 'yolov9'");
    expect(message).toContain('detection.category-ids');
    const cross = await problems(
      'cross.yml',
      `task: detection
eval: { source: ./set, format: yolo, annotations: coco.json }
detection: { category-ids: [1, 2] }
preprocess: { resize: center-crop, auto: true }
gates: { max-top1-drop: 1 }
`,
    );
    expect(cross).toContain('eval.annotations: only used with eval.format: coco');
    expect(cross).toContain('eval.labels: required when eval.format is yolo');
    expect(cross).toContain('classes: required when eval.format is yolo');
    expect(cross).toContain('detection.category-ids: only used with eval.format: coco');
    expect(cross).toContain("preprocess.resize: expected letterbox | rect | ultralytics-val for task detection, got 'center-crop'");
    expect(cross).toContain('preprocess.auto: only used with resize: letterbox');
    expect(cross).toContain('gates.max-top1-drop: only used with task: classification (detection has max-map-drop)');
    const coco = await problems('coco.yml', 'task: detection\neval: { source: ./set, format: class-folders }\nclasses: [a, b]\ndetection: { category-ids: [1, 2, 3] }\n');
    expect(coco).toContain("eval.format: expected one of coco | yolo for task detection, got 'class-folders'");
    expect(coco).toContain('detection.category-ids: expected one category id per class (2), got 3');
  });

  it('reads int8 for detection: static-int8 with the tail kept float and the max-int8-map-drop gate', async () => {
    const config = await load(
      'int8.yml',
      `task: detection
eval: { source: ./set, format: coco, annotations: a.json }
quantization: { mode: static-int8, per-channel: true, keep-float: { tail: true, after: [/head/Conv] } }
gates: { max-int8-map-drop: 1.5 }
`,
    );
    expect(config.quantization.keepFloat).toEqual({ tail: true, nodes: [], after: ['/head/Conv'] });
    expect(config.gates.maxInt8MapDrop).toBe(1.5);
    const message = await problems(
      'int8-bad.yml',
      `task: detection
eval: { source: ./set, format: coco, annotations: a.json }
quantization: { mode: provided, keep-float: { tail: true } }
gates: { max-int8-drop: 1 }
`,
    );
    expect(message).toBe(`${join(dir, 'int8-bad.yml')}: invalid config:
  - gates.max-int8-drop: only used with task: classification (detection has max-int8-map-drop)
  - quantization.keep-float: only used with quantization.mode: static-int8`);
    const classification = await problems('int8-cls.yml', 'eval: { source: ./set }\nclasses: [a, b]\nquantization: { mode: static-int8 }\ngates: { max-int8-map-drop: 1 }\n');
    expect(classification).toContain('gates.max-int8-map-drop: only used with task: detection (classification has max-int8-drop)');
  });

  it('keeps detection keys out of classification configs', async () => {
    const message = await problems(
      'cls.yml',
      `eval: { source: ./set, annotations: x.json }
classes: [a, b]
preprocess: { resize: rect }
detection: { conf: 0.5 }
gates: { max-map-drop: 1 }
`,
    );
    expect(message).toContain('eval.annotations: only used with task: detection');
    expect(message).toContain('detection: only used with task: detection');
    expect(message).toContain('gates.max-map-drop: only used with task: detection');
    expect(message).toContain('preprocess.resize: rect is for detection models');
    const classification = await load('cls-ok.yml', 'eval: { source: ./set }\nclasses: [a, b]\n');
    expect(classification.detection).toBeUndefined();
    expect(classification.preprocess).not.toHaveProperty('scaleup');
  });
});
