/**
 * A stand-in for remote model services, for tests and the benchmark: an HTTP server on
 * 127.0.0.1 (random port) that answers
 * - `POST /v1/embeddings` (OpenAI shape) with the built-in hashing embedder's vectors,
 * - `POST /rerank` (text-embeddings-inference shape) and `POST /v1/rerank` (Cohere/Jina
 *   shape) with the built-in BM25 reranker's scores, best first.
 *
 * Latency is a MODEL of a remote embedding service / cross-encoder, not a measurement:
 * each call waits `embedLatencyMs + embedLatencyPerTextMs × texts` or
 * `rerankLatencyMs + rerankLatencyPerTextMs × texts` before answering, and calls do not
 * queue behind each other (an endlessly parallel GPU). A call whose client closes the
 * connection before the answer stops there and is counted in `abandoned`.
 * Failure injection answers the next calls with a status (or a dropped connection) at once.
 * Depends only on Node and the project's own code, so `bench/` can import it.
 */
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { embedText } from '../src/adapters/embedders/local-embedder';
import { bm25Scores } from '../src/adapters/rerankers/lexical-reranker';

/** What to inject instead of an answer: an HTTP status, or `reset` to drop the connection. */
export type InjectedFailure = number | 'reset';

export interface ModelServerOptions {
  /** Modelled time per embedding call (default 0). */
  embedLatencyMs?: number;
  /** Modelled extra time per embedded text (default 0). */
  embedLatencyPerTextMs?: number;
  /** Modelled fixed time per rerank call (default 0). */
  rerankLatencyMs?: number;
  /** Modelled extra time per reranked text (default 0). */
  rerankLatencyPerTextMs?: number;
  /** Vector length when the request names no `dimensions` (default 384). */
  dimension?: number;
  /** Answer calls with this instead (see `failCount`). */
  failWith?: InjectedFailure;
  /** How many calls `failWith` applies to (default: all of them). */
  failCount?: number;
  /** Retry-After (seconds) sent with injected failures. */
  retryAfterSeconds?: number;
  /** When set, calls without `Authorization: Bearer <apiKey>` get 401. */
  apiKey?: string;
  /** Like TEI's max_client_batch_size: a `/rerank` call with more texts gets 422. */
  maxRerankBatch?: number;
  /** List `data` of embedding answers in reverse order (indexes stay right), as a provider may. */
  reverseOrder?: boolean;
}

export interface ModelServer {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string;
  /** Calls received so far, including failed ones. */
  requests: { embed: number; rerank: number };
  /** Number of inputs of each embedding call, in arrival order. */
  embedBatchSizes: number[];
  /** Calls whose client closed the connection before the answer (so the work was dropped). */
  abandoned: { embed: number; rerank: number };
  /** Fails the next `count` calls (default: all) with `failure`; `fail(undefined)` heals the server. */
  fail(failure: InjectedFailure | undefined, count?: number, retryAfterSeconds?: number): void;
  /** Stops listening and drops open connections. Safe to call twice. */
  close(): Promise<void>;
}

