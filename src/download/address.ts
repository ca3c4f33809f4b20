/**
 * What kind of network an IP address is on, for the download policy (policy.ts): a URL from a
 * PR's manifest must not reach this machine, the runner's company network or a cloud metadata
 * service. Ranges from the IANA IPv4 and IPv6 special-purpose address registries (RFC 6890 and
 * its updates); the metadata addresses are the instance-metadata endpoints of AWS (also ECS and
 * IPv6), GCP and Azure (169.254.169.254), Azure's WireServer and Alibaba Cloud.
 */
import { isIP } from 'node:net';

export type AddressKind = 'public' | 'loopback' | 'private' | 'link-local' | 'metadata' | 'reserved';

const METADATA = new Set(['169.254.169.254', '169.254.170.2', '168.63.129.16', '100.100.100.200', 'fd00:ec2::254']);

/** [first address, prefix length, kind], IPv4 as a 32-bit number. */
const V4: readonly [string, number, Exclude<AddressKind, 'public' | 'metadata'>][] = [
  ['0.0.0.0', 8, 'reserved'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'private'], // shared address space (carrier-grade NAT)
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'reserved'],
  ['192.88.99.0', 24, 'reserved'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'],
  ['198.51.100.0', 24, 'reserved'],
  ['203.0.113.0', 24, 'reserved'],
  ['224.0.0.0', 4, 'reserved'], // multicast
  ['240.0.0.0', 4, 'reserved'], // and 255.255.255.255
];

function v4Number(address: string): number {
  return address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function inV4(n: number, first: string, prefix: number): boolean {
  const size = 2 ** (32 - prefix);
  const start = Math.floor(v4Number(first) / size) * size;
  return n >= start && n < start + size;
}

function classifyV4(address: string): AddressKind {
  if (METADATA.has(address)) return 'metadata';
  const n = v4Number(address);
  return V4.find(([first, prefix]) => inV4(n, first, prefix))?.[2] ?? 'public';
}

/** The 16 bytes of an IPv6 address (zone id dropped, a trailing dotted quad read as such). */
export function v6Bytes(address: string): number[] {
  let text = address.split('%')[0].toLowerCase();
  let tail: number[] = [];
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    const n = v4Number(quad[1]);
    tail = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
    text = text.slice(0, -quad[1].length);
    if (text.endsWith(':') && !text.endsWith('::')) text = text.slice(0, -1);
  }
  const groupsWanted = (16 - tail.length) / 2;
  const gap = text.includes('::');
  const [leftText, rightText] = gap ? text.split('::') : [text, ''];
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = parse(leftText);
  const right = parse(rightText);
  const groups = gap ? [...left, ...new Array<number>(groupsWanted - left.length - right.length).fill(0), ...right] : left;
  return [...groups.flatMap((g) => [g >> 8, g & 255]), ...tail];
}

function startsWith(bytes: number[], prefixHex: string, bits: number): boolean {
  const prefix = v6Bytes(prefixHex);
  for (let bit = 0; bit < bits; bit++) {
    const mask = 0x80 >> (bit % 8);
    if ((bytes[bit >> 3] & mask) !== (prefix[bit >> 3] & mask)) return false;
  }
  return true;
}

const v4Of = (bytes: number[], at: number) => bytes.slice(at, at + 4).join('.');

function classifyV6(address: string): AddressKind {
  const bytes = v6Bytes(address);
  const canonical = bytes.every((b, i) => (i < 15 ? b === 0 : true));
  if (canonical && bytes[15] === 1) return 'loopback';
  if (canonical && bytes[15] === 0) return 'reserved';
  if (startsWith(bytes, 'fd00:ec2::254', 128)) return 'metadata';
  // Addresses that carry an IPv4 address are as reachable as that address.
  if (startsWith(bytes, '::ffff:0:0', 96) || startsWith(bytes, '64:ff9b::', 96)) return classifyV4(v4Of(bytes, 12));
  if (startsWith(bytes, '2002::', 16)) return classifyV4(v4Of(bytes, 2));
  if (startsWith(bytes, '::', 96)) return 'reserved'; // IPv4-compatible (deprecated)
  if (startsWith(bytes, '64:ff9b:1::', 48)) return 'private';
  if (startsWith(bytes, 'fc00::', 7) || startsWith(bytes, 'fec0::', 10)) return 'private';
  if (startsWith(bytes, 'fe80::', 10)) return 'link-local';
  if (startsWith(bytes, 'ff00::', 8) || startsWith(bytes, '100::', 64) || startsWith(bytes, '2001::', 23) || startsWith(bytes, '2001:db8::', 32)) return 'reserved';
  return 'public';
}

/** The kind of network `address` (an IPv4 or IPv6 literal) is on. */
export function classifyAddress(address: string): AddressKind {
  const bare = address.replace(/^\[|\]$/g, '');
  const version = isIP(bare.split('%')[0]);
  if (version === 4) return classifyV4(bare);
  if (version === 6) return classifyV6(bare);
  throw new Error(`not an IP address: ${address}`);
}

/** Whether `address` lies in `range` (an address, or address/prefix), both of the same family. */
export function inRange(address: string, range: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').split('%')[0];
  const [base, prefixText] = range.split('/');
  const family = isIP(bare);
  if (family === 0 || family !== isIP(base)) return false;
  const bits = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (family === 4) return inV4(v4Number(bare), base, prefix);
  return startsWith(v6Bytes(bare), base, prefix);
}
