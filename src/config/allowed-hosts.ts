/**
 * The `allowed-hosts` key: hosts and address ranges a download may reach although they are not
 * on the public internet (this machine, a private network, link-local and metadata addresses),
 * and the hosts plain http may be used with. Read from the trusted config only (on a PR: the base
 * commit's), so a PR cannot widen it. src/download/policy.ts applies it.
 */
import { isIP } from 'node:net';

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const HOST_NAME = new RegExp(`^(?:\\*\\.)?${LABEL}(?:\\.${LABEL})*$`);

/**
 * An entry as the policy reads it: a host name (`models.internal`), every subdomain of one
 * (`*.internal`), an IP address (`127.0.0.1`, `::1`) or a range (`10.0.0.0/8`, `fd00::/8`), lower
 * case and without brackets; or the reason it is not one of those.
 */
export function normaliseAllowedHost(entry: string): { host: string } | { problem: string } {
  const text = entry
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/^\[(.*)\](\/\d+)$/, '$1$2');
  const [address, prefix, extra] = text.split('/');
  if (isIP(address) !== 0) {
    const bits = isIP(address) === 4 ? 32 : 128;
    if (extra !== undefined || (prefix !== undefined && !(/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits))) {
      return { problem: `expected an address range such as 10.0.0.0/8 (prefix 0-${bits}), got '${entry}'` };
    }
    return { host: text };
  }
  if (HOST_NAME.test(text)) return { host: text };
  return { problem: `expected a host name (models.example.com, *.example.com), an IP address or a range such as 10.0.0.0/8, got '${entry}'` };
}
