/**
 * preprocess.preset in the config: what each preset sets, that explicit keys win, what the Config
 * records, and the errors. The port of timm's resolve_data_config is checked against timm 1.0.29's
 * own output (__tests__/fixtures/presets/timm-resolve.json, scripts/reference/timm-pretrained-cfgs.py);
 * the pixels of each preset are checked in __tests__/preprocess/presets.test.ts.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import { expandPreset } from '../../src/config/presets.js';
import { resolveTimmDataConfig, type TimmPretrainedCfg } from '../../src/config/timm.js';
import { TIMM_PRETRAINED_CFGS } from '../../src/config/timm-pretrained-cfgs.js';
import { UserError } from '../../src/errors.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mg-presets-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const environment = { cwd: '/', env: {}, stderrIsTTY: false };
const IMAGENET = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

function parse(preprocess: Record<string, unknown>, task: 'classification' | 'detection' = 'classification') {
  const evalKeys = task === 'detection' ? { source: './set', annotations: 'a.json' } : { source: './set' };
  return parseConfig(JSON.stringify({ task, eval: evalKeys, classes: ['a', 'b'], preprocess }), join(dir, 'model-gate.yml'), dir, {}, environment);
}

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error('expected a UserError');
}

describe('preprocess.preset', () => {
  it('torchvision-classic: Resize(256) bilinear, CenterCrop(224), ImageNet mean/std, RGB, NCHW', () => {
    expect(parse({ preset: 'torchvision-classic' }).preprocess).toEqual({
      color: 'rgb',
      size: [224, 224],
      resize: 'center-crop',
      kernel: 'linear',
      cropRatio: 0.875,
      padValue: 114,
      scale: 1 / 255,
      ...IMAGENET,
      layout: 'nchw',
      arithmetic: 'float32',
      workers: 0,
      preset: { name: 'torchvision-classic', source: 'Resize(256) + CenterCrop(224), ImageNet mean/std', overridden: [] },
    });
  });

  it('explicit keys override the preset, and the record lists the ones that changed a value', () => {
    const pre = parse({ preset: 'torchvision-classic', size: [299, 299], kernel: 'cubic', color: 'rgb' }).preprocess;
    expect([pre.size, pre.kernel, pre.cropRatio]).toEqual([[299, 299], 'cubic', 0.875]);
    expect(pre.preset?.overridden).toEqual(['size', 'kernel']); // color: rgb is the preset's own value
  });

  it("ultralytics-val: yolo val's loader (long side to imgsz with cv2 INTER_LINEAR, rect batches, pad 114, /255) and multi-label NMS", () => {
    const config = parse({ preset: 'ultralytics-val' }, 'detection');
    expect(config.preprocess).toMatchObject({
      color: 'rgb',
      resize: 'ultralytics-val',
      rect: true,
      kernel: 'cv2-linear',
      padValue: 114,
      scale: 1 / 255,
      mean: [0],
      std: [1],
      layout: 'nchw',
    });
    expect(config.preprocess.preset?.name).toBe('ultralytics-val');
    expect(config.detection?.multiLabel).toBe(true);
    // Square imgsz batches when rect is off; multi-label follows an explicit detection key.
    expect(parse({ preset: 'ultralytics-val', rect: false }, 'detection').preprocess.rect).toBe(false);
    expect(parse({ resize: 'letterbox' }, 'detection').detection?.multiLabel).toBe(false);
    expect(messageOf(() => parse({ preset: 'ultralytics-val' }))).toContain('preprocess.preset: ultralytics-val is the letterbox of Ultralytics detection models');
    expect(messageOf(() => parse({ resize: 'letterbox', rect: true }, 'detection'))).toContain("preprocess.rect: only used with resize: ultralytics-val (Ultralytics' rect batches)");
  });

  it('ultralytics-predict: letterbox with cv2 INTER_LINEAR, pad 114, scaleup, no auto, /255, no mean/std', () => {
    const pre = parse({ preset: 'ultralytics-predict' }, 'detection').preprocess;
    expect(pre).toMatchObject({
      color: 'rgb',
      size: null,
      resize: 'letterbox',
      kernel: 'cv2-linear',
      padValue: 114,
      scaleup: true,
      auto: false,
      stride: 32,
      scale: 1 / 255,
      mean: [0],
      std: [1],
      layout: 'nchw',
    });
    expect(pre.preset?.name).toBe('ultralytics-predict');
    // an explicit resize wins without tripping the letterbox-only checks on keys the preset set
    expect(parse({ preset: 'ultralytics-predict', resize: 'rect' }, 'detection').preprocess).toMatchObject({ resize: 'rect', kernel: 'cv2-linear' });
  });

  it('timm by name: the default tag of the architecture, with timm floor(size / crop_pct) as the crop ratio', () => {
    const pre = parse({ preset: 'timm', 'timm-model': 'convnext_tiny' }).preprocess;
    expect(pre).toMatchObject({ color: 'rgb', size: [224, 224], resize: 'center-crop', kernel: 'cubic', cropRatio: 224 / 235, scale: 1 / 255, ...IMAGENET, layout: 'nchw' });
    expect(Math.round(224 / pre.cropRatio)).toBe(235); // floor(224 / 0.95); 224 / 0.95 itself would round to 236
    expect(pre.preset?.source).toBe('timm 1.0.29 pretrained_cfg of convnext_tiny.in12k_ft_in1k');
    expect(parse({ preset: 'timm', 'timm-model': 'resnet18.tv_in1k' }).preprocess).toMatchObject({ kernel: 'linear', cropRatio: 224 / 256 });
    expect(parse({ preset: 'timm', 'timm-model': 'vit_base_patch16_224' }).preprocess).toMatchObject({ mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], cropRatio: 224 / 248 });
    // squash with crop_pct 1 is a plain resize to the input size
    expect(parse({ preset: 'timm', 'timm-model': 'convnext_tiny.in12k_ft_in1k_384' }).preprocess).toMatchObject({ size: [384, 384], resize: 'stretch' });
  });

  it('timm: an overridden size gets its own floor: 32 at crop_pct 0.875 resizes to 36, not round(36.6) = 37', () => {
    const pre = parse({ preset: 'timm', 'timm-model': 'efficientnet_b0', size: [32, 32] }).preprocess;
    expect(Math.round(32 / pre.cropRatio)).toBe(36);
    expect(parse({ preset: 'timm', 'timm-model': 'efficientnet_b0', 'crop-ratio': 0.5 }).preprocess.cropRatio).toBe(0.5);
  });

  it('timm from a pretrained_cfg JSON file, flat or inside a Hugging Face config.json', async () => {
    await writeFile(join(dir, 'flat.json'), JSON.stringify({ input_size: [3, 256, 256], interpolation: 'bilinear', crop_pct: 0.9, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }));
    await writeFile(join(dir, 'hf.json'), JSON.stringify({ architecture: 'x', pretrained_cfg: { input_size: [1, 64, 64], mean: [0.5], std: [0.25] } }));
    const flat = parse({ preset: 'timm', 'pretrained-cfg': 'flat.json' }).preprocess;
    expect(flat).toMatchObject({ size: [256, 256], kernel: 'linear', cropRatio: 256 / 284, mean: [0.5, 0.5, 0.5] });
    expect(flat.preset?.source).toBe(`pretrained_cfg from ${join(dir, 'flat.json')}`);
    expect(parse({ preset: 'timm', 'pretrained-cfg': 'hf.json' }).preprocess).toMatchObject({ color: 'gray', size: [64, 64], kernel: 'cubic', cropRatio: 64 / 73, mean: [0.5], std: [0.25] });
  });

  it('the port of resolve_data_config gives what timm 1.0.29 gives, defaults included', () => {
    const reference = JSON.parse(readFileSync(new URL('../fixtures/presets/timm-resolve.json', import.meta.url), 'utf8')) as {
      cases: { pretrained_cfg: TimmPretrainedCfg; resolve_data_config: Record<string, unknown> }[];
    };
    expect(reference.cases.length).toBeGreaterThanOrEqual(7);
    for (const { pretrained_cfg: cfg, resolve_data_config: want } of reference.cases) {
      const got = resolveTimmDataConfig(cfg);
      expect({ input_size: got.inputSize, interpolation: got.interpolation, mean: got.mean, std: got.std, crop_pct: got.cropPct, crop_mode: got.cropMode }).toEqual(want);
    }
  });

  it('every model of the generated timm table resolves', () => {
    const names = Object.keys(TIMM_PRETRAINED_CFGS);
    expect(names.length).toBe(255);
    for (const name of names) {
      const { record } = expandPreset({ preprocess: { preset: 'timm', 'timm-model': name } }, 'classification', 'model-gate.yml', dir);
      expect(record?.source).toContain(TIMM_PRETRAINED_CFGS[name].tag);
    }
  });

  it('records nothing when no preset is used', () => {
    expect('preset' in parse({ size: [28, 28] }).preprocess).toBe(false);
  });

  it('explains what is wrong', async () => {
    expect(messageOf(() => parse({ preset: 'timm', 'timm-model': 'convnext_tiny.nope' }))).toContain(
      "preprocess.timm-model: 'convnext_tiny.nope' is not in model-gate's table of timm 1.0.29 models (known tags: convnext_tiny, convnext_tiny.dinov3_lvd1689m,",
    );
    expect(messageOf(() => parse({ preset: 'timm' }))).toContain('preprocess.preset: timm needs exactly one of preprocess.timm-model');
    expect(messageOf(() => parse({ preset: 'timm', 'timm-model': 'resnet50', 'pretrained-cfg': 'x.json' }))).toContain('needs exactly one of');
    expect(messageOf(() => parse({ preset: 'torchvision-classic', 'timm-model': 'resnet50' }))).toContain('preprocess.timm-model: only used with preprocess.preset: timm');
    expect(messageOf(() => parse({ preset: 'torchvision-classic' }, 'detection'))).toContain('preprocess.preset: torchvision-classic is a classification pipeline');
    expect(messageOf(() => parse({ preset: 'ultralytics-predict' }))).toContain('preprocess.preset: ultralytics-predict is the letterbox of Ultralytics detection models');
    expect(messageOf(() => parse({ preset: 'timm', 'timm-model': 'resnet50', size: [224, 256] }))).toContain('preprocess.size: the timm preset needs a square size');
    expect(messageOf(() => parse({ preset: 'yolo' }))).toContain('preprocess.preset: expected one of torchvision-classic | timm | ultralytics-predict | ultralytics-val');
    await writeFile(join(dir, 'squash.json'), JSON.stringify({ crop_mode: 'squash', crop_pct: 0.95 }));
    await writeFile(join(dir, 'box.json'), JSON.stringify({ interpolation: 'box', input_size: [4, 9, 9] }));
    await writeFile(join(dir, 'broken.json'), '{ "input_size": [3, 224] }');
    await writeFile(join(dir, 'bad.json'), '{ nope');
    expect(messageOf(() => parse({ preset: 'timm', 'pretrained-cfg': 'squash.json' }))).toContain("preprocess.preset timm: crop_mode: 'squash' with crop_pct 0.95 is not supported");
    const box = messageOf(() => parse({ preset: 'timm', 'pretrained-cfg': 'box.json' }));
    expect(box).toContain('preprocess.preset timm: input_size: 4 channels');
    expect(box).toContain("preprocess.preset timm: interpolation: 'box' has no model-gate kernel");
    expect(messageOf(() => parse({ preset: 'timm', 'pretrained-cfg': 'broken.json' }))).toContain('broken.json: input_size: expected 3 numbers, got [3,224]');
    expect(messageOf(() => parse({ preset: 'timm', 'pretrained-cfg': 'bad.json' }))).toContain('bad.json: not valid JSON');
    expect(messageOf(() => parse({ preset: 'timm', 'pretrained-cfg': 'missing.json' }))).toContain('missing.json: cannot read the file (ENOENT)');
  });
});
