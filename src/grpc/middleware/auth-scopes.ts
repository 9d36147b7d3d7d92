import type { Scope } from '../../domain/token-scopes';
import type { RpcMethod } from './middleware';

/**
 * The scope each RPC needs, keyed `package.Service/Method`: the one source docs/security.md's scope
 * table is checked against (test/unit/grpc/middleware/auth-scopes-readme.test.ts), and the
 * runtime refuses to serve a method missing from it. Health and reflection are not here: they
 * do not run through the middleware and stay open, for probes and `buf curl --list-services`.
 *
 * `admin` is for what removes or overrides data for everyone: forgetting any user,
 * deleting documents, and golden answers (returned verbatim to whoever asks that question).
 * `write` adds data and deletes facts by id; `read` is every lookup.
 */
export const RPC_SCOPES: Readonly<Record<string, Scope>> = Object.freeze({
  'recall.v1.SearchService/Search': 'read',
  'recall.v1.SearchService/ListCollections': 'read',
  'recall.v1.SearchService/UpsertDocuments': 'write',
  'recall.v1.SearchService/DeleteDocuments': 'admin',
  'recall.v1.SearchService/UpsertGoldenAnswer': 'admin',
  'recall.v1.SearchService/DeleteGoldenAnswer': 'admin',
  'recall.v1.MemoryService/ListFacts': 'read',
  'recall.v1.MemoryService/RecallFacts': 'read',
  'recall.v1.MemoryService/GetConversation': 'read',
  'recall.v1.MemoryService/ListConversations': 'read',
  'recall.v1.MemoryService/GetUserStats': 'read',
  'recall.v1.MemoryService/GetFactHistory': 'read',
  'recall.v1.MemoryService/AddFacts': 'write',
  'recall.v1.MemoryService/AppendMessages': 'write',
  'recall.v1.MemoryService/DeleteFacts': 'write',
  'recall.v1.MemoryService/SupersedeFact': 'write',
  'recall.v1.MemoryService/ForgetUser': 'admin',
});

/** The scope `method` needs, or undefined when it has none (the runtime refuses to serve it). */
export function requiredScope(method: RpcMethod): Scope | undefined {
  return RPC_SCOPES[`${method.service}/${method.name}`];
}
