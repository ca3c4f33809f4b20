/**
 * Report JSON, schemaVersion 1: the contract for the Action, the nightly history and users'
 * scripts. Field names are fixed by the issues; add fields freely, never rename one.
 */
import type { TensorSignature } from './tensors.js';

export type Interval = [number, number];

export interface GateResult {
  readonly name: string;
  readonly limit: number | boolean;
  /** The figure the gate judged (after choosing the bound it is judged on). */
  readonly value: number | null;
  readonly passed: boolean;
  /**
   * pass | fail, or not-measurable: the runner's own noise (the A/A control) is larger than the
   * limit, so the gate can say neither; it does not fail the run (passed stays true). Absent on
   * gates that are always one or the other.
   */
  readonly outcome?: 'pass' | 'fail' | 'not-measurable';
  /** One line a reviewer can read: what was judged, on which bound, against which limit. */
  readonly line: string;
  /** The short form the verdict line quotes, e.g. "p50 latency ×1.58, at least +55.4% (limit +25%)". */
  readonly summary?: string;
}

export interface LatencyStats {
  readonly batch: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly meanMs: number;
  readonly minMs: number;
  readonly runs: number;
  readonly throughputPerSec: number;
}

export interface ModelReport<Metrics> {
  readonly label: string;
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly params: number;
  readonly opset: number;
  readonly irVersion: number;
  readonly producer: string;
  readonly inputs: TensorSignature[];
  readonly outputs: TensorSignature[];
  readonly executionProvider: string;
  /** What the exporter wrote into the model's metadata_props, when it is Ultralytics or Hugging Face. */
  readonly metadata?: {
    readonly source: 'ultralytics' | 'huggingface';
    /** Class names in output order, or null when absent or unreadable. */
    readonly names: readonly string[] | null;
    readonly imgsz: readonly [number, number] | null;
    readonly stride: number | null;
    readonly task: string | null;
  };
  readonly metrics: Metrics;
  /** Keyed batch1, batch8, ...: the batch sizes measured. */
  readonly latency: Record<string, LatencyStats>;
  /** The int8 variant's results, when quantization is configured (built by report/quantization.ts). */
  readonly quantized?: Record<string, unknown> & { readonly metrics: unknown; readonly note: string | null; readonly source: string };
  /** Each eval sample's outcome, in eval-set order, when asked for (--samples) and the task has one (Task.sampleRecords). */
  readonly samples?: readonly SampleRecord[];
}

/**
 * model-gate's per-sample record: what task: results stores under models.<role>.samples (so a
 * sharded or earlier run can be re-gated) and what the generic JSONL reader accepts:
 *
 *   { "id": "arc_de/17", "correct": true, "slices": { "task": "arc_de", "language": "de" }, "latencyMs": 412.5 }
 *   { "id": "doc-0042", "score": 0.3712 }
 *
 * Exactly one of `correct` (a right/wrong outcome) or `score` (a per-sample metric where higher is
 * better: ROUGE, BLEU, F1…, in [0, results.score-scale]). Slice values are strings. `latencyMs`
 * is the model's time for this sample in milliseconds: on every record or on none.
 */
export interface SampleRecord {
  readonly id: string;
  readonly correct?: boolean;
  readonly score?: number;
  readonly slices?: Readonly<Record<string, string>>;
  readonly latencyMs?: number;
}

/** One file of a result set (task: results). */
export interface ResultFileFacts {
  /** The file's name inside the set's folder (or the file itself). */
  readonly name: string;
  readonly sha256: string;
  readonly bytes: number;
  /** Per-sample records read from it (after choosing the filter). */
  readonly records: number;
  /** Which writer's layout, e.g. "lm-evaluation-harness >= 0.4.7 (samples JSONL with filter)". */
  readonly variant: string;
  /** The lm-evaluation-harness task the file holds, else null. */
  readonly task: string | null;
  /** The harness filter the records were taken from (0.4.7+ files record it), else null. */
  readonly filter: string | null;
}

/**
 * What task: results compares in place of a model: one side's result files. `sha256` is the
 * set's digest: the sha256 of the lines "<file sha256>  <name>\n" sorted by name (sha256sum's
 * output), so the same files give the same digest wherever they are.
 */
export interface ResultSetReport<Metrics> {
  readonly kind: 'results';
  readonly label: string;
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly format: string;
  readonly metric: string;
  readonly files: readonly ResultFileFacts[];
  /** Records read (before pairing with the other side). */
  readonly records: number;
  readonly metrics: Metrics;
  /** batch1 = the per-sample latencies from the files, when both sides have them; else empty. */
  readonly latency: Record<string, LatencyStats>;
  /** The paired samples, in model-gate's per-sample format. */
  readonly samples: readonly SampleRecord[];
  readonly quantized?: undefined;
}

