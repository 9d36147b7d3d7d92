import { NotFoundError, UnauthenticatedError } from '../../../../src/domain/errors';
import { metricsMiddleware, registerMethodMetrics } from '../../../../src/grpc/middleware/metrics';
import { createMetrics } from '../../../../src/observability/metrics';
import { fakeCall } from './fake-call';

describe('metrics middleware', () => {
  const series = 'grpc_type="unary",grpc_service="recall.v1.MemoryService",grpc_method="ListFacts"';
  let metrics: ReturnType<typeof createMetrics>;
  const text = () => metrics.registry.metrics();
  const call = (outcome: () => Promise<unknown>) =>
    metricsMiddleware(metrics)(fakeCall(), {}, outcome).catch(() => undefined);

  beforeEach(() => {
    metrics = createMetrics('t_', { processMetrics: false });
  });

  it('shows every registered method at zero before its first call', async () => {
    registerMethodMetrics(metrics, fakeCall().method);
    const exposed = await text();
    expect(exposed).toContain(`grpc_server_started_total{${series}} 0`);
    expect(exposed).toContain(`grpc_server_handled_total{${series},grpc_code="OK"} 0`);
  });

  it('counts started and handled calls with the status each one ends with', async () => {
    await call(async () => 'ok');
    await call(async () => 'ok');
    await call(async () => Promise.reject(new NotFoundError('user u1 not found')));
    await call(async () => Promise.reject(new UnauthenticatedError()));
    await call(async () => Promise.reject(new Error('unexpected')));
    const exposed = await text();
    expect(exposed).toContain(`grpc_server_started_total{${series}} 5`);
    expect(exposed).toContain(`grpc_server_handled_total{${series},grpc_code="OK"} 2`);
    expect(exposed).toContain(`grpc_server_handled_total{${series},grpc_code="NOT_FOUND"} 1`);
    expect(exposed).toContain(`grpc_server_handled_total{${series},grpc_code="UNAUTHENTICATED"} 1`);
    expect(exposed).toContain(`grpc_server_handled_total{${series},grpc_code="INTERNAL"} 1`);
    expect(exposed).toContain(`grpc_server_handling_seconds_count{${series}} 5`);
  });

  it('counts a call as started while it is still running', async () => {
    let finish: () => void = () => undefined;
    const running = call(
      () =>
        new Promise<void>((resolve) => {
          finish = resolve;
        }),
    );
    expect(await text()).toContain(`grpc_server_started_total{${series}} 1`);
    expect(await text()).not.toContain('grpc_server_handled_total{');
    finish();
    await running;
    expect(await text()).toContain(`grpc_server_handled_total{${series},grpc_code="OK"} 1`);
  });

  it('passes the response and the error through untouched', async () => {
    const failure = new NotFoundError('nope');
    await expect(metricsMiddleware(metrics)(fakeCall(), {}, async () => 42)).resolves.toBe(42);
    await expect(metricsMiddleware(metrics)(fakeCall(), {}, async () => Promise.reject(failure))).rejects.toBe(failure);
  });
});
