/** Shared test plumbing: temp folders, recursive listings, a Progress that records warnings. */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { EvalConfig } from '../../src/config/types.js';
import type { Progress } from '../../src/progress.js';

export async function makeTempDir(): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'mg-evalset-'));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** Every file and folder under `root`, relative, sorted; [] if it does not exist. */
export async function listTree(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true }).catch(() => [] as string[]);
  return entries.map((entry) => relative(root, join(root, entry)).split('\\').join('/')).sort();
}

export function sha256Of(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function writeArchive(dir: string, name: string, data: Buffer): Promise<{ path: string; sha256: string }> {
  const path = join(dir, name);
  await writeFile(path, data);
  return { path, sha256: sha256Of(data) };
}

export function evalConfig(source: string, sha256: string | null): EvalConfig {
  return { source, sha256, format: 'class-folders', manifest: null };
}

export interface RecordingProgress extends Progress {
  readonly warnings: string[];
  readonly phases: string[];
}

export function recordingProgress(): RecordingProgress {
  const warnings: string[] = [];
  const phases: string[] = [];
  return {
    warnings,
    phases,
    start: (phase) => void phases.push(phase),
    tick: () => {},
    end: () => {},
    info: () => {},
    warn: (message) => void warnings.push(message),
  };
}
