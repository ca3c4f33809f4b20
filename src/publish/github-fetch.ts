/**
 * The fetch Octokit sends GitHub API requests through: each request, its answer and its whole
 * body, must be done within a deadline. A request that gets no answer (a POST GitHub never
 * answers, a proxy that stalls) is aborted and fails as a network error, which octokit turns into
 * a RequestError with status 500: plugin-retry retries reads, and a create is looked for before it
 * is tried again (comment.ts), exactly as for a lost response.
 *
 * The body is read here, at once: bundled with @actions/*, the global fetch runs through undici
 * 6.29, whose parser throws an uncatchable assertion if the server closes the connection while a
 * body waits unread (nodejs/undici#5360, download/get.ts). API bodies are small JSON; an artifact
 * zip GitHub serves itself (not through a redirect) is capped like a JSON body could not be.
 */

/** More than any API answer; an artifact is refused well below this (fork-comment.ts). */
const MAX_BODY_BYTES = 64 * 1024 * 1024;
/** Statuses whose Response may not have a body. */
const NO_BODY = new Set([101, 103, 204, 205, 304]);

async function readCapped(response: Response): Promise<ArrayBuffer | null> {
  if (NO_BODY.has(response.status) || !response.body) return null;
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > MAX_BODY_BYTES) {
      await reader.cancel();
      throw new Error(`the answer is larger than ${MAX_BODY_BYTES / 2 ** 20} MiB`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out.buffer;
}

export function fetchWithDeadline(timeoutMs: number): typeof fetch {
  return async (input, init = {}) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    try {
      const response = await fetch(input, { ...init, signal });
      const body = await readCapped(response);
      const copy = new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
      // octokit's paginate reads the final URL (a Response made here has none of its own).
      Object.defineProperty(copy, 'url', { value: response.url });
      return copy;
    } catch (error) {
      // A plain Error: octokit reports it as status 500 with this message (an AbortError it would pass on as is).
      if (deadline.aborted) throw new Error(`GitHub did not answer within ${timeoutMs / 1000} s`, { cause: error });
      throw error;
    }
  };
}
