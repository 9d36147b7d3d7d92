import type { LexicalFactIndex, MemoryRepository } from '../ports';
import { createConversations } from './conversations';
import type { FactIndex } from './fact-index';
import { type FactRecallOptions, type MemoryLogger, createFactRecall } from './fact-recall';
import { createFactVersions } from './fact-versions';
import { createFacts } from './facts';
import type { PageTokenCodec } from './page-token';
import { createUsers } from './users';

export type { AddFactsInput } from './facts';
export type { AppendMessagesInput } from './conversations';
export type { PageInput } from './pages';
/**
 * The MemoryService's rules: validation, page tokens, and keeping the fact index in step
 * with the database. Storage itself is the repository's. Each family of RPCs is built in its
 * own file and spread in here.
 */
export function createMemoryService(deps: {
  repository: MemoryRepository;
  pageTokens: PageTokenCodec;
  factIndex?: FactIndex;
  /** RecallFacts' lexical side; without it RecallFacts is dense only. */
  lexicalIndex?: LexicalFactIndex;
  /** RecallFacts' default retrieval mode and fusion; hybrid with RRF (k 60) without it. */
  recall?: FactRecallOptions;
  logger?: MemoryLogger;
  /** RecallFacts weighs scores by the facts' age with this half-life (days); 0 or unset: off. */
  recencyHalfLifeDays?: number;
}) {
  const { repository, pageTokens, factIndex, logger } = deps;

  const recallFacts = createFactRecall({
    repository,
    factIndex,
    lexicalIndex: deps.lexicalIndex,
    options: deps.recall,
    logger,
    recencyHalfLifeDays: deps.recencyHalfLifeDays ?? 0,
  });

  return {
    ...createFactVersions({ repository, factIndex }),
    ...createConversations({ repository, pageTokens }),
    ...createFacts({ repository, pageTokens, factIndex }),
    /** The user's facts most relevant to the query, best first; never another user's (fact-recall.ts). */
    recallFacts,

    ...createUsers({ repository, factIndex, lexicalIndex: deps.lexicalIndex }),
  };
}

/** The MemoryService domain API. */
export type MemoryService = ReturnType<typeof createMemoryService>;
