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
VENV="${MILVUS_LITE_VENV:-$ROOT/.venv/milvus}"
REQUIREMENTS="$ROOT/requirements-test.txt"
PYTHON="${PYTHON:-python3}"
STAMP="$VENV/.requirements.sha256"

die() {
  echo "milvus-lite: $*" >&2
  exit 1
}

requirements_hash() {
  { cat "$REQUIREMENTS"; "$PYTHON" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1
}

install() {
  command -v "$PYTHON" >/dev/null 2>&1 || die "'$PYTHON' not found: Milvus Lite needs Python 3.10+ with the venv module (Debian: apt-get install python3 python3-venv)"
  [[ -f "$REQUIREMENTS" ]] || die "missing $REQUIREMENTS"
  mkdir -p "$(dirname "$VENV")"
  # Two test runs may install at once: the second waits for the first, then finds the stamp.
  exec 9>"$(dirname "$VENV")/.milvus-install.lock"
  flock 9
  local want
  want="$(requirements_hash)"
  if [[ -x "$VENV/bin/milvus-lite" && -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then
    exec 9>&-
    return 0
  fi
  echo "milvus-lite: installing into $VENV (first time takes about a minute)" >&2
  if [[ ! -x "$VENV/bin/python" ]]; then
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV" >&2 ||
      die "'$PYTHON -m venv $VENV' failed: install the venv module (Debian: apt-get install python3-venv)"
  fi
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS" >&2 ||
    die "pip could not install $REQUIREMENTS into $VENV (is the package index reachable?)"
  "$VENV/bin/milvus-lite" --help >/dev/null || die "milvus-lite was installed but does not run"
  echo "$want" >"$STAMP"
  # Release the lock now: a server started later by this shell must not inherit it.
  exec 9>&-
}

port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

run() {
  local port="${1:?usage: run PORT DATA_DIR}" data_dir="${2:?usage: run PORT DATA_DIR}"
  [[ -x "$VENV/bin/milvus-lite" ]] || die "not installed: run '$0 install' first"
  mkdir -p "$data_dir"
  if [[ -z "${MILVUS_LITE_PARENT_PID:-}" ]]; then
    exec "$VENV/bin/milvus-lite" server --data-dir "$data_dir" --host 127.0.0.1 --port "$port"
  fi
  # Watchdog: a test runner killed with SIGKILL cannot stop its server, so the server
  # follows its parent instead of outliving it.
  "$VENV/bin/milvus-lite" server --data-dir "$data_dir" --host 127.0.0.1 --port "$port" &
  local server=$!
  trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; exit 0' TERM INT HUP
  while kill -0 "$server" 2>/dev/null; do
    if ! kill -0 "$MILVUS_LITE_PARENT_PID" 2>/dev/null; then
      kill "$server" 2>/dev/null || true
      wait "$server" 2>/dev/null || true
      exit 0
    fi
    sleep 1
  done
  wait "$server"
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
  mkdir -p "$dir"
  setsid "$0" run "$port" "$dir/data" >"$dir/server.log" 2>&1 </dev/null &
  echo $! >"$dir/pid"
  local waited=0
  until port_open "$port"; do
    if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
      tail -n 20 "$dir/server.log" >&2 || true
      die "server exited during start-up (log: $dir/server.log)"
    fi
    ((waited++ < timeout * 4)) || die "not accepting connections on port $port after ${timeout}s (log: $dir/server.log)"
    sleep 0.25
  done
  echo "127.0.0.1:$port"
}

stop() {
  local port="${1:-19530}"
  local pid_file="$ROOT/.milvus/$port/pid"
  [[ -f "$pid_file" ]] || return 0
  local pid
  pid="$(cat "$pid_file")"
  # `start` made the server a session leader, so its process group has the same id.
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$pid_file"
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
