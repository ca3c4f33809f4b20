/**
 * Creates onnxruntime sessions with pinned, reported settings and picks the execution provider,
 * falling back from CUDA to CPU only when the user asked for 'auto' (onnxruntime never falls back
 * by itself: a CUDA session that cannot load is a rejected create()).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { ExecutionProviderRequest } from '../config/types.js';
import type { TensorSignature } from '../contracts/tensors.js';
import { UserError } from '../errors.js';

export const onnxruntimeVersion: string = ort.env.versions.node ?? ort.env.versions.common;

export interface LoadedModel {
  label: string;
  provider: 'cpu' | 'cuda';
  /** Why we fell back to CPU, or null. */
  providerNote: string | null;
  threads: number;
  inputs: TensorSignature[];
  outputs: TensorSignature[];
  /** 'dynamic' when dim 0 is symbolic/unknown, else the fixed batch size. */
  batchDim: 'dynamic' | number;
  release(): Promise<void>;
}

/** Injectable so the provider fallback is testable; the default uses onnxruntime-node. */
export interface SessionFactory {
  create(path: string, options: object): Promise<unknown>;
}

/** The part of ort.InferenceSession we use; fakes in tests implement just this. */
export interface SessionLike {
  readonly inputMetadata: readonly ort.InferenceSession.ValueMetadata[];
  readonly outputMetadata: readonly ort.InferenceSession.ValueMetadata[];
  run(feeds: Record<string, ort.Tensor>): Promise<Record<string, { data: unknown; dims: readonly number[]; type: string }>>;
  release(): Promise<void>;
}

export const defaultSessionFactory: SessionFactory = {
  create(modelPath, options) {
    // onnxruntime's own logger prints a red stack-like line to stderr when CUDA is missing even
    // though we handle the rejection; every failure also reaches us as a rejected promise, so
    // the process-wide logger only needs to speak for fatal errors.
    ort.env.logLevel = 'fatal';
    return ort.InferenceSession.create(modelPath, options as ort.InferenceSession.SessionOptions);
  },
};

const sessions = new WeakMap<LoadedModel, { session: SessionLike; inputName: string }>();

/** The session behind a LoadedModel, for run.ts and latency.ts only. */
export function sessionOf(model: LoadedModel): { session: SessionLike; inputName: string } {
  const entry = sessions.get(model);
  if (!entry) throw new Error(`model ${model.label} was not created by loadModel (or was released)`);
  return entry;
}

/**
 * 0 means "one intra-op thread per core this process may use": os.availableParallelism()
 * honours CPU-affinity masks (taskset, container cpusets) where os.cpus() and physical-core
 * counts do not, so a CI runner limited to 2 CPUs gets 2 threads, not the host's 64. Counting
 * SMT siblings rather than physical cores can leave a little speed on the table, but Node has
 * no portable physical-core count, and the number is pinned and reported either way.
 */
export function resolveThreads(requested: number): number {
  if (!Number.isInteger(requested) || requested < 0) throw new Error(`threads must be an integer >= 0, got ${requested}`);
  return requested === 0 ? os.availableParallelism() : requested;
}

/**
 * 'all' for evaluation. Calibration asks for 'disabled', as onnxruntime's quantize_static does:
 * fused kernels round intermediate tensors differently, which moves calibrated ranges by an ulp.
 */
export type GraphOptimization = 'all' | 'disabled';

/**
 * 'lean' memory, for the quantizer's calibration runs: no memory pattern. With one (the default,
 * right for latency), the CPU arena keeps the first run's blocks and then adds the single block
 * the pattern planned from that run: ~700 MB more on a ConvNeXt-T calibration batch. Without it,
 * every run reuses the arena's blocks from the first, so memory stays at one run's peak.
 */
export type SessionMemory = 'arena' | 'lean';

/** The thread settings a session is created with, pinned and reported. */
export interface ThreadSettings {
  /** Intra-op threads, the calling thread included. */
  readonly threads: number;
  readonly interOpThreads: number;
  /** Idle intra-op threads spin (onnxruntime's default) instead of sleeping. */
  readonly spinWait: boolean;
}

function sessionOptions(providers: string[], settings: ThreadSettings, optimization: GraphOptimization, memory: SessionMemory = 'arena'): ort.InferenceSession.SessionOptions {
  const spin = settings.spinWait ? '1' : '0';
  return {
    executionProviders: providers,
    logSeverityLevel: 3,
    intraOpNumThreads: settings.threads,
    interOpNumThreads: settings.interOpThreads,
    executionMode: 'sequential',
    graphOptimizationLevel: optimization,
    ...(memory === 'lean' ? { enableMemPattern: false } : {}),
    extra: { session: { intra_op: { allow_spinning: spin }, inter_op: { allow_spinning: spin } } },
  };
}

/**
 * onnxruntime only says "Failed to load shared library"; the file it could not load is what
 * tells a user what to install, so look for the provider libraries next to the binding.
 */
