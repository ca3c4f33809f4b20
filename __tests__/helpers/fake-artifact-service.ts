/**
 * Plays the Actions artifact service for @actions/artifact v2+ on the fake GitHub's port:
 * the twirp JSON calls `ArtifactService/CreateArtifact` and `FinalizeArtifact` on
 * ACTIONS_RESULTS_URL, and the Azure block-blob upload to the signed URL CreateArtifact hands
 * out (`PUT ?comp=block` per block, then `PUT ?comp=blocklist`). A finalized artifact is kept
 * in `state.uploadedArtifacts` and listed under `state.currentRun` for the REST download path.
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { FakeState } from './fake-github.js';
import { sendJson } from './fake-github-routes.js';

export interface UploadedArtifact {
  id: number;
  name: string;
  /** The zip @actions/artifact built, as committed to the blob. */
  zip: Buffer;
  /** The size and hash FinalizeArtifact reported. */
  size: number;
  hash: string | null;
}

const TWIRP_PREFIX = '/twirp/github.actions.results.api.v1.ArtifactService/';
/** Path-style blob URL, as Azure uses for an IP host: /account/container/blob. */
const BLOB_PREFIX = '/fakeaccount/actions-results/';

interface PendingUpload {
  name: string;
  blocks: Map<string, Buffer>;
  committed: Buffer | null;
}

const pendingByState = new WeakMap<FakeState, Map<string, PendingUpload>>();

function twirpError(res: ServerResponse, status: number, code: string, msg: string): void {
  sendJson(res, status, { code, msg });
}

/** Returns true when the request belonged to the artifact service (and was answered). */
export async function handleArtifactService(state: FakeState, baseUrl: string, method: string, url: URL, headers: IncomingHttpHeaders, body: Buffer, res: ServerResponse): Promise<boolean> {
  if (!url.pathname.startsWith(TWIRP_PREFIX) && !url.pathname.startsWith(BLOB_PREFIX)) return false;
  let pending = pendingByState.get(state);
  if (!pending) pendingByState.set(state, (pending = new Map()));
  state.requests.push({ method, path: url.pathname, query: url.search, authorized: Boolean(headers.authorization) });

  if (url.pathname.startsWith(TWIRP_PREFIX)) {
    if (method !== 'POST') return (twirpError(res, 405, 'bad_route', 'twirp calls are POSTs'), true);
    if (!headers.authorization?.startsWith('Bearer ')) return (twirpError(res, 401, 'unauthenticated', 'no runtime token'), true);
    const request = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    const rpc = url.pathname.slice(TWIRP_PREFIX.length);
    const name = String(request.name ?? '');
    if (rpc === 'CreateArtifact') {
      if (!request.workflow_run_backend_id || !request.workflow_job_run_backend_id || !name) {
        return (twirpError(res, 400, 'invalid_argument', 'missing backend ids or name'), true);
      }
      const blobName = `${state.nextId()}-${encodeURIComponent(name)}.zip`;
      pending.set(blobName, { name, blocks: new Map(), committed: null });
      sendJson(res, 200, { ok: true, signed_upload_url: `${baseUrl}${BLOB_PREFIX}${blobName}?sig=fake-signature&sv=2023-11-03` });
      return true;
    }
    if (rpc === 'FinalizeArtifact') {
      const entry = [...pending.entries()].find(([, upload]) => upload.name === name && upload.committed);
      if (!entry) return (twirpError(res, 404, 'not_found', `no committed upload named ${name}`), true);
      pending.delete(entry[0]);
      const zip = entry[1].committed!;
      const hash = (request.hash as string | undefined) ?? null;
      const artifact: UploadedArtifact = { id: state.nextId(), name, zip, size: Number(request.size ?? 0), hash };
      state.uploadedArtifacts.push(artifact);
      const listed = state.artifacts.get(state.currentRun.id) ?? [];
      listed.push({ id: artifact.id, name, zip, workflow_run: { ...state.currentRun } });
      state.artifacts.set(state.currentRun.id, listed);
      sendJson(res, 200, { ok: true, artifact_id: String(artifact.id) });
      return true;
    }
    twirpError(res, 404, 'bad_route', `the fake artifact service has no ${rpc}`);
    return true;
  }

  const blobName = url.pathname.slice(BLOB_PREFIX.length);
  const upload = pending.get(blobName);
  if (!upload || url.searchParams.get('sig') !== 'fake-signature') {
    res.writeHead(404, { 'x-ms-error-code': 'BlobNotFound' }).end();
    return true;
  }
  const comp = url.searchParams.get('comp');
  if (method === 'PUT' && comp === 'block') {
    upload.blocks.set(url.searchParams.get('blockid') ?? '', body);
    res.writeHead(201, { 'x-ms-request-id': 'fake', 'x-ms-version': '2023-11-03' }).end();
    return true;
  }
  if (method === 'PUT' && comp === 'blocklist') {
    const ids = [...body.toString('utf8').matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)<\//g)].map((m) => m[1]);
    const missing = ids.filter((id) => !upload.blocks.has(id));
    if (missing.length > 0) {
      res.writeHead(400, { 'x-ms-error-code': 'InvalidBlockList' }).end();
      return true;
    }
    upload.committed = Buffer.concat(ids.map((id) => upload.blocks.get(id)!));
    res.writeHead(201, { etag: `"0x${upload.committed.length.toString(16)}"`, 'last-modified': new Date().toUTCString(), 'x-ms-request-id': 'fake' }).end();
    return true;
  }
  res.writeHead(400, { 'x-ms-error-code': 'UnsupportedQueryParameter' }).end();
  return true;
}
