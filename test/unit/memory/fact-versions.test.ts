/** Facts that change over time and expire (issue 17), through the MemoryService on in-memory fakes. */
import { backgroundContext } from '../../../src/domain/context';
import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from '../../../src/domain/errors';
import type { FactIndex } from '../../../src/domain/memory/fact-index';
import { createMemoryService } from '../../../src/domain/memory/memory-service';
import { createPageTokenCodec } from '../../../src/domain/memory/page-token';
import { FakeMemoryRepository } from '../../support/fakes/fake-memory-repository';

const ctx = backgroundContext();
const DAY = 24 * 60 * 60 * 1000;
const fact = (content: string, extra: Record<string, unknown> = {}) => ({
  content,
  source: '',
  confidence: 0,
  metadata: {},
  ...extra,
});

/** A fact index over a map: recalls every entry of the user containing a query word, score from `scores`. */
function mapIndex() {
  const entries = new Map<string, { userId: string; content: string }>();
  const scores = new Map<string, number>();
  const index: FactIndex & { entries: typeof entries; scores: typeof scores } = {
    entries,
    scores,
    async embed(contents) {
      return contents.map(() => [1, 0]);
    },
    async put(userId, facts) {
      for (const f of facts) entries.set(f.id, { userId, content: f.content });
    },
    async remove(_userId, ids) {
      return ids.filter((id) => entries.delete(id)).length;
    },
    async removeUser(userId) {
      let n = 0;
      for (const [id, e] of entries) if (e.userId === userId && entries.delete(id)) n += 1;
      return n;
    },
    async recall(userId, query, limit) {
      const words = query.toLowerCase().split(' ');
      return [...entries]
        .filter(([, e]) => e.userId === userId && words.some((w) => e.content.toLowerCase().includes(w)))
        .map(([factId, e]) => ({ factId, score: scores.get(e.content) ?? 0.5 }))
        .sort((a, b) => b.score - a.score)
        .slice(0, limit);
    },
  };
  return index;
}

function setup(options: { recencyHalfLifeDays?: number } = {}) {
  const repository = new FakeMemoryRepository();
  const factIndex = mapIndex();
  const memory = createMemoryService({ repository, factIndex, pageTokens: createPageTokenCodec(), ...options });
  return { repository, factIndex, memory };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

async function violatedFields(promise: Promise<unknown>): Promise<string[]> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(InvalidArgumentError);
  return (error as InvalidArgumentError).violations.map((v) => v.field);
}

