/**
 * Downloads a URL (an eval set, a model named by a manifest) to a private file while hashing it.
 * Transient failures (5xx, 408, 429, connection errors, stalls) are retried with exponential
 * backoff and Retry-After; other 4xx fail at once. Redirects are followed by hand so every hop
 * passes the same URL policy (policy.ts: https to public hosts, the rest only when allowed-hosts
 * lists it), checked again after DNS on the addresses the connection uses (get.ts). Errors name
 * `configKey`, the config key the URL came from (eval.source, or a model manifest's key), so the
 * user knows which URL failed, and never say anything about a refused URL's content.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { UserError } from '../errors.js';
import type { Progress } from '../progress.js';
import { get, type Resolver } from './get.js';
import { checkResolved, checkUrl, displayUrl, type UrlPolicy } from './policy.js';

export { checkUrl, displayUrl, parseHttpUrl } from './policy.js';

export interface FetchOptions extends UrlPolicy {
  readonly attempts: number;
  readonly baseDelayMs: number;
  /** Inactivity timeout: no response or no new bytes for this long aborts the attempt. */
  readonly timeoutMs: number;
  /** How host names are resolved (the system resolver unless a test gives one). */
  readonly resolve?: Resolver;
}

export const DEFAULT_FETCH_OPTIONS: FetchOptions = { attempts: 4, baseDelayMs: 500, timeoutMs: 60_000, allowedHosts: [] };

const MAX_REDIRECTS = 10;
const MAX_RETRY_AFTER_MS = 30_000;

class RetryableError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

function parseRetryAfter(header: string | null, now = Date.now()): number | null {
  if (header === null) return null;
  const seconds = Number(header.trim());
  if (header.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

function describeNetworkError(error: unknown): string {
  const e = error as { code?: string; cause?: { code?: string; message?: string }; message?: string };
  return e.code ?? e.cause?.code ?? e.cause?.message ?? e.message ?? String(error);
}

/** Network failures a new attempt may get past (as opposed to the disk filling up). */
const NETWORK_ERROR = /^(E[A-Z_]+|UND_ERR\w*|ERR_STREAM_PREMATURE_CLOSE|HPE_\w+|ERR_TLS\w*|CERT_\w+|UNABLE_TO\w+|DEPTH_ZERO\w+|SELF_SIGNED\w+)$/;

/** One attempt: GET (following redirects), stream the body to `destination`, return its sha256. */
async function attemptDownload(url: string, destination: string, configKey: string, options: FetchOptions, progress: Progress): Promise<string> {
  const { timeoutMs } = options;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const armTimeout = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
  };
  armTimeout();
  let current = url;
  let response: IncomingMessage | undefined;
  try {
    for (let hop = 0; ; hop++) {
      const target = checkUrl(current, configKey, options);
      const hopUrl = current;
      response = await get(target, {
        signal: controller.signal,
        // The bytes must be the archive's own: a server's transfer encoding would change the hash.
        headers: { 'accept-encoding': 'identity', 'user-agent': 'model-gate' },
        resolve: options.resolve,
        checkAddresses: (hostname, addresses) => checkResolved(hopUrl, hostname, addresses, configKey, options),
      });
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status < 300 || status >= 400 || location === undefined) break;
      response.resume();
      if (hop === MAX_REDIRECTS) throw new UserError(`${configKey}: ${displayUrl(url)}: more than ${MAX_REDIRECTS} redirects.`);
      current = new URL(location, current).href;
    }
    armTimeout();
    const status = response.statusCode ?? 0;
    if (status >= 500 || status === 408 || status === 429) {
      response.resume();
      const retryAfter = response.headers['retry-after'];
      throw new RetryableError(`HTTP ${status}`, parseRetryAfter(typeof retryAfter === 'string' ? retryAfter : null));
    }
    if (status !== 200) {
      response.resume();
      const text = `HTTP ${status}${response.statusMessage ? ` ${response.statusMessage}` : ''}`;
      throw new UserError(`${configKey}: downloading ${displayUrl(current)} failed with ${text} (not retried).`);
    }
    const declaredLength = Number(response.headers['content-length'] ?? NaN);
    const hash = createHash('sha256');
    const file = await open(destination, 'w', 0o644);
    let received = 0;
    let reported = 0;
    try {
      if (Number.isSafeInteger(declaredLength)) progress.start('download', declaredLength);
      for await (const chunk of response as AsyncIterable<Buffer>) {
        armTimeout();
        hash.update(chunk);
        await file.write(chunk);
        received += chunk.length;
        // About a hundred ticks per download, however many chunks arrive.
        if (Number.isSafeInteger(declaredLength) && received - reported >= declaredLength / 100) {
          progress.tick(received);
          reported = received;
        }
      }
      if (Number.isSafeInteger(declaredLength)) progress.tick(received);
    } finally {
      await file.close();
      if (Number.isSafeInteger(declaredLength)) progress.end();
    }
    if (Number.isSafeInteger(declaredLength) && received !== declaredLength) {
      throw new RetryableError(`connection closed after ${received} of ${declaredLength} bytes`);
    }
    return hash.digest('hex');
  } catch (error) {
    response?.destroy();
    if (error instanceof UserError || error instanceof RetryableError) throw error;
    if (timedOut) throw new RetryableError(`no data for ${timeoutMs} ms`);
    const code = (error as NodeJS.ErrnoException).code ?? '';
    // By name and code, not instanceof: errors from Node's internals may come from another realm (jest).
    if ((error as Error).name === 'AbortError' || NETWORK_ERROR.test(code) || /socket hang up|aborted/i.test((error as Error).message)) {
      throw new RetryableError(`connection failed (${describeNetworkError(error)})`);
    }
    throw error; // e.g. the disk is full: not something a retry fixes
  } finally {
    clearTimeout(timer);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Downloads `url` (from config key `configKey`) into `destination` and returns the sha256 of the bytes received. */
export async function downloadWithRetry(url: string, destination: string, configKey: string, options: FetchOptions, progress: Progress): Promise<string> {
  checkUrl(url, configKey, options);
  const attempts = Math.max(1, Math.floor(options.attempts));
  for (let attempt = 1; ; attempt++) {
    try {
      return await attemptDownload(url, destination, configKey, options, progress);
    } catch (error) {
      if (!(error instanceof RetryableError)) throw error;
      if (attempt >= attempts) {
        throw new UserError(`${configKey}: could not download ${displayUrl(url)} after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${error.message}.`);
      }
      // Jittered exponential backoff, so parallel CI jobs do not retry in lockstep.
      const backoff = options.baseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random() * 0.5);
      const delay = error.retryAfterMs === null ? backoff : Math.min(Math.max(error.retryAfterMs, backoff), MAX_RETRY_AFTER_MS);
      progress.warn(`Download of ${displayUrl(url)} failed (${error.message}); retrying in ${(delay / 1000).toFixed(1)} s (attempt ${attempt + 1} of ${attempts}).`);
      await sleep(delay);
    }
  }
}
