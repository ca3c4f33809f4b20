/** The typed, validated, frozen configuration every stage reads. Built only by src/config/. */

export type TaskName = 'classification' | 'detection' | 'results';
/** The tasks that run ONNX models (task: results reads result files instead). */
export type ModelTaskName = Exclude<TaskName, 'results'>;
export type ColorMode = 'gray' | 'rgb' | 'bgr';
export type ResizeMode = 'stretch' | 'center-crop' | 'letterbox' | 'rect' | 'ultralytics-val';
/** PIL's kernels (resize.ts): what torchvision does on PIL images. */
export type PilResizeKernel = 'nearest' | 'linear' | 'cubic' | 'lanczos3';
/** cv2.resize INTER_LINEAR / INTER_AREA / INTER_NEAREST with OpenCV's arithmetic (resize-cv2.ts). */
export type Cv2ResizeKernel = 'cv2-linear' | 'cv2-area' | 'cv2-nearest';
export type ResizeKernel = PilResizeKernel | Cv2ResizeKernel;
export type TensorLayout = 'nchw' | 'nhwc';
export type ExecutionProviderRequest = 'auto' | 'cpu' | 'cuda';
/**
 * class-folders and manifest are classification's; coco and yolo are detection's. 'results' marks
 * the absence of an eval set: task: results reads the two result sets instead (config.results).
 */
import type { ShardSpec } from './shard.js';
export type EvalFormat = 'class-folders' | 'manifest' | 'coco' | 'yolo' | 'results';
/** Formats of per-sample result files (task: results); auto picks one per file from its name and first bytes. */
export type ResultFormat = 'lm-eval' | 'jsonl' | 'csv' | 'model-gate';
export type DetectionOutputLayout = 'auto' | 'yolov8' | 'yolov5' | 'end2end';

export interface EvalConfig {
  /** A folder, a .tar.gz/.tgz/.zip archive, or an https URL (already resolved against the config's folder). */
  readonly source: string;
  /** Lower-case hex sha256; required for archives and URLs. */
  readonly sha256: string | null;
  readonly format: EvalFormat;
  /** Path of the CSV (path,label) inside the eval set, for format: manifest. */
  readonly manifest: string | null;
  /** format: coco: path of the COCO JSON inside the eval set. */
  readonly annotations?: string | null;
  /** format: yolo: folder of the label .txt files inside the eval set. */
  readonly labels?: string | null;
  /** Detection: folder of the images inside the eval set (yolo default 'images'; coco: file_name relative to the annotations file). */
  readonly images?: string | null;
  /**
   * How the source was written, for messages: the key or flag ("eval.source in /repo/model-gate.yml",
   * "--eval"), the text, and what a relative path is resolved against.
   */
  readonly written?: { readonly key: string; readonly text: string; readonly base: string };
}

/** How one image becomes pixels. Two models whose DecodeSpec is equal share one decode. */
export interface DecodeSpec {
  readonly color: ColorMode;
  /** [height, width]; null = read from the model input. */
  readonly size: readonly [number, number] | null;
  readonly resize: ResizeMode;
  readonly kernel: ResizeKernel;
  /** center-crop: the shorter side is resized to size/cropRatio, then the centre is cropped. */
  readonly cropRatio: number;
  /** letterbox and rect: the value the padding is filled with (0..255). */
  readonly padValue: number;
  /** letterbox and rect: false never enlarges an image (Ultralytics' scaleup); default true. */
  readonly scaleup?: boolean;
  /** letterbox: pad only up to a multiple of `stride` (Ultralytics' auto), which is what rect does set-wide. */
  readonly auto?: boolean;
  /** Padding multiple for rect and letterbox auto (detection.stride). */
  readonly stride?: number;
  /** ultralytics-val: Ultralytics' rect batches (a shape per batch of images sorted by aspect ratio) instead of imgsz × imgsz. */
  readonly rect?: boolean;
}

/** How pixels become the model's float tensor: x = (pixel * scale - mean[c]) / std[c]. */
export interface NormalizeSpec {
  readonly scale: number;
  readonly mean: readonly number[];
  readonly std: readonly number[];
  readonly layout: TensorLayout;
  /** float64: the formula in double, rounded once (numpy pipelines); float32: each step rounded, as torch tensors (torchvision, timm). */
  readonly arithmetic?: 'float64' | 'float32';
}

export type PresetName = 'torchvision-classic' | 'timm' | 'ultralytics-predict' | 'ultralytics-val';

/** Which preprocess.preset ran (src/config/presets.ts), for the report. */
export interface PresetRecord {
  readonly name: PresetName;
  /** Where its values came from, e.g. "timm 1.0.29 pretrained_cfg of convnext_tiny.in12k_ft_in1k". */
  readonly source: string;
  /** Preprocess keys the file set to a value other than the preset's. */
  readonly overridden: readonly string[];
}

