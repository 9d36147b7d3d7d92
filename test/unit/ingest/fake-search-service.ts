import { status } from '@grpc/grpc-js';
import { InvalidArgumentError } from '../../../src/domain/errors';
import type { Document } from '../../../src/gen/recall/v1/search';
import { type MappedStatus, toGrpcStatus } from '../../../src/grpc/error-status';

/** Runs before the fake handles call number `call` (1-based): may wait, or throw to fail the call. */
export type CallBehaviour = (documents: Document[], call: number) => Promise<void> | void;

/**
 * An in-memory stand-in for SearchService.UpsertDocuments with the server's error shapes:
 * vectors must have DIMENSION numbers (INVALID_ARGUMENT naming `documents[i].vector`, with
 * google.rpc.BadRequest details, built by the service's own error mapper).
 */
export function fakeSearchService(behaviour: CallBehaviour = () => undefined) {
  const stored = new Map<string, Document>();
  const calls: Document[][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  return {
    stored,
    calls,
    get maxInFlight() {
      return maxInFlight;
    },
    async upsert(documents: Document[]): Promise<void> {
      calls.push(documents);
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        await behaviour(documents, calls.length);
        const violations = documents.flatMap((d, i) =>
          d.vector.length > 0 && d.vector.length !== DIMENSION
            ? [
                {
                  field: `documents[${i}].vector`,
                  description: `must have ${DIMENSION} dimensions, not ${d.vector.length}`,
                },
              ]
            : [],
        );
        if (violations.length > 0) throw grpcError(new InvalidArgumentError(violations));
        for (const d of documents) stored.set(d.id, d);
      } finally {
        inFlight -= 1;
      }
    },
  };
}

/** The fake's vector dimension. */
export const DIMENSION = 4;

/** A domain error as a grpc-js client sees it: code, details and trailing metadata. */
export function grpcError(error: unknown): Error & MappedStatus['error'] {
  const mapped = toGrpcStatus(error).error;
  return Object.assign(new Error(`${mapped.code} ${status[mapped.code]}: ${mapped.details}`), mapped);
}

/** A transport-level failure, e.g. the service restarting. */
export function unavailable(): Error & { code: number; details: string } {
  return Object.assign(new Error('14 UNAVAILABLE: connection refused'), {
    code: status.UNAVAILABLE,
    details: 'connection refused',
  });
}
