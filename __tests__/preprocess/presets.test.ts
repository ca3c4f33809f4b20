/**
 * preprocess.preset end to end: the config is parsed as a user writes it, the committed PNGs are
 * decoded by model-gate's preprocess stage, and the pixels must equal what the libraries produced:
 * - torchvision-classic and timm: torchvision 0.14 / timm 1.0.29 / Pillow 9.4 eval transforms,
 *   written by scripts/reference/torchvision-timm-presets.py;
 * - ultralytics-predict: Ultralytics' LetterBox + predictor preprocessing with opencv-python 5.0.0.93,
 *   written by scripts/reference/ultralytics-letterbox.py (it follows Ultralytics' code; the package
 *   itself could not be installed here).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';
import { decodeImages, toTensor, type DecodedImages } from '../../src/preprocess/index.js';
import { decodePngFast } from '../../src/preprocess/png.js';
import { silentProgress } from '../../src/progress.js';

const fixtures = new URL('../fixtures/presets/', import.meta.url);
const readJson = (url: URL) => JSON.parse(readFileSync(url, 'utf8'));
const environment = { cwd: '/', env: {}, stderrIsTTY: false };

function configFor(preprocess: Record<string, unknown>, task: 'classification' | 'detection'): Config {
  const evalKeys = task === 'detection' ? { source: './set', annotations: 'a.json' } : { source: './set' };
  const text = JSON.stringify({ task, eval: evalKeys, classes: ['a', 'b'], preprocess }); // JSON is YAML
  return parseConfig(text, '/repo/model-gate.yml', '/repo', {}, environment);
}

async function decode(config: Config, image: URL): Promise<DecodedImages> {
  const pre = config.preprocess;
  if (!pre.size) throw new Error('the preset case must resolve a size');
  return decodeImages([fileURLToPath(image)], { ...pre, size: pre.size }, silentProgress);
}

function expectedPixels(file: URL): Uint8Array {
  const png = decodePngFast(readFileSync(file));
  if (!png || png.channels !== 3) throw new Error(`${file}: expected an 8-bit RGB PNG`);
  return png.data;
}

/** First differing byte, or null: readable where a full array diff is not. */
function firstDifference(got: Uint8Array, want: Uint8Array): { index: number; got: number; want: number } | null {
  if (got.length !== want.length) return { index: -1, got: got.length, want: want.length };
  const index = got.findIndex((v, i) => v !== want[i]);
  return index < 0 ? null : { index, got: got[index], want: want[index] };
}

describe('torchvision-classic and timm presets match torchvision / timm', () => {
  const reference = readJson(new URL('torchvision-timm.json', fixtures)) as {
    versions: Record<string, string>;
    normalization: number[][][];
    cases: { label: string; config: Record<string, unknown>; image: string; expected: string; width: number; height: number; normalization: number }[];
  };

  it('was made with the library versions the docs name', () => {
    expect(reference.versions).toMatchObject({ torchvision: '0.14.1a0', timm: '1.0.29', pillow: '9.4.0' });
    expect(reference.cases).toHaveLength(21);
  });

  it.each(reference.cases.map((c) => [`${c.config.preset} ${c.config['timm-model'] ?? ''} ${c.config.size ? `size ${c.config.size} ` : ''}on ${c.image}`, c] as const))(
    '%s: same pixels and the same float32 tensor, bit for bit',
    async (_name, c) => {
      const config = configFor(c.config, 'classification');
      const decoded = await decode(config, new URL(`images/${c.image}`, fixtures));
      expect([decoded.height, decoded.width]).toEqual([c.height, c.width]);
      const want = expectedPixels(new URL(`expected/${c.expected}`, fixtures));
      expect(firstDifference(decoded.pixels, want)).toBeNull();
      // The presets round after /255, after -mean and after /std, as torch's float32 tensors do.
      expect(config.preprocess.arithmetic).toBe('float32');
      const table = reference.normalization[c.normalization];
      const tensor = toTensor(decoded, 0, 1, config.preprocess);
      const plane = c.width * c.height;
      let differing = 0;
      for (let ch = 0; ch < 3; ch++) {
        for (let p = 0; p < plane; p++) if (tensor[ch * plane + p] !== Math.fround(table[ch][want[p * 3 + ch]])) differing++;
      }
      expect(differing).toBe(0);
    },
  );
});

describe('ultralytics-predict matches Ultralytics LetterBox + predictor preprocessing', () => {
  const dir = new URL('ultralytics/', fixtures);
  const reference = readJson(new URL('ultralytics.json', dir)) as {
    versions: Record<string, string>;
    levels: number[];
    cases: { image: string; size: [number, number]; expected: string; resized: [number, number]; left: number; top: number }[];
  };

  it('was made with opencv-python 5.0.0.93', () => {
    expect(reference.versions.package).toBe('opencv-python-headless 5.0.0.93');
    expect(reference.cases).toHaveLength(10);
  });

  it.each(reference.cases.map((c) => [`${c.image} into ${c.size.join('x')}`, c] as const))('%s: same pixels, geometry and tensor', async (_name, c) => {
    const config = configFor({ preset: 'ultralytics-predict', size: c.size }, 'detection');
    const decoded = await decode(config, new URL(`images/${c.image}`, dir));
    const want = expectedPixels(new URL(`expected/${c.expected}`, dir));
    expect(firstDifference(decoded.pixels, want)).toBeNull();
    const g = decoded.geometry[0];
    expect([Math.round(g.scaleX * g.width), Math.round(g.scaleY * g.height), g.padLeft, g.padTop]).toEqual([...c.resized, c.left, c.top]);
    // x / 255 in float32 is exactly what model-gate's table holds (checked for all 256 levels).
    const tensor = toTensor(decoded, 0, 1, config.preprocess);
    const plane = c.size[0] * c.size[1];
    const expected = new Float32Array(3 * plane);
    for (let ch = 0; ch < 3; ch++) for (let p = 0; p < plane; p++) expected[ch * plane + p] = reference.levels[want[p * 3 + ch]];
    expect(Buffer.from(tensor.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
  });
});
