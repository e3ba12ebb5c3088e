#!/usr/bin/env bash
# Alerts benchmark: BENCH_PACKAGES npm packages published to Kura with BENCH_EDGES dependencies
# each (100,000 indexed edges by default), then one advisory published on a package a fifth of
# them depend on (some through another Kura package): the time until every alert is raised.
# Then the publish p50 of a version with 30 dependencies against one with none, in one run.
# Usage: npm run bench:alerts   (or bash bench/alerts/run.sh); see bench/README.md.
#
# Knobs: BENCH_PACKAGES=10000, BENCH_EDGES=10, BENCH_PUBLISHES=200, BENCH_SKIP_BUILD=1, BENCH_KEEP=1.
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

data="$WORK/kura"
node "$ROOT/bin/kura.js" user create bench --data "$data" >/dev/null
for i in $(seq 0 19); do node "$ROOT/bin/kura.js" repo create "bench/r-$i" --data "$data" >/dev/null; done
token="$(node "$ROOT/bin/kura.js" token create --user bench --scopes read:packages,write:packages --name bench --data "$data")"
mkdir -p "$WORK/static"

start_kura_and_static "$data" "$WORK/static"

mkdir -p "$ROOT/bench/results"
stamp="$(date -u +%Y-%m-%dT%H-%M-%SZ)"
run_client node "$BENCH/bench.mjs" --kura "$KURA_URL" --token "$token" --database "$data/kura.db" --out "$ROOT/bench/results/alerts-$stamp.json"
cp "$ROOT/bench/results/alerts-$stamp.json" "$ROOT/bench/results/alerts-latest.json"
cp "$ROOT/bench/results/alerts-$stamp.md" "$ROOT/bench/results/alerts-latest.md"
say "results written to bench/results/alerts-$stamp.{json,md} (also alerts-latest.*)"
