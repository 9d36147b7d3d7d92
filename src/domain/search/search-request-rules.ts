/**
 * The shape checks of each SearchService request, recorded in the caller's {@link Violations}
 * under the request's field paths. What needs the running service (the embedder's dimension,
 * the configured default collections) is checked by the domain when it runs.
 */
import type { FieldViolation } from '../errors';
import { NUL_PROBLEM, type Violations, containsNul } from '../validation';
import { type FilterInput, requestFilterViolations } from './filter-rules';
import {
  SEARCH_LIMITS,
  collectionNameProblem,
  documentIdProblem,
  documentMetadataProblem,
  documentTextProblem,
  vectorProblem,
} from './search-rules';

/** A Search request's fields, as the gRPC layer decoded them (an empty vector means none). */
export interface SearchShape {
  query: string;
  vector: number[];
  collections: string[];
  userId: string;
  filters: FilterInput[];
}

/** Checks a Search: query length, collections, user id, vector values and filters. */
export function checkSearch(v: Violations, request: SearchShape): void {
  if (request.query.length > SEARCH_LIMITS.queryMaxLength) {
    v.add('query', `must be at most ${SEARCH_LIMITS.queryMaxLength} characters`);
  } else if (containsNul(request.query)) {
    v.add('query', NUL_PROBLEM);
  }
  if (request.collections.length > SEARCH_LIMITS.collectionsPerSearch) {
    v.add('collections', `must have at most ${SEARCH_LIMITS.collectionsPerSearch} items`);
  }
  request.collections.forEach((name, i) => {
    addIf(v, `collections[${i}]`, collectionNameProblem(name));
  });
  if (request.userId) v.userId('user_id', request.userId);
  checkOptionalVector(v, 'vector', request.vector);
  addAll(v, requestFilterViolations(request.filters));
}

/** A document as the gRPC layer decoded it (an empty vector means none). */
export interface DocumentShape {
  id: string;
  text: string;
  metadata: Record<string, unknown>;
  vector: number[];
}

/** Checks an UpsertDocuments: the collection, the batch size and each document. */
export function checkUpsertDocuments(v: Violations, collection: string, documents: readonly DocumentShape[]): void {
  addIf(v, 'collection', collectionNameProblem(collection));
  v.count('documents', documents.length, 1, SEARCH_LIMITS.documentsPerCall);
  const seen = new Set<string>();
  documents.forEach((doc, i) => {
    const at = `documents[${i}]`;
    const idProblem = documentIdProblem(doc.id);
    if (idProblem) v.add(`${at}.id`, idProblem);
    else if (seen.has(doc.id)) v.add(`${at}.id`, 'is repeated in this batch');
    seen.add(doc.id);
    addIf(v, `${at}.text`, documentTextProblem(doc.text));
    addIf(v, `${at}.metadata`, documentMetadataProblem(doc.metadata));
    checkOptionalVector(v, `${at}.vector`, doc.vector);
  });
}

/** Checks a DeleteDocuments: the collection, the batch size and each id. */
export function checkDeleteDocuments(v: Violations, collection: string, ids: readonly string[]): void {
  addIf(v, 'collection', collectionNameProblem(collection));
  v.count('ids', ids.length, 1, SEARCH_LIMITS.documentsPerCall);
  ids.forEach((id, i) => {
    addIf(v, `ids[${i}]`, documentIdProblem(id));
  });
}

/** Checks an UpsertGoldenAnswer: optional UUID id, question, answer and sources. */
export function checkGoldenAnswer(
  v: Violations,
  input: { id: string; question: string; answer: string; sources: readonly string[] },
): void {
  if (input.id) v.uuid('id', input.id);
  v.text('question', input.question, SEARCH_LIMITS.goldenQuestionMaxLength);
  v.text('answer', input.answer, SEARCH_LIMITS.goldenAnswerMaxLength);
  v.count('sources', input.sources.length, 0, SEARCH_LIMITS.goldenSourcesMax);
  input.sources.forEach((source, i) => {
    v.text(`sources[${i}]`, source, SEARCH_LIMITS.goldenSourceMaxLength);
  });
}

function checkOptionalVector(v: Violations, field: string, vector: number[]): void {
  // proto3 cannot tell an empty vector from none: empty means "embed the text".
  if (vector.length > 0) addIf(v, field, vectorProblem(vector));
}

function addIf(v: Violations, field: string, problem: string | undefined): void {
  if (problem) v.add(field, problem);
}

function addAll(v: Violations, violations: readonly FieldViolation[]): void {
  for (const violation of violations) v.add(violation.field, violation.description);
}
