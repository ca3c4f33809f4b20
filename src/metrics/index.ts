/** Public surface of the metrics stage: pure statistics, no I/O. */

export {
  Z_95,
  wilsonInterval,
  logBinomialPmfHalf,
  binomialHalfLowerTail,
  type Interval,
} from './binomial.js';
export {
  newcombePairedDiff,
  errorReduction,
  mcnemar,
  log10McnemarExact,
  detectableDifference,
  type PairedTable,
} from './paired.js';
export {
  percentileNearestRank,
  summarizeLatency,
  bootstrapRatioCi,
  type LatencySummary,
  type BootstrapOptions,
} from './latency.js';
export { createRng } from './random.js';
