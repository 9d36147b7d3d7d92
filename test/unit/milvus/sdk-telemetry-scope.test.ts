/**
 * recall calls the SDK's inner search/query/upsert/delete past its telemetry scope (see
 * sdk-telemetry-scope.ts): the same arguments must reach the inner method, upsert as an
 * upsert, and a client of another shape must be left alone.
 */
import type { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { bypassSdkTelemetryScope } from '../../../src/adapters/milvus/sdk-telemetry-scope';

declare function withTelemetryLogicalOperation(...args: unknown[]): unknown;

/** A stand-in shaped like the SDK's client: each public method wraps its inner one in the scope. */
class ScopedClient {
  readonly calls: unknown[][] = [];
  search(params: unknown) {
    return withTelemetryLogicalOperation('Search', params, () => this._search(params));
  }
  query(params: unknown) {
    return withTelemetryLogicalOperation('Query', params, () => this._query(params));
  }
  upsert(params: unknown) {
    return withTelemetryLogicalOperation('Upsert', params, () => this._insert(params, true));
  }
  delete(params: unknown) {
    return withTelemetryLogicalOperation('Delete', params, () => this._delete(params));
  }
  _search(params: unknown) {
    this.calls.push(['_search', params]);
    return Promise.resolve('searched');
  }
  _query(params: unknown) {
    this.calls.push(['_query', params]);
    return Promise.resolve('queried');
  }
  _insert(params: unknown, upsert?: boolean) {
    this.calls.push(['_insert', params, upsert]);
    return Promise.resolve('upserted');
  }
  _delete(params: unknown) {
    this.calls.push(['_delete', params]);
    return Promise.resolve('deleted');
  }
}

describe('bypassSdkTelemetryScope', () => {
  it('sends each call to the inner method with the same arguments, upsert as an upsert', async () => {
    const fake = new ScopedClient();
    const client = fake as unknown as MilvusClient;
    expect(bypassSdkTelemetryScope(client)).toBe(4);
    await expect(client.search({ collection_name: 'a' } as never)).resolves.toBe('searched');
    await expect(client.query({ collection_name: 'b' } as never)).resolves.toBe('queried');
    await expect(client.upsert({ collection_name: 'c' } as never)).resolves.toBe('upserted');
    await expect(client.delete({ collection_name: 'd' } as never)).resolves.toBe('deleted');
    expect(fake.calls).toEqual([
      ['_search', { collection_name: 'a' }],
      ['_query', { collection_name: 'b' }],
      ['_insert', { collection_name: 'c' }, true],
      ['_delete', { collection_name: 'd' }],
    ]);
  });

  it('leaves methods that do not wrap an inner one alone', () => {
    const search = async () => 'plain';
    const client = { search, _search: async () => 'inner' } as unknown as MilvusClient;
    expect(bypassSdkTelemetryScope(client)).toBe(0);
    expect(client.search).toBe(search);
  });
});
