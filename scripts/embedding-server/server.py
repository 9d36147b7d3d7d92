"""A local OpenAI-compatible embedding server for all-MiniLM-L6-v2 (see minilm.py).

    python server.py --model DIR --port PORT [--host 127.0.0.1] [--workers 2]

Routes:
  POST /v1/embeddings  {"input": str | [str], "model"?: str, "encoding_format"?: "float"}
                       → {"object": "list", "data": [{"object": "embedding", "index", "embedding"}],
                          "model", "usage": {"prompt_tokens", "total_tokens"}}
  GET  /health         → {"status": "ok", "model", "dimension"}
Texts are embedded one at a time (no padding: Cranfield-length texts run ~2.5× faster than
padded batches) by `--workers` threads; numpy's matrix products release the GIL, so set the
BLAS thread count to 1 (scripts/embedding-server.sh does) and let the workers share the cores.
"""

import argparse
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from minilm import MiniLM  # noqa: E402

MODEL_NAME = "all-MiniLM-L6-v2"
MAX_INPUTS = 2048
MAX_BODY_BYTES = 64 * 1024 * 1024


class BadRequest(Exception):
    pass


def parse_inputs(body):
    """The list of texts of an OpenAI embeddings request; BadRequest when it is malformed."""
    if not isinstance(body, dict):
        raise BadRequest("body must be a JSON object")
    raw = body.get("input")
    texts = [raw] if isinstance(raw, str) else raw
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) and t for t in texts):
        raise BadRequest("'input' must be a non-empty string or a non-empty array of non-empty strings")
    if len(texts) > MAX_INPUTS:
        raise BadRequest(f"'input' has {len(texts)} texts, at most {MAX_INPUTS} are accepted")
    encoding = body.get("encoding_format", "float")
    if encoding != "float":
        raise BadRequest("only encoding_format 'float' is supported")
    return texts


def make_handler(model, pool):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_):
            pass  # one line per request would drown the log during an evaluation

        def do_GET(self):
            if self.path.split("?")[0] == "/health":
                return self.send(200, {"status": "ok", "model": MODEL_NAME, "dimension": model.dimension})
            self.send(404, error(f"no route for GET {self.path}", "not_found"))

        def do_POST(self):
            path = self.path.split("?")[0].rstrip("/")
            length = int(self.headers.get("content-length") or 0)
            if length > MAX_BODY_BYTES:
                self.close_connection = True
                return self.send(413, error("request body too large", "invalid_request_error"))
            raw = self.rfile.read(length)
            if path != "/v1/embeddings":
                return self.send(404, error(f"no route for POST {path}", "not_found"))
            try:
                texts = parse_inputs(json.loads(raw or b"null"))
            except (BadRequest, ValueError) as problem:
                return self.send(400, error(str(problem), "invalid_request_error"))
            vectors = list(pool.map(model.embed, texts))
            tokens = sum(model.token_count(t) for t in texts)
            self.send(
                200,
                {
                    "object": "list",
                    "data": [
                        {"object": "embedding", "index": i, "embedding": [round(float(x), 8) for x in v]}
                        for i, v in enumerate(vectors)
                    ],
                    "model": MODEL_NAME,
                    "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
                },
            )

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
    parser.add_argument("--model", required=True, help="unpacked model folder")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    model = MiniLM(args.model)
    pool = ThreadPoolExecutor(max_workers=max(1, args.workers))
    server = ThreadingHTTPServer((args.host, args.port), make_handler(model, pool))
    server.daemon_threads = True
    print(f"embedding-server: {MODEL_NAME} on http://{args.host}:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
