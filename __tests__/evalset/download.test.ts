import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256File } from '../../src/download/sha256.js';
import { UserError } from '../../src/errors.js';
import { resolveEvalSet } from '../../src/evalset/index.js';
import { silentProgress } from '../../src/progress.js';
import { tarEntry, tarGz } from './archive-writers.js';
import { evalConfig, listTree, makeTempDir, recordingProgress, sha256Of } from './helpers.js';

type Handler = (req: IncomingMessage, res: ServerResponse, attempt: number) => void;

const archive = tarGz(tarEntry({ name: 'set/cat/1.png', data: 'meow' }), tarEntry({ name: 'set/dog/2.png', data: 'woof' }));
const archiveSha = sha256Of(archive);
// The local server is on loopback: only allowed-hosts lets a download reach it (and plain http).
const fast = { attempts: 4, baseDelayMs: 1, timeoutMs: 300, allowedHosts: ['127.0.0.1'] };

let server: Server;
let baseUrl: string;
let routes: Record<string, Handler>;
let requests: Record<string, number>;
const sockets = new Set<Socket>();
let temp: Awaited<ReturnType<typeof makeTempDir>>;

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests[path] = (requests[path] ?? 0) + 1;
    const handler = routes[path];
    if (handler) handler(req, res, requests[path]);
    else res.writeHead(404).end();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy(); // the hanging handlers never answer
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(async () => {
  temp = await makeTempDir();
  routes = {};
  requests = {};
});
afterEach(async () => {
  await temp.cleanup();
});

const serve = (body: Buffer) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': body.length }).end(body);
};

/** cacheName: the cache is content-addressed, so a second download of the same set needs a fresh cache. */
function resolveUrl(path: string, sha256: string | null = archiveSha, progress = silentProgress, cacheName = 'cache') {
  return resolveEvalSet(evalConfig(`${baseUrl}${path}`, sha256), { cacheDir: join(temp.path, cacheName), progress, fetch: fast });
}

