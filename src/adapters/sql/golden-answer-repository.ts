import type { CallContext } from '../../domain/context';
import { AlreadyExistsError, InvalidArgumentError, defined } from '../../domain/errors';
import type { GoldenAnswer, GoldenAnswerRepository } from '../../domain/ports';
import { isUuid } from '../../domain/validation';
import type { SqlClient } from './sql-client';

const ANY = 'SELECT EXISTS (SELECT 1 FROM golden_answers) AS any';
const COLUMNS = 'id, question, answer, sources, created_at, updated_at';

/** Inserts, or replaces the row with the same id; `created` tells which (xmax is 0 for a fresh row). */
const UPSERT = `INSERT INTO golden_answers (id, question, question_normalized, answer, sources)
VALUES (coalesce($1::uuid, gen_random_uuid()), $2, $3, $4, $5::text[])
ON CONFLICT (id) DO UPDATE SET question = EXCLUDED.question, question_normalized = EXCLUDED.question_normalized,
  answer = EXCLUDED.answer, sources = EXCLUDED.sources, updated_at = now()
RETURNING ${COLUMNS}, (xmax = 0) AS created`;

const FIND = `SELECT ${COLUMNS} FROM golden_answers
WHERE md5(question_normalized) = md5($1) AND question_normalized = $1`;

const GET = `SELECT ${COLUMNS} FROM golden_answers WHERE id = $1`;

const DELETE = 'DELETE FROM golden_answers WHERE id = $1 RETURNING id';

interface GoldenAnswerRow {
  id: string;
  question: string;
  answer: string;
  sources: string[] | null;
  created_at: Date;
  updated_at: Date;
}

function toGoldenAnswer(row: GoldenAnswerRow): GoldenAnswer {
  return {
    id: row.id,
    question: row.question,
    answer: row.answer,
    sources: row.sources ?? [],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** GoldenAnswerRepository on a SqlClient; the database enforces one answer per normalised question. */
export function createSqlGoldenAnswerRepository(client: SqlClient): GoldenAnswerRepository {
  return {
    async upsert(input, ctx: CallContext) {
      if (input.id !== undefined && !isUuid(input.id)) throw InvalidArgumentError.of('id', 'must be a UUID');
      const params = [input.id ?? null, input.question, input.normalizedQuestion, input.answer, input.sources];
      try {
        const [row] = await client.query<GoldenAnswerRow & { created: boolean }>(
          'upsert_golden_answer',
          UPSERT,
          params,
          ctx,
        );
        const upserted = defined(row, 'the upserted golden-answer row');
        return { answer: toGoldenAnswer(upserted), created: upserted.created };
      } catch (error) {
        if (error instanceof AlreadyExistsError) {
          throw new AlreadyExistsError('a golden answer for the same question already exists', { cause: error.cause });
        }
        throw error;
      }
    },

    async findByNormalizedQuestion(normalizedQuestion: string, ctx: CallContext) {
      const [row] = await client.query<GoldenAnswerRow>('find_golden_answer', FIND, [normalizedQuestion], ctx);
      return row ? toGoldenAnswer(row) : undefined;
    },

    async any(ctx: CallContext) {
      const [row] = await client.query<{ any: boolean }>('any_golden_answer', ANY, [], ctx);
      return row?.any === true;
    },

    async get(id: string, ctx: CallContext) {
      if (!isUuid(id)) return undefined;
      const [row] = await client.query<GoldenAnswerRow>('get_golden_answer', GET, [id], ctx);
      return row ? toGoldenAnswer(row) : undefined;
    },

    async delete(id: string, ctx: CallContext) {
      if (!isUuid(id)) return false;
      const rows = await client.query('delete_golden_answer', DELETE, [id], ctx);
      return rows.length > 0;
    },
  };
}
