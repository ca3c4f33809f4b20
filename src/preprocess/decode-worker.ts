/**
 * A decode worker thread (bundled as dist/decode-worker.js): decodes its share of a chunk straight
 * into the pool's shared buffers, with the same code the main thread runs (decode-batch.ts), and
 * answers with the geometry of each image. Errors go back as messages so the pool can rethrow them
 * on the main thread as the UserError they were.
 */
import { parentPort } from 'node:worker_threads';
import { UserError } from '../errors.js';
import { CachedFileChangedError } from '../evalset/integrity.js';
import { decodeFilesInto } from './decode-batch.js';
import type { DecodeReply, DecodeTask } from './pool-messages.js';
import { useOneSharpThread } from './sharp-path.js';

useOneSharpThread();
const port = parentPort;
if (!port) throw new Error('decode-worker.js runs as a worker thread of the decode pool');

port.on('message', (task: DecodeTask) => {
  const images = task.targets.map((t) => ({ ...t.shape, pixels: new Uint8Array(t.buffer, t.byteOffset, t.shape.count * t.shape.height * t.shape.width * t.shape.channels), geometry: [] }));
  decodeFilesInto(
    task.files,
    task.first,
    task.targets.map((t) => t.spec),
    images,
    task.filesInFlight,
    undefined,
    task.sha256,
  ).then(
    (geometry) => port.postMessage({ id: task.id, geometry } satisfies DecodeReply),
    (error: unknown) => {
      const e = error as { message?: unknown; stack?: unknown };
      const reply: DecodeReply = {
        id: task.id,
        error: {
          message: typeof e?.message === 'string' ? e.message : String(error),
          user: error instanceof UserError,
          stack: typeof e?.stack === 'string' ? e.stack : null,
          ...(error instanceof CachedFileChangedError ? { changedFile: error.file } : {}),
        },
      };
      port.postMessage(reply);
    },
  );
});