export function isResultSet(m: ModelReport<unknown> | ResultSetReport<unknown>): m is ResultSetReport<unknown> {
  return (m as { kind?: string }).kind === 'results';
}

export interface LatencyComparison {
  /** Batch-1 p50, candidate over baseline: over rounds, the 20%-trimmed geometric mean of each round's ratio (metrics/latency-rounds.ts). */
  readonly latencyRatioP50: number | null;
  /** From the spread between rounds (src/metrics/latency-rounds.ts). */
  readonly latencyRatioP50Ci95: Interval | null;
  /** Each round's ratio, and the A/A control's (the baseline against a second session of itself). */
  readonly latencyRounds?: {
    readonly rounds: number;
    readonly perRound: readonly number[];
    readonly control: { readonly ratio: number; readonly ci95: Interval; readonly perRound: readonly number[] } | null;
  };
  /** What this runner resolves right now: the A/A control CI's largest distance from 1 (0.04 = ±4%); null without a control. */
  readonly latencyNoiseFloor?: number | null;
  /** Candidate over baseline, both int8; null when either has no int8 result. */
  readonly quantized?: Record<string, unknown> | null;
}

/**
 * `Compared` is what the two sides are: ONNX models (ModelReport, every task but results) or
 * result sets (ResultSetReport, task: results).
 */
export interface Report<Metrics = unknown, Comparison = unknown, Compared = ModelReport<Metrics>> {
  readonly schemaVersion: 1;
  readonly tool: { readonly name: 'model-gate'; readonly version: string };
  readonly generatedAt: string;
  readonly task: string;
  /** `notes`: what reading the eval set warned about (an empty class folder, files it ignored); absent when nothing. */
  readonly evalSet: { readonly source: string; readonly sha256: string | null; readonly samples: number; readonly fromCache: boolean; readonly notes?: readonly string[] };
  readonly environment: {
    readonly executionProvider: string;
    readonly executionProviderNote: string | null;
    readonly threads: number;
    readonly onnxruntime: string;
    readonly node: string;
    readonly platform: string;
    readonly cpu: string;
    /** Intra-op threads of the latency benchmark's sessions (latency.threads); `threads` ran the eval set. */
    readonly latencyThreads?: number;
    /** Intra-op threads are `threads`; these pin the rest of the session's threading. */
    readonly interOpThreads?: number;
    readonly spinWait?: boolean;
    /** The NVIDIA GPU(s) nvidia-smi names, or null. */
    readonly gpu?: string | null;
    /** cuDNN's convolution algorithm search when CUDA ran, else null. */
    readonly cudnnConvAlgoSearch?: string | null;
    /** How the eval set was streamed: decode workers, the memory budget and the chunks it gave. */
    readonly stream?: {
      readonly workers: number;
      readonly memoryBudget: number;
      readonly chunkImages: number;
      readonly chunks: number;
      readonly overlap: boolean;
    };
  };
  readonly preprocess: Record<string, unknown>;
  readonly models: { readonly baseline: Compared; readonly candidate: Compared };
  readonly comparison: Comparison & LatencyComparison;
  readonly gates: GateResult[];
  readonly verdict: 'pass' | 'fail';
  /** The one-line verdict in plain words that opens the Markdown. */
  readonly headline: string;
  /**
   * What a reviewer should know that no gate judges, in plain text: the model's own metadata
   * against the config (an input size or stride that differs, names that differ in spelling).
   */
  readonly warnings?: readonly string[];
  /**
   * Wall time (ms) of the run's stages: getting the eval set ready, the stream (calibration,
   * quantization, decode and inference), the latency benchmark, and the whole run until the report.
   * The latency figures themselves time session.run alone, never pre- or post-processing.
   */
  readonly timing?: { readonly prepareMs: number; readonly evaluateMs: number; readonly latencyMs: number; readonly wallMs: number };
  /** A comparison merged from shards: how many, and where its latency was measured (one machine, never an average). */
  readonly shards?: { readonly count: number; readonly latencyMeasuredOn: { readonly shard: number; readonly machine: string } };
}

/** A report of either kind, as the renderers and the Action's comment take it. */
export type AnyReport<Metrics = unknown, Comparison = unknown> = Report<Metrics, Comparison, ModelReport<Metrics> | ResultSetReport<Metrics>>;
