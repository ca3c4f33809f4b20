/**
 * How samples are split into shards: by sha256 of the id (reference numbers from Python's hashlib,
 * scripts/reference/shard_ids.py), so a split never depends on file order or the machine; every
 * sample in exactly one shard; yolo val's rect batches never cut.
 */
import { readFileSync } from 'node:fs';
import type { EvalSample } from '../../src/contracts/task.js';
import { shardOfId, shardSamples } from '../../src/engine/shard.js';
import type { ResolvedDecodeSpec } from '../../src/preprocess/index.js';
import { ultralyticsRectBatches } from '../../src/preprocess/ultralytics-val.js';

const reference = JSON.parse(readFileSync('__tests__/fixtures/shard-ids.json', 'utf8')) as { id: string; shards: Record<string, number> }[];

it('puts an id in the shard Python computes from sha256 (first 32 bits, big-endian, mod n, plus 1)', () => {
  for (const { id, shards } of reference) {
    for (const [n, shard] of Object.entries(shards)) expect([id, n, shardOfId(id, Number(n))]).toEqual([id, n, shard]);
  }
});

const samples = (n: number): EvalSample<number>[] => Array.from({ length: n }, (_, i) => ({ id: `class-${i % 10}/${String(i).padStart(5, '0')}.png`, file: `/set/${i}.png`, label: i % 10 }));
const plain = [{ resize: 'center-crop' } as unknown as ResolvedDecodeSpec];
const idsOf = (all: readonly EvalSample<number>[], indices: Iterable<number>) => new Set([...indices].map((i) => all[i].id));

it('gives every sample to exactly one of n shards, in about equal parts, whatever the file order', () => {
  const all = samples(10_000);
  const reversed = [...all].reverse();
  for (const n of [1, 2, 3, 7]) {
    const parts = Array.from({ length: n }, (_, i) => shardSamples(all, plain, { index: i + 1, count: n }));
    expect(parts.reduce((sum, p) => sum + p.size, 0)).toBe(all.length);
    expect(new Set(parts.flatMap((p) => [...p])).size).toBe(all.length);
    // Binomial(10,000, 1/n): 5 standard deviations is far outside chance.
    const sd = Math.sqrt((10_000 * (n - 1)) / n ** 2);
    for (const p of parts) expect(Math.abs(p.size - 10_000 / n)).toBeLessThan(5 * sd + 1e-9);
    parts.forEach((p, i) => expect(idsOf(reversed, shardSamples(reversed, plain, { index: i + 1, count: n }))).toEqual(idsOf(all, p)));
  }
});

it("keeps ultralytics-val's rect batches whole, each placed by its first image's id", () => {
  const all = samples(203);
  // Aspect ratios all over, so the batches (sorted by aspect ratio) mix the file order.
  const sizes = all.map((_, i) => ({ width: 200 + ((i * 37) % 400), height: 150 + ((i * 91) % 500) }));
  const rectBatches = ultralyticsRectBatches(sizes, 16, 640, 32);
  const specs = [{ resize: 'letterbox' } as unknown as ResolvedDecodeSpec, { resize: 'ultralytics-val', rectBatches } as unknown as ResolvedDecodeSpec];
  const batches: number[][] = [];
  for (let start = 0; start < rectBatches.order.length; start += 16) batches.push(rectBatches.order.slice(start, start + 16));
  expect(batches).toHaveLength(13);
  const parts = [1, 2, 3].map((index) => shardSamples(all, specs, { index, count: 3 }));
  expect(parts.reduce((sum, p) => sum + p.size, 0)).toBe(203);
  for (const batch of batches) {
    const owner = parts.findIndex((p) => p.has(batch[0]));
    expect(owner + 1).toBe(shardOfId(all[batch[0]].id, 3));
    expect(batch.every((i) => parts[owner].has(i))).toBe(true);
  }
});
