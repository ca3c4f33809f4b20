/**
 * The GPU a run measured on, from `nvidia-smi` (the NVIDIA driver's own tool, the one external
 * command this stage runs): its name for the report, and whether a GPU is there at all, so a CPU
 * fallback can be told apart from a machine that never had one. No nvidia-smi, or one that fails,
 * means no NVIDIA GPU we can name.
 */
import { execFileSync } from 'node:child_process';

let cached: string | null | undefined;

export function gpuName(): string | null {
  if (cached !== undefined) return cached;
  try {
    const out = execFileSync('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
    const counts = new Map<string, number>();
    for (const name of out
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean))
      counts.set(name, (counts.get(name) ?? 0) + 1);
    cached = counts.size > 0 ? [...counts].map(([name, n]) => (n > 1 ? `${name} ×${n}` : name)).join(', ') : null;
  } catch {
    cached = null;
  }
  return cached;
}

/**
 * What the CUDA EP uses for cuDNN's convolution algorithm search. onnxruntime-node 1.30 passes only
 * the device id to the CUDA EP, so this is onnxruntime's default, EXHAUSTIVE: the search runs on a
 * session's first runs, which the latency benchmark's warm-up absorbs before any run is timed.
 */
export const CUDNN_CONV_ALGO_SEARCH = 'EXHAUSTIVE';
