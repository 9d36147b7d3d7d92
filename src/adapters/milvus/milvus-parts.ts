import type { VectorHit } from '../../domain/ports';
import type { LiteFlushes } from './lite-flushes';
import type { LoadedCollections } from './loaded-collections';
import { FIELDS } from './milvus-schema';
import type { MilvusSession } from './milvus-session';

/** The store's shared parts, handed to its reads, writes and lexical search. */
export interface MilvusParts {
  session: MilvusSession;
  collections: LoadedCollections;
  flushes: LiteFlushes;
}

/** The fields a search returns. */
export const OUTPUT_FIELDS = [FIELDS.id, FIELDS.text, FIELDS.metadata];

/** A search hit as the port returns it, with the score the caller derived from Milvus's. */
export function hitOf(hit: Record<string, unknown>, score: number): VectorHit {
  return {
    id: String(hit.id),
    text: typeof hit.text === 'string' ? hit.text : '',
    metadata: isObject(hit.metadata) ? hit.metadata : {},
    score,
  };
}

/** Whether a JSON value is an object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
