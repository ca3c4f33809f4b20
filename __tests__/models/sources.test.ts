import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listChangedFiles } from '../../src/action/changed-files.js';
import { UserError } from '../../src/errors.js';
import { createGit } from '../../src/git/index.js';
import { resolveModel } from '../../src/models/index.js';
import {
  isRelevantChange,
  manifestEntryChanged,
  materializeModel,
  readManifestEntry,
  verifiedDownloader,
  type ModelDownloader,
  type ModelEntry,
  type ModelSide,
} from '../../src/models/sources.js';
import { silentProgress } from '../../src/progress.js';
import { createGitHub } from '../../src/publish/github.js';
import { startFakeGitHub } from '../helpers/fake-github.js';
import { hasGitLfs, initRepo, lfsClean, makeTempDir } from './git-fixture.js';
import { identityModel, modelProto } from './onnx-writer.js';

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const v1 = Buffer.from('model weights, version 1');
const v2 = Buffer.from('model weights, version 2');
const externalModel = Buffer.from(
  modelProto({
    nodes: [{ op: 'Identity', inputs: ['w'], outputs: ['output'] }],
    initializers: [{ name: 'w', dims: [1], externalLocation: 'weights.bin' }],
    inputs: [],
    outputs: [{ name: 'output', dims: [1] }],
  }),
);

let temp: Awaited<ReturnType<typeof makeTempDir>>;
let server: Server;
let serverUrl: string;
let requests: string[];
let baseSide: ModelSide;
let headSide: ModelSide;

const manifestYaml = (v: string, hash: string) => `# bump a version by editing one line\nresnet:\n  url: ${serverUrl}/resnet-${v}.onnx\n  sha256: ${hash}\n`;

beforeAll(async () => {
  temp = await makeTempDir('mg-sources-');
  requests = [];
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const body = { '/resnet-v1.onnx': v1, '/resnet-v2.onnx': v2 }[req.url ?? ''];
    if (body) res.writeHead(200, { 'content-length': body.length }).end(body);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const repo = await initRepo(join(temp.path, 'repo'));
  await repo.write('models/classifier.onnx', identityModel([1, 4]));
  await repo.write('models/ext/model.onnx', externalModel);
  await repo.write('models/ext/weights.bin', Buffer.from([0, 0, 128, 63]));
  await repo.write('models.yaml', manifestYaml('v1', sha256(v1)));
  if (hasGitLfs) await repo.write('models/lfs.onnx', lfsClean(repo.dir, 'models/lfs.onnx', v1));
  const base = repo.commit('base');
  await repo.write('models/classifier.onnx', identityModel([1, 8]));
  await repo.write('models/added.onnx', identityModel([2]));
  await repo.write('models/ext/weights.bin', Buffer.from([0, 0, 0, 64]));
  await repo.write('models.yaml', `${manifestYaml('v2', sha256(v2))}mobilenet:\n  url: ${serverUrl}/resnet-v1.onnx\n  sha256: ${sha256(v1)}\n`);
  if (hasGitLfs) await repo.write('models/lfs.onnx', lfsClean(repo.dir, 'models/lfs.onnx', v2));
  const head = repo.commit('head');
  baseSide = { git: createGit(repo.dir, process.env), sha: base, label: `base ${base.slice(0, 7)}` };
  headSide = { git: createGit(repo.dir, process.env), sha: head, label: `head ${head.slice(0, 7)}` };
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await temp.cleanup();
});

const workDir = () => join(temp.path, 'work');
const noDownload: ModelDownloader = async () => {
  throw new Error('no download expected');
};

describe('isRelevantChange', () => {
  const pathEntry: ModelEntry = { name: 'classifier', path: 'models/classifier.onnx' };
  const manifestEntry: ModelEntry = { name: 'resnet', manifest: './models.yaml', key: 'resnet' };

  test('a path entry: its own file, or external data beside it; not another model or another folder', () => {
    expect(isRelevantChange(pathEntry, ['README.md', 'models/classifier.onnx'])).toBe(true);
    expect(isRelevantChange(pathEntry, ['models/classifier.onnx.data'])).toBe(true);
    expect(isRelevantChange(pathEntry, ['models/other.onnx', 'models/ext/weights.bin', 'src/models/classifier.onnx', 'README.md'])).toBe(false);
    expect(isRelevantChange(pathEntry, [])).toBe(false);
  });

  test('a manifest entry: the manifest file (path normalised), nothing else', () => {
    expect(isRelevantChange(manifestEntry, ['models.yaml'])).toBe(true);
    expect(isRelevantChange(manifestEntry, ['models.yml', 'other/models.yaml', 'model.onnx'])).toBe(false);
  });

  test('a path that leaves the repository is refused, naming the model', () => {
    expect(() => isRelevantChange({ name: 'evil', path: '../outside.onnx' }, [])).toThrow('models "evil": path: "../outside.onnx" uses \'..\'');
  });

  test('manifestEntryChanged compares the pinned bytes, not the URL', () => {
    const a = { url: 'https://a/x.onnx', sha256: 'a'.repeat(64) };
    expect(manifestEntryChanged(a, { ...a, url: 'https://mirror/x.onnx' })).toBe(false);
    expect(manifestEntryChanged(a, { ...a, sha256: 'b'.repeat(64) })).toBe(true);
    expect(manifestEntryChanged(null, a)).toBe(true);
    expect(manifestEntryChanged(a, null)).toBe(true);
    expect(manifestEntryChanged(null, null)).toBe(false);
  });
});

