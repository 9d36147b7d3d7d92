/** The Milvus adapter: a VectorStore on a Milvus server or Milvus Lite. */
export type { MilvusIndexType } from './milvus-schema';
export { MilvusVectorStore, type MilvusVectorStoreOptions } from './milvus-vector-store';
