/**
 * Issue 13, item 5: each user mistake gets a message that names the key and the fix, asserted as
 * exact text. (The shape and layout messages are in __tests__/inference/run.test.ts, on the real
 * example models as well as on signatures.)
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { describeArgsError, joinNegativeValues } from '../../src/cli/args.js';
import { loadConfig, type ConfigEnvironment } from '../../src/config/load.js';
import { closest, editDistance } from '../../src/config/suggest.js';
import { UserError } from '../../src/errors.js';
import { resolveEvalSet } from '../../src/evalset/index.js';
import { checkInputFits } from '../../src/inference/signature.js';
import { silentProgress } from '../../src/progress.js';
import { classificationTask } from '../../src/tasks/classification/index.js';

// sha256("abc"), the FIPS 180-2 example message.
const SHA256_OF_ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mg-messages-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const env = (): ConfigEnvironment => ({ cwd: dir, env: { HOME: '/home/u' }, stderrIsTTY: false });
const flags = { baseline: 'a.onnx', candidate: 'b.onnx' };

async function configError(name: string, text: string, extra: Record<string, string> = {}): Promise<string> {
  await writeFile(join(dir, name), text);
  try {
    await loadConfig({ config: name, ...flags, ...extra }, env());
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error('expected a UserError');
}

describe('did you mean', () => {
  test('edit distance counts a swap of two neighbours as one edit (optimal string alignment)', () => {
    expect(editDistance('gates', 'gaets')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(closest('batch', ['batch-size', 'threads'])).toBe('batch-size');
    expect(closest('zzzzzz', ['gates', 'eval'])).toBeNull();
  });

  test('a misspelled key, nested key and enum value', async () => {
    const message = await configError('typo.yml', 'eval: { source: ./set }\nclasses: [a, b]\ngatess: {}\npreprocess: { colour: rgb, kernel: lineer }\n');
    expect(message).toBe(
      [
        `${join(dir, 'typo.yml')}: invalid config:`,
        '  - gatess: unknown key; did you mean gates?',
        '  - preprocess.colour: unknown key; did you mean preprocess.color?',
        "  - preprocess.kernel: expected one of nearest | linear | cubic | lanczos3 | cv2-linear | cv2-area | cv2-nearest, got 'lineer'; did you mean linear?",
      ].join('\n'),
    );
  });

  test('a misspelled flag', () => {
    const options = { baseline: { type: 'string' }, threads: { type: 'string' }, 'execution-provider': { type: 'string' } } as const;
    const error = (() => {
      try {
        parseArgs({ args: ['--treads', '2'], options, strict: true, allowPositionals: true });
      } catch (e) {
        return e as Error;
      }
      throw new Error('parseArgs accepted an unknown flag');
    })();
    expect(describeArgsError(error, options)).toBe("unknown flag '--treads'; did you mean --threads?");
  });
});

describe('--threads -1', () => {
  test('reaches the flag check instead of parseArgs ambiguity', async () => {
    const options = { threads: { type: 'string' }, json: { type: 'boolean' } } as const;
    expect(joinNegativeValues(['--threads', '-1', '--json'], options)).toEqual(['--threads=-1', '--json']);
    const message = await configError('threads.yml', 'eval: { source: ./set }\nclasses: [a, b]\n', { threads: '-1' });
    expect(message).toBe("--threads: expected a whole number ≥ 0 (0 = one thread per core), got '-1'");
  });
});

describe('a missing sha256', () => {
  test('a local archive: the message carries its sha256 to paste', async () => {
    await writeFile(join(dir, 'set.tar.gz'), 'abc');
    const message = await configError('nosha.yml', 'eval: { source: ./set.tar.gz }\nclasses: [a, b]\n');
    expect(message).toBe(
      `${join(dir, 'nosha.yml')}: invalid config:\n  - eval.sha256: required for archives, to pin the exact bytes of '${join(dir, 'set.tar.gz')}'. Its sha256 is ${SHA256_OF_ABC}: check it is the file you mean, then add sha256: ${SHA256_OF_ABC} under eval`,
    );
  });

  test('a URL: how to get the value', async () => {
    const message = await configError('url.yml', 'eval: { source: https://example.invalid/set.zip }\nclasses: [a, b]\n');
    expect(message).toBe(
      `${join(dir, 'url.yml')}: invalid config:\n  - eval.sha256: required for archives and URLs, to pin the exact bytes of 'https://example.invalid/set.zip': ` +
        'download it once and give its sha256 (the output of sha256sum FILE) as eval.sha256',
    );
  });
});

describe('a wrong relative path', () => {
  test('names the config file and the folder it is relative to', async () => {
    await writeFile(join(dir, 'rel.yml'), 'eval: { source: ./no-such-set }\nclasses: [a, b]\n');
    const config = await loadConfig({ config: 'rel.yml', ...flags }, env());
    const error = await resolveEvalSet(config.eval, { cacheDir: join(dir, 'cache'), progress: silentProgress }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe(
      `eval.source in ${join(dir, 'rel.yml')}: './no-such-set' not found (a relative path is resolved against the config file's folder ${dir}, which gives ${join(dir, 'no-such-set')}).`,
    );
  });
});

describe('classes and the model output', () => {
  const output = (n: number) => [{ name: 'logits', type: 'float32', dims: ['batch', n] }];
  test('9 classes for a 10-output model: the model, the config file and both counts', async () => {
    await writeFile(join(dir, 'nine.yml'), `eval: { source: ./set }\nclasses: [${Array.from({ length: 9 }, (_, i) => `c${i}`).join(', ')}]\n`);
    const config = await loadConfig({ config: 'nine.yml', ...flags }, env());
    expect(() => classificationTask.checkOutputs(output(10) as never, 'models/cand.onnx @ HEAD', config)).toThrow(
      new UserError(`models/cand.onnx @ HEAD: output 'logits' gives 10 class scores, but classes in ${join(dir, 'nine.yml')} lists 9: list all 10 class names, in the model's output order`),
    );
    expect(() => classificationTask.checkOutputs(output(8) as never, 'models/cand.onnx @ HEAD', config)).toThrow(
      new UserError(
        `models/cand.onnx @ HEAD: output 'logits' gives 8 class scores, but classes in ${join(dir, 'nine.yml')} lists 9: list only the 8 classes the model outputs, in its output order`,
      ),
    );
  });
});

describe('shape mismatch', () => {
  test('an RGB 224 model fed gray 28: both preprocess keys', () => {
    const model = { label: 'models/a.onnx', inputs: [{ name: 'input', type: 'float32', dims: ['batch', 3, 224, 224] }] };
    expect(() => checkInputFits(model as never, { channels: 1, height: 28, width: 28, layout: 'nchw' })).toThrow(
      new UserError(
        "models/a.onnx: input 'input' wants [3, 224, 224] (channels, height, width) per image, but preprocessing gives [1, 28, 28] (channels, height, width): set preprocess.color: rgb and preprocess.size: [224, 224]",
      ),
    );
  });
});