describe('materializeModel: path entries', () => {
  test('baseline and candidate are the bytes at base and at head, in separate files', async () => {
    const entry: ModelEntry = { name: 'classifier', path: 'models/classifier.onnx' };
    const baseline = await materializeModel(entry, baseSide, workDir(), noDownload);
    const candidate = await materializeModel(entry, headSide, workDir(), noDownload);
    expect(baseline!.label).toBe(`models/classifier.onnx @ ${baseSide.label}`);
    expect(candidate!.label).toBe(`models/classifier.onnx @ ${headSide.label}`);
    expect(await readFile(baseline!.file)).toEqual(Buffer.from(identityModel([1, 4])));
    expect(await readFile(candidate!.file)).toEqual(Buffer.from(identityModel([1, 8])));
  });

  test('a model the PR adds has no baseline', async () => {
    const entry: ModelEntry = { name: 'added', path: 'models/added.onnx' };
    expect(await materializeModel(entry, baseSide, workDir(), noDownload)).toBeNull();
    expect(await materializeModel(entry, headSide, workDir(), noDownload)).not.toBeNull();
  });

  test('external data comes from the same commit and sits next to the model, so it loads', async () => {
    const entry: ModelEntry = { name: 'ext', path: 'models/ext/model.onnx' };
    const baseline = await materializeModel(entry, baseSide, workDir(), noDownload);
    const candidate = await materializeModel(entry, headSide, workDir(), noDownload);
    expect(await readFile(join(baseline!.file, '..', 'weights.bin'))).toEqual(Buffer.from([0, 0, 128, 63]));
    expect(await readFile(join(candidate!.file, '..', 'weights.bin'))).toEqual(Buffer.from([0, 0, 0, 64]));
    const resolved = await resolveModel({ role: 'candidate', path: candidate!.file, label: candidate!.label });
    expect(resolved.facts.externalDataFiles).toEqual(['weights.bin']);
  });

  (hasGitLfs ? test : test.skip)('a Git LFS pointer is resolved to the real bytes', async () => {
    const entry: ModelEntry = { name: 'lfs', path: 'models/lfs.onnx' };
    expect(await readFile((await materializeModel(entry, baseSide, workDir(), noDownload))!.file)).toEqual(v1);
    expect(await readFile((await materializeModel(entry, headSide, workDir(), noDownload))!.file)).toEqual(v2);
  });
});