describe('SupersedeFact and GetFactHistory', () => {
  test('the new version is current, the old one is closed at `at` and linked to it', async () => {
    const { memory, factIndex } = setup();
    const [berlin] = (
      await memory.addFacts(
        { userId: 'u', facts: [fact('Lives in Berlin', { validFrom: new Date('2020-01-01') })] },
        ctx,
      )
    ).facts;
    const at = new Date('2024-06-01T00:00:00Z');
    const { previous, current } = await memory.supersedeFact(
      { userId: 'u', factId: berlin!.id, fact: fact('Lives in Lisbon'), at },
      ctx,
    );
    expect(previous).toMatchObject({ id: berlin!.id, validUntil: at, supersededBy: current.id });
    expect(current).toMatchObject({ content: 'Lives in Lisbon', validFrom: at, validUntil: undefined });
    expect(factIndex.entries.get(current.id)?.content).toBe('Lives in Lisbon');
    // Both vectors stay: as_of and include_history still recall the old version.
    expect(factIndex.entries.has(berlin!.id)).toBe(true);

    const list = async (view: Record<string, unknown> = {}) =>
      (await memory.listFacts({ userId: 'u', pageSize: 10, pageToken: '', ...view }, ctx)).facts.map((f) => f.content);
    expect(await list()).toEqual(['Lives in Lisbon']);
    expect(await list({ asOf: new Date('2023-01-01') })).toEqual(['Lives in Berlin']);
    expect(await list({ asOf: new Date('2019-01-01') })).toEqual([]);
    expect((await list({ includeHistory: true })).sort()).toEqual(['Lives in Berlin', 'Lives in Lisbon']);

    const recall = async (view: Record<string, unknown> = {}) =>
      (await memory.recallFacts({ userId: 'u', query: 'lives', limit: 5, ...view }, ctx)).facts.map((f) => f.content);
    expect(await recall()).toEqual(['Lives in Lisbon']);
    expect(await recall({ asOf: new Date('2023-01-01') })).toEqual(['Lives in Berlin']);
    expect((await recall({ includeHistory: true })).sort()).toEqual(['Lives in Berlin', 'Lives in Lisbon']);

    for (const id of [berlin!.id, current.id]) {
      const history = await memory.getFactHistory({ userId: 'u', factId: id }, ctx);
      expect(history.facts.map((f) => f.content)).toEqual(['Lives in Berlin', 'Lives in Lisbon']);
    }
  });

  test('a superseded or ended fact is FAILED_PRECONDITION; an unknown or other user’s fact NOT_FOUND', async () => {
    const { memory } = setup();
    const [a, ended] = (
      await memory.addFacts(
        {
          userId: 'u',
          facts: [
            fact('Works at Acme'),
            fact('Studied in Porto', { validFrom: new Date('2010-01-01'), validUntil: new Date('2014-01-01') }),
          ],
        },
        ctx,
      )
    ).facts;
    await memory.supersedeFact({ userId: 'u', factId: a!.id, fact: fact('Works at Initech'), at: undefined }, ctx);
    const again = rejection(
      memory.supersedeFact({ userId: 'u', factId: a!.id, fact: fact('Works at Globex'), at: undefined }, ctx),
    );
    expect(await again).toBeInstanceOf(FailedPreconditionError);
    expect(
      await rejection(
        memory.supersedeFact({ userId: 'u', factId: ended!.id, fact: fact('Studied in Lisbon'), at: undefined }, ctx),
      ),
    ).toBeInstanceOf(FailedPreconditionError);
    const unknown: Array<[string, string]> = [
      ['other', a!.id],
      ['u', '00000000-0000-4000-8000-000000000000'],
    ];
    for (const [userId, factId] of unknown) {
      const error = await rejection(memory.supersedeFact({ userId, factId, fact: fact('x'), at: undefined }, ctx));
      expect(error).toBeInstanceOf(NotFoundError);
      expect(await rejection(memory.getFactHistory({ userId, factId }, ctx))).toBeInstanceOf(NotFoundError);
    }
  });

  test('`at` must be after the old version began; bad input names its field and changes nothing', async () => {
    const { memory, repository } = setup();
    const [a] = (
      await memory.addFacts({ userId: 'u', facts: [fact('Has a cat', { validFrom: new Date('2022-01-01') })] }, ctx)
    ).facts;
    const early = rejection(
      memory.supersedeFact({ userId: 'u', factId: a!.id, fact: fact('Has two cats'), at: new Date('2021-01-01') }, ctx),
    );
    expect(await early).toBeInstanceOf(FailedPreconditionError);
    expect(
      await violatedFields(
        memory.supersedeFact(
          {
            userId: 'u',
            factId: a!.id,
            fact: fact('Has two cats', { validFrom: new Date('2023-02-01') }),
            at: new Date('2023-01-01'),
          },
          ctx,
        ),
      ),
    ).toEqual(['fact.valid_from']);
    expect(
      await violatedFields(memory.supersedeFact({ userId: 'u', factId: 'nope', fact: undefined, at: undefined }, ctx)),
    ).toEqual(['fact_id', 'fact']);
    expect(repository.facts).toHaveLength(1);
    expect(repository.facts[0]!.supersededBy).toBeUndefined();
  });
});

