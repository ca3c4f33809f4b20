/** sha256 of a file on disk, streamed (eval-set archives and models can be gigabytes). */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Progress } from '../progress.js';

/**
 * Streams the file through sha256; lower-case hex. With `copyTo`, the same bytes are written
 * there as they are hashed, so the copy is exactly what was hashed (the file cannot change in
 * between); `progress` ticks the bytes read.
 */
export async function sha256File(path: string, opts: { copyTo?: string; progress?: Progress } = {}): Promise<string> {
  const { progress } = opts;
  const hash = createHash('sha256');
  const copy = opts.copyTo === undefined ? null : await open(opts.copyTo, 'w', 0o644);
  let done = 0;
  try {
    for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      if (copy) await copy.write(chunk);
      done += chunk.length;
      progress?.tick(done);
    }
  } finally {
    await copy?.close();
  }
  return hash.digest('hex');
}
