/**
 * Model outputs that are not numbers. A NaN or an infinite score would otherwise be ranked or
 * thresholded like any other (a NaN logit ranks last, so an all-NaN model scores as if it always
 * said class 0), and the report would show a figure for a model that produced none. The stream
 * counts the samples affected per model over the whole eval set and fails at its end, naming each
 * model with its count: the whole count says whether the export is broken (every sample) or a
 * few inputs overflow, which the first occurrence alone would not.
 */
import { UserError } from '../errors.js';
import type { OutputTensor } from '../contracts/tensors.js';

/** What one model run produced that is not a number. */
export interface NonFinite {
  samples: number;
  /** Up to three sample ids, the first in eval-set order. */
  readonly examples: string[];
  /** The outputs that held them. */
  readonly outputs: Set<string>;
}

export const noNonFinite = (): NonFinite => ({ samples: 0, examples: [], outputs: new Set() });

/** x − x is 0 for every finite float and NaN for NaN and ±Infinity. */
function hasNonFinite(data: Float32Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (data[i] - data[i] !== 0) return true;
  return false;
}

/**
 * Adds the batch's samples whose outputs hold a NaN or ±Infinity to `into`. An output whose first
 * dimension is the batch is checked sample by sample; any other output counts for every sample.
 */
export function countNonFinite(outputs: Readonly<Record<string, OutputTensor>>, count: number, ids: readonly string[], into: NonFinite): void {
  const bad = new Array<boolean>(count).fill(false);
  for (const [name, tensor] of Object.entries(outputs)) {
    const { data, dims } = tensor;
    if (dims[0] === count && count > 0 && data.length % count === 0) {
      const stride = data.length / count;
      for (let i = 0; i < count; i++) {
        if (!bad[i] && hasNonFinite(data, i * stride, (i + 1) * stride)) {
          bad[i] = true;
          into.outputs.add(name);
        }
      }
    } else if (hasNonFinite(data, 0, data.length)) {
      bad.fill(true);
      into.outputs.add(name);
    }
  }
  bad.forEach((isBad, i) => {
    if (!isBad) return;
    into.samples += 1;
    if (into.examples.length < 3) into.examples.push(ids[i]);
  });
}

/** One UserError naming every model whose outputs were not all numbers, or null. */
export function nonFiniteError(runs: readonly { readonly label: string; readonly found: NonFinite }[], total: number): UserError | null {
  const bad = runs.filter((r) => r.found.samples > 0);
  if (bad.length === 0) return null;
  const lines = bad.map(({ label, found }) => {
    const outputs = [...found.outputs].map((o) => `'${o}'`).join(', ');
    const first = found.examples.join(', ') + (found.samples > found.examples.length ? ', …' : '');
    return `${label}: ${found.samples.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} samples have NaN or infinite outputs (output ${outputs}; ${first})`;
  });
  return new UserError(
    `${lines.join('\n')}\nmodel-gate does not score outputs that are not numbers: check the export (an fp16 overflow, a division by zero, an uninitialised weight) on these samples.`,
  );
}
