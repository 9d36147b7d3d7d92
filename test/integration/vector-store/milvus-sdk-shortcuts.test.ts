/**
 * recall swaps the Milvus SDK's retry interceptor for a lean one when it does not retry
 * (src/adapters/milvus/lean-interceptor.ts) and calls the SDK's inner methods past its
 * telemetry scope (sdk-telemetry-scope.ts); both rely on the SDK client's shape. An SDK
 * upgrade that changes it must fail here rather than quietly bring back the serialising of
 * every call or process-wide async hooks. No server is needed: the client is only built
 * (the calls themselves run in milvus-vector-store.test.ts).
 */
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { leanNoRetryInterceptor } from '../../../src/adapters/milvus/lean-interceptor';
import { MilvusSession } from '../../../src/adapters/milvus/milvus-session';
import { bypassSdkTelemetryScope } from '../../../src/adapters/milvus/sdk-telemetry-scope';

function interceptorsOf(client: MilvusClient): unknown[] {
  return (client as unknown as { channelOptions: { interceptors: unknown[] } }).channelOptions.interceptors;
}

describe('the Milvus SDK client recall builds', () => {
  it('carries the lean interceptor in place of the retry one when retries are off', async () => {
    const session = new MilvusSession({ address: '127.0.0.1:1', maxCallMs: 200 }, undefined, () => {});
    try {
      const interceptors = interceptorsOf(session.client);
      expect(interceptors.at(-1)).toBe(leanNoRetryInterceptor);
      expect(interceptors.filter((i) => String(i).includes('retryCount'))).toHaveLength(0);
    } finally {
      await session.close();
    }
  });

  it('calls search, query, upsert and delete past the SDK telemetry scope', async () => {
    const session = new MilvusSession({ address: '127.0.0.1:1', maxCallMs: 200 }, undefined, () => {});
    try {
      const client = session.client as unknown as Record<string, unknown>;
      for (const name of ['search', 'query', 'upsert', 'delete']) {
        expect(String(client[name])).not.toContain('withTelemetryLogicalOperation');
        expect(Object.hasOwn(client, name)).toBe(true);
      }
      // Each one's replacement, tried on a fresh client: all four were found.
      const fresh = new MilvusClient({ address: '127.0.0.1:1', maxRetries: 0, telemetry: { enabled: false } });
      // Nothing listens there: the SDK's connect in its constructor fails, as expected.
      (fresh as unknown as { connectPromise?: Promise<unknown> }).connectPromise?.catch(() => undefined);
      expect(bypassSdkTelemetryScope(fresh)).toBe(4);
      await fresh.closeConnection().catch(() => undefined);
    } finally {
      await session.close();
    }
  });

  it('keeps the SDK retry interceptor when retries are asked for', async () => {
    const session = new MilvusSession({ address: '127.0.0.1:1', maxCallMs: 200, maxRetries: 2 }, undefined, () => {});
    try {
      expect(String(interceptorsOf(session.client).at(-1))).toContain('retryCount');
    } finally {
      await session.close();
    }
  });
});
