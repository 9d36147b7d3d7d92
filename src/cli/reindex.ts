/**
 * `npm run reindex -- --collection NAME` gives an existing collection its lexical (BM25)
 * side, rebuilt from its stored texts: on Milvus 2.5+ / Milvus Lite 3 a collection created
 * before hybrid search is rebuilt with the BM25 schema (rows moved into a new collection that
 * then takes its name; run it while the collection is not in use, and run it again to resume
 * if it stops); the embedded store rebuilds its BM25 index at every load, so it has nothing
 * to do. `--re-embed` instead moves the collection to the configured embedder's space: every
 * stored text is embedded again (see reEmbedCollection; resumable the same way). Uses
 * MILVUS_ADDRESS, or the embedded store under DATA_DIR when it is unset.
 */
import { parseArgs } from 'node:util';
import { openVectorStore } from '../composition/open-vector-store';
import { openReEmbedTools } from '../composition/re-embed-tools';
import { loadConfig } from '../config';
import { backgroundContext } from '../domain/context';
import { EXIT, exitCodeFor } from './exit-codes';
import { UsageError } from './usage-error';

const USAGE = `usage: npm run reindex -- [--re-embed] --collection NAME [--collection NAME...]
  --collection NAME   the collection to give a lexical (BM25) side, from its stored texts
  --re-embed          instead, embed every stored text again with the configured embedder
                      (EMBEDDING_URL / EMBEDDING_MODEL ...) and record its space; internal
                      collections (_user_facts, _golden_answers) can be named too`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      collection: { type: 'string', multiple: true },
      're-embed': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  const collections = values.collection ?? [];
  if (collections.length === 0) throw new UsageError('--collection is required');
  if (values['re-embed']) return reEmbed(collections);
  const store = await openVectorStore(loadConfig(), backgroundContext());
  try {
    if (!store.addLexical) throw new Error('this vector store cannot add a lexical side');
    for (const name of collections) {
      const started = Date.now();
      const { added, documents } = await store.addLexical(name, backgroundContext());
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      process.stdout.write(
        added
          ? `${name}: lexical side built from ${documents} stored documents in ${seconds} s\n`
          : `${name}: already lexical (${documents} documents), nothing to do\n`,
      );
    }
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

async function reEmbed(collections: string[]): Promise<number> {
  const tools = await openReEmbedTools(loadConfig());
  try {
    for (const name of collections) {
      const started = Date.now();
      const { reEmbedded, space } = await tools.reEmbed(name, (n) => {
        if (n % 1024 < 256) process.stdout.write(`${name}: ${n} re-embedded\n`);
      });
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      process.stdout.write(
        `${name}: ${reEmbedded} records embedded again in ${seconds} s; its space is now ${space}\n`,
      );
    }
    return 0;
  } finally {
    await tools.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(error instanceof UsageError ? `reindex: ${message}\n${USAGE}\n` : `reindex: ${message}\n`);
    process.exitCode = exitCodeFor(error);
  },
);
