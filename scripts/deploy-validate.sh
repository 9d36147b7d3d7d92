#!/usr/bin/env bash
# Validates the deployment files without Docker or a cluster, with pinned tools in a
# project-local venv (.venv/deploy, from requirements-deploy.txt):
#
#   scripts/deploy-validate.sh install            installs the validators (idempotent)
#   scripts/deploy-validate.sh [all]              hadolint, Compose schema, kubernetes-validate, yamllint
#   scripts/deploy-validate.sh compose FILE       one compose file against the Compose specification
#   scripts/deploy-validate.sh k8s FILE...        Kubernetes manifests (strict: unknown fields fail)
#
# Environment: PYTHON (default python3), DEPLOY_VENV (default .venv/deploy).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NAME=deploy-validate
VENV="${DEPLOY_VENV:-$ROOT/.venv/deploy}"
REQUIREMENTS="$ROOT/requirements-deploy.txt"
PYTHON="${PYTHON:-python3}"
# shellcheck source-path=SCRIPTDIR source=lib/python-server.sh
source "$ROOT/scripts/lib/python-server.sh"

YAMLLINT_CONFIG='{extends: relaxed, rules: {line-length: {max: 200}}}'

install() {
  venv_install "$VENV/bin/kubernetes-validate" "first time takes about half a minute"
}

compose() {
  "$VENV/bin/check-jsonschema" --builtin-schema vendor.compose-spec "$@"
}

k8s() {
  "$VENV/bin/kubernetes-validate" --strict --quiet "$@"
}

all() {
  cd "$ROOT"
  echo "hadolint Dockerfile"
  "$VENV/bin/hadolint" --config .hadolint.yaml Dockerfile
  echo "compose.yaml against the Compose specification"
  compose compose.yaml
  echo "deploy/k8s against the Kubernetes schemas"
  local manifests=()
  for f in deploy/k8s/*.yaml; do [[ "$(basename "$f")" == kustomization.yaml ]] || manifests+=("$f"); done
  k8s "${manifests[@]}"
  echo "yamllint"
  "$VENV/bin/yamllint" --strict -d "$YAMLLINT_CONFIG" compose.yaml deploy
}

case "${1:-all}" in
install) install ;;
all) install && all ;;
compose) install && compose "${@:2}" ;;
k8s) install && k8s "${@:2}" ;;
*) echo "usage: $0 [install|all|compose FILE|k8s FILE...]" >&2; exit 2 ;;
esac
