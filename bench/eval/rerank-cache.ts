import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { type IncomingMessage, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/** A caching TEI `/rerank` front for a cross-encoder; see {@link startRerankCache}. */
export interface RerankCache {
  /** Base URL for RERANK_URL. */
  url: string;
  /** Pairs answered from the cache and by the model so far, and the model's time on the latter. */
  stats: { cached: number; computed: number; modelMs: number };
  stop(): Promise<void>;
}

interface Entry {
  /** The score. */
  s: number;
  /** The model's time for this pair when it was computed (its request's time over its pairs), ms. */
  ms: number;
}

async function body(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Starts an HTTP server on 127.0.0.1 that speaks TEI's `/rerank` to recall and forwards to
 * `upstream` (a TEI-compatible cross-encoder) only the pairs it has not seen: scores are
 * cached on disk like the document vectors (JSON lines under `cacheDir`, one file per model,
 * keyed by sha256 of model, query and text), so a warm dataset re-runs in minutes. A pair's
 * score does not depend on its batch-mates (the model server scores each pair alone), so a
 * cached score is the one the model would give. With `replay`, a cached answer waits as long
 * as the model took for those pairs when they were computed, so latencies stay the model's.
 */
export async function startRerankCache(options: {
  upstream: string;
  model: string;
  cacheDir: string;
  replay?: boolean;
}): Promise<RerankCache> {
  mkdirSync(options.cacheDir, { recursive: true });
  const file = path.join(options.cacheDir, `${options.model.replace(/[^\w.-]+/g, '_')}.rerank.jsonl`);
  const cache = new Map<string, Entry>();
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      try {
        if (line) {
          const { h, s, ms } = JSON.parse(line) as Entry & { h: string };
          cache.set(h, { s, ms });
        }
      } catch {
        // A line cut short by an interrupted run: that pair is scored again.
      }
    }
  }
  const key = (query: string, text: string) =>
    createHash('sha256').update(options.model).update('\0').update(query).update('\0').update(text).digest('hex');
  const stats = { cached: 0, computed: 0, modelMs: 0 };
  const upstream = `${options.upstream.replace(/\/+$/, '')}/rerank`;

  const score = async (query: string, texts: string[]): Promise<number[]> => {
    const keys = texts.map((t) => key(query, t));
    const missing = [...new Set(keys.map((k, i) => (cache.has(k) ? -1 : i)).filter((i) => i >= 0))];
    const replayMs = options.replay ? keys.reduce((sum, k) => sum + (cache.get(k)?.ms ?? 0), 0) : 0;
    stats.cached += texts.length - missing.length;
    if (missing.length > 0) {
      const started = performance.now();
      const response = await fetch(upstream, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, texts: missing.map((i) => texts[i]), raw_scores: true, truncate: true }),
        signal: AbortSignal.timeout(600_000),
      });
      if (!response.ok) throw new Error(`cross-encoder answered ${response.status}: ${await response.text()}`);
      const answer = (await response.json()) as { index: number; score: number }[];
      const ms = (performance.now() - started) / missing.length;
      stats.computed += missing.length;
      stats.modelMs += ms * missing.length;
      for (const { index, score } of answer) {
        const k = keys[missing[index]!]!;
        cache.set(k, { s: score, ms });
        appendFileSync(file, `${JSON.stringify({ h: k, s: score, ms: Math.round(ms) })}\n`);
      }
    }
    if (replayMs > 0) await new Promise((resolve) => setTimeout(resolve, replayMs));
    return keys.map((k) => cache.get(k)!.s);
  };

  const server = createServer((request, response) => {
    const answer = (status: number, json: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(json));
    };
    if (request.method !== 'POST' || request.url !== '/rerank') return answer(404, { error: 'POST /rerank only' });
    body(request)
      .then((text) => {
        const { query, texts } = JSON.parse(text) as { query: string; texts: string[] };
        return score(query, texts);
      })
      .then((scores) =>
        answer(
          200,
          scores.map((score, index) => ({ index, score })),
        ),
      )
      .catch((error: unknown) => answer(502, { error: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
