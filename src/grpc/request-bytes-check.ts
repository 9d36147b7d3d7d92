import { isUtf8 } from 'node:buffer';
import { type DescField, type DescMessage, ScalarType } from '@bufbuild/protobuf';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import type { FieldViolation } from '../domain/errors';
import { SEARCH_LIMITS } from '../domain/search';

const STRUCT = 'google.protobuf.Struct';
const VALUE = 'google.protobuf.Value';
const LIST_VALUE = 'google.protobuf.ListValue';

/** Map keys, decoded for the violation's path once isUtf8 has passed them. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Why a request's raw bytes are refused: a violation naming the field, before anything decodes them. */
export const NOT_UTF8 = 'must be valid UTF-8 (proto3 strings are UTF-8)';
export const TOO_DEEP = `must be nested at most ${SEARCH_LIMITS.metadataMaxDepth} levels deep`;

/**
 * Walks a request's wire bytes with its message descriptor and returns the first field that
 * must be refused, or undefined: a string (map keys included) that is not UTF-8, or a
 * Struct / ListValue nested deeper than SEARCH_LIMITS.metadataMaxDepth (the generated decoder
 * gives up with a bare error a little past it). Paths are as in BadRequest violations:
 * `facts[0].content`, `documents[2].metadata.a.b[3]`. Throws when the bytes are not protobuf.
 */
export function checkRequestBytes(bytes: Uint8Array, message: DescMessage): FieldViolation | undefined {
  // Nearly every request is clean: a walk that keeps no paths and no counts says so for a
  // fraction of the cost; only a request it doubts is walked again to name the field.
  try {
    if (isClean(bytes, message, 0)) return undefined;
  } catch {
    // Not protobuf, or not clean: walk decides (and throws for bytes that are not protobuf).
  }
  return walk(bytes, message, '', 0);
}

const fieldTables = new WeakMap<DescMessage, Map<number, DescField>>();

/** `message`'s fields by number, built once per message type. */
function fieldsOf(message: DescMessage): Map<number, DescField> {
  let table = fieldTables.get(message);
  if (!table) {
    table = new Map(message.fields.map((f) => [f.number, f]));
    fieldTables.set(message, table);
  }
  return table;
}

/**
 * True only when `walk` would find nothing: the same traversal without paths. False (or a
 * throw) sends the request to `walk`, which names the field or throws.
 */
function isClean(bytes: Uint8Array, message: DescMessage, nesting: number): boolean {
  const level = message.typeName === STRUCT || message.typeName === LIST_VALUE ? nesting + 1 : nesting;
  if (level > SEARCH_LIMITS.metadataMaxDepth) return false;
  const fields = fieldsOf(message);
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [number, wireType] = reader.tag();
    const field = fields.get(number);
    if (!field || wireType !== WireType.LengthDelimited) {
      reader.skip(wireType, number);
      continue;
    }
    const value = reader.bytes();
    switch (field.fieldKind) {
      case 'scalar':
        if (field.scalar === ScalarType.STRING && !isUtf8(value)) return false;
        break;
      case 'list':
        if (field.listKind === 'message') {
          if (!isClean(value, field.message, level)) return false;
        } else if (field.scalar === ScalarType.STRING && !isUtf8(value)) return false;
        break;
      case 'message':
        if (!isClean(value, field.message, level)) return false;
        break;
      case 'map':
        if (!isCleanMapEntry(value, field, level)) return false;
        break;
    }
  }
  return true;
}

/** A map entry for isClean: key = 1, value = 2, as checkMapEntry reads it. */
function isCleanMapEntry(bytes: Uint8Array, field: DescField & { fieldKind: 'map' }, level: number): boolean {
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [number, wireType] = reader.tag();
    if (wireType !== WireType.LengthDelimited || (number !== 1 && number !== 2)) {
      reader.skip(wireType, number);
      continue;
    }
    const part = reader.bytes();
    if (number === 1) {
      if (field.mapKey === ScalarType.STRING && !isUtf8(part)) return false;
    } else if (field.mapKind === 'message') {
      if (!isClean(part, field.message, level)) return false;
    } else if (field.scalar === ScalarType.STRING && !isUtf8(part)) return false;
  }
  return true;
}

