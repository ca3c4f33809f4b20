/** Turns Ajv's errors into one message per problem that names the file, the key and what was expected. */
import type { ErrorObject } from 'ajv';

function keyPath(instancePath: string): string {
  const parts = instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
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
      const where = error.instancePath ? `${key}.${unknownKey}` : unknownKey;
      return `${where}: unknown key`;
    }
    case 'required':
      return `${error.instancePath ? `${key}.` : ''}${String(p.missingProperty)}: required key is missing`;
    case 'enum':
      return `${key}: expected one of ${(p.allowedValues as unknown[]).join(' | ')}, got ${show(got)}`;
    case 'type':
      return `${key}: expected ${String(p.type)}, got ${show(got)}`;
    case 'pattern':
      return key.endsWith('sha256')
        ? `${key}: expected 64 hexadecimal characters (a sha256), got ${show(got)}`
        : `${key}: expected text matching ${String(p.pattern)}, got ${show(got)}`;
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
