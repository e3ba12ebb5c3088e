#!/usr/bin/env bash
# Flat cost at scale: a small data set (about 1,000 versions) and a large one (1,000,000 versions
# over 100,000 packages in five formats), generated once by bench/scale/generate.mjs and kept in
# BENCH_SCALE_DIR; start time, read latency per format, search, web pages and npm publish on
# both, large/small held to 1.5×.
# Usage: npm run bench:scale   (or bash bench/scale/run.sh); see bench/README.md.
# Knobs: BENCH_SCALE_PACKAGES=100000, BENCH_SCALE_VERSIONS=1000000, BENCH_SCALE_DIR, BENCH_REQUESTS=300,
# BENCH_DURATION=10, BENCH_CONNECTIONS=4, BENCH_PUBLISHES=100, BENCH_SERVER_CPU=0, BENCH_CLIENT_CPU=1,
# BENCH_SKIP_BUILD=1.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SERVER_CPU="${BENCH_SERVER_CPU:-0}"
CLIENT_CPU="${BENCH_CLIENT_CPU:-1}"
# shellcheck source=../lib/common.sh
source "$ROOT/bench/lib/common.sh"

prepare_kura_bench
exec "${ON_CLIENT[@]}" node "$ROOT/bench/scale/bench.mjs"
