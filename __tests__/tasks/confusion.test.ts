/**
 * Confusions: the pairs that changed most (counted by hand on constructed predictions), the
 * comment's section and the HTML heatmaps, and the swapped-classes warning, which must fire on a
 * swapped `classes` order and stay quiet on a merely hard class or a weak model.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { confusionCells, confusionChanges, confusionMatrix, swappedClasses } from '../../src/tasks/classification/confusion.js';
import { classificationMetrics, compareClassification, type ClassPrediction } from '../../src/tasks/classification/metrics.js';
import { classificationNotices, classificationSections } from '../../src/tasks/classification/render.js';

const CLASSES = ['T-shirt-top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle-boot'];
const [TSHIRT, PULLOVER, COAT, SHIRT] = [0, 2, 4, 6];
const pred = (k: number): ClassPrediction => ({ ranked: [k, (k + 1) % 10, (k + 2) % 10, (k + 3) % 10, (k + 4) % 10] });

/** 100 samples per class (label = ⌊i / 100⌋); `wrong(label, n)` gives the predicted class of the class's n-th sample. */
function predictions(wrong: (label: number, n: number) => number | null): { labels: number[]; predicted: ClassPrediction[] } {
  const labels = Array.from({ length: 1000 }, (_, i) => Math.floor(i / 100));
  return { labels, predicted: labels.map((label, i) => pred(wrong(label, i % 100) ?? label)) };
}

describe('confusions', () => {
  // Baseline: 12 Shirts taken for T-shirts, 6 Pullovers for Coats. Candidate: 8 and 7, and 3 Coats for Pullovers.
  const base = predictions((label, n) => (label === SHIRT && n < 12 ? TSHIRT : label === PULLOVER && n < 6 ? COAT : null));
  const cand = predictions((label, n) => (label === SHIRT && n < 8 ? TSHIRT : label === PULLOVER && n < 7 ? COAT : label === COAT && n < 3 ? PULLOVER : null));
  const ids = base.labels.map((_, i) => `img/${i}.png`);
  const mb = classificationMetrics(base.predicted, base.labels, CLASSES);
  const mc = classificationMetrics(cand.predicted, cand.labels, CLASSES);
  const cmp = compareClassification(base.predicted, cand.predicted, base.labels, ids, CLASSES);

  it('counts the off-diagonal cells, most frequent first', () => {
    expect(mb.confusion).toEqual([
      [SHIRT, TSHIRT, 12],
      [PULLOVER, COAT, 6],
    ]);
    expect(mc.confusion).toEqual([
      [SHIRT, TSHIRT, 8],
      [PULLOVER, COAT, 7],
      [COAT, PULLOVER, 3],
    ]);
    expect(
      confusionMatrix(
        mb.confusion,
        mb.perClass.map((k) => k.correct),
      )[SHIRT],
    ).toEqual([12, 0, 0, 0, 0, 0, 88, 0, 0, 0]);
  });

  it('lists the pairs that changed most, largest change first', () => {
    expect(cmp.confusionChanges).toEqual([
      { actual: 'Shirt', predicted: 'T-shirt-top', baseline: 12, candidate: 8 },
      { actual: 'Coat', predicted: 'Pullover', baseline: 0, candidate: 3 },
      { actual: 'Pullover', predicted: 'Coat', baseline: 6, candidate: 7 },
    ]);
    expect(confusionChanges(mb.confusion, mb.confusion, CLASSES)).toEqual([]);
  });

  it('shows them in the comment, and both matrices with their difference in the HTML', () => {
    const section = classificationSections(mb, mc, cmp).find((s) => s.title === 'Confusions that changed most');
    expect(section?.markdown).toMatch(/\| Shirt → T-shirt-top +\| +12 \| +8 \| +−4 \|/);
    expect(section?.markdown).toMatch(/\| Coat → Pullover +\| +0 \| +3 \| +\+3 \|/);
    const figures = section?.figures ?? '';
    expect(figures.match(/<figure class="heatmap">/g)).toHaveLength(3);
    expect(figures).toContain('<title>Shirt → T-shirt-top: 12</title>');
    expect(figures).toContain('<title>Shirt → T-shirt-top: 12 → 8</title>');
    expect(figures).toContain('<title>Shirt right: 88</title>');
    mkdirSync(join(process.cwd(), '__outputs__'), { recursive: true });
    writeFileSync(join(process.cwd(), '__outputs__', 'confusion-section.md'), `${section?.markdown}\n`);
  });

  it('keeps the flipped files out of the comment and in the HTML', () => {
    const flips = classificationSections(mb, mc, cmp).find((s) => s.title === 'Samples that flipped');
    expect(flips?.markdown).not.toContain('img/');
    // The Shirts 8–11 the candidate no longer takes for T-shirts (samples 600 + n).
    expect(flips?.full).toContain('**Fixed** (4): `img/608.png`, `img/609.png`, `img/610.png`, `img/611.png`');
  });
});

describe('the swapped-classes warning', () => {
  it('fires when two classes are swapped in `classes` (each almost always predicted as the other)', () => {
    // What a swapped config does: the model is right, but its T-shirts are labelled Shirt and the reverse.
    const { labels, predicted } = predictions((label, n) => (label === TSHIRT ? (n < 90 ? SHIRT : null) : label === SHIRT ? (n < 85 ? TSHIRT : null) : n < 8 ? (label + 1) % 10 : null));
    const metrics = classificationMetrics(predicted, labels, CLASSES);
    const finding = swappedClasses(metrics.confusion, metrics.perClass);
    expect(finding?.suspects).toEqual([
      { actual: 'T-shirt-top', predicted: 'Shirt', count: 90, samples: 100 },
      { actual: 'Shirt', predicted: 'T-shirt-top', count: 85, samples: 100 },
    ]);
    expect(finding?.restAccuracy).toBeCloseTo(0.92, 12);
    const [notice] = classificationNotices(metrics, metrics);
    expect(notice).toBe(
      '**⚠️ Classes look swapped in the baseline:** it predicts **T-shirt-top** as **Shirt** (90 of 100), **Shirt** as **T-shirt-top** (85 of 100), ' +
        "while it gets 92.0% of its other classes right. Check that `classes` lists the model's output order (and that the eval set's folders or labels are right).",
    );
  });

  it('stays quiet on a hard class whose errors spread over several classes', () => {
    // Fashion-MNIST's Shirt: right 60% of the time, its mistakes split between four classes.
    const { labels, predicted } = predictions((label, n) => (label === SHIRT && n < 40 ? [TSHIRT, PULLOVER, COAT, 3][n % 4] : null));
    const metrics = classificationMetrics(predicted, labels, CLASSES);
    expect(swappedClasses(metrics.confusion, metrics.perClass)).toBeNull();
  });

  it('stays quiet when the rest of the model is not right either', () => {
    const { labels, predicted } = predictions((label, n) => (label === SHIRT ? TSHIRT : n < 50 ? (label + 3) % 10 : null));
    const metrics = classificationMetrics(predicted, labels, CLASSES);
    expect(swappedClasses(metrics.confusion, metrics.perClass)).toBeNull();
  });

  it('needs enough samples of the class to say anything', () => {
    const cells = confusionCells([SHIRT, SHIRT], [TSHIRT, TSHIRT], 10);
    expect(
      swappedClasses(
        cells,
        CLASSES.map((name, k) => ({ name, samples: k === TSHIRT ? 2 : 100, correct: k === TSHIRT ? 0 : 100 })),
      ),
    ).toBeNull();
  });
});
