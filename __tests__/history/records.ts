/** Builds history records for the tests: a valid nightly record with the fields a test cares about overridden. */
import type { HistoryRecord } from '../../src/contracts/history.js';

export const SHA_A = 'a'.repeat(64);
export const SHA_B = 'b'.repeat(64);
export const EVAL_SHA = 'e'.repeat(64);

export interface RecordOverrides {
  night?: number;
  name?: string;
  sha256?: string;
  evalSha256?: string | null;
  executionProvider?: string;
  cpu?: string;
  gpu?: string | null;
  top1?: number;
  top5?: number | null;
  p50Ms?: number;
  quantizedTop1?: number;
}

/** Night n is 2025-01-01 + n days at 02:00 UTC. */
export function makeRecord(o: RecordOverrides = {}): HistoryRecord {
  const night = o.night ?? 0;
  return {
    timestamp: new Date(Date.UTC(2025, 0, 1 + night, 2)).toISOString(),
    commit: night.toString(16).padStart(40, '0'),
    model: { name: o.name ?? 'classifier', path: 'models/classifier.onnx', sha256: o.sha256 ?? SHA_A },
    evalSha256: o.evalSha256 === undefined ? EVAL_SHA : o.evalSha256,
    executionProvider: o.executionProvider ?? 'cpu',
    runner: { cpu: o.cpu ?? 'Test CPU @ 3.0GHz', gpu: o.gpu === undefined ? null : o.gpu },
    metrics: { top1: o.top1 ?? 0.8711, top5: o.top5 === undefined ? 0.9972 : o.top5 },
    latency: { batch1: { p50Ms: o.p50Ms ?? 100, p90Ms: (o.p50Ms ?? 100) + 10 } },
    ...(o.quantizedTop1 === undefined ? {} : { quantized: { metrics: { top1: o.quantizedTop1 } } }),
  };
}

/** The reference latency history (ms), oldest first. */
export const REFERENCE_P50 = [100, 101, 99, 100, 102, 98, 100, 101, 99, 100];
export const referenceHistory = (): HistoryRecord[] => REFERENCE_P50.map((p50Ms, night) => makeRecord({ night, p50Ms }));
