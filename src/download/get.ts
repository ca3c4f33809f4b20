/**
 * One HTTP(S) GET over node:http/https that connects only to addresses a check accepted. Not
 * fetch, for two reasons:
 * - fetch has no hook between the DNS lookup and the connection, so a name that was checked could
 *   resolve to another address (a private one) when fetch connects; here the lookup that is
 *   checked is the one the socket uses;
 * - in the Action bundle, @actions/* loads undici 6.29, which installs itself as the global
 *   fetch's dispatcher, and its HTTP/1 parser throws an uncatchable assertion
 *   (`assert(!this.paused)`, nodejs/undici#5360) when a server closes the connection while a
 *   body is waiting to be read, which a slow disk write is enough to cause.
 */
import { promises as dns, type LookupAddress, type LookupOptions } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';

/** Every address a host name resolves to. Tests pass their own; the default asks the system resolver. */
export type Resolver = (hostname: string) => Promise<readonly LookupAddress[]>;

export const systemResolver: Resolver = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

export interface GetOptions {
  readonly signal: AbortSignal;
  readonly headers: Readonly<Record<string, string>>;
  readonly resolve?: Resolver;
  /** An error refuses the connection before it is made (download/policy.ts checkResolved). */
  readonly checkAddresses?: (hostname: string, addresses: readonly string[]) => Error | null;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** The response (status and headers read; the body still to be consumed), or the request's error. */
export function get(url: URL, options: GetOptions): Promise<IncomingMessage> {
  const resolve = options.resolve ?? systemResolver;
  const lookup = (hostname: string, lookupOptions: LookupOptions, callback: LookupCallback) => {
    resolve(hostname).then(
      (found) => {
        const problem =
          options.checkAddresses?.(
            hostname,
            found.map((a) => a.address),
          ) ?? null;
        if (problem) return callback(problem as NodeJS.ErrnoException, '', 0);
        const family = lookupOptions.family === 4 || lookupOptions.family === 6 ? lookupOptions.family : 0;
        const usable = found.filter((a) => family === 0 || a.family === family);
        if (usable.length === 0) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
        if (lookupOptions.all)
          callback(
            null,
            usable.map((a) => ({ address: a.address, family: a.family })),
          );
        else callback(null, usable[0].address, usable[0].family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((settle, reject) => {
    // No agent: no socket is kept alive (none would be reused) or shared between two checks.
    const request = client.get(url, { headers: options.headers, signal: options.signal, lookup, agent: false }, settle);
    request.on('error', reject);
  });
}
