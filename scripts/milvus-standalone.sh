#!/usr/bin/env bash
# Milvus 2.3 standalone for the test and benchmark tiers: the real server (embedded etcd and RocksMQ), stricter
# than Milvus Lite, from the PyPI package `milvus` in a project-local Python venv.
#
#   scripts/milvus-standalone.sh install                  venv at .venv/milvus-standalone (idempotent)
#   scripts/milvus-standalone.sh start [BASE] [K=V...]    background server, proxy on 127.0.0.1:BASE (default 19600),
#                                                         data under .milvus/standalone-BASE/
#   scripts/milvus-standalone.sh stop [BASE]              stops the server `start` launched on BASE, deletes its data
#   scripts/milvus-standalone.sh run BASE DATA_DIR [K=V...]
#                                                         foreground server (what test/support/milvus-standalone.ts
#                                                         launches); when MILVUS_STANDALONE_PARENT_PID is set it exits
#                                                         as soon as that process is gone
#
# Ports: BASE proxy (the Milvus address), BASE+1 proxy internal, +2 root coord, +3 query coord, +4 query node,
# +5 index coord, +6 index node, +7 data coord, +8 data node, +9 etcd client, +10 etcd peer, +11 metrics and
# /healthz. All must be free: a busy one is an error, never silently replaced by another port.
# K=V are Milvus config overrides, e.g. proxy.timeTickInterval=20: dotted keys of the package's config template
# (data/config.yaml.template); other keys are silently ignored.
# Every start needs a fresh DATA_DIR: on an old one the first request stalls for half a minute (stale sessions).
#
# Environment: PYTHON (default python3), MILVUS_STANDALONE_VENV (default .venv/milvus-standalone),
# MILVUS_STANDALONE_READY_TIMEOUT seconds for `start` (default 120).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NAME=milvus-standalone
VENV="$(realpath -m "${MILVUS_STANDALONE_VENV:-$ROOT/.venv/milvus-standalone}")"
REQUIREMENTS="$ROOT/requirements-milvus-standalone.txt"
PYTHON="${PYTHON:-python3}"
# The package ships its server as xz archives that it unpacks into DATA_DIR/bin on every start (250 MB, seconds);
# install unpacks them once here and each DATA_DIR/bin links to it.
BIN="$VENV/milvus-server/bin"
PORT_COUNT=12
# shellcheck source-path=SCRIPTDIR source=lib/python-server.sh
source "$ROOT/scripts/lib/python-server.sh"

unpack_server() {
  "$VENV/bin/python" -c 'import milvus, sys; milvus._initialize_data_files(sys.argv[1])' "$(dirname "$BIN")" ||
    die "could not unpack the Milvus server into $BIN"
  LD_LIBRARY_PATH="$BIN" "$BIN/milvus" --help >/dev/null 2>&1 || die "the Milvus server was installed but does not run"
}

install() {
  venv_install "$BIN/milvus" "a 60 MB download, 330 MB installed" unpack_server
}

healthy() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'GET /healthz HTTP/1.0\r\n\r\n' >&3 && IFS= read -r -t 2 status <&3 &&
      [[ "$status" == "HTTP/1."?" 200 "* ]]
  ) 2>/dev/null
}

