#!/usr/bin/env bash
# NuGet benchmark: a package with 300 versions in Kura's feed; its registration index, a
# registration page and .nupkg downloads against the same documents and packages written to a
# directory and served by a plain static file server, in one run.
# Usage: npm run bench:nuget   (or bash bench/nuget/run.sh); see bench/README.md.
#
# Knobs: BENCH_VERSIONS=300, BENCH_DURATION=10 (after BENCH_WARMUP=2), BENCH_CONNECTIONS=32,
# BENCH_SKIP_BUILD=1, BENCH_KEEP=1.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BENCH="$ROOT/bench/nuget"
SERVER_CPU="${BENCH_SERVER_CPU:-0}"
CLIENT_CPU="${BENCH_CLIENT_CPU:-1}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/kura-bench-nuget.XXXXXX")"
SERVER_PIDS=()
CLIENT_PID=""

# shellcheck source=../lib/common.sh
source "$ROOT/bench/lib/common.sh"

trap cleanup_servers EXIT
trap 'exit 130' INT TERM

command -v curl >/dev/null || die "curl is required"
install_locked "$ROOT/bench/npm"
if [ "${BENCH_SKIP_BUILD:-}" != 1 ]; then
  say "building Kura (npm run build)"
  (cd "$ROOT" && npm run build --silent >&2)
fi

data="$WORK/kura"
node "$ROOT/bin/kura.js" user create bench --data "$data" >/dev/null
node "$ROOT/bin/kura.js" repo create bench/bench --data "$data" >/dev/null
token="$(node "$ROOT/bin/kura.js" token create --user bench --scopes read:packages,write:packages --name bench --data "$data")"
mkdir -p "$WORK/static"

start_kura_and_static "$data" "$WORK/static"

mkdir -p "$ROOT/bench/results"
stamp="$(date -u +%Y-%m-%dT%H-%M-%SZ)"
run_client node "$BENCH/bench.mjs" measure --kura "$KURA_URL" --static "$STATIC_URL" \
  --static-dir "$WORK/static" --token "$token" --out "$ROOT/bench/results/nuget-$stamp.json"
cp "$ROOT/bench/results/nuget-$stamp.json" "$ROOT/bench/results/nuget-latest.json"
cp "$ROOT/bench/results/nuget-$stamp.md" "$ROOT/bench/results/nuget-latest.md"
say "results written to bench/results/nuget-$stamp.{json,md} (also nuget-latest.*)"
