import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rankScores } from '../../src/tasks/classification/index.js';
import { classificationMetrics, compareClassification, pairedTable } from '../../src/tasks/classification/metrics.js';
import { classificationGates, classificationHeadline } from '../../src/tasks/classification/render.js';
import { readClassFolders, readManifest, splitCsvLine } from '../../src/tasks/classification/samples.js';

const pred = (...ranked: number[]) => ({ ranked });

describe('rankScores', () => {
  it('ranks best first, keeps the lower index on ties (numpy argmax), and ranks NaN last', () => {
    expect(rankScores(Float32Array.from([0.1, 0.7, 0.2, 0.7, NaN, -1]), 0, 6, 5)).toEqual([1, 3, 2, 0, 5]);
    expect(rankScores(Float32Array.from([9, 9, 1, 2, 3, 4]), 3, 3, 2)).toEqual([2, 1]);
  });
});

describe('classificationMetrics', () => {
  it('counts top-1, top-5, errors and per-class accuracy by hand', () => {
    const classes = ['a', 'b', 'c', 'd', 'e', 'f'];
    const labels = [0, 0, 1, 2, 2, 2];
    const predictions = [pred(0, 1), pred(1, 2, 3, 4, 5), pred(1), pred(0, 1, 3, 4, 5), pred(2), pred(3, 2)];
    const m = classificationMetrics(predictions, labels, classes);
    // top-1 right: samples 0, 2, 4 → 3/6; top-5 right: also 5 (label 2 second) → 4/6.
    expect(m).toMatchObject({ samples: 6, top1: 0.5, top5: 4 / 6, errors: 3 });
    expect(m.perClass.map((c) => [c.samples, c.correct, c.accuracy])).toEqual([
      [2, 1, 0.5],
      [1, 1, 1],
      [3, 1, 1 / 3],
      [0, 0, null],
      [0, 0, null],
      [0, 0, null],
    ]);
  });

  it('has no top-5 when there are five classes or fewer', () => {
    expect(classificationMetrics([pred(0)], [0], ['a', 'b', 'c']).top5).toBeNull();
  });
});

describe('compareClassification', () => {
  it('builds the paired table, the flips and the per-class deltas worst first', () => {
    const labels = [0, 0, 1, 1, 1, 2];
    const ids = ['s0', 's1', 's2', 's3', 's4', 's5'];
    const base = [pred(0), pred(1), pred(1), pred(1), pred(0), pred(0)];
    const cand = [pred(0), pred(0), pred(0), pred(1), pred(0), pred(0)];
    const cmp = compareClassification(base, cand, labels, ids, ['x', 'y', 'z']);
    // a = both right {s0, s3}; b = baseline only {s2}; c = candidate only {s1}; d = both wrong {s4, s5}.
    expect(cmp.mcnemar).toMatchObject({ bothCorrect: 2, baselineOnlyCorrect: 1, candidateOnlyCorrect: 1, bothWrong: 2 });
    expect(cmp.flips).toEqual({ fixed: ['s1'], broken: ['s2'] });
    expect(cmp.deltaTop1).toBe(0);
    expect(cmp.errorReduction).toBe(0);
    expect(cmp.mcnemar.pExact).toBe(1); // b = c: the two-sided exact test cannot favour either
    expect(cmp.perClass.map((r) => [r.name, r.delta])).toEqual([
      ['y', -1 / 3],
      ['z', 0],
      ['x', 0.5],
    ]);
  });

  it('matches the issue reference table a=880, b=12, c=30, d=78 end to end', () => {
    const correctness = [...Array(880).fill([true, true]), ...Array(12).fill([true, false]), ...Array(30).fill([false, true]), ...Array(78).fill([false, false])] as [boolean, boolean][];
    expect(
      pairedTable(
        correctness.map((x) => x[0]),
        correctness.map((x) => x[1]),
      ),
    ).toEqual({ a: 880, b: 12, c: 30, d: 78 });
    const labels = correctness.map(() => 0);
    const toPred = (ok: boolean) => pred(ok ? 0 : 1);
    const cmp = compareClassification(
      correctness.map((x) => toPred(x[0])),
      correctness.map((x) => toPred(x[1])),
      labels,
      labels.map((_, i) => `i${i}`),
      ['a', 'b'],
    );
    expect(cmp.mcnemar.pExact).toBeCloseTo(0.007915897334896727, 12);
    expect(cmp.mcnemar.pMidP).toBeCloseTo(0.0054015727, 9);
    expect(cmp.deltaTop1).toBeCloseTo(0.018, 12);
    expect(cmp.deltaTop1Ci95[0]).toBeCloseTo(0.005144, 6);
    expect(cmp.deltaTop1Ci95[1]).toBeCloseTo(0.031422, 6);
    expect(cmp.errorReduction).toBeCloseTo(0.16667, 5);
    expect(cmp.errorReductionCi95?.[0]).toBeCloseTo(0.05208, 5);
    expect(cmp.errorReductionCi95?.[1]).toBeCloseTo(0.2674, 5);
    // ψ = (12 + 30)/1000 = 0.042 → 2.80·√(0.042/1000) = 0.018146
    expect(cmp.detectableDifference).toBeCloseTo(0.018146, 6);
    expect(classificationHeadline(cmp).text).toBe('the candidate fixes **16.7%** of baseline errors (95% CI 5.2–26.7%, McNemar p = 0.0079)');
    const gates = classificationGates(cmp, { maxTop1Drop: 0.5, minErrorReduction: 30, requireSignificant: true, maxLatencyRegression: 25, maxInt8Drop: null });
    expect(gates.map((g) => [g.name, g.passed])).toEqual([
      ['max-top1-drop', true],
      ['min-error-reduction', false],
      ['require-significant', true],
    ]);
    expect(gates[1].value).toBeCloseTo(26.74, 2); // judged on the CI's upper bound
  });

  it('says "not distinguishable from noise" and what the eval set could detect when McNemar is not significant', () => {
    const labels = Array(100).fill(0);
    const base = labels.map((_, i) => pred(i < 80 ? 0 : 1));
    const cand = labels.map((_, i) => pred(i < 81 ? 0 : 1));
    const cmp = compareClassification(
      base,
      cand,
      labels,
      labels.map((_, i) => String(i)),
      ['a', 'b'],
    );
    const headline = classificationHeadline(cmp);
    expect(headline.tone).toBe('noise');
    // b = 0, c = 1: exact p = 1; ψ = 0.01 → 2.80·√(0.01/100) = 0.028 → 2.80 pt.
    expect(headline.text).toBe('+1.00 pt top-1 (95% CI ' + headline.text.split('(95% CI ')[1].split(')')[0] + '), McNemar p = 1; this eval set can only detect differences ≥ 2.80 pt');
  });
});

