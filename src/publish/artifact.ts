/**
 * The report artifact: uploading report.json, report.md and the HTML pages from the run that measured (through
 * the Actions artifact service), and downloading it again in the `workflow_run` run that posts
 * the comment for a fork PR, where its content is untrusted and so size-capped and extracted
 * with the same validating extractor the eval set uses.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DefaultArtifactClient } from '@actions/artifact';
import { UserError } from '../errors.js';
import { extractArchive } from '../evalset/extract.js';
import { formatBytes } from '../evalset/plan.js';
import type { GitHub, GitHubLog } from './github.js';
import { downloadToFile } from './storage-download.js';

/** The artifact an Action run uploads its report files to, and the fork-comment workflow downloads. */
export const REPORT_ARTIFACT = 'model-gate-report';

export interface ArtifactUploadResult {
  id: number | null;
  /** Why nothing was uploaded (also logged as a warning); null on success. */
  note: string | null;
}

export interface ArtifactStore {
  upload(name: string, files: string[], rootDir: string): Promise<ArtifactUploadResult>;
}

/** The service's own configuration is missing: outside Actions, on GHES, or in a test. */
function isServiceUnavailable(error: Error): boolean {
  return /ACTIONS_RUNTIME_TOKEN|ACTIONS_RESULTS_URL|JWT|backend IDs/i.test(error.message) || error.name === 'GHESNotSupportedError';
}

/**
 * Uploads with @actions/artifact (it reads ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL, which
 * the runner gives every step). The report is a by-product of the gate, so a service that is
 * missing or failing gives a warning and a note, not a failed run. Files that do not exist are
 * our own bug and do throw.
 */
export function actionsArtifactStore(log: GitHubLog, options: { retentionDays?: number } = {}): ArtifactStore {
  return {
    async upload(name, files, rootDir) {
      for (const file of files) await stat(file); // throws ENOENT for a missing file
      try {
        const client = new DefaultArtifactClient();
        const { id } = await client.uploadArtifact(name, files, rootDir, { retentionDays: options.retentionDays });
        return { id: id ?? null, note: null };
      } catch (error) {
        const reason = error instanceof Error ? error : new Error(String(error));
        const note = isServiceUnavailable(reason) ? `artifact service unavailable: ${reason.message}` : `artifact upload failed: ${reason.message}`;
        log.warn(`Could not upload the report artifact "${name}" (${note}).`);
        return { id: null, note };
      }
    },
  };
}

export interface DownloadRunArtifactArgs {
  owner: string;
  repo: string;
  runId: number;
  name: string;
  /** Created if missing; must be empty. */
  destDir: string;
  /** Largest zip accepted, checked against the listing and again while downloading. */
  maxBytes: number;
  /** Largest total of extracted files; default 10 × maxBytes (text compresses well). */
  maxExtractedBytes?: number;
}

/** Caps a stream: more than `maxBytes` aborts the pipeline instead of filling the disk. */
function byteCap(maxBytes: number, label: string): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > maxBytes) callback(new UserError(`Refusing ${label}: it is larger than ${formatBytes(maxBytes)}.`));
      else callback(null, chunk);
    },
  });
}

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort((a, b) => relative(root, a).localeCompare(relative(root, b)));
}

/**
 * Finds the artifact `name` of workflow run `runId`, downloads its zip (REST answers with a
 * redirect to a signed storage URL, fetched without our token) and extracts it into `destDir`
 * safely. Returns the extracted files' absolute paths.
 */
export async function downloadRunArtifact(gh: GitHub, args: DownloadRunArtifactArgs): Promise<string[]> {
  const { owner, repo, runId, name, destDir, maxBytes } = args;
  const label = `artifact "${name}" of workflow run ${runId}`;
  const listed = await gh.paginate(gh.rest.actions.listWorkflowRunArtifacts, { owner, repo, run_id: runId, name, per_page: 100 });
  // A re-run can leave several with one name; the newest is the one this run's report is in.
  const candidates = listed.filter((a) => a.name === name && !a.expired).sort((a, b) => b.id - a.id);
  if (candidates.length === 0) throw new UserError(`No ${label} was found (it may have expired or never been uploaded).`);
  const artifact = candidates[0];
  if (artifact.size_in_bytes > maxBytes) {
    throw new UserError(`Refusing ${label}: it is ${formatBytes(artifact.size_in_bytes)}, more than the ${formatBytes(maxBytes)} allowed.`);
  }

  const response = await gh.rest.actions.downloadArtifact({
    owner,
    repo,
    artifact_id: artifact.id,
    archive_format: 'zip',
    // Take the redirect ourselves: the signed URL needs no token, and streaming lets us cap it.
    request: { redirect: 'manual', parseSuccessResponseBody: false },
  });
  const status = response.status as number;
  const workDir = await mkdtemp(join(tmpdir(), 'model-gate-artifact-'));
  try {
    const zipPath = join(workDir, 'artifact.zip');
    if (status >= 300 && status < 400) {
      const location = response.headers.location;
      if (!location) throw new UserError(`GitHub answered ${status} without a location for ${label}.`);
      await downloadToFile(location, zipPath, maxBytes, label);
    } else {
      // GitHub served the zip itself; its client has read the body already (publish/github-fetch.ts).
      const body = response.data as unknown as ReadableStream<Uint8Array> | null;
      if (!body) throw new UserError(`Downloading ${label} gave no content.`);
      await pipeline(Readable.fromWeb(body as Parameters<typeof Readable.fromWeb>[0]), byteCap(maxBytes, label), createWriteStream(zipPath));
    }
    await mkdir(destDir, { recursive: true });
    if ((await readdir(destDir)).length > 0) throw new Error(`${destDir} must be empty to extract ${label} into it.`);
    await extractArchive(zipPath, label, destDir, {
      limits: { maxEntries: 1000, maxTotalBytes: args.maxExtractedBytes ?? maxBytes * 10 },
    });
    return await listFiles(destDir);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