test('sha256File streams a file to the FIPS 180-2 test vector for "abc"', async () => {
  const path = join(temp.path, 'abc.txt');
  await import('node:fs/promises').then((fs) => fs.writeFile(path, 'abc'));
  expect(await sha256File(path)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

test('200: downloaded, verified, extracted; the second run is a cache hit with no request', async () => {
  routes['/set.tar.gz'] = serve(archive);
  const progress = recordingProgress();
  const first = await resolveUrl('/set.tar.gz', archiveSha, progress);
  const entry = join(temp.path, 'cache', 'evalsets', archiveSha);
  expect(first).toEqual({
    root: join(entry, 'set'),
    source: `${baseUrl}/set.tar.gz`,
    sha256: archiveSha,
    fromCache: false,
    // What each file's bytes are checked against when they are read (evalset/integrity.ts).
    expectedSha256: new Map([
      [join(entry, 'set/cat/1.png'), sha256Of(Buffer.from('meow'))],
      [join(entry, 'set/dog/2.png'), sha256Of(Buffer.from('woof'))],
    ]),
    cacheEntry: entry,
  });
  expect(progress.phases).toContain('download');
  expect(await readFile(join(first.root, 'dog/2.png'), 'utf8')).toBe('woof');
  const second = await resolveUrl('/set.tar.gz');
  expect(second).toEqual({ ...first, fromCache: true });
  expect(requests['/set.tar.gz']).toBe(1);
});

test('503 then 200: retried and succeeds', async () => {
  routes['/flaky'] = (_req, res, attempt) => (attempt === 1 ? res.writeHead(503).end() : serve(archive)(_req, res));
  const progress = recordingProgress();
  expect((await resolveUrl('/flaky', archiveSha, progress)).sha256).toBe(archiveSha);
  expect(requests['/flaky']).toBe(2);
  expect(progress.warnings[0]).toMatch(/HTTP 503.*attempt 2 of 4/);
});

test('Retry-After on 429 is respected', async () => {
  routes['/busy'] = (_req, res, attempt) => (attempt === 1 ? res.writeHead(429, { 'retry-after': '1' }).end() : serve(archive)(_req, res));
  const started = Date.now();
  await resolveUrl('/busy');
  // baseDelayMs is 1 ms, so only Retry-After: 1 can explain a wait of about a second.
  expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  expect(requests['/busy']).toBe(2);
});

test('404: a UserError with the status, not retried', async () => {
  const error = await resolveUrl('/missing').catch((e) => e);
  expect(error).toBeInstanceOf(UserError);
  expect(error.message).toMatch(/\/missing failed with HTTP 404 Not Found \(not retried\)/);
  expect(requests['/missing']).toBe(1);
  expect(await listTree(join(temp.path, 'cache'))).toEqual(['evalsets']);
});

test('a hanging response times out and is retried; always hanging gives up after the attempts', async () => {
  routes['/hang-once'] = (_req, res, attempt) => (attempt === 1 ? undefined : serve(archive)(_req, res));
  expect((await resolveUrl('/hang-once')).fromCache).toBe(false);
  expect(requests['/hang-once']).toBe(2);

  routes['/hang'] = () => undefined;
  await expect(resolveUrl('/hang', archiveSha, silentProgress, 'cache2')).rejects.toThrow(/could not download .*\/hang after 4 attempts: no data for 300 ms/);
  expect(requests['/hang']).toBe(4);
});

test('a body that stalls or is cut short is retried', async () => {
  routes['/stall'] = (_req, res, attempt) => {
    res.writeHead(200, { 'content-length': archive.length });
    if (attempt === 1)
      res.write(archive.subarray(0, 10)); // then nothing: the inactivity timeout fires
    else res.end(archive);
  };
  expect((await resolveUrl('/stall')).sha256).toBe(archiveSha);
  expect(requests['/stall']).toBe(2);

  routes['/cut'] = (req, res, attempt) => {
    res.writeHead(200, { 'content-length': archive.length });
    if (attempt === 1) res.write(archive.subarray(0, 10), () => req.socket.destroy());
    else res.end(archive);
  };
  expect((await resolveUrl('/cut', archiveSha, silentProgress, 'cache2')).sha256).toBe(archiveSha);
  expect(requests['/cut']).toBe(2);
});

test('wrong bytes: a hash-mismatch UserError naming the URL and the pinned hash, nothing about what came back, and nothing cached', async () => {
  const other = tarGz(tarEntry({ name: 'set/cat/1.png', data: 'tampered' }));
  routes['/set.tar.gz'] = serve(other);
  const error = await resolveUrl('/set.tar.gz').catch((e) => e);
  expect(error).toBeInstanceOf(UserError);
  expect(error.message).toBe(
    `eval.sha256 does not match ${baseUrl}/set.tar.gz: expected ${archiveSha}. Nothing was extracted or cached. ` +
      'If the eval set was updated on purpose, put the new hash in eval.sha256; otherwise the download is damaged or not the one you pinned.',
  );
  expect(error.message).not.toContain(sha256Of(other));
  expect(requests['/set.tar.gz']).toBe(1);
  expect(await listTree(join(temp.path, 'cache'))).toEqual(['evalsets']);
});

test('redirects are followed, but not to a plain-http host elsewhere', async () => {
  routes['/old'] = (_req, res) => res.writeHead(302, { location: '/set.tar.gz' }).end();
  routes['/set.tar.gz'] = serve(archive);
  expect((await resolveUrl('/old')).sha256).toBe(archiveSha);
  expect(requests).toEqual({ '/old': 1, '/set.tar.gz': 1 });

  routes['/downgrade'] = (_req, res) => res.writeHead(301, { location: 'http://example.com/set.tar.gz' }).end();
  await expect(resolveUrl('/downgrade', archiveSha, silentProgress, 'cache2')).rejects.toThrow(/"http:\/\/example\.com\/set\.tar\.gz" uses plain http/);
});

test('URL rules: plain http off-loopback, other schemes and a missing hash are UserErrors before any request', async () => {
  const opts = { cacheDir: join(temp.path, 'cache'), progress: silentProgress, fetch: fast };
  await expect(resolveEvalSet(evalConfig('http://example.com/set.tgz', archiveSha), opts)).rejects.toThrow(/uses plain http; use https/);
  await expect(resolveEvalSet(evalConfig('ftp://example.com/set.tgz', archiveSha), opts)).rejects.toThrow(/only https URLs are supported/);
  await expect(resolveEvalSet(evalConfig(`${baseUrl}/set.tar.gz`, null), opts)).rejects.toThrow(/eval\.sha256 is required when eval\.source is a URL/);
  expect(requests).toEqual({});
});

test('query strings (often tokens) are not repeated in the source or in errors', async () => {
  const error = await resolveUrl('/missing?token=secret').catch((e) => e);
  expect(error.message).not.toContain('secret');
  routes['/set.tar.gz?sig=secret'] = serve(archive);
  expect((await resolveUrl('/set.tar.gz?sig=secret', archiveSha, silentProgress, 'cache2')).source).toBe(`${baseUrl}/set.tar.gz?…`);
});

test('two concurrent runs of the same set both succeed and leave one cache entry', async () => {
  routes['/set.tar.gz'] = serve(archive);
  const [a, b] = await Promise.all([resolveUrl('/set.tar.gz'), resolveUrl('/set.tar.gz')]);
  expect(a.root).toBe(b.root);
  expect(await readFile(join(a.root, 'cat/1.png'), 'utf8')).toBe('meow');
  expect(await listTree(join(temp.path, 'cache', 'evalsets'))).toEqual([
    archiveSha,
    `${archiveSha}.files.json`,
    `${archiveSha}/set`,
    `${archiveSha}/set/cat`,
    `${archiveSha}/set/cat/1.png`,
    `${archiveSha}/set/dog`,
    `${archiveSha}/set/dog/2.png`,
  ]);
});
