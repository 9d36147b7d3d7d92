import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import type { Metadata } from '@grpc/grpc-js';

/** One offending field of a rejected request, as in google.rpc.BadRequest.FieldViolation. */
export interface FieldViolation {
  field: string;
  description: string;
}

const BAD_REQUEST_TYPE = 'type.googleapis.com/google.rpc.BadRequest';

/**
 * The field violations of an INVALID_ARGUMENT error: read from the google.rpc.BadRequest in
 * `grpc-status-details-bin` when present, otherwise from the status message's
 * "field: description; field: description" form. Empty when neither names a field.
 */
export function fieldViolations(error: { details?: string; metadata?: Metadata }): FieldViolation[] {
  const [bin] = error.metadata?.get('grpc-status-details-bin') ?? [];
  if (bin instanceof Uint8Array) {
    try {
      const fromDetails = decodeStatusDetails(bin);
      if (fromDetails.length > 0) return fromDetails;
    } catch {
      // A malformed details blob is not fatal: the message carries the same violations.
    }
  }
  return parseMessage(error.details ?? '');
}

/** Parses google.rpc.Status bytes and returns the violations of its BadRequest details. */
function decodeStatusDetails(bytes: Uint8Array): FieldViolation[] {
  const violations: FieldViolation[] = [];
  forEachField(bytes, 3, (any) => {
    let typeUrl = '';
    let value: Uint8Array | undefined;
    const r = new BinaryReader(any);
    while (r.pos < r.len) {
      const [no, type] = r.tag();
      if (no === 1 && type === WireType.LengthDelimited) typeUrl = r.string();
      else if (no === 2 && type === WireType.LengthDelimited) value = r.bytes();
      else r.skip(type, no);
    }
    if (typeUrl !== BAD_REQUEST_TYPE || !value) return;
    forEachField(value, 1, (fv) => {
      const violation: FieldViolation = { field: '', description: '' };
      const v = new BinaryReader(fv);
      while (v.pos < v.len) {
        const [no, type] = v.tag();
        if (no === 1 && type === WireType.LengthDelimited) violation.field = v.string();
        else if (no === 2 && type === WireType.LengthDelimited) violation.description = v.string();
        else v.skip(type, no);
      }
      violations.push(violation);
    });
  });
  return violations;
}

/** Calls `visit` with the bytes of every length-delimited occurrence of field `fieldNo`. */
function forEachField(bytes: Uint8Array, fieldNo: number, visit: (value: Uint8Array) => void): void {
  const r = new BinaryReader(bytes);
  while (r.pos < r.len) {
    const [no, type] = r.tag();
    if (no === fieldNo && type === WireType.LengthDelimited) visit(r.bytes());
    else r.skip(type, no);
  }
}

function parseMessage(message: string): FieldViolation[] {
  return message.split('; ').flatMap((part) => {
    const at = part.indexOf(': ');
    return at > 0 ? [{ field: part.slice(0, at), description: part.slice(at + 2) }] : [];
  });
}

/**
 * Splits violations into those naming one document of the batch (`documents[i]…`, keyed by
 * i, with the rest of the field path kept in the reason) and those about the whole request.
 */
export function violationsByDocument(violations: FieldViolation[]): {
  byIndex: Map<number, string[]>;
  other: FieldViolation[];
} {
  const byIndex = new Map<number, string[]>();
  const other: FieldViolation[] = [];
  for (const v of violations) {
    const match = /^documents\[(\d+)\]\.?(.*)$/.exec(v.field);
    if (!match) {
      other.push(v);
      continue;
    }
    const index = Number(match[1]);
    const reason = match[2] ? `${match[2]}: ${v.description}` : v.description;
    byIndex.set(index, [...(byIndex.get(index) ?? []), reason]);
  }
  return { byIndex, other };
}
