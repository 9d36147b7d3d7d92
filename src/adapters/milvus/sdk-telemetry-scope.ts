import type { MilvusClient } from '@zilliz/milvus2-sdk-node';

/** The SDK calls recall makes that run inside its telemetry scope, and the method each wraps. */
const SCOPED: ReadonlyArray<[string, string, unknown[]]> = [
  ['search', '_search', []],
  ['query', '_query', []],
  ['upsert', '_insert', [true]],
  ['delete', '_delete', []],
];

/**
 * Makes `search`, `query`, `upsert` and `delete` of a client whose telemetry is off call the
 * SDK's inner methods directly. The SDK (3.0.x) wraps each of them in an AsyncLocalStorage
 * `run` for its telemetry, needed or not; the first `run` turns on Node's async hooks for
 * the whole process, so every promise of every call in the server pays for propagating the
 * store (2026-12-02: 3–4 % of the server's CPU on a one-collection Search, in
 * `lookupPublicResource`, `_propagate` and `promiseInitHook`, and V8's fast `await` lost).
 * Only a method that wraps its inner one this way is replaced; returns how many were.
 */
export function bypassSdkTelemetryScope(client: MilvusClient): number {
  const target = client as unknown as Record<string, unknown>;
  let replaced = 0;
  for (const [name, inner, extra] of SCOPED) {
    const outer = target[name];
    const method = target[inner];
    if (typeof outer !== 'function' || typeof method !== 'function') continue;
    if (!String(outer).includes('withTelemetryLogicalOperation')) continue;
    target[name] = (params: unknown) => method.call(client, params, ...extra);
    replaced++;
  }
  return replaced;
}
