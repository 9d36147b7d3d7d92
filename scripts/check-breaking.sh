#!/usr/bin/env bash
# Contract safety: `buf breaking` of the protos against those of an earlier commit (default
# HEAD~1, the previous commit; BASE=<rev> to compare with another, e.g. the last release).
# On a first commit, or a shallow clone without the parent, there is nothing to compare: it
# says so and passes; with BREAKING_REQUIRE_BASE=1 that is a failure instead.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASE="${BASE:-HEAD~1}"
cd "$ROOT"

if ! git rev-parse --verify --quiet "$BASE^{commit}" >/dev/null; then
  echo "buf breaking: no $BASE in this clone (first commit or shallow history); nothing to compare" >&2
  [[ "${BREAKING_REQUIRE_BASE:-0}" == 1 ]] && exit 1
  exit 0
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/recall-breaking-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
# The earlier tree's buf.yaml and protos, extracted as they were (works in worktrees too).
git archive "$BASE" -- buf.yaml proto | tar -x -C "$WORK"
echo "buf breaking against $(git rev-parse --short "$BASE")"
npx buf breaking --against "$WORK"