describe('materializeModel: manifest entries', () => {
  const entry: ModelEntry = { name: 'resnet', manifest: 'models.yaml', key: 'resnet' };

  test("a version bump downloads each side's URL through the verified downloader", async () => {
    const download = verifiedDownloader(silentProgress, { attempts: 1, timeoutMs: 2000, allowedHosts: ['127.0.0.1'] });
    const baseline = await materializeModel(entry, baseSide, workDir(), download);
    const candidate = await materializeModel(entry, headSide, workDir(), download);
    expect(await readFile(baseline!.file)).toEqual(v1);
    expect(await readFile(candidate!.file)).toEqual(v2);
    expect(candidate!.label).toBe(`resnet: ${serverUrl}/resnet-v2.onnx @ ${headSide.label}`);
    expect(requests).toEqual(expect.arrayContaining(['/resnet-v1.onnx', '/resnet-v2.onnx']));
    expect(manifestEntryChanged(await readManifestEntry(entry, baseSide), await readManifestEntry(entry, headSide))).toBe(true);
  });

  test('bytes that do not match the pinned sha256 are a UserError', async () => {
    const tampering: ModelDownloader = async (_url, _hash, dest) => writeFile(dest, 'not the model');
    const error = await materializeModel(entry, headSide, join(temp.path, 'tampered'), tampering).catch((e) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toContain(`does not have the sha256 the manifest pins (${sha256(v2)}); nothing was evaluated.`);
    expect(error.message).not.toContain(sha256('not the model'));
  });

  test('a failed download names the manifest and key the URL came from, not eval.source', async () => {
    const repo = await initRepo(join(temp.path, 'gone-manifest'));
    await repo.write('models.yaml', `detector:\n  url: ${serverUrl}/gone.onnx\n  sha256: ${'d'.repeat(64)}\n`);
    const sha = repo.commit('gone');
    const detector: ModelEntry = { name: 'detector', manifest: 'models.yaml', key: 'detector' };
    const download = verifiedDownloader(silentProgress, { attempts: 1, timeoutMs: 2000, allowedHosts: ['127.0.0.1'] });
    const error = await materializeModel(detector, { git: createGit(repo.dir, process.env), sha, label: 'head' }, workDir(), download).catch((e) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(`models.yaml@${sha.slice(0, 7)} "detector".url: downloading ${serverUrl}/gone.onnx failed with HTTP 404 Not Found (not retried).`);
  });

  test('a key the base manifest lacks is a new model: no baseline, and nothing downloaded', async () => {
    const mobilenet: ModelEntry = { name: 'mobilenet', manifest: 'models.yaml', key: 'mobilenet' };
    expect(await materializeModel(mobilenet, baseSide, workDir(), noDownload)).toBeNull();
  });

  test('a malformed manifest value is a UserError naming the file, commit and key', async () => {
    const repo = await initRepo(join(temp.path, 'bad-manifest'));
    await repo.write('m.json', JSON.stringify({ a: { url: 'https://x/a.onnx', sha256: 'short' }, b: { url: 'http://example.com/b.onnx', sha256: 'c'.repeat(64) } }));
    const sha = repo.commit('bad');
    const side = { git: createGit(repo.dir, process.env), sha, label: 'head' };
    await expect(readManifestEntry({ name: 'a', manifest: 'm.json', key: 'a' }, side)).rejects.toThrow(`m.json@${sha.slice(0, 7)} "a".sha256: expected 64 hexadecimal characters.`);
    // Which hosts a URL may name is the trusted config's allowed-hosts, judged when it is downloaded.
    await expect(readManifestEntry({ name: 'b', manifest: 'm.json', key: 'b' }, side)).resolves.toEqual({ url: 'http://example.com/b.onnx', sha256: 'c'.repeat(64) });
    const download = verifiedDownloader(silentProgress, { attempts: 1 });
    await expect(materializeModel({ name: 'b', manifest: 'm.json', key: 'b' }, side, workDir(), download)).rejects.toThrow(
      `m.json@${sha.slice(0, 7)} "b".url: "http://example.com/b.onnx" uses plain http; use https (plain http is allowed only to a host listed in allowed-hosts).`,
    );
  });
});

describe('listChangedFiles against a local GitHub API', () => {
  test('follows pagination and lists both names of a renamed file', async () => {
    const github = await startFakeGitHub('octo/repo');
    try {
      const changedFiles = Array.from({ length: 250 }, (_, i) => ({ filename: `data/${i}.txt`, status: 'modified' }));
      changedFiles.push({ filename: 'models/new.onnx', status: 'renamed', previous_filename: 'models/old.onnx' } as (typeof changedFiles)[number]);
      github.state.pulls.set(7, {
        number: 7,
        head: { sha: 'a'.repeat(40), ref: 'x', repo: { full_name: 'octo/repo' } },
        base: { sha: 'b'.repeat(40), ref: 'main', repo: { full_name: 'octo/repo' } },
        changedFiles,
      });
      const gh = createGitHub({ token: 't', baseUrl: github.url, log: { info: () => {}, warn: () => {} } });
      const files = await listChangedFiles(gh, { owner: 'octo', repo: 'repo', pullNumber: 7 });
      expect(files).toHaveLength(252);
      expect(files).toEqual(expect.arrayContaining(['data/0.txt', 'data/249.txt', 'models/new.onnx', 'models/old.onnx']));
      expect(github.state.requests.filter((r) => r.path.endsWith('/pulls/7/files'))).toHaveLength(3);

      // 3000 files is where GitHub stops listing: the fallback (git diff) decides, or it is an error.
      github.state.pulls.get(7)!.changedFiles = Array.from({ length: 3200 }, (_, i) => ({ filename: `f/${i}`, status: 'added' }));
      expect(await listChangedFiles(gh, { owner: 'octo', repo: 'repo', pullNumber: 7 }, async () => ['models/hidden.onnx'])).toEqual(['models/hidden.onnx']);
      await expect(listChangedFiles(gh, { owner: 'octo', repo: 'repo', pullNumber: 7 })).rejects.toThrow(/changes 3000 files or more/);
    } finally {
      await github.close();
    }
  });
});
