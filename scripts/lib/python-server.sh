# shellcheck shell=bash
# Shared by scripts/milvus-lite.sh and scripts/milvus-standalone.sh (sourced, not run): a
# Python server installed into a project-local venv from a pinned requirements file and run
# in a process group of its own. The sourcing script sets NAME (for messages), VENV,
# REQUIREMENTS and PYTHON.

STAMP="$VENV/.requirements.sha256"

die() {
  echo "$NAME: $*" >&2
  exit 1
}

requirements_hash() {
  { cat "$REQUIREMENTS"; "$PYTHON" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1
}

# venv_install INSTALLED NOTE [AFTER]: installs REQUIREMENTS into VENV unless the file INSTALLED
# exists and the stamp matches the requirements and Python; then runs the function AFTER, if
# given, which checks (or completes) the installation. NOTE says what the first time costs.
venv_install() {
  local installed="$1" note="$2" after="${3:-}"
  command -v "$PYTHON" >/dev/null 2>&1 || die "'$PYTHON' not found: $NAME needs Python 3 with the venv module (Debian: apt-get install python3 python3-venv)"
  [[ -f "$REQUIREMENTS" ]] || die "missing $REQUIREMENTS"
  mkdir -p "$(dirname "$VENV")"
  # Two test runs may install at once: the second waits for the first, then finds the stamp.
  exec 9>"$VENV.install.lock"
  flock 9
  local want
  want="$(requirements_hash)"
  if [[ -x "$installed" && -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then
    exec 9>&-
    return 0
  fi
  echo "$NAME: installing into $VENV ($note)" >&2
  if [[ ! -x "$VENV/bin/python" ]]; then
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV" >&2 ||
      die "'$PYTHON -m venv $VENV' failed: install the venv module (Debian: apt-get install python3-venv)"
  fi
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS" >&2 ||
    die "pip could not install $REQUIREMENTS into $VENV (is the package index reachable?)"
  [[ -z "$after" ]] || "$after"
  echo "$want" >"$STAMP"
  # Release the lock now: a server started later by this shell must not inherit it.
  exec 9>&-
}

port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# follow_parent PARENT_PID COMMAND...: runs COMMAND and ends it as soon as PARENT_PID is gone.
# A test runner killed with SIGKILL cannot stop its server, so the server follows its parent
# instead of outliving it.
follow_parent() {
  local parent="$1"
  shift
  "$@" &
  local server=$!
  trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; exit 0' TERM INT HUP
  while kill -0 "$server" 2>/dev/null; do
    if ! kill -0 "$parent" 2>/dev/null; then
      kill "$server" 2>/dev/null || true
      wait "$server" 2>/dev/null || true
      exit 0
    fi
    sleep 1
  done
  wait "$server"
}

# start_detached DIR PROBE WHAT TIMEOUT RUN_ARGS...: runs `$0 run RUN_ARGS...` as a session
# leader (pid in DIR/pid, output in DIR/server.log) and waits until the command PROBE succeeds;
# dies with the log's tail if the server exits first or TIMEOUT seconds pass. WHAT names the
# wait in that message, e.g. "accepting connections on port 19530".
start_detached() {
  local dir="$1" probe="$2" what="$3" timeout="$4"
  shift 4
  mkdir -p "$dir"
  setsid "$0" run "$@" >"$dir/server.log" 2>&1 </dev/null &
  echo $! >"$dir/pid"
  local waited=0
  until $probe; do
    if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
      tail -n 20 "$dir/server.log" >&2 || true
      die "server exited during start-up (log: $dir/server.log)"
    fi
    ((waited++ < timeout * 4)) || die "not $what after ${timeout}s (log: $dir/server.log)"
    sleep 0.25
  done
}

# stop_group PID_FILE: stops the server whose pid (a session leader, so also its process group)
# the file holds — SIGTERM to the group, SIGKILL after 10 s — and removes the file.
stop_group() {
  local pid_file="$1"
  [[ -f "$pid_file" ]] || return 0
  local pid
  pid="$(cat "$pid_file")"
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$pid_file"
}