/** `preset` is set only when preprocess.preset was used. */
export type PreprocessConfig = DecodeSpec &
  NormalizeSpec & {
    /** Decode worker threads; 0 = one per available core. */
    readonly workers: number;
    readonly preset?: PresetRecord;
  };

export interface InferenceConfig {
  readonly executionProvider: ExecutionProviderRequest;
  readonly batchSize: number;
  /** 0 = one per available core; resolved to a number before use and reported. */
  readonly threads: number;
  /** onnxruntime's inter-op threads (only used by parallel execution; sequential is what runs). */
  readonly interOpThreads: number;
  /** Let idle intra-op threads spin instead of sleeping (onnxruntime's default: faster back-to-back runs). */
  readonly spinWait: boolean;
  /**
   * Bytes of decoded pixels the streaming engine holds at once (every preprocessing of one chunk,
   * twice over when decoding overlaps inference); sets the chunk size.
   */
  readonly memoryBudget: number;
}

export interface LatencyConfig {
  readonly batchSizes: readonly number[];
  /** Untimed runs of each fresh session, every round (they also absorb CUDA's cuDNN algorithm search). */
  readonly warmup: number;
  /** Timed runs per model and batch size in all, spread over the rounds. */
  readonly runs: number;
  /** Rounds, each on fresh sessions with its own interleaved block sequence (docs/latency.md). */
  readonly rounds: number;
  /**
   * Intra-op threads of the latency sessions (default 1; 0: inference.threads' count). With more
   * than one on a shared CPU runner, thread scheduling rather than the model decides the spread
   * of batch-1 timings (docs/latency.md).
   */
  readonly threads: number;
}

export interface QuantizationConfig {
  /** none: fp32 only · provided: the user's int8 files · static-int8: built-in QDQ quantizer. */
  readonly mode: 'none' | 'provided' | 'static-int8';
  readonly perChannel: boolean;
  /** Calibration images (eval-set formats); null = the first calibrationSamples eval images. */
  readonly calibration: EvalConfig | null;
  readonly calibrationSamples: number;
  /** Memory (bytes) a calibration batch may take; sets the batch unless calibrationBatchSize does. */
  readonly calibrationMemory: number;
  /** Calibration images per batch; null = from calibrationMemory. */
  readonly calibrationBatchSize: number | null;
  /** Nodes left in float (onnxruntime's nodes_to_exclude), e.g. a detector's box-decoding tail; null = none. */
  readonly keepFloat: { readonly tail: boolean; readonly nodes: readonly string[]; readonly after: readonly string[] } | null;
}

export interface NightlyConfig {
  /** Fraction (0.10 = 10%) a p50 must rise, beyond a robust z of 3.5, before it is a regression. */
  readonly latencyThreshold: number;
  /** false: findings are reported (tracking issue, JSON) but the run does not fail. */
  readonly failOnRegression: boolean;
  /** The branch the Action keeps history.jsonl on. */
  readonly historyBranch: string;
  /** '@user' or '@org/team' mentioned when the tracking issue opens or a night still fails. */
  readonly mention: readonly string[];
}

export interface GatesConfig {
  /** Points of top-1 the candidate may lose (point estimate). */
  readonly maxTop1Drop: number;
  /** Percent; fails only when the CI's upper bound of the error reduction is below it. */
  readonly minErrorReduction: number;
  /** Requires McNemar p < 0.05 with the candidate ahead. */
  readonly requireSignificant: boolean;
  /** Percent slower at p50; judged on the lower bound of the ratio's CI. */
  readonly maxLatencyRegression: number;
  /** Points of top-1 either model may lose from fp32 to int8; null = no gate. */
  readonly maxInt8Drop: number | null;
  /** Detection: points of AP@[.5:.95] the candidate may lose (point estimate). */
  readonly maxMapDrop?: number;
  /** Detection: points of AP@[.5:.95] either model may lose from fp32 to int8; null = no gate. */
  readonly maxInt8MapDrop?: number | null;
  /** Results: points of the mean metric the candidate may lose over all samples (point estimate). */
  readonly maxMetricDrop?: number;
  /** Results: the pooled focus slices' Δ must be shown to be at least this many points (95% CI lower bound); null = no gate. */
  readonly minFocusGain?: number | null;
  /** Results: fail when any focus slice is significantly worse (Holm over the focus slices, α = 0.05). */
  readonly noWorseFocusSlice?: boolean;
}

/** One side's result files for task: results. */
export interface ResultsRef {
  readonly role: 'baseline' | 'candidate';
  /** Absolute path of the file or folder; a model-gate report.json may end in #baseline or #candidate. */
  readonly path: string;
  /** What the user wrote, for the report. */
  readonly label: string;
}

/** A slice column computed from another: the pattern's first capture group (or whole match). */
export interface DeriveRule {
  readonly from: string;
  readonly pattern: string;
  /** The value when the pattern doesn't match; null = no value (in no slice of this column). */
  readonly default: string | null;
}

