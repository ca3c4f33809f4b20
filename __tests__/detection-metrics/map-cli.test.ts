/** `model-gate map`: pycocotools' printed summary, byte for byte, and exit 2 with the file named on bad input. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from '@jest/globals';
import { formatPython3f, runMapCommand } from '../../src/cli/map.js';
import { SYNTHETIC, SYNTHETIC_DETS, SYNTHETIC_GT } from './fixture.js';

async function run(gt: string, dets: string): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks: string[] = [];
  const errors: string[] = [];
  out.on('data', (c) => chunks.push(String(c)));
  err.on('data', (c) => errors.push(String(c)));
  const code = await runMapCommand({ gt, dets }, out, err);
  return { code, out: chunks.join(''), err: errors.join('') };
}

const dir = mkdtempSync(join(tmpdir(), 'mg-map-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, value: unknown) => {
  const file = join(dir, name);
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
};
const GT = { images: [{ id: 1 }, { id: 2 }], categories: [{ id: 1 }, { id: 3 }], annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], area: 100, iscrowd: 0 }] };

describe('model-gate map', () => {
  it("prints exactly what pycocotools' summarize() printed for the same files (gzip accepted)", async () => {
    const reference = JSON.parse(readFileSync(join(SYNTHETIC, 'synthetic-pycocotools.json'), 'utf8'));
    const result = await run(SYNTHETIC_GT, SYNTHETIC_DETS);
    expect(result).toEqual({ code: 0, out: reference.summarizeStdout, err: '' });
  });

  it("formats like Python's '{:0.3f}', including exact ties to even", () => {
    // Values from CPython: '{:0.3f}'.format(x).
    expect([0.0625, 0.1875, 0.3125, 0.9375, -1, 0.2399231608099014, 0.0005, 0.0015].map(formatPython3f)).toEqual(['0.062', '0.188', '0.312', '0.938', '-1.000', '0.240', '0.001', '0.002']);
  });

  it.each([
    ['a missing ground-truth file', () => [join(dir, 'nope.json'), write('ok.json', [])], /ground truth file .*nope\.json: no such file/],
    ['a missing detections file', () => [write('gt.json', GT), join(dir, 'missing.json')], /detections file .*missing\.json: no such file/],
    ['detections that are not JSON', () => [write('gt.json', GT), write('bad.json', '[{')], /bad\.json is not valid JSON/],
    ['an unknown image id', () => [write('gt.json', GT), write('d1.json', [{ image_id: 9, category_id: 1, bbox: [0, 0, 1, 1], score: 1 }])], /d1\.json: entry \[0\] has image id 9/],
    ['an unknown category id', () => [write('gt.json', GT), write('d2.json', [{ image_id: 1, category_id: 2, bbox: [0, 0, 1, 1], score: 1 }])], /d2\.json: entry \[0\] has category id 2/],
    [
      'a negative box size',
      () => [write('gt.json', GT), write('d3.json', [{ image_id: 1, category_id: 1, bbox: [0, 0, -1, 1], score: 1 }])],
      /d3\.json: \[0\]\.bbox .* negative width or height/,
    ],
    [
      'a GT box with a negative size',
      () => [write('g4.json', { ...GT, annotations: [{ ...GT.annotations[0], bbox: [0, 0, 5, -2] }] }), write('ok.json', [])],
      /g4\.json: annotations\[0\]\.bbox .* negative/,
    ],
    [
      'a repeated annotation id',
      () => [write('g5.json', { ...GT, annotations: [GT.annotations[0], GT.annotations[0]] }), write('ok.json', [])],
      /g5\.json: annotations\[1\] repeats annotation id 1/,
    ],
  ])('exits 2 naming the file on %s', async (_name, files, message) => {
    const [gt, dets] = files();
    const result = await run(gt, dets);
    expect(result.code).toBe(2);
    expect(result.out).toBe('');
    expect(result.err).toMatch(message);
  });

  it('accepts an empty results list and images without objects (AP 0, categories without GT left out)', async () => {
    const result = await run(write('gt.json', GT), write('empty.json', []));
    expect(result.code).toBe(0);
    // Category 1 has one GT and no detections: precision and recall 0. Category 3 has no GT: excluded.
    expect(result.out.split('\n')[0]).toBe(' Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.000');
    expect(result.out.split('\n')[4]).toBe(' Average Precision  (AP) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ] = -1.000');
  });
});
