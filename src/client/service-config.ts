/** The RPCs that only read, so a retry after UNAVAILABLE cannot apply a change twice. */
export const IDEMPOTENT_READS: Readonly<Record<string, readonly string[]>> = {
  'recall.v1.SearchService': ['Search', 'ListCollections'],
  'recall.v1.MemoryService': ['ListFacts', 'RecallFacts', 'GetConversation', 'ListConversations', 'GetUserStats'],
};

/** Retry tuning for the idempotent reads (gRPC's retryPolicy; writes are never retried). */
export interface RetryPolicy {
  /** Attempts including the first, 2-5 (gRPC caps it at 5); 1 turns retries off. */
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  backoffMultiplier: number;
  /** Status names retried; UNAVAILABLE (nothing reached the server, or it was shutting down) by default. */
  retryableStatusCodes: string[];
}

/** Three attempts, 100 ms then 200 ms apart (jittered by gRPC), on UNAVAILABLE only. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 3,
  initialBackoffMs: 100,
  maxBackoffMs: 1_000,
  backoffMultiplier: 2,
  retryableStatusCodes: ['UNAVAILABLE'],
};

const seconds = (ms: number) => `${(ms / 1000).toFixed(3)}s`;

/** A gRPC service config (the `grpc.service_config` channel option) retrying the idempotent reads of `services`. */
export function retryServiceConfig(services: readonly string[], policy: RetryPolicy = DEFAULT_RETRY_POLICY): string {
  const names = services.flatMap((service) => (IDEMPOTENT_READS[service] ?? []).map((method) => ({ service, method })));
  if (policy.maxAttempts <= 1 || names.length === 0) return JSON.stringify({ methodConfig: [] });
  return JSON.stringify({
    methodConfig: [
      {
        name: names,
        retryPolicy: {
          maxAttempts: Math.min(policy.maxAttempts, 5),
          initialBackoff: seconds(policy.initialBackoffMs),
          maxBackoff: seconds(policy.maxBackoffMs),
          backoffMultiplier: policy.backoffMultiplier,
          retryableStatusCodes: policy.retryableStatusCodes,
        },
      },
    ],
  });
}
