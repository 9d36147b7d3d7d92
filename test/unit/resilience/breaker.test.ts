import { setTimeout as sleep } from 'node:timers/promises';
import type { Breaker } from '../../../src/domain/breaker';
import { InvalidArgumentError, NotFoundError, UnavailableError } from '../../../src/domain/errors';
import { createMetrics } from '../../../src/observability/metrics';
import { createBreaker } from '../../../src/resilience/breaker';

const outage = () => Promise.reject(new Error('connection refused'));

async function failTimes(breaker: Breaker, times: number, work: () => Promise<unknown> = outage): Promise<void> {
  for (let i = 0; i < times; i++) await breaker.run(work).catch(() => undefined);
}

async function gaugeValues(
  metrics: ReturnType<typeof createMetrics>,
  breaker: string,
): Promise<Record<string, number>> {
  const { values } = await metrics.breakerState.get();
  return Object.fromEntries(
    values.filter((v) => v.labels.breaker === breaker).map((v) => [String(v.labels.state), v.value]),
  );
}

describe('circuit breaker', () => {
  const open: Breaker[] = [];
  const make = (options: Parameters<typeof createBreaker>[0], metrics?: ReturnType<typeof createMetrics>) => {
    const breaker = createBreaker(options, metrics);
    open.push(breaker);
    return breaker;
  };
  afterEach(() => {
    for (const breaker of open.splice(0)) breaker.shutdown();
  });

  it('passes results and errors through while closed', async () => {
    const breaker = make({ name: 'db' });
    await expect(breaker.run(async () => 42)).resolves.toBe(42);
    await expect(breaker.run(outage)).rejects.toThrow('connection refused');
    expect(breaker.state()).toBe('closed');
  });

  it('opens after enough outages and then fails fast with UnavailableError without calling the work', async () => {
    const breaker = make({ name: 'db', volumeThreshold: 3, errorThresholdPercentage: 50, resetTimeoutMs: 60_000 });
    await failTimes(breaker, 3);
    expect(breaker.state()).toBe('open');

    let called = false;
    const attempt = breaker.run(async () => {
      called = true;
    });
    await expect(attempt).rejects.toBeInstanceOf(UnavailableError);
    await expect(attempt).rejects.toThrow('db is unavailable (circuit breaker open)');
    expect(called).toBe(false);
  });

  it("never opens on the caller's own mistakes", async () => {
    const breaker = make({ name: 'db', volumeThreshold: 2, errorThresholdPercentage: 1 });
    await failTimes(breaker, 10, () => Promise.reject(InvalidArgumentError.of('user_id', 'must not be empty')));
    await failTimes(breaker, 10, () => Promise.reject(new NotFoundError('no such conversation')));
    expect(breaker.state()).toBe('closed');
    await expect(breaker.run(() => Promise.reject(InvalidArgumentError.of('limit', 'too big')))).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });

  it('lets a trial call through after the reset time and closes again when it succeeds', async () => {
    const breaker = make({ name: 'db', volumeThreshold: 1, resetTimeoutMs: 30 });
    await failTimes(breaker, 1);
    expect(breaker.state()).toBe('open');
    await sleep(60);
    expect(breaker.state()).toBe('half_open');
    await expect(breaker.run(async () => 'back')).resolves.toBe('back');
    expect(breaker.state()).toBe('closed');
  });

  it('turns its own per-call timeout into UnavailableError', async () => {
    const breaker = make({ name: 'slow', timeoutMs: 10 });
    await expect(breaker.run(() => sleep(200))).rejects.toThrow('slow timed out');
  });

  it('publishes its state as a one-hot gauge and counts its events', async () => {
    const metrics = createMetrics('t_', { processMetrics: false });
    const breaker = make({ name: 'milvus', volumeThreshold: 1, resetTimeoutMs: 60_000 }, metrics);
    expect(await gaugeValues(metrics, 'milvus')).toEqual({ closed: 1, open: 0, half_open: 0 });

    await failTimes(breaker, 1);
    expect(await gaugeValues(metrics, 'milvus')).toEqual({ closed: 0, open: 1, half_open: 0 });
    await breaker.run(async () => undefined).catch(() => undefined);

    const { values } = await metrics.breakerEvents.get();
    const count = (event: string) =>
      values.find((v) => v.labels.breaker === 'milvus' && v.labels.event === event)?.value;
    expect(count('failure')).toBe(1);
    expect(count('open')).toBe(1);
    expect(count('reject')).toBe(1);
    expect(count('close')).toBe(0);
  });
});
