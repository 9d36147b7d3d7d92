import { createSqlMemoryRepository } from '../adapters/sql/memory-repository';
import type { Config } from '../config';
import { type MemoryService, createFactIndex, createMemoryService, createPageTokenCodec } from '../domain/memory';
import type { Logger } from '../observability/logger';
import { createMetrics } from '../observability/metrics';
import { openBackends } from './open-backends';

/** MemoryServices over the configured backends, for tools that compare options in one run. */
export interface MemoryTools {
  /** One service per recency half-life asked for, all over the same facts. */
  services: MemoryService[];
  close(): Promise<void>;
}

/**
 * Opens the backends the configuration names (or the embedded default) and builds one
 * MemoryService per `recencyHalfLivesDays` entry, sharing the repository and fact index, so a
 * tool (bench/recency-check.ts) compares the weighting on the same facts in one run.
 */
export async function openMemoryTools(
  config: Config,
  logger: Logger,
  recencyHalfLivesDays: number[],
): Promise<MemoryTools> {
  const backends = await openBackends(config, createMetrics('tool_', { processMetrics: false }), logger);
  const repository = createSqlMemoryRepository(backends.database);
  const factIndex = createFactIndex({ vectorStore: backends.vectorStore, embedder: backends.memoryEmbedder });
  const services = recencyHalfLivesDays.map((recencyHalfLifeDays) =>
    createMemoryService({ repository, factIndex, pageTokens: createPageTokenCodec(), recencyHalfLifeDays }),
  );
  return { services, close: () => backends.close() };
}