/** task: results: where the two result sets are and how to read and slice them. */
export interface ResultsConfig {
  readonly format: ResultFormat | 'auto';
  /** From results.baseline / results.candidate (resolved against the config's folder); the CLI's --baseline/--candidate win. */
  readonly baseline: ResultsRef | null;
  readonly candidate: ResultsRef | null;
  /** The per-sample field to compare (acc_norm, exact_match, score…); null = the only one present. */
  readonly metric: string | null;
  /** lm-evaluation-harness filter name (strict-match…); null = the only one present. */
  readonly filter: string | null;
  /** Columns to break the comparison down by (focus columns are added). */
  readonly slices: readonly string[];
  readonly derive: Readonly<Record<string, DeriveRule>>;
  /** The slices that matter, column → values; {} = none. */
  readonly focus: Readonly<Record<string, readonly string[]>>;
  /** Compare the samples both sets have (and say how many were dropped) instead of failing. */
  readonly allowMissing: boolean;
  /** Scores lie in [0, scoreScale]; differences are reported in points of 1/100 of it. */
  readonly scoreScale: number;
}

/** How a detector's raw output becomes boxes (src/tasks/detection/decode.ts). */
export interface DetectionConfig {
  readonly output: DetectionOutputLayout;
  /** Keep boxes with score > conf. */
  readonly conf: number;
  /** Class-wise NMS suppresses IoU > iou. */
  readonly iou: number;
  /** Candidates kept, by score, before NMS. */
  readonly maxNms: number;
  /** Detections kept per image. */
  readonly maxDet: number;
  /** Clip boxes to the image, as Ultralytics does. */
  readonly clip: boolean;
  /** categoryIds[i] is the COCO category id of model class i; null = categories sorted by id → 0, 1, 2, …. */
  readonly categoryIds: readonly number[] | null;
  /** Also evaluate letterbox and rect side by side (mAP, p50 latency, input area). */
  readonly comparePreprocessing: boolean;
  /** One detection per class above conf per box, as `yolo val` does (NMS multi_label=True); else the best class only. */
  readonly multiLabel: boolean;
  /** Padding multiple for rect / letterbox auto (the model's largest stride). */
  readonly stride: number;
  /** false when detection.stride is not written: 32 is then a default, and an Ultralytics model's metadata stride replaces it. */
  readonly strideSet?: boolean;
  /** Confidence above which precision, recall and the thresholded error types are counted (not a decoding setting). */
  readonly operatingConf?: number;
}

export interface ModelRef {
  readonly role: 'baseline' | 'candidate';
  /** Absolute path of the .onnx file. */
  readonly path: string;
  /** What the user wrote, for the report. */
  readonly label: string;
  /** The user's own int8 file for quantization.mode: provided. */
  readonly quantized?: string | null;
}

/** A model the Action watches: a file in the repo, or one key of a manifest of {url, sha256}. */
export type ModelEntry = ({ readonly name: string; readonly path: string } | { readonly name: string; readonly manifest: string; readonly key: string }) & {
  /** Repo path of the model's int8 file, for quantization.mode: provided. */
  readonly quantized?: string;
};

export interface OutputConfig {
  readonly json: string | null;
  readonly markdown: string | null;
  /** The self-contained HTML report (full tables, the gallery of flipped samples). */
  readonly html: string | null;
  /** Where built int8 models are written (so users ship exactly what was measured). */
  readonly dir: string;
  /** --samples: every sample's outcome in the JSON report (models.<role>.samples), to gate it again as task: results; absent = no. */
  readonly samples?: boolean;
}

export interface Config {
  /** Absolute path of the config file it came from (null when built from flags alone). */
  readonly configPath: string | null;
  readonly task: TaskName;
  readonly eval: EvalConfig;
  /** Classification: the model's output order (required). Detection: class names (required for yolo, optional for coco). */
  readonly classes: readonly string[];
  readonly preprocess: PreprocessConfig;
  readonly inference: InferenceConfig;
  readonly latency: LatencyConfig;
  readonly gates: GatesConfig;
  /** Set for task: detection. */
  readonly detection?: DetectionConfig;
  /** Set for task: results. */
  readonly results?: ResultsConfig;
  readonly quantization: QuantizationConfig;
  readonly nightly: NightlyConfig;
  /** The models the Action compares (repo-relative); the CLI takes its two models as flags instead. */
  readonly models: readonly ModelEntry[];
  /**
   * allowed-hosts: hosts and address ranges downloads may reach off the public internet, and the
   * hosts plain http may be used with (config/allowed-hosts.ts), normalised. loadConfig always
   * sets it (empty by default); absent in a hand-made Config means none.
   */
  readonly allowedHosts?: readonly string[];
  readonly output: OutputConfig;
  /** Content-addressed cache of verified eval sets: <cacheDir>/evalsets/<sha256>/. */
  readonly cacheDir: string;
  readonly progress: 'tty' | 'lines' | 'off';
  /** Evaluate only shard `index` of `count` (1-based) and write a shard record (engine/shard.ts); null = the whole set. */
  readonly shard: ShardSpec | null;
}
