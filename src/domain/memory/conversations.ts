import type { CallContext } from '../context';
import { NotFoundError } from '../errors';
import type { Conversation, MemoryRepository, Message, NewMessage } from '../ports';
import { validateAppendMessages, validateGetConversation } from './memory-validation';
import type { PageTokenCodec } from './page-token';
import { type PageInput, decodeTimePage, splitPage } from './pages';

/** AppendMessages as the caller sent it: an empty conversation id starts a new conversation. */
export interface AppendMessagesInput {
  userId: string;
  conversationId: string;
  messages: Array<{ role: string; content: string }>;
  title: string;
}

/** The conversation use cases of MemoryService: append, read one, list them. */
export function createConversations(deps: { repository: MemoryRepository; pageTokens: PageTokenCodec }) {
  const { repository, pageTokens } = deps;
  return {
    /** Appends messages, creating the conversation when no id is given. */
    async appendMessages(input: AppendMessagesInput, ctx: CallContext) {
      const messages: NewMessage[] = validateAppendMessages(input);
      const conversation = await repository.appendMessages(
        input.userId,
        input.conversationId || undefined,
        messages,
        input.title || undefined,
        ctx,
      );
      return { conversationId: conversation.id, messageCount: conversation.messageCount };
    },

    /** The conversation and a page of its messages, oldest first. */
    async getConversation(
      input: PageInput & { conversationId: string },
      ctx: CallContext,
    ): Promise<{ conversation: Conversation; messages: Message[]; nextPageToken: string }> {
      const limit = validateGetConversation(input);
      const conversation = await repository.getConversation(input.userId, input.conversationId, ctx);
      if (!conversation) throw new NotFoundError(`conversation ${input.conversationId} not found`);
      const afterSequence = input.pageToken
        ? Number(pageTokens.decode('page_token', input.pageToken, 'messages', input.conversationId)[0])
        : 0;
      const rows = await repository.listMessages(input.conversationId, limit + 1, afterSequence, ctx);
      const { page, next } = splitPage(rows, limit);
      const nextPageToken = next ? pageTokens.encode('messages', input.conversationId, [String(next.sequence)]) : '';
      return { conversation, messages: page, nextPageToken };
    },

    /** A page of the user's conversations, most recently updated first. */
    async listConversations(input: PageInput, ctx: CallContext) {
      const { limit, after } = decodeTimePage(pageTokens, 'conversations', input);
      const rows = await repository.listConversations(input.userId, limit + 1, after, ctx);
      const { page, next } = splitPage(rows, limit);
      const nextPageToken = next
        ? pageTokens.encode('conversations', input.userId, [next.updatedAt.toISOString(), next.id])
        : '';
      return { conversations: page, nextPageToken };
    },
  };
}
