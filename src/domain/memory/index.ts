/**
 * The memory module's public surface, and its only one: a dependency-cruiser rule forbids
 * importing any other file of `src/domain/memory/` from outside it. It exposes the use-case
 * service with what builds it (the fact index over a vector store, the page-token codec), its
 * input and result types, and its limits.
 */
export { createFactIndex, type FactIndex, type FactIndexDeps } from './fact-index';
export { createFactSweeper, type FactSweeper, type FactSweeperOptions, type SweepReport } from './fact-expiry';
export type { SupersedeFactInput } from './fact-versions';
export {
  type AddFactsInput,
  type AppendMessagesInput,
  type MemoryService,
  type PageInput,
  createMemoryService,
} from './memory-service';
export type { FactRecallOptions, MemoryLogger, RecallFactsInput, ScoredFact } from './fact-recall';
export { type FactInput, MEMORY_LIMITS, type RecallRetrieval } from './memory-validation';
export { type PageTokenCodec, createPageTokenCodec } from './page-token';
