import { randomUUID } from 'node:crypto';
import type { CallContext } from '../../../src/domain/context';
import { AlreadyExistsError } from '../../../src/domain/errors';
import type { GoldenAnswer, GoldenAnswerRepository } from '../../../src/domain/ports';

/**
 * An in-memory GoldenAnswerRepository enforcing the unique normalised question, as the
 * database does. Set `failure` to make every call throw; `calls` counts calls by method.
 */
export class FakeGoldenAnswerRepository implements GoldenAnswerRepository {
  readonly calls: string[] = [];
  failure: Error | undefined;
  private readonly rows = new Map<string, GoldenAnswer & { normalizedQuestion: string }>();

  async upsert(
    input: { id?: string; question: string; normalizedQuestion: string; answer: string; sources: string[] },
    _ctx: CallContext,
  ): Promise<{ answer: GoldenAnswer; created: boolean }> {
    this.enter('upsert');
    const id = input.id ?? randomUUID();
    const clash = [...this.rows.values()].find((r) => r.normalizedQuestion === input.normalizedQuestion && r.id !== id);
    if (clash) throw new AlreadyExistsError('a golden answer already exists for this question');
    const existing = this.rows.get(id);
    const now = new Date();
    const row = {
      id,
      question: input.question,
      normalizedQuestion: input.normalizedQuestion,
      answer: input.answer,
      sources: [...input.sources],
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    this.rows.set(id, row);
    return { answer: strip(row), created: !existing };
  }

  async findByNormalizedQuestion(normalizedQuestion: string, _ctx: CallContext): Promise<GoldenAnswer | undefined> {
    this.enter('findByNormalizedQuestion');
    const row = [...this.rows.values()].find((r) => r.normalizedQuestion === normalizedQuestion);
    return row && strip(row);
  }

  async get(id: string, _ctx: CallContext): Promise<GoldenAnswer | undefined> {
    this.enter('get');
    const row = this.rows.get(id);
    return row && strip(row);
  }

  async any(_ctx: CallContext): Promise<boolean> {
    this.enter('any');
    return this.rows.size > 0;
  }

  async delete(id: string, _ctx: CallContext): Promise<boolean> {
    this.enter('delete');
    return this.rows.delete(id);
  }

  /** Every stored answer, with the normalised question the service computed. */
  all(): Array<GoldenAnswer & { normalizedQuestion: string }> {
    return [...this.rows.values()];
  }

  private enter(method: string): void {
    this.calls.push(method);
    if (this.failure) throw this.failure;
  }
}

function strip(row: GoldenAnswer & { normalizedQuestion: string }): GoldenAnswer {
  const { normalizedQuestion: _, ...answer } = row;
  return { ...answer, sources: [...answer.sources] };
}
