"""A local model server: bge-small-en-v1.5 embeddings and the ms-marco-MiniLM-L-12-v2 cross-encoder.

    python server.py --models DIR --port PORT [--host 127.0.0.1] [--workers 2]

DIR holds bge-small-en-v1.5/ and ms-marco-MiniLM-L-12-v2/ (model.onnx, tokenizer.json each).
Routes:
  POST /v1/embeddings  OpenAI shape: {"input": str | [str], "model"?, "encoding_format"?: "float"}
                       → {"object": "list", "data": [{"object", "index", "embedding"}], "model", "usage"}
  POST /rerank         text-embeddings-inference shape: {"query", "texts", "raw_scores"?: false,
                       "truncate"?: false, "return_text"?: false} → [{"index", "score", "text"?}],
                       best first; scores are sigmoid(logit) unless raw_scores
  POST /v1/rerank      Cohere/Jina shape: {"query", "documents", "top_n"?}
                       → {"results": [{"index", "relevance_score"}]} (sigmoid), best first
  GET  /health         → {"status": "ok", "embedding_model", "dimension", "rerank_model"}
  GET  /stats          → rows computed and skipped, requests abandoned by their client, CPU seconds

Rows (texts, pairs) run one at a time (see models.py) on `--workers` threads shared by all
requests. A client that disconnects is noticed between rows: its rows not yet started are
skipped, so a caller that gives up frees the server.
"""

import argparse
import json
import math
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from models import BgeSmall, CrossEncoder  # noqa: E402
from rows import Abandoned, RowPool  # noqa: E402

MAX_INPUTS = 2048
MAX_BODY_BYTES = 64 * 1024 * 1024


class BadRequest(Exception):
    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


def texts_of(value, field, allow_empty_text=False):
    """The request's list of texts; BadRequest when malformed. OpenAI's `input` may be one string;
    a rerank passage may be empty (it then scores low), an embedding input may not."""
    texts = [value] if isinstance(value, str) and field == "input" else value
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
        raise BadRequest(f"'{field}' must be a non-empty array of strings")
    if not allow_empty_text and not all(texts):
        raise BadRequest(f"'{field}' must not contain empty strings")
    if len(texts) > MAX_INPUTS:
        raise BadRequest(f"'{field}' has {len(texts)} entries, at most {MAX_INPUTS} are accepted", 413)
    return texts


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def make_handler(embedder, reranker, pool):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_):
            pass  # one line per request would drown the log during an evaluation

        def do_GET(self):
            path = self.path.split("?")[0].rstrip("/")
            if path == "/health":
                return self.send(200, {"status": "ok", "embedding_model": embedder.name,
                                       "dimension": embedder.dimension, "rerank_model": reranker.name})
            if path == "/stats":
                return self.send(200, pool.stats())
            self.send(404, error(f"no route for GET {path}", "not_found"))

        def do_POST(self):
            path = self.path.split("?")[0].rstrip("/")
            length = self.headers.get("content-length") or "0"
            if not length.isdigit():
                self.close_connection = True
                return self.send(400, error("content-length must be a number", "invalid_request_error"))
            length = int(length)
            if length > MAX_BODY_BYTES:
                self.close_connection = True
                return self.send(413, error("request body too large", "invalid_request_error"))
            raw = self.rfile.read(length)
            route = {"/v1/embeddings": self.embeddings, "/rerank": self.rerank_tei, "/v1/rerank": self.rerank_cohere}
            if path not in route:
                return self.send(404, error(f"no route for POST {path}", "not_found"))
            try:
                body = json.loads(raw or b"null")
                if not isinstance(body, dict):
                    raise BadRequest("body must be a JSON object")
                route[path](body)
            except (BadRequest, ValueError) as problem:
                status = getattr(problem, "status", 400)
                if path == "/v1/embeddings":
                    self.send(status, error(str(problem), "invalid_request_error"))
                else:  # text-embeddings-inference's validation answer
                    self.send(413 if status == 413 else 422, {"error": str(problem), "error_type": "Validation"})
            except Abandoned:
                self.close_connection = True  # the client is gone: nothing to answer
            except Exception as problem:  # a model failure: say so rather than drop the connection
                print(f"model-server: {path} failed: {problem!r}", file=sys.stderr, flush=True)
                self.send(500, error("the model failed on this request", "server_error"))

        def embeddings(self, body):
            texts = texts_of(body.get("input"), "input")
            if body.get("encoding_format", "float") != "float":
                raise BadRequest("only encoding_format 'float' is supported")
            encodings = [embedder.encode(t) for t in texts]
            vectors = pool.run("embedded", [lambda e=e: embedder.embed(e) for e in encodings], self.connection)
            tokens = sum(len(e.ids) for e in encodings)
            self.send(200, {
                "object": "list",
                "data": [{"object": "embedding", "index": i, "embedding": [round(float(x), 8) for x in v]}
                         for i, v in enumerate(vectors)],
                "model": embedder.name,
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            })

        def scores(self, query, texts, truncate):
            if not isinstance(query, str) or not query:
                raise BadRequest("'query' must be a non-empty string")
            encodings = [reranker.encode(query, t, truncate) for t in texts]
            too_long = [i for i, e in enumerate(encodings) if e is None]
            if too_long:
                raise BadRequest(f"pair {too_long[0]} is longer than 512 tokens and 'truncate' is false")
            return pool.run("reranked", [lambda e=e: reranker.score(e) for e in encodings], self.connection)

        def rerank_tei(self, body):
            texts = texts_of(body.get("texts"), "texts", allow_empty_text=True)
            logits = self.scores(body.get("query"), texts, bool(body.get("truncate", False)))
            raw = bool(body.get("raw_scores", False))
            ranked = sorted(range(len(texts)), key=lambda i: (-logits[i], i))
            results = []
            for i in ranked:
                result = {"index": i, "score": logits[i] if raw else sigmoid(logits[i])}
                if body.get("return_text"):
                    result["text"] = texts[i]
                results.append(result)
            self.send(200, results)

        def rerank_cohere(self, body):
            texts = texts_of(body.get("documents"), "documents", allow_empty_text=True)
            logits = self.scores(body.get("query"), texts, True)
            top_n = body.get("top_n", len(texts))
            if not isinstance(top_n, int) or top_n < 1:
                raise BadRequest("'top_n' must be a positive integer")
            ranked = sorted(range(len(texts)), key=lambda i: (-logits[i], i))[:top_n]
            self.send(200, {"results": [{"index": i, "relevance_score": sigmoid(logits[i])} for i in ranked],
                            "model": reranker.name})

        def send(self, status, payload):
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def error(message, kind):
    return {"error": {"message": message, "type": kind}}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", required=True, help="folder with the unpacked models")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    embedder = BgeSmall(os.path.join(args.models, "bge-small-en-v1.5"))
    reranker = CrossEncoder(os.path.join(args.models, "ms-marco-MiniLM-L-12-v2"))
    pool = RowPool(max(1, args.workers))
    server = ThreadingHTTPServer((args.host, args.port), make_handler(embedder, reranker, pool))
    server.daemon_threads = True
    print(f"model-server: {embedder.name} and {reranker.name} on http://{args.host}:{server.server_port}",
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
