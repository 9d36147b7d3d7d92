import type { BenchOptions } from '../cli-options';
import type { ModeResult } from '../report/mode-result';
import { type Corpus, generateCorpus } from './corpus';
import type { MemoryOptions } from './memory-workload';

/** The vector dimension of recall's default embedder (EMBEDDING_DIMENSION). */
export const DIMENSION = 384;

/** The memory workload the options describe. */
export function memoryOptions(options: BenchOptions): MemoryOptions {
  return {
    seed: options.seed,
    users: options.users,
    factsPerUser: options.factsPerUser,
    conversationsPerUser: options.conversationsPerUser,
    messagesPerConversation: options.messagesPerConversation,
  };
}

/** The corpus and query set the options describe. */
export function corpusOf(options: BenchOptions): Corpus {
  return generateCorpus({
    seed: options.seed,
    collections: options.collections,
    docsPerCollection: options.docsPerCollection,
    queries: options.queries,
    nearExactShare: options.nearExactShare,
    goldenAnswers: options.goldenAnswers,
  });
}

/** The options as recorded in the results (no local paths). */
export function recordedOptions(options: BenchOptions): ModeResult['options'] {
  const { outDir: _outDir, modes: _modes, ...rest } = options;
  return rest;
}