/** Starts a model server; see the module comment. */
export async function startModelServer(options: ModelServerOptions = {}): Promise<ModelServer> {
  const requests = { embed: 0, rerank: 0 };
  const abandoned = { embed: 0, rerank: 0 };
  const embedBatchSizes: number[] = [];
  let failure = options.failWith;
  let failuresLeft = options.failCount ?? Number.POSITIVE_INFINITY;
  let retryAfterSeconds = options.retryAfterSeconds;
  const timers = new Set<NodeJS.Timeout>();

  const wait = (ms: number, res: ServerResponse, kind: 'embed' | 'rerank') =>
    new Promise<boolean>((resolve) => {
      if (ms <= 0) return resolve(true);
      let waiting = true;
      const timer = setTimeout(() => {
        waiting = false;
        timers.delete(timer);
        resolve(!res.destroyed);
      }, ms);
      timers.add(timer);
      res.on('close', () => {
        if (!waiting) return;
        waiting = false;
        clearTimeout(timer);
        timers.delete(timer);
        abandoned[kind]++;
        resolve(false);
      });
    });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    const kind =
      path === '/v1/embeddings' ? 'embed' : path === '/rerank' || path === '/v1/rerank' ? 'rerank' : undefined;
    if (req.method !== 'POST' || kind === undefined)
      return send(res, 404, { error: `no route for ${req.method} ${path}` });
    requests[kind]++;
    if (failure !== undefined && failuresLeft > 0) {
      failuresLeft--;
      if (failure === 'reset') return req.socket.destroy();
      if (retryAfterSeconds !== undefined) res.setHeader('retry-after', String(retryAfterSeconds));
      return send(res, failure, { error: { message: `injected failure ${failure}`, type: 'server_error' } });
    }
    if (options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      return send(res, 401, { error: { message: 'invalid api key', type: 'invalid_request_error' } });
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(await readBody(req)) as Record<string, unknown>;
    } catch {
      return send(res, 400, { error: { message: 'body is not JSON', type: 'invalid_request_error' } });
    }
    if (kind === 'embed') return embed(body, res);
    return path === '/rerank' ? rerankTei(body, res) : rerankCohere(body, res);
  };

  const embed = async (body: Record<string, unknown>, res: ServerResponse) => {
    const input = typeof body.input === 'string' ? [body.input] : body.input;
    if (!Array.isArray(input) || input.length === 0 || !input.every((t) => typeof t === 'string' && t !== '')) {
      return send(res, 400, {
        error: { message: "'input' must be a non-empty string or array of them", type: 'invalid_request_error' },
      });
    }
    const dimension = body.dimensions ?? options.dimension ?? 384;
    if (!Number.isInteger(dimension) || (dimension as number) < 1 || (dimension as number) > 65_536) {
      return send(res, 400, { error: { message: "'dimensions' is out of range", type: 'invalid_request_error' } });
    }
    embedBatchSizes.push(input.length);
    const latency = (options.embedLatencyMs ?? 0) + (options.embedLatencyPerTextMs ?? 0) * input.length;
    if (!(await wait(latency, res, 'embed'))) return;
    const data = input.map((text: string, index) => ({
      object: 'embedding',
      index,
      embedding: embedText(text, dimension as number),
    }));
    if (options.reverseOrder) data.reverse();
    send(res, 200, { object: 'list', data, model: body.model, usage: { prompt_tokens: 0, total_tokens: 0 } });
  };

  const ranked = async (query: unknown, texts: unknown, res: ServerResponse) => {
    if (typeof query !== 'string' || !Array.isArray(texts) || !texts.every((t) => typeof t === 'string')) {
      send(res, 422, { error: 'query must be a string and texts a list of strings', error_type: 'Validation' });
      return undefined;
    }
    const latency = (options.rerankLatencyMs ?? 0) + (options.rerankLatencyPerTextMs ?? 0) * texts.length;
    if (!(await wait(latency, res, 'rerank'))) return undefined;
    return bm25Scores(query, texts as string[])
      .map((score, index) => ({ index, score }))
      .sort((a, b) => b.score - a.score || a.index - b.index);
  };

  const rerankTei = async (body: Record<string, unknown>, res: ServerResponse) => {
    if (
      options.maxRerankBatch !== undefined &&
      Array.isArray(body.texts) &&
      body.texts.length > options.maxRerankBatch
    ) {
      return send(res, 422, {
        error: `batch size ${body.texts.length} > maximum allowed batch size ${options.maxRerankBatch}`,
        error_type: 'Validation',
      });
    }
    const results = await ranked(body.query, body.texts, res);
    if (results) send(res, 200, results);
  };

  const rerankCohere = async (body: Record<string, unknown>, res: ServerResponse) => {
    const results = await ranked(body.query, body.documents, res);
    if (!results) return;
    const topN = Number.isInteger(body.top_n) ? (body.top_n as number) : results.length;
    send(res, 200, {
      id: 'model-server',
      results: results.slice(0, topN).map((r) => ({ index: r.index, relevance_score: r.score })),
      meta: { billed_units: { search_units: 1 } },
    });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { error: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    embedBatchSizes,
    abandoned,
    fail(next, count, retryAfter) {
      failure = next;
      failuresLeft = count ?? Number.POSITIVE_INFINITY;
      retryAfterSeconds = retryAfter;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
