/**
 * recall swaps the Milvus SDK's retry interceptor for a lean one when it does not retry
 * (src/adapters/milvus/lean-interceptor.ts), which relies on the shape of the SDK's client
 * options. An SDK upgrade that changes that shape must fail here rather than quietly bring
 * back the serialising of every call. No server is needed: the client is only built.
 */
import type { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { leanNoRetryInterceptor } from '../../../src/adapters/milvus/lean-interceptor';
import { MilvusSession } from '../../../src/adapters/milvus/milvus-session';

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

  it('keeps the SDK retry interceptor when retries are asked for', async () => {
    const session = new MilvusSession({ address: '127.0.0.1:1', maxCallMs: 200, maxRetries: 2 }, undefined, () => {});
    try {
      expect(String(interceptorsOf(session.client).at(-1))).toContain('retryCount');
    } finally {
      await session.close();
    }
  });
});
