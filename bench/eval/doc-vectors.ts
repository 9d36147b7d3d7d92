import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Document embeddings from an OpenAI-compatible server, cached on disk by content hash
 * (sha256 of model and text) so re-running the eval on the same collection skips the model:
 * all-MiniLM-L6-v2 in numpy takes about a minute for Cranfield's 1400 abstracts on two cores.
 * Queries never go through this cache: recall embeds them itself during the measured run.
 */
export interface DocVectors {
  embed(texts: string[], progress?: (done: number) => void): Promise<number[][]>;
  /** Texts answered from the cache and from the server so far. */
  stats: { cached: number; computed: number };
}

/** A cache file per model under `cacheDir`: JSON lines `{"h": sha256, "v": [floats]}`. */
export function createDocVectors(options: { url: string; model: string; cacheDir: string }): DocVectors {
  mkdirSync(options.cacheDir, { recursive: true });
  const file = path.join(options.cacheDir, `${options.model.replace(/[^\w.-]+/g, '_')}.vectors.jsonl`);
  const cache = new Map<string, number[]>();
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        const entry = JSON.parse(line) as { h: string; v: number[] };
        cache.set(entry.h, entry.v);
      } catch {
        // A line cut short by an interrupted run: that text is embedded again.
      }
    }
  }
  const key = (text: string) => createHash('sha256').update(options.model).update('\0').update(text).digest('hex');
  const stats = { cached: 0, computed: 0 };

  const request = async (texts: string[]): Promise<number[][]> => {
    const response = await fetch(`${options.url.replace(/\/+$/, '')}/v1/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: options.model, input: texts }),
      signal: AbortSignal.timeout(600_000),
    });
    if (!response.ok) throw new Error(`embedding server answered ${response.status}: ${await response.text()}`);
    const body = (await response.json()) as { data: { index: number; embedding: number[] }[] };
    return [...body.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
  };

  return {
    stats,
    async embed(texts, progress) {
      const keys = texts.map(key);
      const missing = [...new Set(keys.map((k, i) => (cache.has(k) ? -1 : i)).filter((i) => i >= 0))];
      stats.cached += texts.length - missing.length;
      const BATCH = 32;
      for (let start = 0; start < missing.length; start += BATCH) {
        const batch = missing.slice(start, start + BATCH);
        const vectors = await request(batch.map((i) => texts[i]!));
        batch.forEach((i, j) => {
          cache.set(keys[i]!, vectors[j]!);
          appendFileSync(file, `${JSON.stringify({ h: keys[i], v: vectors[j] })}\n`);
        });
        stats.computed += batch.length;
        progress?.(start + batch.length);
      }
      return keys.map((k) => cache.get(k)!);
    },
  };
}
