/**
 * The sha256 of a local file, read synchronously in chunks, for the one message that needs it
 * while the config is parsed: a missing eval.sha256, answered with the value to paste. Only ever
 * run on that error path; null when the file cannot be read.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';

const CHUNK = 4 * 1024 * 1024;

export function sha256OfFileSync(path: string): string | null {
  let fd: number | null = null;
  try {
    fd = openSync(path, 'r');
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (let read = readSync(fd, buffer, 0, CHUNK, null); read > 0; read = readSync(fd, buffer, 0, CHUNK, null)) hash.update(buffer.subarray(0, read));
    return hash.digest('hex');
  } catch {
    return null;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
