/**
 * The decode pool: worker threads that decode and resize images into shared buffers, so every core
 * works on the eval set (the Pillow-exact resize is JavaScript, and one thread would leave the
 * other cores idle). A chunk of files is split into tasks handed to idle workers; each writes its
 * images straight into the chunk's SharedArrayBuffers and sends back only their geometry.
 *
 * With workers: 0, or no worker script next to this module (as when the sources run under jest),
 * the same decode runs on the calling thread.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { UserError } from '../errors.js';
import { CachedFileChangedError } from '../evalset/integrity.js';
import { allocateImages, decodeFilesInto, reuseImages } from './decode-batch.js';
import type { DecodeReply, DecodeTask } from './pool-messages.js';
import type { DecodedImages, ResolvedDecodeSpec } from './types.js';

export interface DecodePool {
  /** Worker threads decoding; 0 when decoding runs on the calling thread. */
  readonly workers: number;
  /**
   * Decodes `files` once for every spec: one DecodedImages per spec, in order. `onProgress` gets
   * the files done so far. With `into` (allocateImages of each spec, room for as many files), the
   * pixels go into those buffers instead of new ones.
   */
  decode(files: readonly string[], specs: readonly ResolvedDecodeSpec[], onProgress?: (done: number) => void, into?: readonly DecodedImages[]): Promise<DecodedImages[]>;
  close(): Promise<void>;
}

export interface PoolOptions {
  /** Worker threads that decode; 0 decodes on the calling thread. */
  readonly workers: number;
  /** The worker script; default: decode-worker.js next to this module (dist/ has it). */
  readonly script?: URL;
  /**
   * A cached eval set's file hashes (evalset/integrity.ts), by absolute path: every file listed is
   * checked on the bytes read, and a changed one fails the decode with CachedFileChangedError.
   */
  readonly expectedSha256?: ReadonlyMap<string, string>;
  /** Files each worker decodes at once; default filesInFlightPerWorker (the bench compares both). */
  readonly filesInFlight?: number;
}

/**
 * Files in flight when decoding on this thread: sharp decodes in libuv's thread pool (4 threads by
 * default), so keeping more calls in flight keeps it fed while this thread resizes. Measured on
 * 2 cores, 10k tiny images through sharp: 1 → 5.3 s, 2 → 3.8 s, 4 → 3.1 s, 8 → 2.5 s.
 */
const IN_THREAD_CONCURRENCY = 8;
/** Tasks per worker per chunk: enough to even out slow files, few enough that messages cost nothing. */
const TASKS_PER_WORKER = 32;
const MAX_FILES_PER_TASK = 64;

/**
 * Files each worker decodes at once. One is a core's worth of work: sharp decodes on libuv's
 * thread while the worker waits, then the worker resizes while sharp waits. Two let them overlap,
 * so a worker uses up to two cores. That is right when the pool has every core anyway (a worker
 * per core, the default): it fills the gaps each thread leaves. Measured on 2 cores, 800 JPEGs
 * of ImageNet sizes to 224 center-crop, 2 workers: one at a time 5.0 s, two 4.2 s, three 4.1 s.
 * With fewer workers than cores, `preprocess.workers` was pinned to leave cores free, and a
 * worker stays one core's worth.
 */
export function filesInFlightPerWorker(workers: number, cores = availableParallelism()): number {
  return workers >= cores ? 2 : 1;
}

export function defaultWorkerScript(): URL {
  return new URL('./decode-worker.js', import.meta.url);
}

export function openDecodePool(options: PoolOptions): DecodePool {
  const script = options.script ?? defaultWorkerScript();
  const expected = options.expectedSha256 ?? new Map<string, string>();
  const hashesOf = (files: readonly string[]) => (expected.size === 0 ? [] : files.map((file) => expected.get(file) ?? null));
  return options.workers < 1 || !existsSync(fileURLToPath(script)) ? inThreadPool(hashesOf) : new WorkerPool(Math.floor(options.workers), script, hashesOf, options.filesInFlight);
}

function buffersFor(count: number, specs: readonly ResolvedDecodeSpec[], into: readonly DecodedImages[] | undefined): DecodedImages[] {
  return specs.map((spec, k) => (into ? reuseImages(into[k], count) : allocateImages(count, spec)));
}

type HashesOf = (files: readonly string[]) => (string | null)[];

function inThreadPool(hashesOf: HashesOf): DecodePool {
  return {
    workers: 0,
    async decode(files, specs, onProgress, into) {
      const images = buffersFor(files.length, specs, into);
      let done = 0;
      const geometry = await decodeFilesInto(files, 0, specs, images, IN_THREAD_CONCURRENCY, () => onProgress?.(++done), hashesOf(files));
      geometry.forEach((perSpec, i) => perSpec.forEach((g, k) => (images[k].geometry[i] = g)));
      return images;
    },
    async close() {},
  };
}

interface Pending {
  readonly task: DecodeTask;
  readonly done: (error: Error | null, reply?: DecodeReply) => void;
}