run() {
  local base="${1:?usage: run BASE_PORT DATA_DIR [KEY=VALUE...]}" data_dir="${2:?usage: run BASE_PORT DATA_DIR [KEY=VALUE...]}"
  shift 2
  [[ -x "$BIN/milvus" ]] || die "not installed: run '$0 install' first"
  local setting
  for setting in "$@"; do
    [[ "$setting" == ?*=* ]] || die "expected a config override KEY=VALUE, got '$setting'"
  done
  mkdir -p "$data_dir"
  data_dir="$(cd "$data_dir" && pwd)"
  [[ -e "$data_dir/bin" ]] || ln -s "$BIN" "$data_dir/bin"
  # --etcd-port only tells Milvus where to find etcd: the embedded etcd listens where this file says.
  cat >"$data_dir/etcd.yaml" <<EOF
listen-client-urls: http://127.0.0.1:$((base + 9))
advertise-client-urls: http://127.0.0.1:$((base + 9))
listen-peer-urls: http://127.0.0.1:$((base + 10))
initial-advertise-peer-urls: http://127.0.0.1:$((base + 10))
initial-cluster: default=http://127.0.0.1:$((base + 10))
EOF
  export ETCD_CONFIG_PATH="$data_dir/etcd.yaml"
  # Used instead of milvus-server, the package's CLI, which cannot pin the metrics port (it takes the first free one
  # from 9091) and moves a busy port to the next free one; ports given to the config constructor are strict.
  # SIGTERM stops the server binary too (milvus-server would leave it running).
  cat >"$data_dir/launch.py" <<'EOF'
import signal, socket, sys
import milvus

base, data_dir, settings = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
names = ["proxy", "proxy_internal", "root_coord", "query_coord", "query_node",
         "index_coord", "index_node", "data_coord", "data_node", "etcd"]
config = milvus.MilvusServerConfig(data_dir=data_dir, **{f"{name}_port": base + i for i, name in enumerate(names)})
for setting in settings:
    config.set(*setting.split("=", 1))


def try_bind_port(port):  # as the package's probe, but with SO_REUSEADDR like the server: TIME_WAIT is not busy
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
        sock.listen()
        return sock
    except OSError:
        sock.close()


config.try_bind_port = try_bind_port
server = milvus.MilvusServer(config, wait_for_started=False)
server.webservice_port = base + 11
for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(sig, lambda *_: server.server_proc.terminate() if server.server_proc else sys.exit(1))
try:
    server.start()
except RuntimeError as error:  # set <key>=<port>, but bind failed
    sys.exit(f"milvus-standalone: {error}")
if server.webservice_port != base + 11:
    server.server_proc.kill()
    sys.exit(f"milvus-standalone: metrics port {base + 11} is in use")
code = server.server_proc.wait()
sys.exit(128 - code if code < 0 else code)
EOF
  if [[ -z "${MILVUS_STANDALONE_PARENT_PID:-}" ]]; then
    exec "$VENV/bin/python" "$data_dir/launch.py" "$base" "$data_dir" "$@"
  fi
  follow_parent "$MILVUS_STANDALONE_PARENT_PID" "$VENV/bin/python" "$data_dir/launch.py" "$base" "$data_dir" "$@"
}

start() {
  local base="${1:-19600}"
  shift || true
  local dir="$ROOT/.milvus/standalone-$base"
  local timeout="${MILVUS_STANDALONE_READY_TIMEOUT:-120}"
  install
  if [[ -f "$dir/pid" ]] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
    echo "127.0.0.1:$base"
    return 0
  fi
  local port
  for ((port = base; port < base + PORT_COUNT; port++)); do
    port_open "$port" && die "port $port (of $base-$((base + PORT_COUNT - 1))) is already in use by another process"
  done
  rm -rf "$dir/data"
  start_detached "$dir" "healthy $((base + 11))" "healthy on port $((base + 11))" "$timeout" "$base" "$dir/data" "$@"
  echo "127.0.0.1:$base"
}

stop() {
  local dir="$ROOT/.milvus/standalone-${1:-19600}"
  stop_group "$dir/pid"
  rm -rf "$dir/data"
}

case "${1:-}" in
install) install ;;
run) run "${@:2}" ;;
start) start "${@:2}" ;;
stop) stop "${2:-}" ;;
*)
  echo "usage: $0 install | start [BASE_PORT] [KEY=VALUE...] | stop [BASE_PORT] | run BASE_PORT DATA_DIR [KEY=VALUE...]" >&2
  exit 2
  ;;
esac
