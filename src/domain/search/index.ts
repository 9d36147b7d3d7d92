/**
 * The search module's public surface, and its only one: a dependency-cruiser rule forbids
 * importing any other file of `src/domain/search/` from outside it. It exposes the use-case
 * service with what builds it (its options, breaker settings and observers), its input and
 * result types, its limits and input rules, and the early-exit rule the eval calibrates.
 * Golden answers are a stage of search and live inside it (`golden-answers/`).
 */
export type { BreakerSettings } from './collection-breakers';
export {
  AGREEMENT_DEPTH,
  DEFAULT_EARLY_EXIT,
  DEFAULT_RERANK_CANDIDATES,
  EARLY_EXIT_SIGNALS,
  type EarlyExitRule,
  type EarlyExitSignal,
  confidence,
  denseMargin,
  isConfident,
  topAgreement,
} from './early-exit';
export type { FanOutStrategy } from './fan-out';
export type { SearchLogger, SearchMetrics } from './search-observability';
export {
  DEFAULT_SEARCH_OPTIONS,
  resolveSearchOptions,
  type SearchOptions,
  type SearchOptionsInput,
} from './search-options';
export {
  SEARCH_LIMITS,
  collectionNameProblem,
  documentIdProblem,
  documentMetadataProblem,
  documentTextProblem,
} from './search-rules';
export { createSearchService, type SearchService, type SearchServiceDeps } from './search-service';
export type * from './search-types';
export type { FilterInput } from '../filter-rules';
export { RRF_K_MAX, type ValidSearch } from './search-validation';
