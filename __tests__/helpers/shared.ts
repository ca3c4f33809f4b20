/** What __tests__/global-setup.mjs built once for the whole jest run. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function shared(): string {
  const dir = process.env.MODEL_GATE_TEST_SHARED;
  if (!dir) throw new Error('MODEL_GATE_TEST_SHARED is not set: run the tests through jest with jest.config.js (its globalSetup builds what they share)');
  return dir;
}

/** dist/ built from the current sources: `cli.js`, `index.js`, or the decode pool's `decode-worker.js`. */
export const builtDist = (file: 'cli.js' | 'index.js' | 'decode-worker.js') => join(shared(), 'dist', file);

/** One eval-set cache for the run: an archive is verified and extracted once, whichever file needs it first. */
export const sharedEvalSetCache = () => join(shared(), 'evalset-cache');

/** The Action tests' eval set: 2,000 of the example's 10,000 images (indices 00000–01999), repacked, with its sha256. */
export function smallEvalSet(): { archive: string; sha256: string } {
  return JSON.parse(readFileSync(join(shared(), 'fmnist-2k.json'), 'utf8'));
}
