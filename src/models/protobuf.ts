/**
 * A minimal protobuf wire-format reader: enough to walk the few ONNX ModelProto fields we need
 * without pulling in a protobuf library or the ONNX schema. Length-delimited payloads are
 * returned as views (no copy), so a 500 MB model with inline weights costs no extra memory.
 */

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH_DELIMITED = 2;
export const WIRE_FIXED32 = 5;

export interface ProtoField {
  readonly fieldNumber: number;
  readonly wireType: number;
  /** Set for varint fields: the raw unsigned 64-bit value. */
  readonly varint: bigint;
  /** Set for length-delimited fields: a view into the message bytes. */
  readonly bytes: Uint8Array;
}

/** Thrown for bytes that are not well-formed protobuf; the caller turns it into a UserError. */
export class ProtobufError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufError';
  }
}

const EMPTY = new Uint8Array(0);

/** Reads a base-128 varint starting at `offset`; returns the value and the offset after it. */
function readVarint(bytes: Uint8Array, offset: number): [bigint, number] {
  let value = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (offset >= bytes.length) throw new ProtobufError(`truncated varint at byte ${offset}`);
    const byte = bytes[offset++];
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [BigInt.asUintN(64, value), offset];
    shift += 7n;
  }
  throw new ProtobufError(`varint longer than 10 bytes at byte ${offset}`);
}

/**
 * Splits one message into its fields, in wire order. Every field is checked to end inside the
 * message, so truncated or random bytes fail here rather than yielding plausible garbage.
 * Groups (wire types 3/4) are rejected: proto3 (and so ONNX) never emits them.
 */
export function readFields(bytes: Uint8Array): ProtoField[] {
  const fields: ProtoField[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const tagStart = offset;
    const [tag, afterTag] = readVarint(bytes, offset);
    offset = afterTag;
    const fieldNumber = Number(tag >> 3n);
    const wireType = Number(tag & 7n);
    if (fieldNumber === 0 || fieldNumber > 0x1fffffff) {
      throw new ProtobufError(`invalid field number ${fieldNumber} at byte ${tagStart}`);
    }
    switch (wireType) {
      case WIRE_VARINT: {
        const [value, next] = readVarint(bytes, offset);
        offset = next;
        fields.push({ fieldNumber, wireType, varint: value, bytes: EMPTY });
        break;
      }
      case WIRE_FIXED64:
      case WIRE_FIXED32: {
        const size = wireType === WIRE_FIXED64 ? 8 : 4;
        if (offset + size > bytes.length) throw new ProtobufError(`truncated fixed-width field at byte ${tagStart}`);
        fields.push({ fieldNumber, wireType, varint: 0n, bytes: bytes.subarray(offset, offset + size) });
        offset += size;
        break;
      }
      case WIRE_LENGTH_DELIMITED: {
        const [length, next] = readVarint(bytes, offset);
        if (length > BigInt(bytes.length - next)) {
          throw new ProtobufError(`field ${fieldNumber} at byte ${tagStart} claims ${length} bytes but only ${bytes.length - next} remain (truncated file?)`);
        }
        offset = next + Number(length);
        fields.push({ fieldNumber, wireType, varint: 0n, bytes: bytes.subarray(next, offset) });
        break;
      }
      default:
        throw new ProtobufError(`unsupported wire type ${wireType} at byte ${tagStart}`);
    }
  }
  return fields;
}

/** A signed int64 field (ONNX dims, versions) as a JS number; values beyond 2^53 are rejected. */
export function toInt64(field: ProtoField): number {
  const signed = BigInt.asIntN(64, field.varint);
  if (signed > BigInt(Number.MAX_SAFE_INTEGER) || signed < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new ProtobufError(`integer ${signed} in field ${field.fieldNumber} is out of range`);
  }
  return Number(signed);
}

/**
 * The values of a repeated int64 field, which proto3 writers pack (one length-delimited run of
 * varints) but older writers may emit one varint per element; both forms are accepted.
 */
export function readRepeatedInt64(fields: readonly ProtoField[], fieldNumber: number): number[] {
  const values: number[] = [];
  for (const field of fields) {
    if (field.fieldNumber !== fieldNumber) continue;
    if (field.wireType === WIRE_VARINT) {
      values.push(toInt64(field));
    } else if (field.wireType === WIRE_LENGTH_DELIMITED) {
      let offset = 0;
      while (offset < field.bytes.length) {
        const [value, next] = readVarint(field.bytes, offset);
        offset = next;
        values.push(toInt64({ fieldNumber, wireType: WIRE_VARINT, varint: value, bytes: EMPTY }));
      }
    } else {
      throw new ProtobufError(`field ${fieldNumber} has wire type ${field.wireType}, expected an integer`);
    }
  }
  return values;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function toText(field: ProtoField): string {
  if (field.wireType !== WIRE_LENGTH_DELIMITED) {
    throw new ProtobufError(`field ${field.fieldNumber} has wire type ${field.wireType}, expected a string`);
  }
  try {
    return utf8.decode(field.bytes);
  } catch {
    throw new ProtobufError(`field ${field.fieldNumber} is not valid UTF-8`);
  }
}

/** Nested message payload; rejects a field that is not length-delimited. */
export function toMessage(field: ProtoField): ProtoField[] {
  if (field.wireType !== WIRE_LENGTH_DELIMITED) {
    throw new ProtobufError(`field ${field.fieldNumber} has wire type ${field.wireType}, expected a message`);
  }
  return readFields(field.bytes);
}

export function fieldsNumbered(fields: readonly ProtoField[], fieldNumber: number): ProtoField[] {
  return fields.filter((field) => field.fieldNumber === fieldNumber);
}

/** Proto3 semantics: for a singular field the last occurrence wins. */
export function lastField(fields: readonly ProtoField[], fieldNumber: number): ProtoField | undefined {
  for (let i = fields.length - 1; i >= 0; i--) if (fields[i].fieldNumber === fieldNumber) return fields[i];
  return undefined;
}

export function intField(fields: readonly ProtoField[], fieldNumber: number, fallback = 0): number {
  const field = lastField(fields, fieldNumber);
  if (!field) return fallback;
  if (field.wireType !== WIRE_VARINT) {
    throw new ProtobufError(`field ${fieldNumber} has wire type ${field.wireType}, expected an integer`);
  }
  return toInt64(field);
}

export function textField(fields: readonly ProtoField[], fieldNumber: number, fallback = ''): string {
  const field = lastField(fields, fieldNumber);
  return field ? toText(field) : fallback;
}
