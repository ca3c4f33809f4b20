/**
 * preprocess.preset: one line that sets the preprocess keys of a training ecosystem. The preset's
 * keys come first and every key written in the file overrides them; the Config records which
 * preset ran and which of its keys were overridden, so the report can say it.
 *
 * - torchvision-classic: Resize(256) bilinear + CenterCrop(224) on PIL images, ToTensor,
 *   Normalize(ImageNet mean/std), RGB, NCHW (the torchvision reference eval transform).
 * - timm: what timm's resolve_data_config + eval transform give for a model (timm.ts).
 * - ultralytics-predict: Ultralytics' LetterBox for an exported model (auto=False), resized with
 *   cv2.resize INTER_LINEAR, padded with 114 and centred with its rounding, BGR→RGB, /255, no
 *   mean/std. The size is the model's (Ultralytics exports imgsz as the ONNX input size).
 * Each is verified against the library itself, see docs/preprocessing.md.
 */
import { isAbsolute, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { resolveTimmPreset, timmCropRatio } from './timm.js';
import type { PresetName, PresetRecord } from './types.js';

export const PRESET_NAMES: readonly PresetName[] = ['torchvision-classic', 'timm', 'ultralytics-predict', 'ultralytics-val'];

const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];

/** The keys that select a preset rather than set a preprocess value. */
const PRESET_KEYS = ['preset', 'timm-model', 'pretrained-cfg'];

type Raw = Record<string, any>;

const FIXED: Record<Exclude<PresetName, 'timm'>, Raw> = {
  'torchvision-classic': {
    color: 'rgb',
    size: [224, 224],
    resize: 'center-crop',
    kernel: 'linear',
    'crop-ratio': 0.875, // 224 / 0.875 = 256
    scale: 1 / 255,
    mean: IMAGENET_MEAN,
    std: IMAGENET_STD,
    layout: 'nchw',
    arithmetic: 'float32', // ToTensor and Normalize round to float32 at each step
  },
  // `yolo val`: the long side to imgsz with cv2 INTER_LINEAR, rect batches padded with 114
  // (preprocess/ultralytics-val.ts); the preset also turns on detection.multi-label (load.ts).
  'ultralytics-val': {
    color: 'rgb',
    resize: 'ultralytics-val',
    rect: true,
    kernel: 'cv2-linear',
    'pad-value': 114,
    scale: 1 / 255,
    mean: [0],
    std: [1],
    layout: 'nchw',
  },
  'ultralytics-predict': {
    color: 'rgb',
    resize: 'letterbox',
    kernel: 'cv2-linear',
    'pad-value': 114,
    // scaleup true and auto false are detection's defaults already; setting them here would make
    // an explicit `resize: rect` fail the "auto is only for letterbox" check for a key nobody wrote.
    scale: 1 / 255,
    mean: [0],
    std: [1],
    layout: 'nchw',
  },
};

const PRESET_SOURCES: Record<Exclude<PresetName, 'timm'>, string> = {
  'torchvision-classic': 'Resize(256) + CenterCrop(224), ImageNet mean/std',
  'ultralytics-predict': 'LetterBox(auto=False), cv2 INTER_LINEAR, pad 114, /255',
  'ultralytics-val': 'yolo val: long side to imgsz (cv2 INTER_LINEAR), rect batches (pad 0.5), LetterBox pad 114, /255, multi-label NMS (Ultralytics 002363f1)',
};

export interface ExpandedPreprocess {
  /** The raw preprocess section with the preset applied (preset keys removed). */
  readonly preprocess: Raw;
  readonly record: PresetRecord | null;
}

/**
 * Applies preprocess.preset to the raw (schema-validated) preprocess section. `task` is the
 * configured task, so a classification preset on a detector (or the reverse) fails here with a
 * message about the preset rather than later about one of its keys.
 */
export function expandPreset(raw: Raw, task: string, file: string, configDir: string): ExpandedPreprocess {
  const pre: Raw = raw.preprocess ?? {};
  const name = pre.preset as PresetName | undefined;
  const explicit = Object.fromEntries(Object.entries(pre).filter(([key]) => !PRESET_KEYS.includes(key)));
  checkPresetKeys(pre, task, file);
  if (name === undefined) return { preprocess: explicit, record: null };

  let keys: Raw;
  let source: string;
  let cropPct: number | null = null;
  if (name === 'timm') {
    const cfgFile = pre['pretrained-cfg'] === undefined ? undefined : isAbsolute(pre['pretrained-cfg']) ? pre['pretrained-cfg'] : resolve(configDir, pre['pretrained-cfg']);
    const timm = resolveTimmPreset(pre['timm-model'], cfgFile, file);
    keys = timm.keys;
    source = timm.source;
    if (keys.resize === 'center-crop') cropPct = timm.data.cropPct;
  } else {
    keys = FIXED[name];
    source = PRESET_SOURCES[name];
  }
  const merged: Raw = { ...keys, ...explicit };
  // timm floors size / crop_pct: the ratio depends on the final size, so it is set after the overrides.
  if (cropPct !== null && explicit['crop-ratio'] === undefined && merged.resize === 'center-crop') {
    merged['crop-ratio'] = timmCropRatio(merged.size, cropPct, file);
  }
  const overridden = Object.keys(explicit).filter((key) => key in keys && JSON.stringify(keys[key]) !== JSON.stringify(explicit[key]));
  return { preprocess: merged, record: { name, source, overridden } };
}

function checkPresetKeys(pre: Raw, task: string, file: string): void {
  const problems: string[] = [];
  const name = pre.preset;
  const timmKeys = ['timm-model', 'pretrained-cfg'].filter((key) => pre[key] !== undefined);
  if (name === 'timm' && timmKeys.length !== 1) {
    problems.push('preprocess.preset: timm needs exactly one of preprocess.timm-model (a timm model name) or preprocess.pretrained-cfg (a JSON file)');
  }
  if (name !== 'timm') for (const key of timmKeys) problems.push(`preprocess.${key}: only used with preprocess.preset: timm`);
  if (task === 'detection' && (name === 'torchvision-classic' || name === 'timm')) {
    problems.push(`preprocess.preset: ${name} is a classification pipeline (resize and center crop); detection models need letterbox or rect, e.g. ultralytics-predict`);
  }
  if (task !== 'detection' && (name === 'ultralytics-predict' || name === 'ultralytics-val')) {
    problems.push(`preprocess.preset: ${name} is the letterbox of Ultralytics detection models (task: detection); YOLO classifiers use a resize and center crop instead`);
  }
  if (problems.length > 0) throw new UserError(`${file}: invalid config:\n  - ${problems.join('\n  - ')}`);
}
