import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { actionsEvalSetCache, evalSetCacheKey, type ActionsCacheApi } from '../../src/evalset/actions-cache.js';
import { resolveEvalSet } from '../../src/evalset/index.js';
import { remoteArchivePath } from '../../src/evalset/remote.js';
import { tarEntry, tarGz } from './archive-writers.js';
import { evalConfig, listTree, makeTempDir, recordingProgress, sha256Of } from './helpers.js';

const archive = tarGz(tarEntry({ name: 'set/cat/1.png', data: 'meow' }), tarEntry({ name: 'set/dog/2.png', data: 'woof' }));
const archiveSha = sha256Of(archive);
// The local server is on loopback: only allowed-hosts lets a download reach it (and plain http).
const fast = { attempts: 1, baseDelayMs: 1, timeoutMs: 2000, allowedHosts: ['127.0.0.1'] };

let server: Server;
let baseUrl: string;
let downloads: number;
let temp: Awaited<ReturnType<typeof makeTempDir>>;

beforeAll(async () => {
  server = createServer((req, res) => {
    downloads += 1;
    if (req.url === '/set.tar.gz') res.writeHead(200, { 'content-length': archive.length }).end(archive);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(async () => {
  temp = await makeTempDir();
  downloads = 0;
});
afterEach(async () => {
  await temp.cleanup();
});

/**
 * An in-memory Actions cache with @actions/cache's contract: entries are files stored under a
 * key *and* the exact path list (a different path misses), restore writes the file back.
 */
function fakeCacheApi(opts: { available?: boolean; failWith?: Error } = {}) {
  const entries = new Map<string, Buffer>();
  const calls: string[] = [];
  const api: ActionsCacheApi = {
    isFeatureAvailable: () => opts.available ?? true,
    async restoreCache(paths, key) {
      calls.push(`restore ${key}`);
      if (opts.failWith) throw opts.failWith;
      const bytes = entries.get(`${key}|${paths.join('|')}`);
      if (!bytes) return undefined;
      await mkdir(dirname(paths[0]), { recursive: true });
      await writeFile(paths[0], bytes);
      return key;
    },
    async saveCache(paths, key) {
      calls.push(`save ${key}`);
      if (opts.failWith) throw opts.failWith;
      entries.set(`${key}|${paths.join('|')}`, await readFile(paths[0]));
      return 1;
    },
  };
  return { api, entries, calls };
}

function resolveWith(cacheApi: ActionsCacheApi, allowSave: boolean, cacheName = 'cache') {
  const progress = recordingProgress();
  const remoteCache = actionsEvalSetCache({ allowSave, log: progress }, cacheApi);
  const cacheDir = join(temp.path, cacheName);
  const result = resolveEvalSet(evalConfig(`${baseUrl}/set.tar.gz`, archiveSha), { cacheDir, progress, fetch: fast, remoteCache });
  return { result, progress, cacheDir };
}

const entryKey = (cacheDir: string) => `${evalSetCacheKey(archiveSha)}|${remoteArchivePath(cacheDir, archiveSha)}`;

test('a default-branch run downloads once and saves the verified archive; the next runner restores it without downloading', async () => {
  const cache = fakeCacheApi();
  const first = resolveWith(cache.api, true, 'runner-1');
  expect((await first.result).fromCache).toBe(false);
  expect(downloads).toBe(1);
  expect(cache.entries.get(`${evalSetCacheKey(archiveSha)}|${remoteArchivePath(first.cacheDir, archiveSha)}`)).toEqual(archive);
  // The archive passed through the transit path only for the save; nothing is left there.
  expect(await listTree(join(first.cacheDir, 'evalset-archives'))).toEqual([]);

  // A fresh ephemeral runner: the same cache folder path, with nothing in it.
  await rm(first.cacheDir, { recursive: true, force: true });
  const second = resolveWith(cache.api, false, 'runner-1');
  const resolved = await second.result;
  expect(downloads).toBe(1);
  expect(await readFile(join(resolved.root, 'dog', '2.png'), 'utf8')).toBe('woof');
  expect(second.progress.warnings).toEqual([]);
});

test('a PR run (allowSave false) restores but never saves', async () => {
  const cache = fakeCacheApi();
  const run = resolveWith(cache.api, false);
  await run.result;
  expect(downloads).toBe(1);
  expect(cache.calls).toEqual([`restore ${evalSetCacheKey(archiveSha)}`]);
  expect(cache.entries.size).toBe(0);
});

test('a poisoned cache entry is re-hashed, discarded with a warning, and the set downloaded again', async () => {
  const cache = fakeCacheApi();
  const cacheDir = join(temp.path, 'cache');
  const poisoned = tarGz(tarEntry({ name: 'set/cat/1.png', data: 'evil' }));
  cache.entries.set(entryKey(cacheDir), poisoned);
  const run = resolveWith(cache.api, false);
  const resolved = await run.result;
  expect(downloads).toBe(1);
  expect(await readFile(join(resolved.root, 'cat', '1.png'), 'utf8')).toBe('meow');
  expect(run.progress.warnings).toEqual([`The eval set restored from the cache has sha256 ${sha256Of(poisoned)}, not the pinned ${archiveSha}; discarded it and downloading again.`]);
});

test('a cache that throws on restore and save is a warning each time, and the run goes on', async () => {
  const cache = fakeCacheApi({ failWith: new Error('Cache service responded with 503') });
  const run = resolveWith(cache.api, true);
  expect((await run.result).sha256).toBe(archiveSha);
  expect(downloads).toBe(1);
  expect(run.progress.warnings).toEqual([
    'Could not restore the eval set from the Actions cache (Cache service responded with 503); downloading it instead.',
    'Could not save the eval set to the Actions cache (Cache service responded with 503); later runs will download it again.',
  ]);
});

test('no cache service on this runner: one warning, no cache calls, the set is downloaded', async () => {
  const cache = fakeCacheApi({ available: false });
  const run = resolveWith(cache.api, true);
  await run.result;
  expect(downloads).toBe(1);
  expect(cache.calls).toEqual([]);
  expect(run.progress.warnings).toEqual(['The GitHub Actions cache service is not available on this runner; the eval set is downloaded without it.']);
});

test('a set already in the local cache touches neither the network nor the Actions cache', async () => {
  const cache = fakeCacheApi();
  await resolveWith(cache.api, true).result;
  cache.calls.length = 0;
  const again = await resolveWith(cache.api, true).result;
  expect(again.fromCache).toBe(true);
  expect(downloads).toBe(1);
  expect(cache.calls).toEqual([]);
});

test("only an exact key counts as a hit (no restore keys: another set's archive must never match)", async () => {
  const seen: unknown[][] = [];
  const api: ActionsCacheApi = {
    isFeatureAvailable: () => true,
    restoreCache: async (...args: unknown[]) => {
      seen.push(args);
      return `${evalSetCacheKey(archiveSha)}-other`;
    },
    saveCache: async () => 1,
  };
  const cache = actionsEvalSetCache({ allowSave: false, log: recordingProgress() }, api);
  const path = join(temp.path, 'a.archive');
  expect(await cache.restore(archiveSha, path)).toBe(false);
  expect(seen).toEqual([[[path], `model-gate-evalset-${archiveSha}`]]);
});

test('the real @actions/cache, outside a runner (no cache service URL): restore is a miss with one warning, save does nothing', async () => {
  const saved = { ...process.env };
  delete process.env.ACTIONS_CACHE_URL;
  delete process.env.ACTIONS_RESULTS_URL;
  try {
    const progress = recordingProgress();
    const cache = actionsEvalSetCache({ allowSave: true, log: progress });
    const path = join(temp.path, 'x.archive');
    await writeFile(path, archive);
    expect(await cache.restore(archiveSha, path)).toBe(false);
    await cache.save(archiveSha, path);
    expect(progress.warnings).toEqual(['The GitHub Actions cache service is not available on this runner; the eval set is downloaded without it.']);
  } finally {
    process.env = saved;
  }
});
