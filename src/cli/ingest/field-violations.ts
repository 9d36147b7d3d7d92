import type { Metadata } from '@grpc/grpc-js';
import { BadRequest } from '../../gen/google/rpc/error_details';
import { Status } from '../../gen/google/rpc/status';

/** One offending field of a rejected request, as in google.rpc.BadRequest.FieldViolation. */
export interface FieldViolation {
  field: string;
  description: string;
}

const BAD_REQUEST_TYPE = 'google.rpc.BadRequest';

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
  return Status.decode(bytes)
    .details.filter((any) => typeName(any.typeUrl) === BAD_REQUEST_TYPE)
    .flatMap((any) => BadRequest.decode(any.value).fieldViolations)
    .map(({ field, description }) => ({ field, description }));
}

/** An Any's type URL names its message after the last slash, whatever the prefix. */
function typeName(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
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
