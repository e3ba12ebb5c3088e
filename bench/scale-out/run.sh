#!/usr/bin/env bash
# Scale-out benchmark: packument GETs and tarball pulls on 1 node (SQLite + disk), 1 node and
# 2 nodes (PostgreSQL + S3), in one run. Needs the PostgreSQL server and SeaweedFS that
# `npm test` installs (scripts/install-clients.sh).
# Usage: npm run bench:scale-out   (or bash bench/scale-out/run.sh); see bench/README.md.
#
# Knobs: BENCH_PACKAGES=50, BENCH_VERSIONS=5, BENCH_LARGE_BYTES=4194304, BENCH_DURATION=10 (after
# BENCH_WARMUP=2), BENCH_CONNECTIONS=32, BENCH_LARGE_CONNECTIONS=4, BENCH_NODE_CPUS=0 (cores the
# nodes are pinned to in turn, e.g. 0,1 on a machine with cores to spare), BENCH_CLIENT_CPU=1,
# BENCH_SKIP_BUILD=1.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SERVER_CPU=0
CLIENT_CPU="${BENCH_CLIENT_CPU:-1}"
# shellcheck source=../lib/common.sh
source "$ROOT/bench/lib/common.sh"

prepare_kura_bench
exec node "$ROOT/bench/scale-out/bench.mjs"
