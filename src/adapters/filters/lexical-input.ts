import { InvalidArgumentError } from '../../domain/errors';
import type { LexicalQuery } from '../../domain/ports';
import { VECTOR_LIMITS } from '../../domain/vector-rules';

/** Checks a lexical query as every store needs it: a limit within the top-k bound, some text. */
export function validateStoreLexicalQuery(query: LexicalQuery): void {
  const max = VECTOR_LIMITS.storeTopKMax;
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > max) {
    throw InvalidArgumentError.of('limit', `must be an integer from 1 to ${max}`);
  }
  if (query.text.trim() === '') throw InvalidArgumentError.of('query', 'must not be empty for lexical search');
}
