import { randomUUID } from 'node:crypto';
import type { CallContext } from '../../../src/domain/context';
import { NotFoundError } from '../../../src/domain/errors';
import type {
  AddFactsResult,
  Conversation,
  Fact,
  ForgetUserCounts,
  MemoryRepository,
  Message,
  NewFact,
  NewMessage,
  TimeCursor,
  UserFactsStep,
  UserStats,
} from '../../../src/domain/ports';

const norm = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();
const before = (a: { at: Date; id: string }, c: TimeCursor) =>
  a.at.getTime() < c.at.getTime() || (a.at.getTime() === c.at.getTime() && a.id < c.id);
const newestFirst = (a: { at: Date; id: string }, b: { at: Date; id: string }) =>
  b.at.getTime() - a.at.getTime() || (a.id < b.id ? 1 : -1);

/** An in-memory MemoryRepository with the same contract as the SQL one, for unit tests. */
export class FakeMemoryRepository implements MemoryRepository {
  facts: Fact[] = [];
  conversations: Conversation[] = [];
  messages = new Map<string, Message[]>();
  stats = new Map<string, UserStats>();
  private clock = Date.parse('2026-01-01T00:00:00Z');

  private tick(): Date {
    this.clock += 1000;
    return new Date(this.clock);
  }

  private touch(
    userId: string,
    change: Partial<Record<'factCount' | 'conversationCount' | 'messageCount' | 'searchCount', number>>,
  ) {
    const now = new Date(this.clock);
    const s = this.stats.get(userId) ?? {
      userId,
      factCount: 0,
      conversationCount: 0,
      messageCount: 0,
      searchCount: 0,
      firstSeen: now,
      lastActive: now,
    };
    s.factCount += change.factCount ?? 0;
    s.conversationCount += change.conversationCount ?? 0;
    s.messageCount += change.messageCount ?? 0;
    s.searchCount += change.searchCount ?? 0;
    s.lastActive = now;
    this.stats.set(userId, s);
  }

  /**
   * Like the SQL repository: fact writes of one user run one at a time (its fact lock), and a
   * write becomes visible only after its in-transaction step resolved (a rejection rolls back).
   */
  private withUserLock<T>(userId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.userLocks.get(userId) ?? Promise.resolve();
    const run = previous.then(work, work);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.userLocks.set(userId, settled);
    return run;
  }
  private userLocks = new Map<string, Promise<void>>();

  async addFacts(
    userId: string,
    facts: NewFact[],
    _ctx: CallContext,
    inTransaction?: UserFactsStep<AddFactsResult>,
  ): Promise<AddFactsResult> {
    return this.withUserLock(userId, async () => {
      const out: AddFactsResult = { facts: [], createdFlags: [] };
      const added: Fact[] = [];
      for (const f of facts) {
        const existing = [...this.facts, ...added].find(
          (x) => x.userId === userId && norm(x.content) === norm(f.content),
        );
        if (existing) {
          out.facts.push(existing);
          out.createdFlags.push(false);
          continue;
        }
        const fact: Fact = { id: randomUUID(), userId, ...f, createdAt: this.tick() };
        added.push(fact);
        out.facts.push(fact);
        out.createdFlags.push(true);
      }
      await inTransaction?.(out);
      this.facts.push(...added);
      this.touch(userId, { factCount: added.length });
      return out;
    });
  }

  async listFacts(userId: string, limit: number, after: TimeCursor | undefined, _ctx: CallContext) {
    return this.facts
      .filter((f) => f.userId === userId && (!after || before({ at: f.createdAt, id: f.id }, after)))
      .sort((a, b) => newestFirst({ at: a.createdAt, id: a.id }, { at: b.createdAt, id: b.id }))
      .slice(0, limit);
  }

  async getFacts(userId: string, ids: string[], _ctx: CallContext) {
    return this.facts.filter((f) => f.userId === userId && ids.includes(f.id));
  }

