/**
 * Shard records on disk: JSON, gzipped when the name ends in .gz (a COCO-size detection shard
 * holds hundreds of thousands of boxes). JSON keeps every number exact: a double prints as the
 * shortest text that reads back as the same double, so a merged run scores the very predictions
 * the shards made.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { UserError } from '../errors.js';
import type { ShardRecord } from './shard.js';

export async function writeShardRecord(path: string, record: ShardRecord): Promise<void> {
  const text = JSON.stringify(record);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, path.endsWith('.gz') ? gzipSync(text) : text);
}

export async function readShardRecords(paths: readonly string[]): Promise<ShardRecord[]> {
  const records: ShardRecord[] = [];
  for (const path of paths) {
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      throw new UserError(`${path}: cannot read the shard record (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { cause: error });
    }
    try {
      const text = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
      const record = JSON.parse(text) as ShardRecord;
      if (record?.kind !== 'model-gate-shard') throw new Error('not a model-gate shard record');
      records.push(record);
    } catch (error) {
      throw new UserError(`${path}: not a model-gate shard record (${(error as Error).message})`, { cause: error });
    }
  }
  return records;
}

/**
 * Every shard record under `folder` (a merge job's downloaded artifacts: flat, or one folder per
 * artifact), in name order; `what` names the input in the message when there is none.
 */
export async function readShardFolder(folder: string, what: string): Promise<ShardRecord[]> {
  let names: string[];
  try {
    names = (await readdir(folder, { recursive: true })).map(String);
  } catch (error) {
    throw new UserError(`${what}: cannot read ${folder} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); download the shard artifacts there first`, { cause: error });
  }
  const files = names.filter((name) => /\.json(\.gz)?$/.test(name)).sort();
  if (files.length === 0) throw new UserError(`${what}: no shard records (*.json, *.json.gz) in ${folder}; download the shard artifacts there first`);
  return readShardRecords(files.map((name) => join(folder, name)));
}
