import { randomUUID } from 'node:crypto';
import type { CallContext } from '../../../src/domain/context';
import { AlreadyExistsError, FailedPreconditionError, NotFoundError } from '../../../src/domain/errors';
import type {
  AddFactsResult,
  Conversation,
  Fact,
  FactView,
  ForgetUserCounts,
  MemoryRepository,
  Message,
  NewFact,
  NewMessage,
  SupersedeResult,
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
  /** Each fact's lineage (its first version's id). */
  lineage = new Map<string, string>();
  /** "now" for validity and expiry; tests move it. */
  now: () => Date = () => new Date();

  private expired(f: Fact): boolean {
    return f.expiresAt !== undefined && f.expiresAt.getTime() <= this.now().getTime();
  }

  /** Whether a read with `view` returns the fact (the SQL's `visible`). */
  visible(f: Fact, view: FactView | undefined): boolean {
    if (this.expired(f)) return false;
    if (view?.includeHistory) return true;
    const at = (view?.asOf ?? this.now()).getTime();
    return f.validFrom.getTime() <= at && (f.validUntil === undefined || f.validUntil.getTime() > at);
  }
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
      const expiredIds: string[] = [];
      const restated: Array<[Fact, Fact]> = [];
      for (const f of facts) {
        const existing = [...this.facts, ...added].find(
          (x) => x.userId === userId && !x.supersededBy && norm(x.content) === norm(f.content),
        );
        const ended = existing?.validUntil !== undefined && existing.validUntil.getTime() <= this.now().getTime();
        if (existing && this.expired(existing) && !added.includes(existing)) expiredIds.push(existing.id);
        else if (existing && !ended) {
          out.facts.push(existing);
          out.createdFlags.push(false);
          continue;
        }
        const createdAt = this.tick();
        const fact: Fact = {
          id: randomUUID(),
          userId,
          content: f.content,
          source: f.source,
          confidence: f.confidence,
          metadata: f.metadata,
          createdAt,
          validFrom: f.validFrom ?? createdAt,
          validUntil: f.validUntil,
          expiresAt: f.expiresAt,
          supersededBy: undefined,
        };
        added.push(fact);
        out.facts.push(fact);
        out.createdFlags.push(true);
        // An ended latest version is restated: the new fact is its next version.
        if (existing && ended && !this.expired(existing)) {
          restated.push([existing, fact]);
        }
      }
      if (expiredIds.length > 0) out.expiredIds = expiredIds;
      await inTransaction?.(out);
      this.facts = this.facts.filter((f) => !expiredIds.includes(f.id));
      this.facts.push(...added);
      for (const f of added) this.lineage.set(f.id, f.id);
      for (const [previous, next] of restated) {
        previous.supersededBy = next.id;
        this.lineage.set(next.id, this.lineage.get(previous.id) ?? previous.id);
      }
      this.touch(userId, { factCount: added.length - expiredIds.length });
      return out;
    });
  }

  async listFacts(userId: string, limit: number, after: TimeCursor | undefined, _ctx: CallContext, view?: FactView) {
    return this.facts
      .filter((f) => f.userId === userId && (!after || before({ at: f.createdAt, id: f.id }, after)))
      .filter((f) => this.visible(f, view))
      .sort((a, b) => newestFirst({ at: a.createdAt, id: a.id }, { at: b.createdAt, id: b.id }))
      .slice(0, limit);
  }

  async getFacts(userId: string, ids: string[], _ctx: CallContext, view?: FactView) {
    return this.facts.filter((f) => f.userId === userId && ids.includes(f.id) && this.visible(f, view));
  }

  async supersedeFact(
    userId: string,
    factId: string,
    next: NewFact,
    at: Date | undefined,
    _ctx: CallContext,
    inTransaction?: UserFactsStep<SupersedeResult>,
  ): Promise<SupersedeResult> {
    return this.withUserLock(userId, async () => {
      const old = this.facts.find((f) => f.userId === userId && f.id === factId);
      if (!old || this.expired(old)) throw new NotFoundError(`fact ${factId} not found`);
      const now = this.now();
      if (old.supersededBy) throw new FailedPreconditionError(`fact ${factId} is not current: superseded`);
      if (old.validUntil && old.validUntil.getTime() <= now.getTime()) {
        throw new FailedPreconditionError(`fact ${factId} is not current: it ended`);
      }
      const when = at ?? new Date(Math.max(now.getTime(), old.validFrom.getTime() + 1));
      if (when.getTime() <= old.validFrom.getTime()) throw new FailedPreconditionError('at must be after valid_from');
      const holder = this.facts.find(
        (f) => f.userId === userId && !f.supersededBy && f.id !== factId && norm(f.content) === norm(next.content),
      );
      if (holder && !this.expired(holder)) throw new AlreadyExistsError('a current fact has this content');
      const current: Fact = {
        id: randomUUID(),
        userId,
        content: next.content,
        source: next.source,
        confidence: next.confidence,
        metadata: next.metadata,
        createdAt: this.tick(),
        validFrom: when,
        validUntil: next.validUntil,
        expiresAt: next.expiresAt,
        supersededBy: undefined,
      };
      const previous: Fact = { ...old, validUntil: when, supersededBy: current.id };
      const result = { previous, current, expiredIds: holder ? [holder.id] : [] };
      await inTransaction?.(result);
      this.facts = this.facts.filter((f) => f.id !== factId && f.id !== holder?.id).concat(previous, current);
      this.lineage.set(current.id, this.lineage.get(factId) ?? factId);
      this.touch(userId, { factCount: 1 - result.expiredIds.length });
      return result;
    });
  }

  async factHistory(userId: string, factId: string, _ctx: CallContext) {
    const named = this.facts.find((f) => f.userId === userId && f.id === factId && !this.expired(f));
    if (!named) return [];
    const line = this.lineage.get(factId);
    return this.facts
      .filter((f) => f.userId === userId && this.lineage.get(f.id) === line && !this.expired(f))
      .sort((a, b) => a.validFrom.getTime() - b.validFrom.getTime());
  }

  async expiredFactOwners(limit: number, _ctx: CallContext) {
    const owners = this.facts
      .filter((f) => this.expired(f))
      .sort((a, b) => a.expiresAt!.getTime() - b.expiresAt!.getTime())
      .slice(0, limit)
      .map((f) => f.userId);
    return [...new Set(owners)];
  }

  /** Users whose fact lock a test holds (sweepExpiredFacts skips them, as the SQL try-lock does). */
  heldLocks = new Set<string>();

  async sweepExpiredFacts(userId: string, limit: number, _ctx: CallContext, inTransaction: UserFactsStep<string[]>) {
    if (this.heldLocks.has(userId)) return undefined;
    return this.withUserLock(userId, async () => {
      const ids = this.facts
        .filter((f) => f.userId === userId && this.expired(f))
        .slice(0, limit)
        .map((f) => f.id);
      if (ids.length > 0) await inTransaction(ids);
      this.facts = this.facts.filter((f) => !ids.includes(f.id));
      if (ids.length > 0) this.touch(userId, { factCount: -ids.length });
      return ids;
    });
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
