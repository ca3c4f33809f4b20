/** The machine a run measured on, as every report and history record states it. */
import { arch, availableParallelism, cpus, platform } from 'node:os';
import { onnxruntimeVersion } from '../inference/index.js';

export function runEnvironment(providers: readonly string[], note: string | null, threads: number) {
  const distinct = [...new Set(providers)];
  return {
    executionProvider: distinct.join('/'),
    executionProviderNote: note,
    threads,
    onnxruntime: onnxruntimeVersion,
    node: process.version,
    platform: `${platform()}-${arch()}`,
    cpu: `${cpus()[0]?.model ?? 'unknown'} (${availableParallelism()} cores)`,
  };
}
