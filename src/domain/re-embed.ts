import type { CallContext } from './context';
import { embeddingSpaceOf } from './embedding-spaces';
import { FailedPreconditionError, NotFoundError, RecallError, defined } from './errors';
import type { Embedder, EmbeddingSpaceRepository, VectorRecord, VectorStore } from './ports';

/** What moving a collection to another embedding space did. */
export interface ReEmbedResult {
  /** Records embedded again by this run (a resumed run counts only its own). */
  reEmbedded: number;
  /** The space now recorded for the collection. */
  space: string;
}

export interface ReEmbedDeps {
  vectorStore: VectorStore;
  embedder: Embedder;
  spaces: EmbeddingSpaceRepository;
  /** Records per step (default 256). */
  batchSize?: number;
  /** Called after each step with the records re-embedded so far. */
  onProgress?(reEmbedded: number): void;
}

/** The staging collection of a re-embed. */
export function reEmbedStagingName(name: string): string {
  return `${name}_reembed`;
}

/**
 * Moves a collection to the embedder's space: each stored text is embedded again with
 * `embedder` and written to a staging collection (then deleted from the collection), the
 * collection is dropped and created again with the new dimension, the records move back,
 * and the new space is recorded. Every record lives in one of the two collections at any
 * time, and embedding a text twice gives the same vector, so a run that stops anywhere is
 * resumed by running it again. Searches meanwhile see part of the records: run it while the
 * collection is not in use.
 */
export async function reEmbedCollection(deps: ReEmbedDeps, name: string, ctx: CallContext): Promise<ReEmbedResult> {
  const { vectorStore, embedder } = deps;
  if (!vectorStore.dropCollection) throw new FailedPreconditionError('this vector store cannot drop collections');
  const batchSize = deps.batchSize ?? 256;
  const staging = reEmbedStagingName(name);
  const names = new Set((await vectorStore.listCollections(ctx)).map((c) => c.name));
  if (!names.has(name) && !names.has(staging)) throw new NotFoundError(`collection "${name}" does not exist`);

  let reEmbedded = 0;
  if (names.has(name)) {
    await vectorStore.ensureCollection(staging, embedder.dimension, ctx);
    await drain(vectorStore, name, staging, batchSize, ctx, async (records) => {
      const vectors = await embedder.embed(
        records.map((record) => record.text),
        ctx,
      );
      if (vectors.length !== records.length || vectors.some((v) => v.length !== embedder.dimension)) {
        throw new RecallError('internal', `embedder ${embedder.name} returned a malformed batch`);
      }
      reEmbedded += records.length;
      deps.onProgress?.(reEmbedded);
      return records.map((record, i) => ({ ...record, vector: defined(vectors[i], 'an embedding per record') }));
    });
    await vectorStore.dropCollection(name, ctx);
  }
  await vectorStore.ensureCollection(name, embedder.dimension, ctx);
  await drain(vectorStore, staging, name, batchSize, ctx, async (records) => records);
  await vectorStore.dropCollection(staging, ctx);
  const space = embeddingSpaceOf(embedder);
  await deps.spaces.set(name, space, ctx);
  return { reEmbedded, space };
}

/** Moves every record of `from` to `to`, a batch at a time: written there first, then deleted here. */
async function drain(
  store: VectorStore,
  from: string,
  to: string,
  batchSize: number,
  ctx: CallContext,
  transform: (records: VectorRecord[]) => Promise<VectorRecord[]>,
): Promise<void> {
  for (;;) {
    const batch = await store.scan(from, batchSize, ctx);
    if (batch.length === 0) return;
    await store.upsert(to, await transform(batch), ctx);
    await store.delete(
      from,
      batch.map((record) => record.id),
      ctx,
    );
  }
}
