import { status } from '@grpc/grpc-js';
import type { Metrics } from '../../observability/metrics';
import type { Middleware, RpcMethod } from './middleware';
import { nameOf, statusNameOf } from './status-name';

type MethodLabels = { grpc_type: string; grpc_service: string; grpc_method: string };
type CodeLabels = MethodLabels & { grpc_code: string };
type CachedLabels = { labels: MethodLabels; byCode: Map<string, CodeLabels> };

/** Per method: its labels, and its labels with each status code seen, built once. */
const labelCache = new WeakMap<RpcMethod, CachedLabels>();

/** The grpc-ecosystem labels of one unary method. */
function labelsOf(method: RpcMethod): MethodLabels {
  return { grpc_type: 'unary', grpc_service: method.service, grpc_method: method.name };
}

function cachedLabels(method: RpcMethod): CachedLabels {
  let entry = labelCache.get(method);
  if (!entry) {
    entry = { labels: labelsOf(method), byCode: new Map() };
    labelCache.set(method, entry);
  }
  return entry;
}

function withCode(entry: CachedLabels, code: string): CodeLabels {
  let labels = entry.byCode.get(code);
  if (!labels) {
    labels = { ...entry.labels, grpc_code: code };
    entry.byCode.set(code, labels);
  }
  return labels;
}

/**
 * Creates the series of `method` at zero (started, and handled with code OK), so dashboards
 * see every method from start-up, before its first call.
 */
export function registerMethodMetrics(metrics: Metrics, method: RpcMethod): void {
  const labels = labelsOf(method);
  metrics.grpcStarted.inc(labels, 0);
  metrics.grpcHandled.inc({ ...labels, grpc_code: nameOf(status.OK) }, 0);
}

/**
 * Counts each call as started, then as handled with the status it ends with, and observes
 * its duration: grpc_server_started_total, grpc_server_handled_total and
 * grpc_server_handling_seconds. Label objects are built once per method and status.
 */
export function metricsMiddleware(metrics: Metrics): Middleware {
  return async (call, context, next) => {
    const entry = cachedLabels(call.method);
    const labels = entry.labels;
    const started = process.hrtime.bigint();
    metrics.grpcStarted.inc(labels);
    let code = nameOf(status.OK);
    try {
      return await next(context);
    } catch (error) {
      code = statusNameOf(error);
      throw error;
    } finally {
      metrics.grpcHandled.inc(withCode(entry, code));
      metrics.grpcHandlingSeconds.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    }
  };
}