describe('validity and expiry of AddFacts', () => {
  test('each bad validity or expiry names its field, and nothing is stored', async () => {
    const { memory, repository } = setup();
    const now = Date.now();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ expiresAt: new Date(now + DAY), ttlSeconds: 60 }, 'facts[0].ttl'],
      [{ expiresAt: new Date(now - DAY) }, 'facts[0].expires_at'],
      [{ ttlSeconds: 0 }, 'facts[0].ttl'],
      [{ ttlSeconds: 11 * 365 * DAY }, 'facts[0].ttl'],
      [{ validFrom: new Date('2024-01-02'), validUntil: new Date('2024-01-01') }, 'facts[0].valid_until'],
      [{ validUntil: new Date(now - DAY) }, 'facts[0].valid_until'],
      [{ validFrom: new Date(Number.NaN) }, 'facts[0].valid_from'],
    ];
    for (const [extra, field] of cases) {
      expect(await violatedFields(memory.addFacts({ userId: 'u', facts: [fact('x', extra)] }, ctx))).toEqual([field]);
    }
    expect(
      await violatedFields(
        memory.listFacts({ userId: 'u', pageSize: 0, pageToken: '', asOf: new Date(), includeHistory: true }, ctx),
      ),
    ).toEqual(['include_history']);
    expect(
      await violatedFields(
        memory.addFacts(
          { userId: 'u', facts: [fact('x', { validFrom: new Date(Number.NaN), expiresAt: new Date(Number.NaN) })] },
          ctx,
        ),
      ),
    ).toEqual(['facts[0].valid_from', 'facts[0].expires_at']);
    expect(repository.facts).toEqual([]);
  });

  test('a ttl becomes expires_at; an expired fact is never returned, even before it is swept', async () => {
    const { memory, repository } = setup();
    const before = Date.now();
    const [temp, kept] = (
      await memory.addFacts(
        { userId: 'u', facts: [fact('Door code is 4321', { ttlSeconds: 3600 }), fact('Door is blue')] },
        ctx,
      )
    ).facts;
    expect(temp!.expiresAt!.getTime()).toBeGreaterThanOrEqual(before + 3600_000);
    expect((await memory.recallFacts({ userId: 'u', query: 'door', limit: 5 }, ctx)).facts).toHaveLength(2);

    repository.now = () => new Date(before + 2 * 3600_000);
    const listed = await memory.listFacts({ userId: 'u', pageSize: 10, pageToken: '', includeHistory: true }, ctx);
    expect(listed.facts.map((f) => f.id)).toEqual([kept!.id]);
    expect((await memory.recallFacts({ userId: 'u', query: 'door', limit: 5 }, ctx)).facts.map((f) => f.id)).toEqual([
      kept!.id,
    ]);
    expect(await rejection(memory.getFactHistory({ userId: 'u', factId: temp!.id }, ctx))).toBeInstanceOf(
      NotFoundError,
    );
    // Stored until swept: counted by GetUserStats and by ForgetUser alike.
    expect((await memory.getUserStats({ userId: 'u' }, ctx)).factCount).toBe(2);
  });

  test('adding the content of an expired fact stores it anew and drops the expired row and vector', async () => {
    const { memory, repository, factIndex } = setup();
    const [first] = (
      await memory.addFacts({ userId: 'u', facts: [fact('Parked on level 3', { ttlSeconds: 60 })] }, ctx)
    ).facts;
    repository.now = () => new Date(Date.now() + 120_000);
    const again = await memory.addFacts({ userId: 'u', facts: [fact('parked on level 3')] }, ctx);
    expect(again).toMatchObject({ created: 1, duplicates: 0 });
    expect(again.facts[0]!.id).not.toBe(first!.id);
    expect(factIndex.entries.has(first!.id)).toBe(false);
    expect([...factIndex.entries.keys()]).toEqual([again.facts[0]!.id]);
    expect((await memory.getUserStats({ userId: 'u' }, ctx)).factCount).toBe(1);
  });

  test('a duplicate is detected against the latest version only', async () => {
    const { memory } = setup();
    const [berlin] = (await memory.addFacts({ userId: 'u', facts: [fact('Lives in Berlin')] }, ctx)).facts;
    await memory.supersedeFact({ userId: 'u', factId: berlin!.id, fact: fact('Lives in Lisbon'), at: undefined }, ctx);
    expect(await memory.addFacts({ userId: 'u', facts: [fact('lives in lisbon')] }, ctx)).toMatchObject({
      duplicates: 1,
    });
    expect(await memory.addFacts({ userId: 'u', facts: [fact('lives in berlin')] }, ctx)).toMatchObject({ created: 1 });
  });

  test('stating an ended fact again makes it the next version, not a duplicate', async () => {
    const { memory } = setup();
    const [acme] = (
      await memory.addFacts(
        {
          userId: 'u',
          facts: [fact('Works at Acme', { validFrom: new Date('2015-01-01'), validUntil: new Date('2018-01-01') })],
        },
        ctx,
      )
    ).facts;
    const again = await memory.addFacts({ userId: 'u', facts: [fact('works at acme')] }, ctx);
    expect(again).toMatchObject({ created: 1, duplicates: 0 });
    const history = await memory.getFactHistory({ userId: 'u', factId: acme!.id }, ctx);
    expect(history.facts.map((f) => [f.content, f.supersededBy])).toEqual([
      ['Works at Acme', again.facts[0]!.id],
      ['works at acme', undefined],
    ]);
    expect(history.facts[0]!.validUntil).toEqual(new Date('2018-01-01'));
  });

  test('a page token continues only the view it came from', async () => {
    const { memory } = setup();
    await memory.addFacts({ userId: 'u', facts: [fact('a'), fact('b'), fact('c')] }, ctx);
    const first = await memory.listFacts({ userId: 'u', pageSize: 2, pageToken: '' }, ctx);
    expect(
      await violatedFields(
        memory.listFacts({ userId: 'u', pageSize: 2, pageToken: first.nextPageToken, includeHistory: true }, ctx),
      ),
    ).toEqual(['page_token']);
    const second = await memory.listFacts({ userId: 'u', pageSize: 2, pageToken: first.nextPageToken }, ctx);
    expect([...first.facts, ...second.facts].map((f) => f.content)).toEqual(['c', 'b', 'a']);
  });
});

