/** Public surface of the metrics stage: pure statistics, no I/O. */

export { Z_95, wilsonInterval, logBinomialPmfHalf, binomialHalfLowerTail, type Interval } from './binomial.js';
export { newcombePairedDiff, errorReduction, mcnemar, log10McnemarExact, detectableDifference, tabulatePairs, type PairedTable } from './paired.js';
export { percentileNearestRank, summarizeLatency, bootstrapRatioCi, type LatencySummary, type BootstrapOptions } from './latency.js';
export { createRng } from './random.js';
export { erfc, normalSf } from './normal.js';
export { wilcoxonSignedRank, type WilcoxonResult } from './wilcoxon.js';
export { bootstrapMeanCi, signFlipTest, mean, BOOTSTRAP_RESAMPLES, PERMUTATION_RESAMPLES, type ResamplingOptions, type SignFlipResult } from './resampling.js';
export { holm, type HolmResult } from './holm.js';
