#!/usr/bin/env bash
# Prometheus, Alertmanager and the blackbox exporter for the ops tests (Debian packages).
#
#   scripts/prometheus-tools.sh install   installs the missing ones with apt-get (needs root)
#   scripts/prometheus-tools.sh check     prints each tool's path; exits 1 when one is missing
#
# The packages' services are not started here: the tests start their own on free ports.
set -euo pipefail

TOOLS=(prometheus promtool prometheus-alertmanager amtool prometheus-blackbox-exporter)
PACKAGES=(prometheus prometheus-alertmanager prometheus-blackbox-exporter)

missing() {
  local tool
  for tool in "${TOOLS[@]}"; do command -v "$tool" >/dev/null || return 0; done
  return 1
}

check() {
  local tool status=0
  for tool in "${TOOLS[@]}"; do
    if command -v "$tool" >/dev/null; then echo "$tool: $(command -v "$tool")"; else echo "$tool: missing" >&2; status=1; fi
  done
  return "$status"
}

install() {
  missing || return 0
  [[ "$(id -u)" == 0 ]] || { echo "prometheus-tools: missing tools and not root; install: ${PACKAGES[*]}" >&2; exit 1; }
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # --no-install-recommends: no node exporter; the tests and compose need none.
  apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
  check >/dev/null
}

case "${1:-}" in
install) install ;;
check) check ;;
*) echo "usage: $0 install|check" >&2; exit 2 ;;
esac