class WorkerPool implements DecodePool {
  private readonly threads: Worker[] = [];
  private readonly busy = new Map<Worker, Pending>();
  private readonly queue: Pending[] = [];
  private readonly whenIdle: (() => void)[] = [];
  private nextId = 0;

  constructor(
    readonly workers: number,
    private readonly script: URL,
    private readonly hashesOf: HashesOf,
    private readonly filesInFlight = filesInFlightPerWorker(workers),
  ) {
    // Started at once: their start-up (a V8 isolate each) overlaps the run's model loading.
    for (let i = 0; i < workers; i++) this.spawn();
  }

  decode(files: readonly string[], specs: readonly ResolvedDecodeSpec[], onProgress?: (done: number) => void, into?: readonly DecodedImages[]): Promise<DecodedImages[]> {
    const images = buffersFor(files.length, specs, into);
    const targets = images.map((image, k) => ({
      spec: specs[k],
      buffer: image.pixels.buffer as SharedArrayBuffer,
      byteOffset: image.pixels.byteOffset,
      shape: { count: image.count, height: image.height, width: image.width, channels: image.channels },
    }));
    const perTask = Math.max(1, Math.min(MAX_FILES_PER_TASK, Math.ceil(files.length / (this.workers * TASKS_PER_WORKER))));
    return new Promise((resolve, reject) => {
      let remaining = Math.ceil(files.length / perTask);
      let done = 0;
      let failed = false;
      if (remaining === 0) return resolve(images);
      for (let first = 0; first < files.length; first += perTask) {
        const slice = files.slice(first, first + perTask);
        const task: DecodeTask = { id: this.nextId++, files: slice, first, targets, sha256: this.hashesOf(slice), filesInFlight: this.filesInFlight };
        this.submit({
          task,
          done: (error, reply) => {
            if (failed) return;
            if (error) {
              failed = true;
              this.cancel(targets);
              return reject(error);
            }
            (reply as Extract<DecodeReply, { geometry: unknown }>).geometry.forEach((perSpec, i) => perSpec.forEach((g, k) => (images[k].geometry[first + i] = g)));
            done += task.files.length;
            onProgress?.(done);
            if (--remaining === 0) resolve(images);
          },
        });
      }
    });
  }

  /**
   * After a failed decode other workers may still be decoding (their answers are ignored): they
   * finish first. Terminating a thread inside sharp's native decode could abort the process, and an
   * unref'd thread's terminate() does not keep the event loop alive (Node then exits with 13, an
   * unsettled await, instead of the run failing with its error).
   */
  async close(): Promise<void> {
    this.queue.length = 0;
    while (this.busy.size > 0) await new Promise<void>((resolve) => this.whenIdle.push(resolve));
    const threads = this.threads.splice(0);
    await Promise.all(threads.map((thread) => (thread.ref(), thread.terminate())));
  }

  private notifyIfIdle(): void {
    if (this.busy.size === 0) for (const resolve of this.whenIdle.splice(0)) resolve();
  }

  private submit(pending: Pending): void {
    const idle = this.threads.find((thread) => !this.busy.has(thread)) ?? (this.threads.length < this.workers ? this.spawn() : null);
    if (idle) this.run(idle, pending);
    else this.queue.push(pending);
  }

  /** Drops the queued tasks of a failed decode; tasks already running finish and are ignored. */
  private cancel(targets: DecodeTask['targets']): void {
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i].task.targets === targets) this.queue.splice(i, 1);
  }

  private run(thread: Worker, pending: Pending): void {
    this.busy.set(thread, pending);
    thread.ref(); // a worker with work keeps the process alive; an idle one must not
    thread.postMessage(pending.task);
  }

  private spawn(): Worker {
    const thread = new Worker(this.script);
    thread.unref();
    thread.on('message', (reply: DecodeReply) => {
      const pending = this.busy.get(thread);
      this.busy.delete(thread);
      thread.unref();
      if (pending && pending.task.id === reply.id) {
        if (reply.error) {
          const { changedFile, user, message, stack } = reply.error;
          const error = changedFile !== undefined ? new CachedFileChangedError(changedFile) : user ? new UserError(message) : new Error(`decode worker: ${stack ?? message}`);
          pending.done(error);
        } else pending.done(null, reply);
      }
      const next = this.queue.shift();
      if (next) this.run(thread, next);
      this.notifyIfIdle();
    });
    const fail = (error: Error) => {
      const pending = this.busy.get(thread);
      this.busy.delete(thread);
      this.threads.splice(this.threads.indexOf(thread), 1);
      pending?.done(new Error(`decode worker stopped: ${error.message}`));
      const next = this.queue.shift();
      if (next) this.submit(next);
      this.notifyIfIdle();
    };
    thread.on('error', fail);
    thread.on('exit', (code) => {
      if (this.threads.includes(thread)) fail(new Error(`exit code ${code}`));
    });
    this.threads.push(thread);
    return thread;
  }
}
