import type { CallContext } from '../../domain/context';
import type { EmbeddingSpaceRepository } from '../../domain/ports';
import type { SqlClient } from './sql-client';

const ALL = 'SELECT collection, space FROM embedding_spaces';

/** Records the space unless one is recorded; returns the recorded one either way. */
const CLAIM = `WITH ins AS (
  INSERT INTO embedding_spaces (collection, space) VALUES ($1, $2)
  ON CONFLICT (collection) DO NOTHING RETURNING space
)
SELECT space FROM ins UNION ALL SELECT space FROM embedding_spaces WHERE collection = $1 LIMIT 1`;

const GET = 'SELECT space FROM embedding_spaces WHERE collection = $1';

const SET = `INSERT INTO embedding_spaces (collection, space) VALUES ($1, $2)
ON CONFLICT (collection) DO UPDATE SET space = EXCLUDED.space, recorded_at = now()`;

/** EmbeddingSpaceRepository on a SqlClient (PostgreSQL or PGlite). */
export function createSqlEmbeddingSpaceRepository(client: SqlClient): EmbeddingSpaceRepository {
  return {
    async all(ctx: CallContext) {
      const rows = await client.query<{ collection: string; space: string }>('embedding_spaces', ALL, [], ctx);
      return new Map(rows.map((row) => [row.collection, row.space]));
    },
    async claim(collection: string, space: string, ctx: CallContext) {
      const [row] = await client.query<{ space: string }>('embedding_spaces', CLAIM, [collection, space], ctx);
      if (row) return row.space;
      // Another writer's claim committed after this statement's snapshot: read it now.
      const [other] = await client.query<{ space: string }>('embedding_spaces', GET, [collection], ctx);
      return other?.space ?? space;
    },
    async set(collection: string, space: string, ctx: CallContext) {
      await client.query('embedding_spaces', SET, [collection, space], ctx);
    },
  };
}
