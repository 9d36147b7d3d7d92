import type { CallContext } from '../../domain/context';
import { NotFoundError, defined } from '../../domain/errors';
import type { Conversation, MemoryRepository, Message, NewMessage, TimeCursor } from '../../domain/ports';
import { isUuid } from '../../domain/validation';
import { type ConversationRow, type MessageRow, cursorParams, toConversation, toMessage } from './memory-rows';
import * as sql from './memory-sql';
import type { SqlClient } from './sql-client';

type ConversationMethods = Pick<
  MemoryRepository,
  'appendMessages' | 'getConversation' | 'listMessages' | 'listConversations'
>;

/** The conversation half of the SQL MemoryRepository (memory-repository.ts spreads it in). */
export function createSqlConversationMethods(client: SqlClient): ConversationMethods {
  return {
    async appendMessages(
      userId: string,
      conversationId: string | undefined,
      messages: NewMessage[],
      title: string | undefined,
      ctx: CallContext,
    ): Promise<Conversation> {
      const roles = messages.map((m) => m.role);
      const contents = messages.map((m) => m.content);
      if (conversationId === undefined) {
        const params = [userId, emptyToNull(title), messages.length, roles, contents];
        const [row] = await client.query<ConversationRow>('append_messages', sql.CREATE_CONVERSATION, params, ctx);
        return toConversation(defined(row, 'the created conversation row'));
      }
      if (!isUuid(conversationId)) throw new NotFoundError('conversation not found');
      return client.transaction('append_messages', ctx, async (tx) => {
        await tx.query(sql.LOCK_USER, [userId]);
        const [current] = await tx.query<{ message_count: number }>(sql.LOCK_CONVERSATION, [userId, conversationId]);
        if (!current) throw new NotFoundError('conversation not found');
        const params = [
          userId,
          conversationId,
          current.message_count,
          roles,
          contents,
          messages.length,
          emptyToNull(title),
        ];
        const [row] = await tx.query<ConversationRow>(sql.APPEND_MESSAGES, params);
        return toConversation(defined(row, 'the appended conversation row'));
      });
    },

    async getConversation(userId: string, conversationId: string, ctx: CallContext): Promise<Conversation | undefined> {
      if (!isUuid(conversationId)) return undefined;
      const [row] = await client.query<ConversationRow>(
        'get_conversation',
        sql.GET_CONVERSATION,
        [userId, conversationId],
        ctx,
      );
      return row ? toConversation(row) : undefined;
    },

    async listMessages(
      conversationId: string,
      limit: number,
      afterSequence: number,
      ctx: CallContext,
    ): Promise<Message[]> {
      if (!isUuid(conversationId)) return [];
      const rows = await client.query<MessageRow>(
        'list_messages',
        sql.LIST_MESSAGES,
        [conversationId, afterSequence, limit],
        ctx,
      );
      return rows.map(toMessage);
    },

    async listConversations(
      userId: string,
      limit: number,
      after: TimeCursor | undefined,
      ctx: CallContext,
    ): Promise<Conversation[]> {
      const rows = after
        ? await client.query<ConversationRow>(
            'list_conversations',
            sql.LIST_CONVERSATIONS_AFTER,
            [userId, limit, ...cursorParams(after)],
            ctx,
          )
        : await client.query<ConversationRow>('list_conversations', sql.LIST_CONVERSATIONS, [userId, limit], ctx);
      return rows.map(toConversation);
    },
  };
}

function emptyToNull(title: string | undefined): string | null {
  return title === undefined || title === '' ? null : title;
}
