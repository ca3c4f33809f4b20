/** COCO and YOLO readers: the fixture both ways, and every kind of bad input the issue lists. */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../src/errors.js';
import { readCocoDataset, readYoloDataset, type DetectionDataset } from '../../src/tasks/detection/dataset.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.resolve(here, '../fixtures/fmnist-det');

describe('the fmnist-det fixture', () => {
  let coco: DetectionDataset;
  let yolo: DetectionDataset;
  beforeAll(async () => {
    const classes = (await readFile(path.join(fixture, 'classes.txt'), 'utf8')).trim().split('\n');
    [coco, yolo] = await Promise.all([readCocoDataset(fixture, 'annotations.coco.json', null), readYoloDataset(fixture, 'images', 'labels', classes)]);
  });

  it('has the README counts: 300 images, 514 small, 433 medium and 68 large boxes', () => {
    const boxes = coco.samples.flatMap((s) => s.label.boxes);
    expect(coco.samples).toHaveLength(300);
    expect([boxes.filter((b) => b.area < 32 ** 2).length, boxes.filter((b) => b.area >= 32 ** 2 && b.area < 96 ** 2).length, boxes.filter((b) => b.area >= 96 ** 2).length]).toEqual([
      514, 433, 68,
    ]);
    expect(coco.warnings).toEqual([]);
    expect(yolo.warnings).toEqual([]);
  });

  it('default mapping: categories sorted by id → 0.., which is the README’s class = id − 1', () => {
    expect([...coco.categoryToClass]).toEqual(Array.from({ length: 10 }, (_, i) => [i + 1, i]));
    expect(yolo.categories).toEqual(coco.categories); // YOLO ids are class + 1; names from classes.txt equal the COCO names
  });

  it('both readers give the same images and boxes (YOLO → pixels within 1e-3 px)', () => {
    expect(yolo.samples.map((s) => [s.id, s.label.imageId, s.label.width, s.label.height])).toEqual(coco.samples.map((s) => [s.id, s.label.imageId, s.label.width, s.label.height]));
    let worst = 0;
    coco.samples.forEach((sample, i) => {
      const theirs = yolo.samples[i].label.boxes;
      expect(theirs.map((b) => b.categoryId)).toEqual(sample.label.boxes.map((b) => b.categoryId));
      sample.label.boxes.forEach((box, j) => box.bbox.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - theirs[j].bbox[k])))));
    });
    expect(worst).toBeLessThan(1e-3);
  });
});

