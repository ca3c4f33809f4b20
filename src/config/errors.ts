/** Turns Ajv's errors into one message per problem that names the file, the key and what was expected. */
import type { ErrorObject } from 'ajv';
import { didYouMean } from './suggest.js';

function keyPath(instancePath: string): string {
  const parts = instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  return parts.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') || '(top level)';
}

function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function valueAt(root: unknown, instancePath: string): unknown {
  let node: unknown = root;
  for (const part of instancePath.split('/').slice(1)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

export function describeSchemaError(error: ErrorObject, data: unknown): string {
  const key = keyPath(error.instancePath);
  const got = valueAt(data, error.instancePath);
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const unknownKey = String(p.additionalProperty);
      const prefix = error.instancePath ? `${key}.` : '';
      // Ajv's verbose mode hands over the schema of the object, whose properties are the keys it knows.
      const known = Object.keys((error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
      return `${prefix}${unknownKey}: unknown key${didYouMean(unknownKey, known, (name) => `${prefix}${name}`)}`;
    }
    case 'required':
      return `${error.instancePath ? `${key}.` : ''}${String(p.missingProperty)}: required key is missing`;
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map(String);
      return `${key}: expected one of ${allowed.join(' | ')}, got ${show(got)}${typeof got === 'string' ? didYouMean(got, allowed) : ''}`;
    }
    case 'type':
      return `${key}: expected ${String(p.type)}, got ${show(got)}`;
    case 'pattern':
      return key.endsWith('sha256') ? `${key}: expected 64 hexadecimal characters (a sha256), got ${show(got)}` : `${key}: expected text matching ${String(p.pattern)}, got ${show(got)}`;
    case 'minItems':
      return `${key}: expected at least ${String(p.limit)} items, got ${show(got)}`;
    case 'maxItems':
      return `${key}: expected at most ${String(p.limit)} items, got ${show(got)}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
      return `${key}: expected a number ${String(p.comparison)} ${String(p.limit)}, got ${show(got)}`;
    default:
      return `${key}: ${error.message ?? 'invalid'}, got ${show(got)}`;
  }
}
