/**
 * Resolves a configured model reference to verified bytes on disk plus the facts the report
 * shows about it. Everything a user can get wrong about a model file (missing, an un-fetched
 * Git LFS pointer, not ONNX, external data outside the model folder) becomes a UserError here,
 * before onnxruntime is involved.
 */
import { createHash } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ModelRef } from '../config/types.js';
import { UserError } from '../errors.js';
import { parseOnnxFacts, type OnnxFacts } from './onnx-facts.js';

export { parseOnnxFacts } from './onnx-facts.js';
export type { OnnxFacts } from './onnx-facts.js';

export interface ModelFile {
  role: 'baseline' | 'candidate';
  label: string;
  path: string;
  /** Size of the .onnx file itself (external data files not included). */
  bytes: number;
  /** Lower-case hex sha256 of the .onnx file itself. */
  sha256: string;
  facts: OnnxFacts;
}

const LFS_POINTER_PREFIX = 'version https://git-lfs.github.com/spec/v1';

function isErrnoCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as NodeJS.ErrnoException).code === code;
}

async function readModelBytes(ref: ModelRef): Promise<Buffer> {
  const where = `${ref.role} model ${ref.path}`;
  try {
    const info = await stat(ref.path);
    if (!info.isFile()) throw new UserError(`${where}: not a file`);
    return await readFile(ref.path);
  } catch (error) {
    if (error instanceof UserError) throw error;
    if (isErrnoCode(error, 'ENOENT')) throw new UserError(`${where}: file not found`, { cause: error });
    throw new UserError(`${where}: cannot read: ${(error as Error).message}`, { cause: error });
  }
}

function isLfsPointer(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, LFS_POINTER_PREFIX.length)).toString('latin1');
  return head === LFS_POINTER_PREFIX;
}

/**
 * ONNX external data locations are relative to the model's folder. onnxruntime opens whatever
 * they name, so a model from an untrusted PR could otherwise read any file on the runner
 * (`../../secrets`, `/etc/passwd`, or a symlink planted in the repo). Only files that really
 * live inside the model folder are allowed.
 */
async function checkExternalData(modelPath: string, locations: readonly string[]): Promise<void> {
  if (locations.length === 0) return;
  const modelDir = await realpath(path.dirname(modelPath));
  for (const location of locations) {
    const refused = (reason: string) => new UserError(`${modelPath}: external data location '${location}' refused: ${reason}`);
    const segments = location.split(/[\\/]/);
    if (location === '') throw refused('it is empty');
    if (path.isAbsolute(location) || path.win32.isAbsolute(location)) throw refused('absolute paths are not allowed');
    if (segments.includes('..')) throw refused("'..' would leave the model folder");

    let resolved: string;
    try {
      resolved = await realpath(path.join(modelDir, location));
    } catch (error) {
      if (isErrnoCode(error, 'ENOENT')) {
        throw new UserError(`${modelPath}: external data file '${location}' not found next to the model`, { cause: error });
      }
      throw new UserError(`${modelPath}: cannot read external data file '${location}': ${(error as Error).message}`, { cause: error });
    }
    const relative = path.relative(modelDir, resolved);
    if (relative === '' || relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) {
      throw refused(`it resolves to ${resolved}, outside the model folder ${modelDir}`);
    }
    if (!(await stat(resolved)).isFile()) throw refused('it is not a file');
  }
}

export async function resolveModel(ref: ModelRef): Promise<ModelFile> {
  const bytes = await readModelBytes(ref);
  if (isLfsPointer(bytes)) {
    throw new UserError(`${ref.role} model ${ref.path} is a Git LFS pointer, not the model: the LFS object was not fetched (run \`git lfs pull\`)`);
  }
  const facts = parseOnnxFacts(bytes, `${ref.role} model ${ref.path}`);
  await checkExternalData(ref.path, facts.externalDataFiles);
  return {
    role: ref.role,
    label: ref.label,
    path: ref.path,
    bytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    facts,
  };
}
