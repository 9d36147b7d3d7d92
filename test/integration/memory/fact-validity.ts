/**
 * Facts that change and expire, on real backends (issue 17): SupersedeFact, GetFactHistory,
 * as_of and include_history through ListFacts and RecallFacts; expired facts never returned;
 * the sweeper deleting rows with their vectors; and the sweeper racing AddFacts and
 * ForgetUser without ever leaving a vector without its row or a count off by one.
 */
import { randomBytes } from 'node:crypto';
import { createLocalEmbedder } from '../../../src/adapters/embedders/local-embedder';
import { createSqlMemoryRepository } from '../../../src/adapters/sql/memory-repository';
import type { SqlClient } from '../../../src/adapters/sql/sql-client';
import { backgroundContext } from '../../../src/domain/context';
import { FailedPreconditionError, NotFoundError } from '../../../src/domain/errors';
import {
  type FactInput,
  createFactIndex,
  createFactSweeper,
  createMemoryService,
  createPageTokenCodec,
} from '../../../src/domain/memory';
import type { VectorStore } from '../../../src/domain/ports';

export interface ValidityBackends {
  sql: () => SqlClient;
  vectors: () => VectorStore;
  /** A fresh fact collection for the suite. */
  collection: string;
  /** Fewer writes per round, for a store whose writes are slow (the 2.3 standalone). */
  light?: boolean;
  /** One database session (PGlite): a transaction held open blocks every other query. */
  singleSession?: boolean;
}

const ctx = () => backgroundContext();
const fact = (content: string, extra: Partial<FactInput> = {}): FactInput => ({
  content,
  source: 'test',
  confidence: 1,
  metadata: {},
  ...extra,
});

/** Makes the facts expired now, as if their time had passed (the database's clock decides expiry). */
async function expire(sql: SqlClient, ids: string[]): Promise<void> {
  await sql.query(
    'test',
    "UPDATE memory_facts SET expires_at = now() - interval '1 second' WHERE id = ANY ($1::uuid[])",
    [ids],
    ctx(),
  );
}

/** Rows of the user in the database, expired or not. */
async function rowCount(sql: SqlClient, userId: string): Promise<number> {
  const [row] = await sql.query<{ n: string | number }>(
    'test',
    'SELECT count(*) AS n FROM memory_facts WHERE user_id = $1',
    [userId],
    ctx(),
  );
  return Number(row!.n);
}

