-- Which embedding model's vector space each vector collection holds (its "space", e.g.
-- `openai:all-MiniLM-L6-v2@384`), so that a server configured with another embedder refuses
-- to compare its vectors with them instead of returning noise. Recorded by the first write
-- that recall embeds into a collection, and moved by `npm run reindex -- --re-embed`.
-- Collections written before this table existed have no row until then: they are unchecked.

-- migrate:up
CREATE TABLE IF NOT EXISTS embedding_spaces (
  collection text PRIMARY KEY,
  space text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);

-- migrate:down
DROP TABLE IF EXISTS embedding_spaces;
