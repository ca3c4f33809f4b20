/** The machine a run measured on, as every report and history record states it. */
import { arch, availableParallelism, cpus, platform } from 'node:os';
import type { InferenceConfig } from '../config/types.js';
import { CUDNN_CONV_ALGO_SEARCH, gpuName, onnxruntimeVersion } from '../inference/index.js';
import { providerFallback } from './provider-note.js';

const machine = () => ({
  node: process.version,
  platform: `${platform()}-${arch()}`,
  cpu: `${cpus()[0]?.model ?? 'unknown'} (${availableParallelism()} cores)`,
});

export function runEnvironment(providers: readonly string[], note: string | null, threads: number, inference?: Pick<InferenceConfig, 'interOpThreads' | 'spinWait'>) {
  const distinct = [...new Set(providers)];
  const cuda = distinct.includes('cuda');
  const gpu = gpuName();
  return {
    executionProvider: distinct.join('/'),
    executionProviderNote: providerFallback(note, gpu).note,
    threads,
    ...(inference ? { interOpThreads: inference.interOpThreads, spinWait: inference.spinWait } : {}),
    gpu,
    cudnnConvAlgoSearch: cuda ? CUDNN_CONV_ALGO_SEARCH : null,
    onnxruntime: onnxruntimeVersion,
    ...machine(),
  };
}

/** task: results runs no model: no execution provider and no onnxruntime, only the machine that computed the statistics. */
export function statisticsEnvironment() {
  return { executionProvider: 'none', executionProviderNote: null, threads: 0, onnxruntime: 'none', ...machine() };
}
