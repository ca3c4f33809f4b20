/**
 * Downloads a URL (an eval set, a model named by a manifest) to a private file while hashing it.
 * Transient failures (5xx, 408, 429, connection errors, stalls) are retried with exponential
 * backoff and Retry-After; other 4xx fail at once. Redirects are followed by hand so every hop
 * must pass the same URL rule. Errors name `configKey`, the config key the URL came from
 * (eval.source, or a model manifest's key), so the user knows which URL failed.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { UserError } from '../errors.js';
import type { Progress } from '../progress.js';

export interface FetchOptions {
  readonly attempts: number;
  readonly baseDelayMs: number;
  /** Inactivity timeout: no response or no new bytes for this long aborts the attempt. */
  readonly timeoutMs: number;
}

export const DEFAULT_FETCH_OPTIONS: FetchOptions = { attempts: 4, baseDelayMs: 500, timeoutMs: 60_000 };

const MAX_REDIRECTS = 10;
const MAX_RETRY_AFTER_MS = 30_000;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Query strings often carry tokens (signed URLs): never print them. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}${parsed.search ? '?…' : ''}`;
  } catch {
    return url;
  }
}

/** https anywhere; http only to this machine (tests, local mirrors). */
export function checkUrlAllowed(url: string, configKey: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError(`${configKey}: "${displayUrl(url)}" is not a valid URL.`);
  }
  if (parsed.protocol === 'https:') return parsed;
  if (parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname)) return parsed;
  if (parsed.protocol === 'http:') {
    throw new UserError(`${configKey}: "${displayUrl(url)}" uses plain http; use https (http is allowed only for 127.0.0.1, localhost and [::1]).`);
  }
  throw new UserError(`${configKey}: "${displayUrl(url)}" uses ${parsed.protocol.replace(/:$/, '')}; only https URLs are supported.`);
}

class RetryableError extends Error {
  constructor(message: string, readonly retryAfterMs: number | null = null) {
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
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

/** One attempt: GET (following redirects), stream the body to `destination`, return its sha256. */
async function attemptDownload(url: string, destination: string, configKey: string, timeoutMs: number, progress: Progress): Promise<string> {
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
  try {
    let current = url;
    let response: Response;
    for (let hop = 0; ; hop++) {
      checkUrlAllowed(current, configKey);
      response = await fetch(current, {
        redirect: 'manual',
        signal: controller.signal,
        // The bytes must be the archive's own: a server's transfer encoding would change the hash.
        headers: { 'accept-encoding': 'identity', 'user-agent': 'model-gate' },
      });
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || location === null) break;
      await response.body?.cancel();
      if (hop === MAX_REDIRECTS) throw new UserError(`${configKey}: ${displayUrl(url)}: more than ${MAX_REDIRECTS} redirects.`);
      current = new URL(location, current).href;
    }
    armTimeout();
    if (response.status >= 500 || response.status === 408 || response.status === 429) {
      await response.body?.cancel();
      throw new RetryableError(`HTTP ${response.status}`, parseRetryAfter(response.headers.get('retry-after')));
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
      throw new UserError(`${configKey}: downloading ${displayUrl(current)} failed with ${status} (not retried).`);
    }
    const declaredLength = Number(response.headers.get('content-length') ?? NaN);
    const hash = createHash('sha256');
    const file = await open(destination, 'w', 0o644);
    let received = 0;
    let reported = 0;
    try {
      if (Number.isSafeInteger(declaredLength)) progress.start('download', declaredLength);
      for await (const chunk of (response.body ?? []) as AsyncIterable<Uint8Array>) {
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
    if (error instanceof UserError || error instanceof RetryableError) throw error;
    if (timedOut) throw new RetryableError(`no data for ${timeoutMs} ms`);
    // By name, not instanceof: fetch's errors may come from another realm (e.g. under jest).
    const name = (error as Error).name;
    if (name === 'TypeError' || name === 'AbortError' || (error as NodeJS.ErrnoException).code === 'ECONNRESET') {
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
  checkUrlAllowed(url, configKey);
  const attempts = Math.max(1, Math.floor(options.attempts));
  for (let attempt = 1; ; attempt++) {
    try {
      return await attemptDownload(url, destination, configKey, options.timeoutMs, progress);
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
