#!/usr/bin/env bash
# Milvus Lite for the test tier: a Milvus-protocol server in a project-local Python venv.
#
#   scripts/milvus-lite.sh install             venv at .venv/milvus with requirements-test.txt (idempotent)
#   scripts/milvus-lite.sh start [PORT]        background server on 127.0.0.1:PORT (default 19530), data under .milvus/PORT/
#   scripts/milvus-lite.sh stop [PORT]         stops the server `start` launched on PORT
#   scripts/milvus-lite.sh run PORT DATA_DIR   foreground server (what test/support/milvus-lite.ts launches); when
#                                              MILVUS_LITE_PARENT_PID is set it exits as soon as that process is gone
#
# Environment: PYTHON (default python3), MILVUS_LITE_VENV (default .venv/milvus),
# MILVUS_LITE_READY_TIMEOUT seconds for `start` (default 60).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NAME=milvus-lite
VENV="${MILVUS_LITE_VENV:-$ROOT/.venv/milvus}"
REQUIREMENTS="$ROOT/requirements-test.txt"
PYTHON="${PYTHON:-python3}"
# shellcheck source-path=SCRIPTDIR source=lib/python-server.sh
source "$ROOT/scripts/lib/python-server.sh"

check_installed() {
  "$VENV/bin/milvus-lite" --help >/dev/null || die "milvus-lite was installed but does not run"
}

install() {
  venv_install "$VENV/bin/milvus-lite" "first time takes about a minute" check_installed
}

run() {
  local port="${1:?usage: run PORT DATA_DIR}" data_dir="${2:?usage: run PORT DATA_DIR}"
  [[ -x "$VENV/bin/milvus-lite" ]] || die "not installed: run '$0 install' first"
  mkdir -p "$data_dir"
  if [[ -z "${MILVUS_LITE_PARENT_PID:-}" ]]; then
    exec "$VENV/bin/milvus-lite" server --data-dir "$data_dir" --host 127.0.0.1 --port "$port"
  fi
  follow_parent "$MILVUS_LITE_PARENT_PID" "$VENV/bin/milvus-lite" server --data-dir "$data_dir" --host 127.0.0.1 --port "$port"
}

start() {
  local port="${1:-19530}"
  local dir="$ROOT/.milvus/$port"
  local timeout="${MILVUS_LITE_READY_TIMEOUT:-60}"
  install
  if [[ -f "$dir/pid" ]] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
    echo "127.0.0.1:$port"
    return 0
  fi
  port_open "$port" && die "port $port is already in use by another process"
  start_detached "$dir" "port_open $port" "accepting connections on port $port" "$timeout" "$port" "$dir/data"
  echo "127.0.0.1:$port"
}

stop() {
  stop_group "$ROOT/.milvus/${1:-19530}/pid"
}

case "${1:-}" in
install) install ;;
run) run "${2:-}" "${3:-}" ;;
start) start "${2:-}" ;;
stop) stop "${2:-}" ;;
*)
  echo "usage: $0 install | start [PORT] | stop [PORT] | run PORT DATA_DIR" >&2
  exit 2
  ;;
esac