export function cudaFailureReason(error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
  if (!/failed to load shared library/i.test(message) || process.platform !== 'linux') return message;
  try {
    const require = createRequire(import.meta.url);
    const bindingDir = path.join(path.dirname(require.resolve('onnxruntime-node')), '..', 'bin', 'napi-v6', process.platform, process.arch);
    for (const library of ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so']) {
      if (!existsSync(path.join(bindingDir, library))) return `${library} not found`;
    }
  } catch {
    // Diagnosis is best effort; the original message still explains the failure.
  }
  return `${message}; the CUDA provider libraries are present, so check the CUDA/cuDNN runtime libraries`;
}

export function toSignature(metadata: ort.InferenceSession.ValueMetadata): TensorSignature {
  if (!metadata.isTensor) return { name: metadata.name, dims: [], type: 'non-tensor' };
  const dims = metadata.shape.map((dim) => (typeof dim === 'number' ? (dim > 0 ? dim : '?') : dim === '' ? '?' : dim));
  return { name: metadata.name, dims, type: metadata.type };
}

export function batchDimOf(signature: TensorSignature): 'dynamic' | number {
  const first = signature.dims[0];
  return typeof first === 'number' ? first : 'dynamic';
}

async function createWithProvider(
  modelPath: string,
  request: ExecutionProviderRequest,
  settings: ThreadSettings,
  label: string,
  factory: SessionFactory,
  optimization: GraphOptimization,
  memory: SessionMemory = 'arena',
): Promise<{ session: SessionLike; provider: 'cpu' | 'cuda'; providerNote: string | null }> {
  const create = async (providers: string[]) => (await factory.create(modelPath, sessionOptions(providers, settings, optimization, memory))) as SessionLike;
  const modelError = (error: unknown) => new UserError(`${label}: onnxruntime could not load the model: ${(error as Error).message}`, { cause: error });

  if (request === 'cpu') {
    return {
      session: await create(['cpu']).catch((error) => {
        throw modelError(error);
      }),
      provider: 'cpu',
      providerNote: null,
    };
  }
  if (request === 'cuda') {
    try {
      return { session: await create(['cuda']), provider: 'cuda', providerNote: null };
    } catch (error) {
      throw new UserError(
        `${label}: execution provider 'cuda' was requested but the CUDA session failed: ${cudaFailureReason(error)} ` +
          "(see docs/gpu-runner.md; use execution-provider 'auto' to fall back to CPU)",
        { cause: error },
      );
    }
  }
  try {
    return { session: await create(['cuda', 'cpu']), provider: 'cuda', providerNote: null };
  } catch (cudaError) {
    const session = await create(['cpu']).catch((error) => {
      throw modelError(error);
    });
    return { session, provider: 'cpu', providerNote: `CUDA EP unavailable (${cudaFailureReason(cudaError)}); ran on CPU` };
  }
}

export async function loadModel(
  modelPath: string,
  opts: { provider: ExecutionProviderRequest; threads: number; label: string; optimization?: GraphOptimization; memory?: SessionMemory; interOpThreads?: number; spinWait?: boolean },
  factory: SessionFactory = defaultSessionFactory,
): Promise<LoadedModel> {
  const threads = resolveThreads(opts.threads);
  const settings: ThreadSettings = { threads, interOpThreads: opts.interOpThreads ?? 1, spinWait: opts.spinWait ?? true };
  const { session, provider, providerNote } = await createWithProvider(modelPath, opts.provider, settings, opts.label, factory, opts.optimization ?? 'all', opts.memory);
  const inputs = session.inputMetadata.map(toSignature);
  const outputs = session.outputMetadata.map(toSignature);
  if (inputs.length !== 1) {
    await session.release();
    throw new UserError(`${opts.label}: the model has ${inputs.length} inputs (${inputs.map((input) => input.name).join(', ')}); ` + 'model-gate feeds exactly one image tensor');
  }
  const model: LoadedModel = {
    label: opts.label,
    provider,
    providerNote,
    threads,
    inputs,
    outputs,
    batchDim: batchDimOf(inputs[0]),
    async release() {
      if (!sessions.delete(model)) return;
      await session.release();
    },
  };
  sessions.set(model, { session, inputName: inputs[0].name });
  return model;
}

/**
 * The input and output signatures onnxruntime infers for a model, without keeping a session or
 * requiring a single input (the quantizer's type-discovery model declares its large weights as
 * typed inputs). CPU, one thread, no graph optimization: the types and shapes as written.
 */
export async function readSignatures(modelPath: string, label: string, factory: SessionFactory = defaultSessionFactory): Promise<{ inputs: TensorSignature[]; outputs: TensorSignature[] }> {
  const { session } = await createWithProvider(modelPath, 'cpu', { threads: 1, interOpThreads: 1, spinWait: false }, label, factory, 'disabled');
  try {
    return { inputs: session.inputMetadata.map(toSignature), outputs: session.outputMetadata.map(toSignature) };
  } finally {
    await session.release();
  }
}
