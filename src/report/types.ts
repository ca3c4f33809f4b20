/**
 * Report JSON, schemaVersion 1: the contract for the Action, the nightly history and users'
 * scripts. Field names are fixed by the issues; add fields freely, never rename one.
 */
import type { TensorSignature } from '../models/index.js';

export type Interval = [number, number];

export interface GateResult {
  readonly name: string;
  readonly limit: number | boolean;
  /** The figure the gate judged (after choosing the bound it is judged on). */
  readonly value: number | null;
  readonly passed: boolean;
  /** One line a reviewer can read: what was judged, on which bound, against which limit. */
  readonly line: string;
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
  readonly metrics: Metrics;
  /** Keyed batch1, batch8, ...: the batch sizes measured. */
  readonly latency: Record<string, LatencyStats>;
  /** The int8 variant's results, when quantization is configured (see report/quantization.ts). */
  readonly quantized?: Record<string, unknown> & { readonly metrics: unknown; readonly note: string | null; readonly source: string };
}

export interface LatencyComparison {
  readonly latencyRatioP50: number | null;
  readonly latencyRatioP50Ci95: Interval | null;
  /** Candidate over baseline, both int8; null when either has no int8 result. */
  readonly quantized?: Record<string, unknown> | null;
}

export interface Report<Metrics = unknown, Comparison = unknown> {
  readonly schemaVersion: 1;
  readonly tool: { readonly name: 'model-gate'; readonly version: string };
  readonly generatedAt: string;
  readonly task: string;
  readonly evalSet: { readonly source: string; readonly sha256: string | null; readonly samples: number; readonly fromCache: boolean };
  readonly environment: {
    readonly executionProvider: string;
    readonly executionProviderNote: string | null;
    readonly threads: number;
    readonly onnxruntime: string;
    readonly node: string;
    readonly platform: string;
    readonly cpu: string;
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
  readonly models: { readonly baseline: ModelReport<Metrics>; readonly candidate: ModelReport<Metrics> };
  readonly comparison: Comparison & LatencyComparison;
  readonly gates: GateResult[];
  readonly verdict: 'pass' | 'fail';
  /** The one-line verdict in plain words that opens the Markdown. */
  readonly headline: string;
}