/** Registers the suite. */
export function factValidityContract(backends: ValidityBackends): void {
  const build = () => {
    const repository = createSqlMemoryRepository(backends.sql());
    const factIndex = createFactIndex({
      vectorStore: backends.vectors(),
      embedder: createLocalEmbedder({ dimension: 64 }),
      collection: backends.collection,
    });
    const memory = createMemoryService({ repository, factIndex, pageTokens: createPageTokenCodec() });
    const sweeper = createFactSweeper({ repository, factIndex, options: { intervalMs: 0, batchSize: 50 } });
    return { repository, factIndex, memory, sweeper };
  };
  const run = randomBytes(3).toString('hex');

  test('supersede, history, as_of and include_history through ListFacts and RecallFacts', async () => {
    const { memory } = build();
    const userId = `moves-${run}`;
    const [berlin] = (
      await memory.addFacts(
        { userId, facts: [fact('Lives in Berlin', { validFrom: new Date('2019-03-01T00:00:00Z') })] },
        ctx(),
      )
    ).facts;
    const at = new Date('2024-06-01T00:00:00Z');
    const { previous, current } = await memory.supersedeFact(
      { userId, factId: berlin!.id, fact: fact('Lives in Lisbon'), at },
      ctx(),
    );
    expect(previous).toMatchObject({ id: berlin!.id, validUntil: at, supersededBy: current.id });
    expect(current).toMatchObject({ validFrom: at, validUntil: undefined, supersededBy: undefined });

    const list = async (view: object = {}) =>
      (await memory.listFacts({ userId, pageSize: 10, pageToken: '', ...view }, ctx())).facts.map((f) => f.content);
    const recall = async (view: object = {}) =>
      (await memory.recallFacts({ userId, query: 'where does the user live', limit: 5, ...view }, ctx())).facts.map(
        (f) => f.content,
      );
    expect(await list()).toEqual(['Lives in Lisbon']);
    expect(await recall()).toEqual(['Lives in Lisbon']);
    expect(await list({ asOf: new Date('2020-01-01T00:00:00Z') })).toEqual(['Lives in Berlin']);
    expect(await recall({ asOf: new Date('2020-01-01T00:00:00Z') })).toEqual(['Lives in Berlin']);
    expect(await list({ asOf: new Date('2018-01-01T00:00:00Z') })).toEqual([]);
    expect(await list({ includeHistory: true })).toEqual(['Lives in Lisbon', 'Lives in Berlin']);
    expect((await recall({ includeHistory: true })).sort()).toEqual(['Lives in Berlin', 'Lives in Lisbon']);
    const history = await memory.getFactHistory({ userId, factId: current.id }, ctx());
    expect(history.facts.map((f) => [f.content, f.supersededBy])).toEqual([
      ['Lives in Berlin', current.id],
      ['Lives in Lisbon', undefined],
    ]);

    // The closed version cannot be superseded again; another user's id is not found.
    await expect(
      memory.supersedeFact({ userId, factId: berlin!.id, fact: fact('Lives in Porto'), at: undefined }, ctx()),
    ).rejects.toBeInstanceOf(FailedPreconditionError);
    await expect(
      memory.supersedeFact({ userId: `${userId}-x`, factId: current.id, fact: fact('x'), at: undefined }, ctx()),
    ).rejects.toBeInstanceOf(NotFoundError);
    // Moving back: a superseded version's content may be stated again, as a third version.
    const back = await memory.supersedeFact(
      { userId, factId: current.id, fact: fact('lives in berlin'), at: undefined },
      ctx(),
    );
    expect((await memory.getFactHistory({ userId, factId: berlin!.id }, ctx())).facts.map((f) => f.id)).toEqual([
      berlin!.id,
      current.id,
      back.current.id,
    ]);
    // A fact that ended by its own valid_until, stated again, becomes its next version.
    const [acme] = (
      await memory.addFacts(
        {
          userId,
          facts: [fact('Works at Acme', { validFrom: new Date('2015-01-01'), validUntil: new Date('2018-01-01') })],
        },
        ctx(),
      )
    ).facts;
    const rejoined = await memory.addFacts({ userId, facts: [fact('works at acme')] }, ctx());
    expect(rejoined).toMatchObject({ created: 1, duplicates: 0 });
    expect((await memory.getFactHistory({ userId, factId: acme!.id }, ctx())).facts.map((f) => f.supersededBy)).toEqual(
      [rejoined.facts[0]!.id, undefined],
    );
    expect((await memory.getUserStats({ userId }, ctx())).factCount).toBe(5);
    expect(await memory.forgetUser({ userId }, ctx())).toMatchObject({ facts: 5, factVectors: 5 });
  });

  test('an expired fact is never returned before it is swept; the sweeper deletes its row and vector', async () => {
    const { memory, sweeper } = build();
    const userId = `expires-${run}`;
    const added = await memory.addFacts(
      {
        userId,
        facts: [fact('Gate code is 1234', { ttlSeconds: 3600 }), fact('Gate is green'), fact('Gate faces north')],
      },
      ctx(),
    );
    const [code, green] = added.facts;
    expect(code!.expiresAt).toBeInstanceOf(Date);
    await expire(backends.sql(), [code!.id]);
    const visible = async () => ({
      listed: (await memory.listFacts({ userId, pageSize: 10, pageToken: '', includeHistory: true }, ctx())).facts.map(
        (f) => f.id,
      ),
      recalled: (await memory.recallFacts({ userId, query: 'gate code', limit: 10 }, ctx())).facts.map((f) => f.id),
    });
    const before = await visible();
    expect(before.listed).not.toContain(code!.id);
    expect(before.recalled).not.toContain(code!.id);
    expect(before.recalled).toContain(green!.id);
    await expect(memory.getFactHistory({ userId, factId: code!.id }, ctx())).rejects.toBeInstanceOf(NotFoundError);
    // Until swept it is stored: GetUserStats counts it, as ForgetUser would.
    expect((await memory.getUserStats({ userId }, ctx())).factCount).toBe(3);

    let swept = 0;
    for (let i = 0; i < 20 && (await rowCount(backends.sql(), userId)) === 3; i++) {
      swept += (await sweeper.sweep(ctx())).deleted;
    }
    expect(swept).toBeGreaterThanOrEqual(1);
    expect(await rowCount(backends.sql(), userId)).toBe(2);
    expect((await memory.getUserStats({ userId }, ctx())).factCount).toBe(2);
    // The last ForgetUser counts rows and vectors exactly: the swept fact's vector went with its row.
    expect(await memory.forgetUser({ userId }, ctx())).toMatchObject({ facts: 2, factVectors: 2 });
  });

  // PGlite has one session: a transaction held open there blocks the sweep's reads too (and one
  // embedded process has no second replica to share the sweep with).
  const whenShared = backends.singleSession ? () => undefined : test;
  whenShared('a sweep leaves a user whose fact lock is held (a write, another replica) to the next sweep', async () => {
    const { memory, repository, sweeper } = build();
    const userId = `held-${run}`;
    const [door] = (await memory.addFacts({ userId, facts: [fact('Door code is 99', { ttlSeconds: 60 })] }, ctx()))
      .facts;
    await expire(backends.sql(), [door!.id]);
    let release!: () => void;
    let started!: () => void;
    const holding = new Promise<void>((resolve) => {
      started = resolve;
    });
    const write = repository.addFacts(userId, [{ ...fact('Door is oak'), metadata: {} }], ctx(), async () => {
      started();
      await new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    await holding;
    const skipped = await sweeper.sweep(ctx());
    expect(skipped.skipped).toBeGreaterThanOrEqual(1);
    // The expired row is still there (the uncommitted write's row is not visible yet).
    expect(await rowCount(backends.sql(), userId)).toBe(1);
    release();
    await write;
    for (let i = 0; i < 20 && (await rowCount(backends.sql(), userId)) === 2; i++) await sweeper.sweep(ctx());
    expect(
      (await memory.listFacts({ userId, pageSize: 10, pageToken: '' }, ctx())).facts.map((f) => f.content),
    ).toEqual(['Door is oak']);
    expect(await rowCount(backends.sql(), userId)).toBe(1);
    expect(await memory.forgetUser({ userId }, ctx())).toMatchObject({ facts: 1, factVectors: 0 });
  });

  const ROUNDS = 20;
  test(`the sweeper racing AddFacts and ForgetUser leaves no vector without its row, ${ROUNDS} of ${ROUNDS} rounds`, async () => {
    const { memory, repository, sweeper } = build();
    const adds = backends.light ? 2 : 4;
    const strays: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const userId = `sweep-race-${run}-${round}`;
      const seeded = await memory.addFacts(
        { userId, facts: Array.from({ length: 6 }, (_, i) => fact(`old code ${i}`, { ttlSeconds: 60 })) },
        ctx(),
      );
      await expire(
        backends.sql(),
        seeded.facts.map((f) => f.id),
      );
      const adders = Array.from({ length: 2 }, async (_, loop) => {
        for (let i = 0; i < adds; i++) {
          // Half re-state an expired fact's content (the expired row is replaced), half are new.
          const content = i % 2 === 0 ? `old code ${loop * adds + i}` : `new code ${round}-${loop}-${i}`;
          await memory.addFacts({ userId, facts: [fact(content, { ttlSeconds: 600 })] }, ctx());
        }
      });
      const sweeps = Array.from({ length: 2 }, async () => {
        for (let i = 0; i < 3; i++) await sweeper.sweep(ctx());
      });
      const forgets = Array.from({ length: 2 }, async (_, k) => {
        await new Promise((resolve) => setTimeout(resolve, 3 + k * 4));
        await memory.forgetUser({ userId }, ctx());
      });
      await Promise.all([...adders, ...sweeps, ...forgets]);

      const rows = await rowCount(backends.sql(), userId);
      const stats = (await repository.getUserStats(userId, ctx()))?.factCount ?? 0;
      const final = await memory.forgetUser({ userId }, ctx());
      if (final.factVectors !== rows || final.facts !== rows || stats !== rows) {
        strays.push(
          `round ${round}: ${rows} rows, ${stats} counted, ${final.factVectors} vectors, ${final.facts} forgotten`,
        );
      }
    }
    expect(strays).toEqual([]);
  });
}