describe('bad input', () => {
  let root: string;
  const image = path.join(fixture, 'images', '00001.png'); // 256x160
  const coco = (annotations: object[], extra: object = {}) => ({
    images: [
      { id: 1, file_name: 'a.png', width: 256, height: 160 },
      { id: 2, file_name: 'b.png', width: 256, height: 160 },
    ],
    categories: [
      { id: 3, name: 'cat' },
      { id: 7, name: 'dog' },
    ],
    annotations,
    ...extra,
  });
  const box = (bbox: number[], over: object = {}) => ({ id: 1, image_id: 1, category_id: 3, bbox, area: bbox[2] * bbox[3], iscrowd: 0, ...over });
  async function readCoco(doc: object, mapping: ReadonlyMap<number, number> | null = null) {
    await writeFile(path.join(root, 'ann.json'), JSON.stringify(doc));
    return readCocoDataset(root, 'ann.json', mapping);
  }
  async function failure(promise: Promise<unknown>): Promise<Error> {
    const error = await promise.then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(UserError);
    return error as Error;
  }

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'model-gate-detection-'));
    await copyFile(image, path.join(root, 'a.png'));
    await copyFile(image, path.join(root, 'b.png'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('empty annotations are valid: images with no objects', async () => {
    const read = await readCoco(coco([]));
    expect(read.samples.map((s) => [s.id, s.label.boxes.length])).toEqual([
      ['a.png', 0],
      ['b.png', 0],
    ]);
    expect(read.warnings).toEqual([]);
  });

  it('a negative width is an error naming the file', async () => {
    expect((await failure(readCoco(coco([box([10, 10, -5, 20])])))).message).toBe(`${path.join(root, 'ann.json')}: annotation id 1: box [10, 10, -5, 20] has a negative width or height`);
  });

  it('a box entirely outside the image is an error; one reaching past the edge is a warning and kept as written', async () => {
    expect((await failure(readCoco(coco([box([300, 10, 5, 5])])))).message).toMatch(/ann\.json: annotation id 1: box \[300, 10, 5, 5\] lies entirely outside the 256x160 image/);
    const read = await readCoco(coco([box([250, 150, 20, 20])]));
    expect(read.samples[0].label.boxes[0].bbox).toEqual([250, 150, 20, 20]);
    expect(read.warnings).toEqual([
      `${path.join(root, 'ann.json')}: 1 box(es) reach more than 1 px past the image edge (first: annotation id 1: [250, 150, 20, 20] in 256x160); kept as written, as pycocotools would`,
    ]);
    expect((await readCoco(coco([box([0, 0, 256.5, 160])]))).warnings).toEqual([]); // within the 1 px tolerance
  });

  it('an unknown category or image is an error naming the file', async () => {
    expect((await failure(readCoco(coco([box([1, 1, 5, 5], { category_id: 4 })])))).message).toBe(
      `${path.join(root, 'ann.json')}: annotation id 1 has category_id 4, which is not in 'categories'`,
    );
    expect((await failure(readCoco(coco([box([1, 1, 5, 5], { image_id: 9 })])))).message).toMatch(/image_id 9, which is not in 'images'/);
    expect((await failure(readCoco(coco([box([1, 1, 5, 5]), box([2, 2, 5, 5])])))).message).toMatch(/ann\.json: annotation id 1 is listed twice/);
  });

  it('a missing image file is an error naming it', async () => {
    await rm(path.join(root, 'b.png'));
    expect((await failure(readCoco(coco([])))).message).toContain(`${path.join(root, 'b.png')}: image listed in ${path.join(root, 'ann.json')} cannot be read`);
  });

  it('a width/height that disagrees with the file is an error', async () => {
    const doc = coco([]);
    doc.images[0].width = 160;
    expect((await failure(readCoco(doc))).message).toMatch(/image 1 \('a\.png'\) is 160x160 in the annotations but 256x160 in the file/);
  });

  it('an explicit category map is used; a category with boxes but no class is an error', async () => {
    const read = await readCoco(
      coco([box([1, 1, 5, 5])]),
      new Map([
        [3, 1],
        [7, 0],
      ]),
    );
    expect([...read.categoryToClass]).toEqual([
      [3, 1],
      [7, 0],
    ]);
    expect((await readCoco(coco([box([1, 1, 5, 5])]))).categoryToClass.get(7)).toBe(1); // default: sorted ids 3, 7 → 0, 1
    expect((await failure(readCoco(coco([box([1, 1, 5, 5])]), new Map([[7, 0]])))).message).toMatch(/category 3 \('cat'\) has boxes but no model class/);
  });

  it('YOLO: a label file without an image and an image without a label file are warnings; an empty file is an image with no objects', async () => {
    await mkdir(path.join(root, 'images'));
    await mkdir(path.join(root, 'labels'));
    for (const name of ['a', 'b', 'c']) await copyFile(image, path.join(root, 'images', `${name}.png`));
    await writeFile(path.join(root, 'labels', 'a.txt'), '1 0.5 0.5 0.25 0.5\n');
    await writeFile(path.join(root, 'labels', 'b.txt'), '');
    await writeFile(path.join(root, 'labels', 'ghost.txt'), '0 0.5 0.5 0.1 0.1\n');
    const read = await readYoloDataset(root, 'images', 'labels', ['x', 'y']);
    // a: cx 0.5·256 = 128, w 0.25·256 = 64 → x = 96; cy 0.5·160 = 80, h 0.5·160 = 80 → y = 40.
    expect(read.samples[0].label.boxes).toEqual([{ categoryId: 2, bbox: [96, 40, 64, 80], area: 5120, iscrowd: false, id: 1 }]);
    expect(read.samples.map((s) => [s.label.imageId, s.label.boxes.length])).toEqual([
      [1, 1],
      [2, 0],
      [3, 0],
    ]);
    expect(read.warnings).toEqual([
      `1 of 3 images have no label file under ${path.join(root, 'labels')} (e.g. images/c.png); they count as images with no objects`,
      `${path.join(root, 'labels', 'ghost.txt')}: label file with no image under ${path.join(root, 'images')}; ignored`,
    ]);
  });

  it('YOLO: an unknown class or a polygon line is an error naming file and line', async () => {
    await mkdir(path.join(root, 'images'));
    await mkdir(path.join(root, 'labels'));
    await copyFile(image, path.join(root, 'images', 'a.png'));
    const labelFile = path.join(root, 'labels', 'a.txt');
    await writeFile(labelFile, '0 0.5 0.5 0.1 0.1\n2 0.5 0.5 0.1 0.1\n');
    expect((await failure(readYoloDataset(root, 'images', 'labels', ['x', 'y']))).message).toBe(`${labelFile}:2: class '2' is not an index into the 2 classes`);
    await writeFile(labelFile, '0 0.1 0.1 0.2 0.1 0.2 0.2\n');
    expect((await failure(readYoloDataset(root, 'images', 'labels', ['x', 'y']))).message).toMatch(/a\.txt:1: expected 'class cx cy w h', got 7 values \(polygon labels are not supported\)/);
    await writeFile(labelFile, '0 0.5 0.5 -0.1 0.1\n');
    expect((await failure(readYoloDataset(root, 'images', 'labels', ['x', 'y']))).message).toMatch(/a\.txt:1: box .* has a negative width or height/);
  });
});
