import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { contextWithTimeout } from '../domain/context';
import type { HealthProbe } from '../domain/ports';
import { raceContext } from '../domain/race-context';
import type { Logger } from './logger';
import type { Metrics } from './metrics';

const PROBE_TIMEOUT_MS = 2_000;

/** Result of probing every backend once. */
export interface Readiness {
  ready: boolean;
  checks: Record<string, { ok: boolean; error?: string }>;
}

/** Probes every backend in parallel; a backend is down when its check throws or times out. */
export async function checkReadiness(probes: readonly HealthProbe[]): Promise<Readiness> {
  const ctx = contextWithTimeout(PROBE_TIMEOUT_MS);
  const results = await Promise.all(
    probes.map(async (p) => {
      try {
        await raceContext(p.check(ctx), ctx, { endError: () => new Error('timed out') });
        return [p.name, { ok: true }] as const;
      } catch (error) {
        return [p.name, { ok: false, error: (error as Error).message }] as const;
      }
    }),
  );
  return { ready: results.every(([, r]) => r.ok), checks: Object.fromEntries(results) };
}

/**
 * The sidecar HTTP server for Prometheus and orchestrators: `/metrics`, `/healthz` (the
 * process is up) and `/readyz` (503 while a backend is unreachable or its breaker is open).
 */
export function createSidecar(deps: {
  host: string;
  port: number;
  metrics: Metrics;
  probes: readonly HealthProbe[];
  isShuttingDown: () => boolean;
  logger: Logger;
  /**
   * Dependencies whose breaker is not closed but that do not make the replica unready (the
   * embedder: searches degrade to lexical), by name and state; shown in `/readyz`'s body.
   */
  degraded?: () => Record<string, string>;
}) {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sidecar');
    const send = (code: number, type: string, body: string) => {
      res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'method not allowed\n');
    switch (url.pathname) {
      case '/metrics':
        deps.metrics.registry
          .metrics()
          .then((text) => send(200, deps.metrics.registry.contentType, text))
          .catch((error: unknown) => {
            deps.logger.error({ err: error }, 'metrics collection failed');
            send(500, 'text/plain', 'metrics collection failed\n');
          });
        return;
      case '/healthz':
        return send(200, 'application/json', '{"status":"ok"}\n');
      case '/readyz':
        if (deps.isShuttingDown()) return send(503, 'application/json', '{"ready":false,"reason":"shutting down"}\n');
        checkReadiness(deps.probes).then((r) =>
          send(
            r.ready ? 200 : 503,
            'application/json',
            `${JSON.stringify({ ...r, degraded: deps.degraded?.() ?? {} })}\n`,
          ),
        );
        return;
      default:
        return send(404, 'text/plain', 'not found\n');
    }
  });

  return {
    /** Starts listening; resolves to the bound port. */
    start(): Promise<number> {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(deps.port, deps.host, () => resolve((server.address() as AddressInfo).port));
      });
    },
    /** Stops listening. Safe to call twice. */
    stop(): Promise<void> {
      if (!server.listening) return Promise.resolve();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
