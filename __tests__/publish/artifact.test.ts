/** The report artifact: upload through the (fake) artifact service, download it back safely. */
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../src/errors.js';
import { actionsArtifactStore, downloadRunArtifact } from '../../src/publish/artifact.js';
import { createGitHub, type GitHub } from '../../src/publish/github.js';
import { zip } from '../evalset/archive-writers.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';

let fake: FakeGitHub;
let gh: GitHub;
let temp: string;
let warnings: string[];
const log = { info: () => {}, warn: (m: string) => warnings.push(m) };
const ARTIFACT_ENV = ['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_RESULTS_URL'] as const;
const savedEnv = Object.fromEntries(ARTIFACT_ENV.map((k) => [k, process.env[k]]));

beforeEach(async () => {
  fake = await startFakeGitHub('acme/models');
  gh = createGitHub({ token: 'ghs_test', baseUrl: fake.url, log });
  temp = await mkdtemp(join(tmpdir(), 'mg-publish-'));
  warnings = [];
});
afterEach(async () => {
  for (const key of ARTIFACT_ENV) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  await fake.close();
  await rm(temp, { recursive: true, force: true });
});

const RUN = 4242;
function listArtifact(zipBytes: Buffer, name = 'model-gate-report') {
  fake.state.artifacts.set(RUN, [{ id: 77, name, zip: zipBytes, workflow_run: { id: RUN, head_sha: 'c'.repeat(40) } }]);
}
const download = (overrides: Partial<Parameters<typeof downloadRunArtifact>[1]> = {}) =>
  downloadRunArtifact(gh, { owner: 'acme', repo: 'models', runId: RUN, name: 'model-gate-report', destDir: join(temp, 'out'), maxBytes: 1 << 20, ...overrides });

test('downloads the named artifact of a run through the redirect and extracts it', async () => {
  listArtifact(
    zip([
      { name: 'report.json', data: '{"verdict":"pass"}' },
      { name: 'report.md', data: '# Verdict: pass' },
    ]),
  );
  const files = await download();
  expect(files).toEqual([join(temp, 'out', 'report.json'), join(temp, 'out', 'report.md')]);
  expect(await readFile(files[0], 'utf8')).toBe('{"verdict":"pass"}');
  const signed = fake.state.requests.find((r) => r.path.startsWith('/_signed/'));
  expect(signed?.authorized).toBe(false); // our token never goes to the storage URL
});

test('refuses an artifact larger than maxBytes before downloading it', async () => {
  listArtifact(zip([{ name: 'report.json', data: 'x'.repeat(5000), method: 0 }]));
  await expect(download({ maxBytes: 1000 })).rejects.toThrow(/larger|more than the 1000 bytes allowed/);
  expect(fake.state.requests.some((r) => r.path.endsWith('/zip'))).toBe(false);
  await expect(readdir(join(temp, 'out'))).rejects.toMatchObject({ code: 'ENOENT' });
});

test('refuses a zip whose entry climbs out of the destination (zip slip)', async () => {
  listArtifact(
    zip([
      { name: 'report.md', data: 'ok' },
      { name: '../../evil.sh', data: 'rm -rf /' },
    ]),
  );
  const error = await download().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(UserError);
  expect((error as Error).message).toMatch(/evil\.sh/);
  expect(await readdir(temp)).not.toContain('evil.sh');
  expect(await readdir(join(temp, 'out'))).toEqual([]);
});

test('refuses a zip that expands past the extracted-size cap (zip bomb)', async () => {
  listArtifact(zip([{ name: 'report.json', data: '0'.repeat(200_000) }]));
  await expect(download({ maxBytes: 10_000 })).rejects.toThrow(UserError);
});

test('says clearly when the run has no artifact of that name', async () => {
  listArtifact(zip([{ name: 'a.txt', data: 'a' }]), 'something-else');
  await expect(download()).rejects.toThrow(/No artifact "model-gate-report" of workflow run 4242/);
});

