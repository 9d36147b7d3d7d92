/** The expiry sweeper on in-memory fakes: bounded batches, rows and vectors together, held locks skipped. */
import { backgroundContext } from '../../../src/domain/context';
import { type SweepReport, createFactSweeper } from '../../../src/domain/memory/fact-expiry';
import type { FactIndex } from '../../../src/domain/memory/fact-index';
import { createMemoryService } from '../../../src/domain/memory/memory-service';
import { createPageTokenCodec } from '../../../src/domain/memory/page-token';
import { FakeMemoryRepository } from '../../support/fakes/fake-memory-repository';

const ctx = backgroundContext();

function setIndex() {
  const entries = new Map<string, string>();
  const index: FactIndex & { entries: typeof entries } = {
    entries,
    embed: async (contents) => contents.map(() => [1]),
    put: async (userId, facts) => {
      for (const f of facts) entries.set(f.id, userId);
    },
    remove: async (_userId, ids) => ids.filter((id) => entries.delete(id)).length,
    removeUser: async () => 0,
    recall: async () => [],
  };
  return index;
}

async function setup(batchSize: number) {
  const repository = new FakeMemoryRepository();
  const factIndex = setIndex();
  const memory = createMemoryService({ repository, factIndex, pageTokens: createPageTokenCodec() });
  const reports: SweepReport[] = [];
  const sweeper = createFactSweeper({
    repository,
    factIndex,
    options: { intervalMs: 0, batchSize },
    onSweep: (r) => reports.push(r),
  });
  for (const userId of ['ann', 'bob']) {
    const facts = Array.from({ length: 3 }, (_, i) => ({
      content: `${userId} temporary ${i}`,
      source: '',
      confidence: 1,
      metadata: {},
      ttlSeconds: 60,
    }));
    facts.push({ content: `${userId} keeps this`, source: '', confidence: 1, metadata: {}, ttlSeconds: 86_400 });
    await memory.addFacts({ userId, facts }, ctx);
  }
  repository.now = () => new Date(Date.now() + 120_000);
  return { repository, factIndex, memory, sweeper, reports };
}

describe('fact expiry sweeper', () => {
  test('deletes expired rows with their vectors, in batches of at most batchSize, counts kept exact', async () => {
    const { repository, factIndex, memory, sweeper, reports } = await setup(4);
    expect(await sweeper.sweep(ctx)).toMatchObject({ deleted: 4, users: 2, skipped: 0 });
    expect(await sweeper.sweep(ctx)).toMatchObject({ deleted: 2 });
    expect(await sweeper.sweep(ctx)).toMatchObject({ deleted: 0, users: 0 });
    expect(reports.map((r) => r.deleted)).toEqual([4, 2, 0]);
    expect(repository.facts.map((f) => f.content).sort()).toEqual(['ann keeps this', 'bob keeps this']);
    expect([...factIndex.entries.keys()].sort()).toEqual(repository.facts.map((f) => f.id).sort());
    for (const userId of ['ann', 'bob']) {
      expect((await memory.getUserStats({ userId }, ctx)).factCount).toBe(1);
    }
    expect(await memory.forgetUser({ userId: 'ann' }, ctx)).toMatchObject({ facts: 1 });
  });

  test('a user whose fact lock is held is left for a later sweep', async () => {
    const { repository, sweeper } = await setup(100);
    repository.heldLocks.add('ann');
    expect(await sweeper.sweep(ctx)).toMatchObject({ deleted: 3, users: 1, skipped: 1 });
    repository.heldLocks.clear();
    expect(await sweeper.sweep(ctx)).toMatchObject({ deleted: 3, users: 1, skipped: 0 });
  });

  test('with interval 0, start() schedules nothing and stop() resolves', async () => {
    const { sweeper, reports } = await setup(10);
    sweeper.start();
    await sweeper.stop();
    await sweeper.stop();
    expect(reports).toEqual([]);
  });
});
