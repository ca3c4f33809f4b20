/**
 * Downloads a file from the storage URL GitHub redirects an artifact download to (signed, so no
 * token is sent; GitHub's own, so no host policy) into a file, capped and with an inactivity
 * deadline. Over node:http(s) (download/get.ts), not fetch: the body is streamed to disk, and a
 * storage server closing the connection while the stream waits on the disk made the bundled
 * undici throw an uncatchable assertion (nodejs/undici#5360); here it is an error like any other.
 */
import { createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { get } from '../download/get.js';
import { UserError } from '../errors.js';
import { formatBytes } from '../evalset/plan.js';

const MAX_REDIRECTS = 5;

/** Counts bytes through; more than `maxBytes` fails the pipeline instead of filling the disk. */
function byteCap(maxBytes: number, label: string, seen: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen.bytes += chunk.length;
      if (seen.bytes > maxBytes) callback(new UserError(`Refusing ${label}: it is larger than ${formatBytes(maxBytes)}.`));
      else callback(null, chunk);
    },
  });
}

export async function downloadToFile(url: string, file: string, maxBytes: number, label: string, timeoutMs = 60_000): Promise<void> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(), timeoutMs);
  };
  const seen = { bytes: 0 };
  let declared = NaN;
  try {
    arm();
    let current = new URL(url);
    for (let hop = 0; ; hop++) {
      const response = await get(current, { signal: controller.signal, headers: { 'user-agent': 'model-gate' } });
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && location !== undefined && hop < MAX_REDIRECTS) {
        response.resume();
        current = new URL(location, current);
        continue;
      }
      if (status !== 200) {
        response.resume();
        throw new UserError(`Downloading ${label} failed: HTTP ${status} from the storage URL.`);
      }
      declared = Number(response.headers['content-length'] ?? NaN);
      if (declared > maxBytes) {
        response.destroy();
        throw new UserError(`Refusing ${label}: it is ${formatBytes(declared)}, more than the ${formatBytes(maxBytes)} allowed.`);
      }
      response.on('data', arm);
      await pipeline(response, byteCap(maxBytes, label, seen), createWriteStream(file));
      break;
    }
  } catch (error) {
    if (error instanceof UserError) throw error;
    const why = controller.signal.aborted ? `no data for ${timeoutMs / 1000} s` : `the connection failed (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
    const after = seen.bytes > 0 ? ` after ${seen.bytes} of ${Number.isFinite(declared) ? declared : '?'} bytes` : '';
    throw new UserError(`Downloading ${label} failed: ${why}${after}. Re-run the workflow to try again.`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
  if (Number.isFinite(declared) && seen.bytes !== declared) {
    throw new UserError(`Downloading ${label} failed: the connection closed after ${seen.bytes} of ${declared} bytes. Re-run the workflow to try again.`);
  }
}