  async deleteFacts(userId: string, ids: string[], _ctx: CallContext, inTransaction?: UserFactsStep<string[]>) {
    return this.withUserLock(userId, async () => {
      const deleted = this.facts.filter((f) => f.userId === userId && ids.includes(f.id)).map((f) => f.id);
      if (deleted.length > 0) await inTransaction?.(deleted);
      this.facts = this.facts.filter((f) => !deleted.includes(f.id));
      if (deleted.length > 0) this.touch(userId, { factCount: -deleted.length });
      return deleted;
    });
  }

  async withMissingFacts(userId: string, ids: string[], _ctx: CallContext, inTransaction: UserFactsStep<string[]>) {
    return this.withUserLock(userId, async () => {
      const missing = ids.filter((id) => !this.facts.some((f) => f.userId === userId && f.id === id));
      if (missing.length > 0) await inTransaction(missing);
      return missing;
    });
  }

  async appendMessages(
    userId: string,
    conversationId: string | undefined,
    messages: NewMessage[],
    title: string | undefined,
    _ctx: CallContext,
  ): Promise<Conversation> {
    let conversation = conversationId
      ? this.conversations.find((c) => c.id === conversationId && c.userId === userId)
      : undefined;
    if (conversationId && !conversation) throw new NotFoundError(`conversation ${conversationId} not found`);
    const now = this.tick();
    if (!conversation) {
      conversation = { id: randomUUID(), userId, title: title ?? '', messageCount: 0, createdAt: now, updatedAt: now };
      this.conversations.push(conversation);
      this.messages.set(conversation.id, []);
      this.touch(userId, { conversationCount: 1 });
    }
    const list = this.messages.get(conversation.id) ?? [];
    for (const m of messages) {
      list.push({ id: randomUUID(), ...m, createdAt: now, sequence: list.length + 1 });
    }
    conversation.messageCount = list.length;
    conversation.updatedAt = now;
    if (title) conversation.title = title;
    this.touch(userId, { messageCount: messages.length });
    return { ...conversation };
  }

  async getConversation(userId: string, conversationId: string, _ctx: CallContext) {
    return this.conversations.find((c) => c.id === conversationId && c.userId === userId);
  }

  async listMessages(conversationId: string, limit: number, afterSequence: number, _ctx: CallContext) {
    return (this.messages.get(conversationId) ?? []).filter((m) => m.sequence > afterSequence).slice(0, limit);
  }

  async listConversations(userId: string, limit: number, after: TimeCursor | undefined, _ctx: CallContext) {
    return this.conversations
      .filter((c) => c.userId === userId && (!after || before({ at: c.updatedAt, id: c.id }, after)))
      .sort((a, b) => newestFirst({ at: a.updatedAt, id: a.id }, { at: b.updatedAt, id: b.id }))
      .slice(0, limit);
  }

  async getUserStats(userId: string, _ctx: CallContext) {
    return this.stats.get(userId);
  }

  async recordSearch(userId: string, _ctx: CallContext) {
    this.touch(userId, { searchCount: 1 });
  }

  async forgetUser(userId: string, _ctx: CallContext, beforeDelete?: UserFactsStep<void>): Promise<ForgetUserCounts> {
    return this.withUserLock(userId, async () => {
      await beforeDelete?.();
      const facts = this.facts.filter((f) => f.userId === userId).length;
      const conversations = this.conversations.filter((c) => c.userId === userId);
      const messages = conversations.reduce((n, c) => n + (this.messages.get(c.id)?.length ?? 0), 0);
      this.facts = this.facts.filter((f) => f.userId !== userId);
      this.conversations = this.conversations.filter((c) => c.userId !== userId);
      for (const c of conversations) this.messages.delete(c.id);
      const userStats = this.stats.delete(userId) ? 1 : 0;
      return { facts, conversations: conversations.length, messages, userStats };
    });
  }
}
