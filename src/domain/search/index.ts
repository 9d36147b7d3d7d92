/** The search domain's public surface: what the composition root and the gRPC layer use. */
export type { BreakerSettings } from './collection-breakers';
export {
  AGREEMENT_DEPTH,
  EARLY_EXIT_SIGNALS,
  type EarlyExitRule,
  type EarlyExitSignal,
  confidence,
  denseMargin,
  isConfident,
  topAgreement,
} from './early-exit';
export type { FanOutMode } from './fan-out';
export { RRF_K_MAX, searchFieldViolations } from './search-input';
export { FILTER_OPERATORS, type FilterInput } from './filter-rules';
export type { SearchLogger, SearchMetrics } from './search-observability';
export {
  DEFAULT_SEARCH_OPTIONS,
  resolveSearchOptions,
  type SearchOptions,
  type SearchOptionsInput,
} from './search-options';
export {
  checkDeleteDocuments,
  checkGoldenAnswer,
  checkSearch,
  checkUpsertDocuments,
  type DocumentShape,
  type SearchShape,
} from './search-request-rules';
export { SEARCH_LIMITS } from './search-rules';
export { createSearchService, type SearchService, type SearchServiceDeps } from './search-service';
export type * from './search-types';
