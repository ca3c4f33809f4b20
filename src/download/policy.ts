/**
 * Which URLs a download may fetch. Manifest URLs come from the PR's head, and a self-hosted runner
 * sits inside a company network next to cloud metadata services, so:
 * - https to any public host; plain http only to a host the trusted config lists in allowed-hosts;
 * - no host that resolves to this machine, a private or link-local network, a metadata service
 *   or a reserved range (address.ts), unless the host, or that address, is listed;
 * - checked again at every redirect hop, after DNS resolution, on the addresses the connection
 *   then uses (get.ts hands them to the socket), so a name that resolves differently the second
 *   time cannot slip through.
 * A refusal says which host and address were refused and why; it never fetched anything.
 */
import { isIP } from 'node:net';
import { UserError } from '../errors.js';
import { classifyAddress, inRange, type AddressKind } from './address.js';

export interface UrlPolicy {
  /** Normalised allowed-hosts entries (config/allowed-hosts.ts). */
  readonly allowedHosts: readonly string[];
}

/** Query strings often carry tokens (signed URLs): never print them. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}${parsed.search ? '?…' : ''}`;
  } catch {
    return url;
  }
}

const bare = (hostname: string) => hostname.replace(/^\[|\]$/g, '').toLowerCase();

/** Whether the config lists this host: by name, as a subdomain of a `*.` entry, or an IP literal in a listed range. */
export function isListedHost(hostname: string, policy: UrlPolicy): boolean {
  const host = bare(hostname).replace(/\.$/, '');
  if (isIP(host) !== 0) return isListedAddress(host, policy);
  return policy.allowedHosts.some((entry) => (entry.startsWith('*.') ? host.endsWith(entry.slice(1)) : entry === host));
}

function isListedAddress(address: string, policy: UrlPolicy): boolean {
  return policy.allowedHosts.some((entry) => isIP(entry.split('/')[0]) !== 0 && inRange(address, entry));
}

const KIND_WORDS: Record<Exclude<AddressKind, 'public'>, string> = {
  loopback: 'a loopback address (this machine)',
  private: 'a private-network address',
  'link-local': 'a link-local address',
  metadata: 'a cloud metadata service address',
  reserved: 'a reserved address',
};

function refusal(configKey: string, url: string, reason: string): UserError {
  return new UserError(`${configKey}: refusing ${displayUrl(url)}: ${reason}. Downloads reach only public hosts, unless the trusted config lists the host in allowed-hosts.`);
}

/** A valid http(s) URL, whatever its host (a manifest is read before the policy is known); else a UserError. */
export function parseHttpUrl(url: string, configKey: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError(`${configKey}: "${displayUrl(url)}" is not a valid URL.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UserError(`${configKey}: "${displayUrl(url)}" uses ${parsed.protocol.replace(/:$/, '')}; only https URLs are supported.`);
  }
  return parsed;
}

/**
 * The URL if its scheme and host may be fetched before any DNS lookup (an IP-literal host is
 * judged here, since no lookup happens for it); else a UserError naming `configKey`.
 */
export function checkUrl(url: string, configKey: string, policy: UrlPolicy): URL {
  const parsed = parseHttpUrl(url, configKey);
  if (parsed.protocol === 'http:' && !isListedHost(parsed.hostname, policy)) {
    throw new UserError(`${configKey}: "${displayUrl(url)}" uses plain http; use https (plain http is allowed only to a host listed in allowed-hosts).`);
  }
  const host = bare(parsed.hostname);
  if (isIP(host) !== 0) {
    const kind = classifyAddress(host);
    if (kind !== 'public' && !isListedHost(host, policy)) throw refusal(configKey, url, `${host} is ${KIND_WORDS[kind]}`);
  }
  return parsed;
}

/** After DNS: a UserError when `hostname` resolved to an address the policy refuses, else null. */
export function checkResolved(url: string, hostname: string, addresses: readonly string[], configKey: string, policy: UrlPolicy): UserError | null {
  if (isListedHost(hostname, policy)) return null;
  for (const address of addresses) {
    const kind = classifyAddress(address);
    if (kind !== 'public' && !isListedAddress(address, policy)) return refusal(configKey, url, `${bare(hostname)} resolves to ${address}, ${KIND_WORDS[kind]}`);
  }
  return null;
}
