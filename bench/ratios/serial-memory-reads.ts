import type { RecallClients } from '../server/clients';
import { scrapeMetrics } from '../server/metrics-scrape';
import { type HistogramSummary, summarizeServerMetrics } from '../server/server-metrics';
import { runLoad } from '../workload/load-runner';

/** Memory reads made one at a time after a mode's load (requests, in the load's proportions). */
export const SERIAL_MEMORY_READS = 400;

/**
 * The memory reads' DB time with one call at a time: the load's own mix of ListFacts pages,
 * ListConversations pages and GetUserStats, with nothing else running, read from recall's
 * db_query_duration_seconds like the loaded figure. Under load that figure is mostly waiting
 * (for recall's event loop to take the answer, and for a CPU the database shares), which grows
 * with a mode's throughput; here it is the statement and its round trip.
 */
export async function measureSerialMemoryReads(
  clients: RecallClients,
  metricsUrl: string,
  users: number,
  seed: number,
): Promise<HistogramSummary> {
  const before = await scrapeMetrics(metricsUrl);
  const load = await runLoad(clients, {
    concurrency: 1,
    requests: SERIAL_MEMORY_READS,
    seed,
    stream: 'serial-memory-reads',
    collections: [],
    users,
    queries: [],
    mix: { search: 0, list_facts: 0.14, list_conversations: 0.1, get_user_stats: 0.06 },
  });
  const after = await scrapeMetrics(metricsUrl);
  const { byOperation: _, ...all } = summarizeServerMetrics(before, after, load.wallMs / 1000).memoryReadQueries;
  return all;
}
