#!/usr/bin/env bash
# Metrics cost benchmark: Kura with KURA_METRICS=on against off, loaded in turn on one core.
# Usage: npm run bench:metrics   (or bash bench/metrics/run.sh); see bench/README.md.
# Knobs: BENCH_ROUNDS=5, BENCH_DURATION=10 (after BENCH_WARMUP=2), BENCH_CONNECTIONS=48,
# BENCH_PACKAGES=50, BENCH_VERSIONS=10, BENCH_SERVER_CPU=0, BENCH_CLIENT_CPU=1, BENCH_SKIP_BUILD=1.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SERVER_CPU="${BENCH_SERVER_CPU:-0}"
CLIENT_CPU="${BENCH_CLIENT_CPU:-1}"
# shellcheck source=../lib/common.sh
source "$ROOT/bench/lib/common.sh"

prepare_kura_bench
exec "${ON_CLIENT[@]}" node "$ROOT/bench/metrics/bench.mjs"