describe('recency weighting of RecallFacts', () => {
  async function ranked(recencyHalfLifeDays: number) {
    const { memory, factIndex } = setup({ recencyHalfLifeDays });
    const now = Date.now();
    await memory.addFacts(
      {
        userId: 'u',
        facts: [
          fact('Plays tennis on Sundays', { validFrom: new Date(now - 400 * DAY) }),
          fact('Plays chess on Sundays', { validFrom: new Date(now - 2 * DAY) }),
        ],
      },
      ctx,
    );
    factIndex.scores.set('Plays tennis on Sundays', 0.62);
    factIndex.scores.set('Plays chess on Sundays', 0.6);
    return (await memory.recallFacts({ userId: 'u', query: 'sundays', limit: 5 }, ctx)).facts;
  }

  test('off by default: the retriever’s order and scores stand', async () => {
    const facts = await ranked(0);
    expect(facts.map((f) => [f.content, f.score])).toEqual([
      ['Plays tennis on Sundays', 0.62],
      ['Plays chess on Sundays', 0.6],
    ]);
  });

  test('with a half-life, a much older fact of nearly the same score ranks below a recent one', async () => {
    const facts = await ranked(30);
    expect(facts.map((f) => f.content)).toEqual(['Plays chess on Sundays', 'Plays tennis on Sundays']);
    expect(facts[0]!.score).toBeCloseTo(0.6 * 0.5 ** (2 / 30), 3);
  });
});