describe('eval-set readers', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'mg-samples-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('maps class folders by name to the configured order, not alphabetically, and skips junk files', async () => {
    for (const [folder, file] of [
      ['zebra', 'z1.png'],
      ['ant', 'a1.png'],
      ['ant', 'sub/a2.png'],
    ]) {
      await mkdir(join(root, folder, 'sub'), { recursive: true });
      await writeFile(join(root, folder, file), 'x');
    }
    await writeFile(join(root, 'ant', '.DS_Store'), 'x');
    const samples = await readClassFolders(root, ['zebra', 'ant']);
    expect(samples.map((s) => [s.id, s.label])).toEqual([
      ['ant/a1.png', 1],
      ['ant/sub/a2.png', 1],
      ['zebra/z1.png', 0],
    ]);
  });

  it('rejects a folder that is not a class and an empty set, naming the path (a stray file is only ignored)', async () => {
    await mkdir(join(root, 'cat'));
    await expect(readClassFolders(root, ['cat'])).rejects.toThrow(`${root}: the eval set has no images`);
    await mkdir(join(root, 'dgo'));
    await expect(readClassFolders(root, ['cat', 'dog'])).rejects.toThrow(`${join(root, 'dgo')}: folder 'dgo' is not one of classes [cat, dog]`);
    await rm(join(root, 'dgo'), { recursive: true });
    await writeFile(join(root, 'loose.png'), 'x');
    await expect(readClassFolders(root, ['cat'])).rejects.toThrow(`${root}: the eval set has no images`);
  });

  it('reads a CSV manifest with a header, quotes, names and indices; rejects unknown labels and escapes', async () => {
    await mkdir(join(root, 'img'));
    for (const f of ['a.png', 'b,c.png', 'd.png']) await writeFile(join(root, 'img', f), 'x');
    await writeFile(join(root, 'labels.csv'), 'path,label\nimg/a.png,dog\n"img/b,c.png",cat\nimg/d.png,1\n');
    const samples = await readManifest(root, 'labels.csv', ['cat', 'dog']);
    expect(samples.map((s) => [s.id, s.label])).toEqual([
      ['img/a.png', 1],
      ['img/b,c.png', 0],
      ['img/d.png', 1],
    ]);
    await writeFile(join(root, 'bad.csv'), 'img/a.png,cow\n');
    await expect(readManifest(root, 'bad.csv', ['cat', 'dog'])).rejects.toThrow(`${join(root, 'bad.csv')}:1: label 'cow' is not one of classes [cat, dog]`);
    await writeFile(join(root, 'escape.csv'), '../secret.png,cat\n');
    await expect(readManifest(root, 'escape.csv', ['cat', 'dog'])).rejects.toThrow("path '../secret.png' points outside the eval set");
    await writeFile(join(root, 'missing.csv'), 'img/none.png,cat\n');
    await expect(readManifest(root, 'missing.csv', ['cat', 'dog'])).rejects.toThrow('img/none.png: listed in');
    expect(splitCsvLine('"a ""q"" b",x')).toEqual(['a "q" b', 'x']);
  });
});
