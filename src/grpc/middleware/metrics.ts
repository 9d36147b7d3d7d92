import { status } from '@grpc/grpc-js';
import type { Metrics } from '../../observability/metrics';
import type { Middleware, RpcMethod } from './middleware';
import { nameOf, statusNameOf } from './status-name';

/** The grpc-ecosystem labels of one unary method. */
function labelsOf(method: RpcMethod) {
  return { grpc_type: 'unary', grpc_service: method.service, grpc_method: method.name };
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
 * grpc_server_handling_seconds.
 */
export function metricsMiddleware(metrics: Metrics): Middleware {
  return async (call, context, next) => {
    const labels = labelsOf(call.method);
    const started = process.hrtime.bigint();
    metrics.grpcStarted.inc(labels);
    let code = nameOf(status.OK);
    try {
      return await next(context);
    } catch (error) {
      code = statusNameOf(error);
      throw error;
    } finally {
      metrics.grpcHandled.inc({ ...labels, grpc_code: code });
      metrics.grpcHandlingSeconds.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    }
  };
}
