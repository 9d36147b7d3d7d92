/** The embedded vector store: in-process, persisted under a directory, no server needed. */
export { EmbeddedVectorStore, type EmbeddedVectorStoreOptions, openEmbeddedVectorStore } from './embedded-vector-store';
export { ThreadedVectorStore, openThreadedVectorStore } from './threaded-vector-store';
