#!/usr/bin/env bash
# RubyGems benchmark: Kura's /rubygems/OWNER/ against a static directory written by
# `gem generate_index` (served by a plain static file server), same gems, same machine, same run.
# Usage: npm run bench:rubygems   (or bash bench/rubygems/run.sh); see bench/README.md.
#
# Kura and the static server are pinned to BENCH_SERVER_CPU (default 0), one at a time under
# load; the load generator, pushes and Bundler to BENCH_CLIENT_CPU (default 1).
#
# Knobs (environment):
#   BENCH_SCALE_GEMS=10000     gems stored before the second push-latency sample
#   BENCH_PUSH_SAMPLES=100     pushes timed one after another per sample
#   BENCH_BUNDLE_GEMS=50       gems of the cold `bundle install` (BENCH_FILLER_GEMS=450 more in both indexes)
#   BENCH_DURATION=10          seconds measured per read scenario (after BENCH_WARMUP=2 s)
#   BENCH_CONNECTIONS=32       autocannon connections
#   BENCH_INSTALL_RUNS=3       cold installs per side (best is reported)
#   BENCH_SKIP_BUILD=1         do not run `npm run build` first
#   BENCH_KEEP=1               keep the temporary directory
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BENCH="$ROOT/bench/rubygems"
SERVER_CPU="${BENCH_SERVER_CPU:-0}"
CLIENT_CPU="${BENCH_CLIENT_CPU:-1}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/kura-bench-rubygems.XXXXXX")"
SERVER_PIDS=()
CLIENT_PID=""

# shellcheck source=../lib/common.sh
source "$ROOT/bench/lib/common.sh"

trap cleanup_servers EXIT
trap 'exit 130' INT TERM

command -v curl >/dev/null || die "curl is required"
command -v bundle >/dev/null || bash "$ROOT/scripts/install-clients/rubygems.sh"
install_locked "$ROOT/bench/npm"
if [ "${BENCH_SKIP_BUILD:-}" != 1 ]; then
  say "building Kura (npm run build)"
  (cd "$ROOT" && npm run build --silent >&2)
fi

say "generating the static index (gem generate_index)"
run_client node "$BENCH/bench.mjs" fixtures --dir "$WORK"

data="$WORK/kura"
for login in bench bundle; do
  node "$ROOT/bin/kura.js" user create "$login" --data "$data" >/dev/null
done
node "$ROOT/bin/kura.js" repo create bench/bench --data "$data" >/dev/null
node "$ROOT/bin/kura.js" repo create bundle/app --data "$data" >/dev/null
bench_token="$(node "$ROOT/bin/kura.js" token create --user bench --scopes read:packages,write:packages --name bench --data "$data")"
bundle_token="$(node "$ROOT/bin/kura.js" token create --user bundle --scopes read:packages,write:packages --name bench --data "$data")"

start_kura_and_static "$data" "$WORK/static"

mkdir -p "$ROOT/bench/results"
stamp="$(date -u +%Y-%m-%dT%H-%M-%SZ)"
run_client node "$BENCH/bench.mjs" measure --kura "$KURA_URL" --static "$STATIC_URL" \
  --bench-token "$bench_token" --bundle-token "$bundle_token" --work "$WORK" --out "$ROOT/bench/results/rubygems-$stamp.json"
cp "$ROOT/bench/results/rubygems-$stamp.json" "$ROOT/bench/results/rubygems-latest.json"
cp "$ROOT/bench/results/rubygems-$stamp.md" "$ROOT/bench/results/rubygems-latest.md"
say "results written to bench/results/rubygems-$stamp.{json,md} (also rubygems-latest.*)"
