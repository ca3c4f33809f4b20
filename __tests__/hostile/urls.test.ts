/**
 * URLs a PR controls (a manifest's url) and the eval set's URL: https to public hosts only;
 * loopback, private, link-local, metadata and reserved addresses, and plain http, only when the
 * trusted config lists the host in allowed-hosts. Judged on the literal host, after DNS on every
 * address a name resolves to, and again at every redirect hop; a refused URL is never connected to.
 * The network is a server on 127.0.0.1; names are resolved by a test resolver (a stand-in for DNS,
 * not a bypass: the policy judges whatever it returns, and the socket connects to what it judged).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { normaliseAllowedHost } from '../../src/config/allowed-hosts.js';
import { classifyAddress } from '../../src/download/address.js';
import type { Resolver } from '../../src/download/get.js';
import { downloadWithRetry, type FetchOptions } from '../../src/download/http.js';
import { UserError } from '../../src/errors.js';
import { resolveEvalSet } from '../../src/evalset/index.js';
import { silentProgress } from '../../src/progress.js';
import { tarEntry, tarGz } from '../evalset/archive-writers.js';
import { evalConfig, makeTempDir, sha256Of } from '../evalset/helpers.js';

const archive = tarGz(tarEntry({ name: 'set/cat/1.png', data: 'meow' }));
const archiveSha = sha256Of(archive);

let server: Server;
let port: number;
let connections = 0;
let requests: string[] = [];
let temp: Awaited<ReturnType<typeof makeTempDir>>;
const routes: Record<string, (res: import('node:http').ServerResponse) => void> = {};

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const route = routes[req.url ?? ''];
    if (route) route(res);
    else res.writeHead(404).end();
  });
  server.on('connection', () => void connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  routes['/set.tar.gz'] = (res) => res.writeHead(200, { 'content-length': archive.length }).end(archive);
  temp = await makeTempDir();
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await temp.cleanup();
});
beforeEach(() => {
  connections = 0;
  requests = [];
});

/** A DNS stand-in: every name maps to the addresses given. */
const resolver =
  (names: Record<string, string[]>): Resolver =>
  async (hostname) => {
    const found = names[hostname];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

const options = (over: Partial<FetchOptions> = {}): FetchOptions => ({ attempts: 1, baseDelayMs: 1, timeoutMs: 2000, allowedHosts: [], ...over });
let n = 0;
const download = (url: string, over: Partial<FetchOptions> = {}) => downloadWithRetry(url, join(temp.path, `file-${n++}`), 'models.yml@abc1234 "resnet".url', options(over), silentProgress);
const SUFFIX = 'Downloads reach only public hosts, unless the trusted config lists the host in allowed-hosts.';

test('address kinds, from the IANA special-purpose registries', () => {
  const kinds = Object.fromEntries(
    [
      '8.8.8.8',
      '127.0.0.1',
      '127.9.9.9',
      '10.1.2.3',
      '172.16.0.1',
      '172.32.0.1',
      '192.168.1.1',
      '100.64.0.1',
      '169.254.1.1',
      '169.254.169.254',
      '168.63.129.16',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '198.18.0.1',
      '::1',
      '::',
      '::ffff:127.0.0.1',
      '::ffff:8.8.8.8',
      '64:ff9b::10.0.0.1',
      '2002:a00:1::1',
      'fd12::1',
      'fd00:ec2::254',
      'fe80::1%eth0',
      'ff02::1',
      '2001:db8::1',
      '2606:4700::1111',
      '[::1]',
    ].map((a) => [a, classifyAddress(a)]),
  );
  expect(kinds).toEqual({
    '8.8.8.8': 'public',
    '127.0.0.1': 'loopback',
    '127.9.9.9': 'loopback',
    '10.1.2.3': 'private',
    '172.16.0.1': 'private',
    '172.32.0.1': 'public',
    '192.168.1.1': 'private',
    '100.64.0.1': 'private',
    '169.254.1.1': 'link-local',
    '169.254.169.254': 'metadata',
    '168.63.129.16': 'metadata',
    '0.0.0.0': 'reserved',
    '224.0.0.1': 'reserved',
    '255.255.255.255': 'reserved',
    '198.18.0.1': 'reserved',
    '::1': 'loopback',
    '::': 'reserved',
    '::ffff:127.0.0.1': 'loopback',
    '::ffff:8.8.8.8': 'public',
    '64:ff9b::10.0.0.1': 'private',
    '2002:a00:1::1': 'private',
    'fd12::1': 'private',
    'fd00:ec2::254': 'metadata',
    'fe80::1%eth0': 'link-local',
    'ff02::1': 'reserved',
    '2001:db8::1': 'reserved',
    '2606:4700::1111': 'public',
    '[::1]': 'loopback',
  });
});

test('allowed-hosts entries: names, wildcards, addresses and ranges; anything else is a problem', () => {
  expect(['Models.Example.com', '*.internal', '127.0.0.1', '[::1]', '10.0.0.0/8', 'fd00::/8'].map((e) => normaliseAllowedHost(e))).toEqual(
    ['models.example.com', '*.internal', '127.0.0.1', '::1', '10.0.0.0/8', 'fd00::/8'].map((host) => ({ host })),
  );
  expect(normaliseAllowedHost('https://models.example.com')).toEqual({
    problem: "expected a host name (models.example.com, *.example.com), an IP address or a range such as 10.0.0.0/8, got 'https://models.example.com'",
  });
  expect(normaliseAllowedHost('10.0.0.0/33')).toEqual({ problem: "expected an address range such as 10.0.0.0/8 (prefix 0-32), got '10.0.0.0/33'" });
});

test('plain http, and https to a loopback address, are refused before any connection', async () => {
  const http = await download(`http://127.0.0.1:${port}/set.tar.gz`).catch((e) => e);
  expect(http).toBeInstanceOf(UserError);
  expect(http.message).toBe(
    `models.yml@abc1234 "resnet".url: "http://127.0.0.1:${port}/set.tar.gz" uses plain http; use https (plain http is allowed only to a host listed in allowed-hosts).`,
  );
  const https = await download(`https://127.0.0.1:${port}/set.tar.gz`).catch((e) => e);
  expect(https.message).toBe(`models.yml@abc1234 "resnet".url: refusing https://127.0.0.1:${port}/set.tar.gz: 127.0.0.1 is a loopback address (this machine). ${SUFFIX}`);
  expect(connections).toBe(0);
});

test('a name is judged on every address it resolves to, and nothing is connected to when one is refused', async () => {
  const names = { 'mirror.example': ['127.0.0.1'], 'metadata.example': ['169.254.169.254'], 'mixed.example': ['93.184.216.34', '10.0.0.7'] };
  const refused = async (url: string) => (await download(url, { resolve: resolver(names) }).catch((e) => e)).message;
  expect(await refused(`https://mirror.example:${port}/set.tar.gz`)).toBe(
    `models.yml@abc1234 "resnet".url: refusing https://mirror.example:${port}/set.tar.gz: mirror.example resolves to 127.0.0.1, a loopback address (this machine). ${SUFFIX}`,
  );
  expect(await refused('https://metadata.example/latest/meta-data/')).toBe(
    `models.yml@abc1234 "resnet".url: refusing https://metadata.example/latest/meta-data/: metadata.example resolves to 169.254.169.254, a cloud metadata service address. ${SUFFIX}`,
  );
  expect(await refused('https://mixed.example/model.onnx')).toBe(
    `models.yml@abc1234 "resnet".url: refusing https://mixed.example/model.onnx: mixed.example resolves to 10.0.0.7, a private-network address. ${SUFFIX}`,
  );
  expect(connections).toBe(0);
});

test('a listed name is fetched from the address the policy saw (the socket uses the checked lookup)', async () => {
  const file = join(temp.path, 'listed');
  const sha = await downloadWithRetry(
    `http://mirror.example:${port}/set.tar.gz`,
    file,
    'eval.source',
    options({ allowedHosts: ['mirror.example'], resolve: resolver({ 'mirror.example': ['127.0.0.1'] }) }),
    silentProgress,
  );
  expect(sha).toBe(archiveSha);
  expect(requests).toEqual(['/set.tar.gz']);
});

test('every redirect hop is judged again: an allowed host cannot redirect to a metadata or private address', async () => {
  routes['/to-metadata'] = (res) => res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/iam' }).end();
  routes['/to-internal'] = (res) => res.writeHead(307, { location: 'https://build.corp.example/secret.onnx' }).end();
  const allowLoopback = { allowedHosts: ['127.0.0.1'], resolve: resolver({ 'build.corp.example': ['10.20.30.40'] }) };
  const metadata = await download(`http://127.0.0.1:${port}/to-metadata`, allowLoopback).catch((e) => e);
  expect(metadata.message).toBe(
    'models.yml@abc1234 "resnet".url: "http://169.254.169.254/latest/meta-data/iam" uses plain http; use https (plain http is allowed only to a host listed in allowed-hosts).',
  );
  const internal = await download(`http://127.0.0.1:${port}/to-internal`, allowLoopback).catch((e) => e);
  expect(internal.message).toBe(
    `models.yml@abc1234 "resnet".url: refusing https://build.corp.example/secret.onnx: build.corp.example resolves to 10.20.30.40, a private-network address. ${SUFFIX}`,
  );
  expect(requests).toEqual(['/to-metadata', '/to-internal']);
});

test('an http eval set is refused even when its bytes are already in the cache', async () => {
  const cacheDir = join(temp.path, 'warm');
  const source = `http://127.0.0.1:${port}/set.tar.gz`;
  const first = await resolveEvalSet(evalConfig(source, archiveSha), { cacheDir, progress: silentProgress, fetch: options({ allowedHosts: ['127.0.0.1'] }) });
  expect(first.fromCache).toBe(false);
  const again = await resolveEvalSet(evalConfig(source, archiveSha), { cacheDir, progress: silentProgress, fetch: options({ allowedHosts: ['127.0.0.1'] }) });
  expect(again.fromCache).toBe(true);
  const refused = await resolveEvalSet(evalConfig(source, archiveSha), { cacheDir, progress: silentProgress, fetch: options() }).catch((e) => e);
  expect(refused).toBeInstanceOf(UserError);
  expect(refused.message).toBe(`eval.source: "${source}" uses plain http; use https (plain http is allowed only to a host listed in allowed-hosts).`);
  expect(requests).toEqual(['/set.tar.gz']);
});

describe('allowed-hosts in model-gate.yml', () => {
  const write = async (name: string, text: string) => {
    const file = join(temp.path, name);
    await (await import('node:fs/promises')).writeFile(file, text);
    return file;
  };
  const base = `task: classification\neval: { source: https://example.com/set.tgz, sha256: ${archiveSha} }\nclasses: [a, b]\n`;

  test('is read, normalised, and each bad entry is named by its key', async () => {
    const { loadConfig } = await import('../../src/config/load.js');
    const env = { cwd: temp.path, env: {}, stderrIsTTY: false };
    const good = await write('good.yml', `${base}allowed-hosts: ['[::1]', Mirror.Corp.example, 10.0.0.0/8]\n`);
    expect((await loadConfig({ config: good, baseline: 'a', candidate: 'b' }, env)).allowedHosts).toEqual(['::1', 'mirror.corp.example', '10.0.0.0/8']);
    const bad = await write('bad.yml', `${base}allowed-hosts: [127.0.0.1, 'http://mirror', 300.1.1.1/8]\n`);
    const error = await loadConfig({ config: bad, baseline: 'a', candidate: 'b' }, env).catch((e) => e);
    expect(error.message).toBe(
      `${bad}: invalid config:\n  - allowed-hosts[1]: expected a host name (models.example.com, *.example.com), an IP address or a range such as 10.0.0.0/8, got 'http://mirror'\n` +
        "  - allowed-hosts[2]: expected a host name (models.example.com, *.example.com), an IP address or a range such as 10.0.0.0/8, got '300.1.1.1/8'",
    );
  });

  test('the CLI: an http eval set on 127.0.0.1 is refused (exit 2), and runs once the config lists the host', async () => {
    const { smallEvalSet } = await import('../helpers/shared.js');
    const { runCli } = await import('../helpers/run-cli.js');
    const { smallConfig, LENET, DWNET } = await import('./evalset-fixture.js');
    const small = smallEvalSet();
    const bytes = await (await import('node:fs/promises')).readFile(small.archive);
    routes['/fmnist-2k.tar.gz'] = (res) => res.writeHead(200, { 'content-length': bytes.length }).end(bytes);
    const url = `http://127.0.0.1:${port}/fmnist-2k.tar.gz`;
    const cacheDir = join(temp.path, 'cli-cache');
    const refusedConfig = await write('refused.yml', smallConfig(url, small.sha256));
    const refused = await runCli(['compare', '--config', refusedConfig, '--baseline', LENET, '--candidate', DWNET], { cacheDir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`model-gate: eval.source: "${url}" uses plain http; use https (plain http is allowed only to a host listed in allowed-hosts).\n`);
    expect(requests).toEqual([]);
    const allowedConfig = await write('allowed.yml', smallConfig(url, small.sha256, 'allowed-hosts: [127.0.0.1]\n'));
    const allowed = await runCli(['compare', '--config', allowedConfig, '--baseline', LENET, '--candidate', DWNET, '--quiet'], { cacheDir });
    expect(allowed.stderr).toBe('');
    expect(allowed.code).toBe(0);
    expect(requests).toEqual(['/fmnist-2k.tar.gz']);
  });
});
