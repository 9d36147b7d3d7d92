#!/usr/bin/env bash
# The BM25 anchor of `npm run eval` (bm25s + PyStemmer) in a project-local Python venv.
#
#   scripts/eval-anchor.sh install   venv at .venv/eval-anchor with requirements-eval-anchor.txt (idempotent)
#   scripts/eval-anchor.sh run       reads a job (JSON) on stdin, writes the BM25 run (JSON) on stdout;
#                                    see bench/eval/bm25-anchor.py
#
# Environment: PYTHON (default python3), EVAL_ANCHOR_VENV (default .venv/eval-anchor).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NAME=eval-anchor
VENV="${EVAL_ANCHOR_VENV:-$ROOT/.venv/eval-anchor}"
REQUIREMENTS="$ROOT/requirements-eval-anchor.txt"
PYTHON="${PYTHON:-python3}"
# shellcheck source-path=SCRIPTDIR source=lib/python-server.sh
source "$ROOT/scripts/lib/python-server.sh"

check_installed() {
  "$VENV/bin/python" -c 'import bm25s, Stemmer' || die "installed but bm25s or PyStemmer does not import"
}

install() {
  venv_install "$VENV/bin/python" "first time takes about half a minute" check_installed
}

case "${1:-}" in
install) install ;;
run)
  [[ -x "$VENV/bin/python" ]] || die "not installed: run '$0 install' first"
  OPENBLAS_NUM_THREADS=1 PYTHONDONTWRITEBYTECODE=1 exec "$VENV/bin/python" "$ROOT/bench/eval/bm25-anchor.py"
  ;;
*)
  echo "usage: $0 install | run" >&2
  exit 2
  ;;
esac
