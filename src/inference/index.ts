/**
 * Inference stage: the only folder that talks to onnxruntime-node. Loads sessions with pinned
 * settings and a chosen execution provider, checks the model input against the preprocessing,
 * runs batches, and collects raw latency samples.
 */
export { loadModel, readSignatures, resolveThreads, onnxruntimeVersion, type LoadedModel, type SessionFactory, type ThreadSettings } from './session.js';
export { runBatch, runAll, runInBatches, effectiveBatchSize, type BatchRunOptions, type RunAllOptions } from './run.js';
export { checkInputFits, inputSizeFromModel, type InputExpectation } from './signature.js';
export { measureLatencyRounds, latencyBatchSizes, runsInRound, LATENCY_BLOCK, type LatencySubject, type RoundSamples } from './latency.js';
export { gpuName, CUDNN_CONV_ALGO_SEARCH } from './gpu.js';