test('without the artifact service, upload warns and returns a note instead of failing', async () => {
  for (const key of ARTIFACT_ENV) delete process.env[key];
  const file = join(temp, 'report.json');
  await writeFile(file, '{}');
  const result = await actionsArtifactStore(log).upload('model-gate-report', [file], temp);
  expect(result.id).toBeNull();
  expect(result.note).toMatch(/^artifact service unavailable: .*ACTIONS_RUNTIME_TOKEN/);
  expect(warnings.join('\n')).toMatch(/Could not upload the report artifact/);
});

test('a missing report file is our bug and throws', async () => {
  await expect(actionsArtifactStore(log).upload('r', [join(temp, 'nope.json')], temp)).rejects.toMatchObject({ code: 'ENOENT' });
});

test('uploads report.json + report.md through the artifact service, and the workflow_run side reads them back', async () => {
  Object.assign(process.env, fake.artifactServiceEnv());
  fake.state.currentRun = { id: RUN, head_sha: 'd'.repeat(40) };
  const reportDir = join(temp, 'report');
  await mkdir(reportDir);
  await writeFile(join(reportDir, 'report.json'), '{"verdict":"fail"}');
  await writeFile(join(reportDir, 'report.md'), '# Verdict: fail');

  // @actions/artifact reports through @actions/core, i.e. workflow commands on stdout.
  const stdout: string[] = [];
  const realWrite = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => stdout.push(String(chunk)) > 0) as typeof process.stdout.write;
  const result = await actionsArtifactStore(log)
    .upload('model-gate-report', [join(reportDir, 'report.json'), join(reportDir, 'report.md')], reportDir)
    .finally(() => (process.stdout.write = realWrite));
  expect(stdout.join('')).toMatch(/Artifact model-gate-report successfully finalized/);
  expect(result.note).toBeNull();
  expect(fake.state.uploadedArtifacts).toHaveLength(1);
  expect(result.id).toBe(fake.state.uploadedArtifacts[0].id);

  const files = await download();
  expect(files.map((f) => f.slice(join(temp, 'out').length + 1))).toEqual(['report.json', 'report.md']);
  expect(await readFile(files[1], 'utf8')).toBe('# Verdict: fail');
});

test("a storage server that closes the connection mid-body (past undici's 28 KB trap): a UserError with the byte count, nothing extracted", async () => {
  const noise = Buffer.from(Array.from({ length: 120_000 }, (_, i) => (i * 2654435761) >>> 24));
  const zipBytes = zip([{ name: 'report.json', data: noise, method: 0 }]);
  fake.state.artifacts.set(RUN, [{ id: 77, name: 'model-gate-report', zip: zipBytes, workflow_run: { id: RUN, head_sha: 'c'.repeat(40) }, cutAfterBytes: 30_000 }]);
  const error = await download().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(UserError);
  expect((error as Error).message).toMatch(
    new RegExp(
      `^Downloading artifact "model-gate-report" of workflow run 4242 failed: the connection failed \\(\\w+\\) after 30000 of ${zipBytes.length} bytes\\. Re-run the workflow to try again\\.$`,
    ),
  );
  await expect(readdir(join(temp, 'out'))).rejects.toMatchObject({ code: 'ENOENT' });
});

test('a storage URL that never sends a byte fails after the inactivity deadline', async () => {
  const { createServer } = await import('node:http');
  const silent = createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const { downloadToFile } = await import('../../src/publish/storage-download.js');
  const port = (silent.address() as { port: number }).port;
  const error = await downloadToFile(`http://127.0.0.1:${port}/blob`, join(temp, 'x.zip'), 1000, 'artifact "r"', 200).catch((e: unknown) => e);
  silent.closeAllConnections();
  silent.close();
  expect((error as Error).message).toBe('Downloading artifact "r" failed: no data for 0.2 s. Re-run the workflow to try again.');
});
