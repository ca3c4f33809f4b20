import type { EvalSample } from '../../src/contracts/task.js';
import { galleryFromClassification } from '../../src/tasks/classification/gallery.js';

const CLASSES = ['cat', 'dog', 'bird'];
const samples: EvalSample<number>[] = [
  { id: 'cat/1.png', file: '/e/cat/1.png', label: 0 },
  { id: 'dog/2.png', file: '/e/dog/2.png', label: 1 },
  { id: 'bird/3.png', file: '/e/bird/3.png', label: 2 },
  { id: 'cat/4.png', file: '/e/cat/4.png', label: 0 },
];
const p = (...ranked: number[]) => ({ ranked });
// cat/1: both right · dog/2: broken (candidate says bird) · bird/3: fixed (baseline said cat) · cat/4: broken (dog).
const baseline = [p(0, 1), p(1, 2), p(0, 2), p(0, 1)];
const candidate = [p(0, 1), p(2, 1), p(2, 0), p(1, 0)];
const thumbnail = async (file: string) => `thumb:${file}`;

describe('galleryFromClassification', () => {
  it('maps flipped ids to files, class names and both top-1 predictions', async () => {
    const gallery = await galleryFromClassification({ flips: { broken: ['dog/2.png', 'cat/4.png'], fixed: ['bird/3.png'] }, samples, classes: CLASSES, baseline, candidate }, thumbnail);
    expect(gallery).toEqual({
      broken: [
        { id: 'dog/2.png', label: 'dog', baseline: 'dog', candidate: 'bird', thumbnail: 'thumb:/e/dog/2.png' },
        { id: 'cat/4.png', label: 'cat', baseline: 'cat', candidate: 'dog', thumbnail: 'thumb:/e/cat/4.png' },
      ],
      fixed: [{ id: 'bird/3.png', label: 'bird', baseline: 'cat', candidate: 'bird', thumbnail: 'thumb:/e/bird/3.png' }],
      brokenTotal: 2,
      fixedTotal: 1,
    });
  });

  it('makes thumbnails only for the first `limit` of each list and keeps the totals', async () => {
    const made: string[] = [];
    const gallery = await galleryFromClassification(
      { flips: { broken: ['dog/2.png', 'cat/4.png'], fixed: ['bird/3.png'] }, samples, classes: CLASSES, baseline, candidate },
      async (file) => (made.push(file), 'x'),
      1,
    );
    expect(gallery.broken.map((i) => i.id)).toEqual(['dog/2.png']);
    expect([gallery.brokenTotal, gallery.fixedTotal]).toEqual([2, 1]);
    expect(made).toEqual(['/e/dog/2.png', '/e/bird/3.png']);
  });

  it('fails on an id that is not in the eval set, or predictions that do not line up', async () => {
    await expect(galleryFromClassification({ flips: { broken: ['nope.png'], fixed: [] }, samples, classes: CLASSES, baseline, candidate }, thumbnail)).rejects.toThrow(
      "'nope.png' is not in the eval set",
    );
    await expect(galleryFromClassification({ flips: { broken: [], fixed: [] }, samples, classes: CLASSES, baseline: baseline.slice(1), candidate }, thumbnail)).rejects.toThrow(
      '4 samples but 3 baseline',
    );
  });
});