function walk(bytes: Uint8Array, message: DescMessage, path: string, nesting: number): FieldViolation | undefined {
  const level = message.typeName === STRUCT || message.typeName === LIST_VALUE ? nesting + 1 : nesting;
  if (level > SEARCH_LIMITS.metadataMaxDepth) return { field: path, description: TOO_DEEP };
  const reader = new BinaryReader(bytes);
  const seen = new Map<number, number>();
  while (reader.pos < reader.len) {
    const [number, wireType] = reader.tag();
    const field = message.fields.find((f) => f.number === number);
    if (!field || wireType !== WireType.LengthDelimited) {
      reader.skip(wireType, number);
      continue;
    }
    const index = seen.get(number) ?? 0;
    seen.set(number, index + 1);
    const found = checkField(reader.bytes(), message, field, fieldPath(message, field, path, index), level);
    if (found) return found;
  }
  return undefined;
}

function checkField(
  bytes: Uint8Array,
  message: DescMessage,
  field: DescField,
  path: string,
  level: number,
): FieldViolation | undefined {
  switch (field.fieldKind) {
    case 'scalar':
      return field.scalar === ScalarType.STRING ? checkUtf8(bytes, path) : undefined;
    case 'list':
      if (field.listKind === 'message') return walk(bytes, field.message, path, level);
      return field.scalar === ScalarType.STRING ? checkUtf8(bytes, path) : undefined;
    case 'message':
      return walk(bytes, field.message, path, level);
    case 'map':
      return checkMapEntry(bytes, message, field, path, level);
    default:
      return undefined;
  }
}

/** A map entry: key = 1, value = 2. Struct entries are named `path.key`, others `path["key"]`. */
function checkMapEntry(
  bytes: Uint8Array,
  message: DescMessage,
  field: DescField & { fieldKind: 'map' },
  path: string,
  level: number,
): FieldViolation | undefined {
  const reader = new BinaryReader(bytes);
  let key: Uint8Array | undefined;
  let value: Uint8Array | undefined;
  while (reader.pos < reader.len) {
    const [number, wireType] = reader.tag();
    if (number === 1 && wireType === WireType.LengthDelimited) key = reader.bytes();
    else if (number === 2 && wireType === WireType.LengthDelimited) value = reader.bytes();
    else reader.skip(wireType, number);
  }
  let name = '';
  if (key && field.mapKey === ScalarType.STRING) {
    const bad = checkUtf8(key, `${path} (a key)`);
    if (bad) return bad;
    name = utf8.decode(key);
  }
  const at = message.typeName === STRUCT ? join(path, name) : `${path}[${JSON.stringify(name)}]`;
  if (!value) return undefined;
  if (field.mapKind === 'message') return walk(value, field.message, at, level);
  return field.scalar === ScalarType.STRING ? checkUtf8(value, at) : undefined;
}

function fieldPath(message: DescMessage, field: DescField, path: string, index: number): string {
  // Struct, Value and ListValue read as JSON: `metadata.a[0].b`, not `metadata.fields…struct_value`.
  if (message.typeName === STRUCT || message.typeName === VALUE) return path;
  if (message.typeName === LIST_VALUE) return `${path}[${index}]`;
  const name = join(path, field.name);
  return field.fieldKind === 'list' ? `${name}[${index}]` : name;
}

function join(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

/** Strict (node:buffer's isUtf8): a decoder that replaces bad bytes with U+FFFD, as generated code does, would hide them. */
function checkUtf8(bytes: Uint8Array, path: string): FieldViolation | undefined {
  return isUtf8(bytes) ? undefined : { field: path, description: NOT_UTF8 };
}
