/**
 * recall's own vector collections. Their names start with `_`, which no caller may use
 * (search-rules.ts), so they can never collide with a caller's collection.
 */
export const INTERNAL_COLLECTIONS = Object.freeze({
  /** Golden-answer questions, searched before the caller's collections. */
  goldenAnswers: '_golden_answers',
  /** Memory facts, tagged with their owner, for RecallFacts. */
  userFacts: '_user_facts',
} as const);

/** Every internal collection's name; the composition root creates them at start. */
export const INTERNAL_COLLECTION_NAMES: readonly string[] = Object.freeze(Object.values(INTERNAL_COLLECTIONS));

/** Collections whose name starts with `_` belong to recall itself (golden answers, facts). */
export function isInternalCollection(name: string): boolean {
  return name.startsWith('_');
}
