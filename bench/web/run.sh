#!/usr/bin/env bash
# Web page benchmark: package pages of a package with 10 versions and one with 500, their
# latency, throughput and database queries per page.
# Usage: npm run bench:web   (or bash bench/web/run.sh); see bench/README.md.
# Knobs: BENCH_VERSIONS=500, BENCH_SMALL_VERSIONS=10, BENCH_REQUESTS=300, BENCH_DURATION=10 (after
# BENCH_WARMUP=2), BENCH_CONNECTIONS=8, BENCH_SERVER_CPU=0, BENCH_CLIENT_CPU=1, BENCH_SKIP_BUILD=1.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SERVER_CPU="${BENCH_SERVER_CPU:-0}"
CLIENT_CPU="${BENCH_CLIENT_CPU:-1}"
# shellcheck source=../lib/common.sh
source "$ROOT/bench/lib/common.sh"

prepare_kura_bench
exec "${ON_CLIENT[@]}" node "$ROOT/bench/web/bench.mjs"
