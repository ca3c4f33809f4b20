/**
 * How a CUDA → CPU fallback under `execution-provider: auto` is told (pure). On a runner without
 * an NVIDIA GPU (nvidia-smi does not answer), running on CPU is simply what auto means: the report
 * footer says so and the log gets one plain line, not a `::warning::` on every run. Only a GPU
 * that is there but that CUDA could not use is worth a warning.
 */
export interface ProviderFallback {
  /** The footer's note on the execution provider, or null when nothing fell back. */
  readonly note: string | null;
  /** Whether the log line is a warning (a GPU is present but unused) or information. */
  readonly warn: boolean;
}

export function providerFallback(sessionNote: string | null, gpu: string | null): ProviderFallback {
  if (sessionNote === null) return { note: null, warn: false };
  if (gpu === null) return { note: 'no NVIDIA GPU on this runner (nvidia-smi did not answer), so auto ran on CPU', warn: false };
  return { note: `${gpu} present, but ${sessionNote}`, warn: true };
}
