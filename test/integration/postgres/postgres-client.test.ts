import { createTestDatabase } from '../../../harness/postgres';
import { type PostgresClient, createPostgresClient } from '../../../src/adapters/postgres/postgres-client';
import { redactUrl } from '../../../src/adapters/postgres/redact-url';
import { createSqlGoldenAnswerRepository } from '../../../src/adapters/sql/golden-answer-repository';
import { migrate } from '../../../src/adapters/sql/migrations/migrator';
import { backgroundContext, contextWithTimeout } from '../../../src/domain/context';
import {
  AlreadyExistsError,
  CancelledError,
  DeadlineExceededError,
  InvalidArgumentError,
  UnavailableError,
} from '../../../src/domain/errors';
import { createMetrics } from '../../../src/observability/metrics';
import { requireService } from '../../support/require-service';

const ctx = backgroundContext();

async function runningSleeps(client: PostgresClient): Promise<number> {
  const rows = await client.query<{ n: string }>(
    'test',
    "SELECT count(*) AS n FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(%' AND state = 'active'",
    [],
    ctx,
  );
  return Number(rows[0]!.n);
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 2_000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return check();
}

describe('PostgreSQL client', () => {
  let database: { url: string; drop(): Promise<void> };
  let client: PostgresClient;
  const metrics = createMetrics('test_', { processMetrics: false });

  beforeAll(async () => {
    database = await createTestDatabase(requireService('postgres'));
    client = createPostgresClient({ connectionString: database.url, poolMin: 3, poolMax: 4, metrics });
    await migrate(client);
  });

  afterAll(async () => {
    await client?.close();
    await database?.drop();
  });

  test('warmUp opens poolMin connections and the pool gauges show them', async () => {
    await client.warmUp();
    expect(client.poolStats().total).toBeGreaterThanOrEqual(3);
    const size = await metrics.dbPoolSize.get();
    expect(size.values[0]!.value).toBeGreaterThanOrEqual(3);
    const [setting] = await client.query<{ statement_timeout: string }>('test', 'SHOW statement_timeout', [], ctx);
    expect(setting?.statement_timeout).toBe('30s');
  });

  test('query time is recorded per operation and pool waits are observed', async () => {
    await client.query('list_facts', 'SELECT 1', [], ctx);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/test_db_query_duration_seconds_count\{operation="list_facts"\} [1-9]/);
    expect(text).toMatch(/test_db_pool_wait_seconds_count [1-9]/);
  });

  test('a statement still running at the deadline is cancelled on the server; the client stays usable', async () => {
    const started = Date.now();
    await expect(client.query('sleep', 'SELECT pg_sleep(5)', [], contextWithTimeout(200))).rejects.toBeInstanceOf(
      DeadlineExceededError,
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await eventually(async () => (await runningSleeps(client)) === 0)).toBe(true);
    expect(await client.query<{ one: number }>('test', 'SELECT 1 AS one', [], ctx)).toEqual([{ one: 1 }]);
  });

  test('a transaction past its deadline is rolled back', async () => {
    const work = client.transaction('tx', contextWithTimeout(200), async (tx) => {
      await tx.query("INSERT INTO user_stats (user_id) VALUES ('deadline-user')");
      await tx.query('SELECT pg_sleep(5)');
    });
    await expect(work).rejects.toBeInstanceOf(DeadlineExceededError);
    await eventually(async () => (await runningSleeps(client)) === 0);
    expect(await client.query('test', "SELECT 1 FROM user_stats WHERE user_id = 'deadline-user'", [], ctx)).toEqual([]);
  });

  test('waiting for a connection is bounded by the deadline', async () => {
    const hold = Array.from({ length: 4 }, () =>
      client.transaction('hold', backgroundContext(), (tx) => tx.query('SELECT pg_sleep(0.6)')),
    );
    const started = Date.now();
    await expect(client.query('starved', 'SELECT 1', [], contextWithTimeout(150))).rejects.toBeInstanceOf(
      DeadlineExceededError,
    );
    expect(Date.now() - started).toBeLessThan(500);
    await Promise.all(hold);
    await expect(client.query('after', 'SELECT 1', [], ctx)).resolves.toHaveLength(1);
  });

  test('a caller cancelling is CancelledError; a server statement timeout is UnavailableError', async () => {
    const controller = new AbortController();
    const call = client.query('sleep', 'SELECT pg_sleep(5)', [], {
      deadline: Number.POSITIVE_INFINITY,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 100);
    await expect(call).rejects.toBeInstanceOf(CancelledError);
    const strict = createPostgresClient({ connectionString: database.url, poolMin: 0, statementTimeoutMs: 100 });
    try {
      await expect(strict.query('slow', 'SELECT pg_sleep(1)', [], ctx)).rejects.toBeInstanceOf(UnavailableError);
    } finally {
      await strict.close();
    }
  });

  test('unique violations and bad input never open the breaker', async () => {
    const golden = createSqlGoldenAnswerRepository(client);
    await golden.upsert({ question: 'q', normalizedQuestion: 'breaker q', answer: 'a', sources: [] }, ctx);
    for (let i = 0; i < 20; i++) {
      await expect(
        golden.upsert({ question: 'q', normalizedQuestion: 'breaker q', answer: 'a', sources: [] }, ctx),
      ).rejects.toBeInstanceOf(AlreadyExistsError);
      await expect(client.query('bad', "SELECT 'x'::uuid", [], ctx)).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    expect(client.breakerState()).toBe('closed');
  });

  test('an unreachable server opens the breaker, which then fails fast', async () => {
    const dead = createPostgresClient({
      connectionString: 'postgres://postgres:hunter2@127.0.0.1:1/none',
      poolMin: 0,
      connectionTimeoutMs: 500,
      breaker: { volumeThreshold: 3, resetTimeoutMs: 60_000 },
    });
    try {
      for (let i = 0; i < 4; i++) {
        await expect(dead.query('ping', 'SELECT 1', [], ctx)).rejects.toBeInstanceOf(UnavailableError);
      }
      expect(dead.breakerState()).toBe('open');
      await expect(dead.ping(ctx)).rejects.toThrow(/circuit breaker open/);
      expect(dead.redactedUrl).not.toContain('hunter2');
    } finally {
      await dead.close();
      await dead.close();
    }
  });
});

describe('redactUrl', () => {
  test('masks passwords in URLs and key=value strings', () => {
    expect(redactUrl('postgres://app:s3cret@db:5432/recall')).toBe('postgres://app:***@db:5432/recall');
    expect(redactUrl('postgres://db/recall?password=s3cret')).not.toContain('s3cret');
    expect(redactUrl('host=db password=s3cret user=app')).toBe('host=db password=*** user=app');
    expect(redactUrl('postgres://app@db/recall')).toBe('postgres://app@db/recall');
  });
});
