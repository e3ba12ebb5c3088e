#!/usr/bin/env bash
# Alerts benchmark: BENCH_PACKAGES npm packages published to Kura with BENCH_EDGES dependencies
# each (100,000 indexed edges by default), then one advisory published on a package a fifth of
# them depend on (some through another Kura package): the time until every alert is raised.
# Then the publish p50 of a version with 30 dependencies against one with none, in one run.
# Usage: npm run bench:alerts   (or bash bench/alerts/run.sh); see bench/README.md.
#
# Knobs: BENCH_PACKAGES=10000, BENCH_EDGES=10, BENCH_PUBLISHES=200, BENCH_BASELINE_REF (a Kura
# git ref to compare publishes with, e.g. 09c9926), BENCH_SKIP_BUILD=1, BENCH_KEEP=1.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BENCH="$ROOT/bench/alerts"
SERVER_CPU="${BENCH_SERVER_CPU:-0}"
CLIENT_CPU="${BENCH_CLIENT_CPU:-1}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/kura-bench-alerts.XXXXXX")"
SERVER_PIDS=()
CLIENT_PID=""

# shellcheck source=../lib/common.sh
source "$ROOT/bench/lib/common.sh"

trap cleanup_servers EXIT
trap 'exit 130' INT TERM

command -v curl >/dev/null || die "curl is required"
if [ "${BENCH_SKIP_BUILD:-}" != 1 ]; then
  say "building Kura (npm run build)"
  (cd "$ROOT" && npm run build --silent >&2)
fi

# seed_kura KURA_JS DATA: a user, 20 repositories and a token (printed) in a fresh data directory.
seed_kura() {
  local kura_js="$1" dir="$2"
  node "$kura_js" user create bench --data "$dir" >/dev/null
  for i in $(seq 0 19); do node "$kura_js" repo create "bench/r-$i" --data "$dir" >/dev/null; done
  node "$kura_js" token create --user bench --scopes read:packages,write:packages --name bench --data "$dir"
}

# With BENCH_BASELINE_REF (a git ref of Kura from before the dependency index), that build's
# publish p50 is measured first, on core SERVER_CPU like Kura's, and the ratio is taken against it.
if [ -n "${BENCH_BASELINE_REF:-}" ]; then
  say "building the baseline $BENCH_BASELINE_REF"
  git -C "$ROOT" worktree add --detach "$WORK/baseline" "$BENCH_BASELINE_REF" >&2
  (cd "$WORK/baseline" && npm ci --no-audit --no-fund --loglevel=error >&2)
  base_token="$(seed_kura "$WORK/baseline/bin/kura.js" "$WORK/baseline-data")"
  base_port="$(free_port)"
  KURA_LOG_LEVEL=warn "${ON_SERVER[@]}" "$WORK/baseline/bin/kura.js" serve --data "$WORK/baseline-data" --host 127.0.0.1 --port "$base_port" >"$WORK/baseline.log" 2>&1 &
  SERVER_PIDS+=($!)
  wait_ready "http://127.0.0.1:$base_port/healthz" "$WORK/baseline.log" "${SERVER_PIDS[-1]}"
  run_client node "$BENCH/bench.mjs" --publish-only --kura "http://127.0.0.1:$base_port" --token "$base_token" --out "$WORK/baseline.json"
  kill "${SERVER_PIDS[-1]}"; wait "${SERVER_PIDS[-1]}" 2>/dev/null || true
  unset 'SERVER_PIDS[-1]'
  git -C "$ROOT" worktree remove --force "$WORK/baseline" >&2
  export BENCH_BASELINE_RESULT="$WORK/baseline.json" BENCH_BASELINE_REF
fi

data="$WORK/kura"
token="$(seed_kura "$ROOT/bin/kura.js" "$data")"
mkdir -p "$WORK/static"

start_kura_and_static "$data" "$WORK/static"

mkdir -p "$ROOT/bench/results"
stamp="$(date -u +%Y-%m-%dT%H-%M-%SZ)"
run_client node "$BENCH/bench.mjs" --kura "$KURA_URL" --token "$token" --database "$data/kura.db" --out "$ROOT/bench/results/alerts-$stamp.json"
cp "$ROOT/bench/results/alerts-$stamp.json" "$ROOT/bench/results/alerts-latest.json"
cp "$ROOT/bench/results/alerts-$stamp.md" "$ROOT/bench/results/alerts-latest.md"
say "results written to bench/results/alerts-$stamp.{json,md} (also alerts-latest.*)"
