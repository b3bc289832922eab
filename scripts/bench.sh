#!/usr/bin/env bash
# `make bench`: every benchmark, each side by side with the peers it is measured against, in
# one run on this machine. Run it on a quiet machine: the numbers are wall-clock. Output goes to
# stdout; each section says the command that reproduces it alone.
#
# BENCH_QUICK=1 runs a fast smoke version (fewer calls) of the long ones.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=()
[ "${BENCH_QUICK:-}" = 1 ] && quick=(-quick)

section() { printf '\n## %s\n\n`%s`\n\n' "$1" "$2"; }

section "Spine: direct vs patchbay shim vs mcp-remote vs supergateway" "go run ./bench/spine"
go run ./bench/spine "${quick[@]}"

section "The floor of the shim + bridge topology: process hops with no processing" "go run ./bench/hops"
go run ./bench/hops

section "Native Notion connector vs @notionhq/notion-mcp-server" "go run ./bench/notion"
go run ./bench/notion

section "Relay, shim startup, client configs, OAuth tokens, log view (Go benchmarks)" \
  "go test -run '^\$' -bench . -benchmem ./bridge/relay/ ./clientconfig/ ./connectors/remote/... ./connectors/notion/ ./app/ ."
go test -run '^$' -bench . -benchmem -benchtime "${BENCHTIME:-1s}" \
  ./bridge/relay/ ./clientconfig/ ./connectors/remote/... ./connectors/notion/ ./app/ .
