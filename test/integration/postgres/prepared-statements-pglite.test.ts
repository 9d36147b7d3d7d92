import { type PgliteClient, openPgliteClient } from '../../../src/adapters/pglite/pglite-client';
import { createSqlMemoryRepository } from '../../../src/adapters/sql/memory-repository';
import { GET_FACTS } from '../../../src/adapters/sql/memory-sql';
import { migrate } from '../../../src/adapters/sql/migrations/migrator';
import { InvalidArgumentError } from '../../../src/domain/errors';
import { ctx, fact, newUser } from './contract-helpers';
import { preparedStatementsContract } from './prepared-statements-contract';

describe('named prepared statements on PGlite', () => {
  let client: PgliteClient;

  beforeAll(async () => {
    client = await openPgliteClient();
    await migrate(client);
  });

  afterAll(async () => {
    await client?.close();
  });

  preparedStatementsContract(() => client);

  it("a prepared statement's error names the field, and the session answers the next call", async () => {
    const repo = createSqlMemoryRepository(client);
    const user = newUser();
    await repo.addFacts(user, ['kept'].map(fact), ctx);
    // A known statement with a bad parameter fails alone; the named statement stays usable.
    const bad = await client
      .query('get_facts', GET_FACTS, [user, ['not-a-uuid'], false, null], ctx)
      .catch((error: unknown) => error);
    expect(bad).toBeInstanceOf(InvalidArgumentError);
    expect(await client.query('get_facts', GET_FACTS, [user, [], false, null], ctx)).toEqual([]);
    expect((await repo.listFacts(user, 10, undefined, ctx)).map((f) => f.content)).toEqual(['kept']);
  });
});
