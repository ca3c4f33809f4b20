/**
 * JSON Schema of model-gate.yml. Keys are kebab-case as users write them; load.ts maps them to
 * the camelCase Config. additionalProperties: false everywhere so a typo is an error, not a
 * silently ignored setting.
 */
const positiveInt = { type: 'integer', minimum: 1 } as const;
const finiteNumber = { type: 'number' } as const;
/** Model names become comment markers and file names, so they are kept plain. */
const modelName = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' } as const;
const relativePath = { type: 'string', minLength: 1 } as const;

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  // eval is required by every task but results; load.ts says so.
  properties: {
    task: { enum: ['classification', 'detection', 'results'] },
    models: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        // path XOR (manifest + key) is checked in load.ts, where the message can say so plainly.
        properties: { name: modelName, path: relativePath, manifest: relativePath, key: { type: 'string', minLength: 1 }, quantized: relativePath },
      },
    },
    // Each entry is checked in load.ts (config/allowed-hosts.ts), where the message can show the forms.
    'allowed-hosts': { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true },
    eval: {
      type: 'object',
      additionalProperties: false,
      required: ['source'],
      properties: {
        source: { type: 'string', minLength: 1 },
        sha256: { type: 'string', pattern: '^[0-9a-fA-F]{64}$' },
        format: { enum: ['class-folders', 'manifest', 'coco', 'yolo'] },
        manifest: { type: 'string', minLength: 1 },
        annotations: relativePath,
        labels: relativePath,
        images: relativePath,
      },
    },
    classes: { type: 'array', minItems: 2, items: { type: 'string', minLength: 1 }, uniqueItems: true },
    preprocess: {
      type: 'object',
      additionalProperties: false,
      properties: {
        // presets.ts expands these three into the keys below; explicit keys override the preset.
        preset: { enum: ['torchvision-classic', 'timm', 'ultralytics-predict', 'ultralytics-val'] },
        'timm-model': { type: 'string', minLength: 1 },
        'pretrained-cfg': relativePath,
        color: { enum: ['gray', 'rgb', 'bgr'] },
        size: { type: 'array', minItems: 2, maxItems: 2, items: positiveInt },
        resize: { enum: ['stretch', 'center-crop', 'letterbox', 'rect', 'ultralytics-val'] },
        rect: { type: 'boolean' },
        kernel: { enum: ['nearest', 'linear', 'cubic', 'lanczos3', 'cv2-linear', 'cv2-area', 'cv2-nearest'] },
        'crop-ratio': { type: 'number', exclusiveMinimum: 0, maximum: 1 },
        'pad-value': { type: 'integer', minimum: 0, maximum: 255 },
        scaleup: { type: 'boolean' },
        auto: { type: 'boolean' },
        scale: finiteNumber,
        mean: { type: 'array', minItems: 1, maxItems: 3, items: finiteNumber },
        std: { type: 'array', minItems: 1, maxItems: 3, items: { type: 'number', exclusiveMinimum: 0 } },
        layout: { enum: ['nchw', 'nhwc'] },
        arithmetic: { enum: ['float64', 'float32'] },
        workers: { type: 'integer', minimum: 0 },
      },
    },
    inference: {
      type: 'object',
      additionalProperties: false,
      properties: {
        'execution-provider': { enum: ['auto', 'cpu', 'cuda'] },
        'batch-size': positiveInt,
        threads: { type: 'integer', minimum: 0 },
        'inter-op-threads': positiveInt,
        'spin-wait': { type: 'boolean' },
        // "512MB", "2GiB" or a number of bytes; parsed in load.ts so the message can show the forms.
        'memory-budget': {
          anyOf: [
            { type: 'string', minLength: 1 },
            { type: 'integer', minimum: 1 },
          ],
        },
      },
    },
    latency: {
      type: 'object',
      additionalProperties: false,
      properties: {
        'batch-sizes': { type: 'array', items: positiveInt, uniqueItems: true },
        warmup: { type: 'integer', minimum: 0 },
        runs: { type: 'integer', minimum: 10 },
        // The CI comes from the spread between rounds: fewer than 3 can't say much about it.
        rounds: { type: 'integer', minimum: 3 },
        threads: { type: 'integer', minimum: 0 },
      },
    },
    gates: {
      type: 'object',
      additionalProperties: false,
      properties: {
        'max-top1-drop': { type: 'number', minimum: 0 },
        'min-error-reduction': { type: 'number', maximum: 100 },
        'require-significant': { type: 'boolean' },
        'max-latency-regression': { type: 'number', minimum: 0 },
        'max-int8-drop': { type: 'number', minimum: 0 },
        'max-map-drop': { type: 'number', minimum: 0 },
        'max-int8-map-drop': { type: 'number', minimum: 0 },
        'max-metric-drop': { type: 'number', minimum: 0 },
        'min-focus-gain': finiteNumber,
        'no-worse-focus-slice': { type: 'boolean' },
      },
    },
    results: {
      type: 'object',
      additionalProperties: false,
      properties: {
        format: { enum: ['auto', 'lm-eval', 'jsonl', 'csv', 'model-gate'] },
        baseline: relativePath,
        candidate: relativePath,
        metric: { type: 'string', minLength: 1 },
        filter: { type: 'string', minLength: 1 },
        slices: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true },
        derive: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            additionalProperties: false,
            required: ['from', 'pattern'],
            properties: { from: { type: 'string', minLength: 1 }, pattern: { type: 'string', minLength: 1 }, default: { type: 'string', minLength: 1 } },
          },
        },
        focus: { type: 'object', additionalProperties: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 }, uniqueItems: true } },
        'allow-missing': { type: 'boolean' },
        'score-scale': { type: 'number', exclusiveMinimum: 0 },
      },
    },
    detection: {
      type: 'object',
      additionalProperties: false,
      properties: {
        output: { enum: ['auto', 'yolov8', 'yolov5', 'end2end'] },
        conf: { type: 'number', minimum: 0, maximum: 1 },
        iou: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
        'max-nms': positiveInt,
        'max-det': positiveInt,
        clip: { type: 'boolean' },
        'category-ids': { type: 'array', minItems: 1, items: { type: 'integer' }, uniqueItems: true },
        'compare-preprocessing': { type: 'boolean' },
        'multi-label': { type: 'boolean' },
        stride: positiveInt,
        'operating-conf': { type: 'number', minimum: 0, maximum: 1 },
      },
    },
    nightly: {
      type: 'object',
      additionalProperties: false,
      properties: {
        'latency-threshold': { type: 'number', exclusiveMinimum: 0 },
        'fail-on-regression': { type: 'boolean' },
        'history-branch': { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$' },
        // GitHub users or teams (@org/team) to mention in the tracking issue.
        mention: { type: 'array', maxItems: 20, items: { type: 'string', pattern: '^@?[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:/[A-Za-z0-9._-]{1,100})?$' } },
      },
    },
    quantization: {
      type: 'object',
      additionalProperties: false,
      properties: {
        mode: { enum: ['none', 'provided', 'static-int8'] },
        'per-channel': { type: 'boolean' },
        calibration: { type: 'string', minLength: 1 },
        'calibration-sha256': { type: 'string', pattern: '^[0-9a-fA-F]{64}$' },
        'calibration-format': { enum: ['class-folders', 'manifest'] },
        'calibration-manifest': { type: 'string', minLength: 1 },
        'calibration-samples': positiveInt,
        'calibration-memory-mb': positiveInt,
        'calibration-batch-size': positiveInt,
        'keep-float': {
          type: 'object',
          additionalProperties: false,
          properties: {
            tail: { type: 'boolean' },
            nodes: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true },
            after: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true },
          },
        },
      },
    },
  },
} as const;
