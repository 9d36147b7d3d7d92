#!/usr/bin/env bash
# Proves the production install in a fresh clone of the committed tree (never in the working
# tree, whose node_modules may be shared): build with dev dependencies, then reinstall with
# `npm ci --omit=dev` (no TypeScript, no tsx, no esbuild) and check that `npm run migrate`, `npm start`
# and `npm run ingest` all run from the compiled build, and that a second `npm start` does not
# rebuild. Needs the PostgreSQL of the test tier (RECALL_TEST_DATABASE_URL or 127.0.0.1:5432).
#
#   bash scripts/check-production-install.sh [COMMIT]   (default HEAD)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COMMIT="$(git -C "$ROOT" rev-parse "${1:-HEAD}")"
ADMIN_URL="${RECALL_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/recall-prod-XXXXXX")"
DB="recall_prod_check_$$"
SERVER_PID=""

step() { echo "-- $*"; }
fail() { echo "check-production-install: $*" >&2; exit 1; }
cleanup() {
  if [[ -n "$SERVER_PID" ]]; then
    kill -- "-$SERVER_PID" 2>/dev/null || kill "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
  fi
  psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# Starts `npm start` in the background; waits for its "listening" line; sets SERVER_PID and GRPC_ADDR.
start_server() {
  local log="$1" started
  started=$(date +%s%N)
  # Its own process group: a stop signals the group, as a terminal's Ctrl-C or systemd does.
  (cd "$WORK/recall" && exec setsid npm start --silent) >"$log" 2>"$log.err" &
  SERVER_PID=$!
  for _ in $(seq 1 600); do
    if grep -q '"msg":"listening"' "$log"; then
      GRPC_ADDR="127.0.0.1:$(grep -m1 '"msg":"listening"' "$log" | sed -E 's/.*"grpcPort":([0-9]+).*/\1/')"
      echo "   serving after $(( ($(date +%s%N) - started) / 1000000 )) ms"
      return 0
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$log" "$log.err" >&2; fail "npm start exited"; }
    sleep 0.1
  done
  cat "$log" "$log.err" >&2
  fail "npm start did not serve within 60 s"
}

# npm does not forward SIGTERM to its script: signal the group (npm exits 143 itself); what
# matters is that recall drained and logged "stopped".
stop_server() {
  local log="$1"
  kill -TERM -- "-$SERVER_PID"
  wait "$SERVER_PID" || true
  # npm is gone at once; node drains first (SHUTDOWN_GRACE_MS).
  for _ in $(seq 1 300); do kill -0 -- "-$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -0 -- "-$SERVER_PID" 2>/dev/null && fail "recall still running 30 s after SIGTERM"
  SERVER_PID=""
  grep -q '"msg":"stopped"' "$log" || { cat "$log" "$log.err" >&2; fail "recall did not stop cleanly on SIGTERM"; }
}

step "fresh clone of $COMMIT"
git clone --quiet --no-checkout "$ROOT" "$WORK/recall"
git -C "$WORK/recall" checkout --quiet "$COMMIT"
cd "$WORK/recall"

step "npm ci (with dev dependencies) and npm run build"
npm ci --no-audit --no-fund --loglevel=error >/dev/null
npm run build --silent

step "npm ci --omit=dev: production dependencies only"
rm -rf node_modules
npm ci --omit=dev --no-audit --no-fund --loglevel=error >/dev/null
[[ ! -e node_modules/typescript && ! -e node_modules/tsx && ! -e node_modules/esbuild ]] || fail "dev dependencies are still installed"

psql "$ADMIN_URL" -qc "CREATE DATABASE $DB" >/dev/null
DATABASE_URL="$(node -e 'const u=new URL(process.argv[1]);u.pathname="/"+process.argv[2];console.log(u.toString())' "$ADMIN_URL" "$DB")"
export DATABASE_URL DATA_DIR="$WORK/data" HOST=127.0.0.1 GRPC_PORT=0 METRICS_PORT=0 MIGRATE_ON_START=false

step "npm run migrate (compiled build, no tsx)"
npm run migrate --silent
npm run migrate --silent -- --status | tee "$WORK/status.txt"
grep -q '001' "$WORK/status.txt" || fail "migrate --status lists no migration"

step "npm start (first start after the build)"
start_server "$WORK/start1.log"
grep -q 'sources changed' "$WORK/start1.log.err" && fail "npm start rebuilt an unchanged tree"

step "npm run ingest against it"
printf '%s\n' '{"id": "a", "text": "Invoices are due within 30 days."}' '{"id": "b", "text": "Late invoices accrue interest."}' >"$WORK/docs.jsonl"
npm run ingest --silent -- --collection docs "$WORK/docs.jsonl" --target "$GRPC_ADDR" | tee "$WORK/ingest.txt"
grep -q '2 loaded' "$WORK/ingest.txt" || fail "ingest did not load both documents"
stop_server "$WORK/start1.log"

step "npm start again (unchanged tree: no build)"
start_server "$WORK/start2.log"
grep -q 'sources changed' "$WORK/start2.log.err" && fail "npm start rebuilt an unchanged tree"
stop_server "$WORK/start2.log"

step "node dist/src/main.js (the image's CMD): SIGTERM drains and exits 0"
node dist/src/main.js >"$WORK/direct.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 300); do grep -q '"msg":"listening"' "$WORK/direct.log" && break; sleep 0.1; done
grep -q '"msg":"listening"' "$WORK/direct.log" || { cat "$WORK/direct.log" >&2; fail "node dist/src/main.js did not serve"; }
kill -TERM "$SERVER_PID"
code=0
wait "$SERVER_PID" || code=$?
SERVER_PID=""
[[ "$code" == 0 ]] || { cat "$WORK/direct.log" >&2; fail "node exited $code on SIGTERM"; }
echo "production install: ok"
