#!/usr/bin/env bash
# npm registry benchmark: Kura against Verdaccio 6.8.0, same data, same machine, same run.
# Usage: npm run bench:npm   (or bash bench/npm/run.sh); see bench/README.md.
#
# Each server runs alone, pinned to one core (BENCH_SERVER_CPU, default 0); the load generator
# and the npm client are pinned to another (BENCH_CLIENT_CPU, default 1). Kura runs once per
# level in BENCH_KURA_LOG_LEVELS, each time on a fresh data directory.
#
# Knobs (environment):
#   BENCH_DURATION=10          seconds measured per load scenario (after BENCH_WARMUP=2 s of warm-up)
#   BENCH_PACKAGES=200         packages seeded into each server
#   BENCH_VERSIONS=20          versions per package
#   BENCH_CONNECTIONS=48       concurrent connections (BENCH_LARGE_CONNECTIONS=2 curls for the 10 MB tarball)
#   BENCH_LARGE_MB=10          size of the large tarball
#   BENCH_PUBLISHES=200        fresh versions published one at a time for the publish latency
#   BENCH_INSTALL_DEPS=100     dependencies of the cold-install project; BENCH_INSTALL_RUNS=3
#   BENCH_SEED_CONCURRENCY=4   packages seeded in parallel
#   BENCH_KURA_LOG_LEVELS="info warn"   Kura runs to compare (info is Kura's default); LEVEL:metrics-off
#                              runs Kura at LEVEL with KURA_METRICS=off (to price the metrics)
#   BENCH_KURA_NODE_FLAGS      run Kura as `node FLAGS bin/kura.js` instead of bin/kura.js with its shebang's flags
#   BENCH_SKIP_BUILD=1         do not run `npm run build` first
#   BENCH_KEEP=1               keep the temporary directory (data, logs) for inspection
#   BENCH_STRICT=1             exit 1 when a target fails
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BENCH="$ROOT/bench/npm"
SERVER_CPU="${BENCH_SERVER_CPU:-0}"
CLIENT_CPU="${BENCH_CLIENT_CPU:-1}"
KURA_LOG_LEVELS="${BENCH_KURA_LOG_LEVELS:-info warn}"
export BENCH_DURATION="${BENCH_DURATION:-10}" BENCH_PACKAGES="${BENCH_PACKAGES:-200}" BENCH_VERSIONS="${BENCH_VERSIONS:-20}"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/kura-bench-npm.XXXXXX")"
SERVER_PID=""
CLIENT_PID=""

# shellcheck source=../lib/common.sh
source "$ROOT/bench/lib/common.sh"

stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

cleanup() {
  if [ -n "$CLIENT_PID" ]; then kill -TERM "$CLIENT_PID" 2>/dev/null || true; fi
  stop_server
  if [ "${BENCH_KEEP:-}" = 1 ]; then say "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM


measure() {
  run_client node "$BENCH/bench.mjs" measure --fixtures "$WORK/fixtures" --pid "$SERVER_PID" "$@"
}

run_kura() {
  local spec="$1" level="${1%%:*}" metrics=on label port token
  if [ "$spec" != "$level" ]; then
    [ "${spec#*:}" = metrics-off ] || die "unknown Kura run \"$spec\": use LEVEL or LEVEL:metrics-off"
    metrics=off
  fi
  label="Kura (log $level)"
  [ "$metrics" = on ] || label="Kura (log $level, metrics off)"
  local data="$WORK/kura-$spec" log="$WORK/kura-$spec.log"
  port="$(free_port)"
  node "$ROOT/bin/kura.js" user create bench --data "$data" >/dev/null
  node "$ROOT/bin/kura.js" repo create bench/bench --description "benchmark packages" --data "$data" >/dev/null
  token="$(node "$ROOT/bin/kura.js" token create --user bench --scopes read:packages,write:packages --name bench --data "$data")"
  say "$label on 127.0.0.1:$port, core $SERVER_CPU"
  kura_launch
  KURA_METRICS="$metrics" KURA_LOG_LEVEL="$level" "${ON_SERVER[@]}" "${KURA_LAUNCH[@]}" serve --data "$data" --host 127.0.0.1 --port "$port" >"$log" 2>&1 &
  SERVER_PID=$!
  wait_ready "http://127.0.0.1:$port/healthz" "$log" "$SERVER_PID"
  mkdir -p "$WORK/work-kura-$spec"
  measure --server kura --label "$label" --log-level "$level" --log "$log" \
    --registry "http://127.0.0.1:$port/npm" --token "$token" \
    --work "$WORK/work-kura-$spec" --out "$WORK/results/kura-$spec.json" || say "$label did not finish: see the report"
  stop_server
}

run_verdaccio() {
  local dir="$WORK/verdaccio" log="$WORK/verdaccio.log" port
  port="$(free_port)"
  mkdir -p "$dir/storage" "$WORK/work-verdaccio"
  # Offline (no uplinks), htpasswd users, JWT API tokens (its fast token mode), bodies up to
  # 64 MB for the 10 MB tarball (base64 in JSON), logs at warn.
  cat >"$dir/config.yaml" <<EOF
storage: $dir/storage
auth:
  htpasswd:
    file: $dir/htpasswd
    max_users: 10
security:
  api:
    legacy: false
    jwt:
      sign:
        expiresIn: 7d
  web:
    sign:
      expiresIn: 7d
uplinks: {}
packages:
  '@bench/*':
    access: \$all
    publish: \$authenticated
    unpublish: \$authenticated
  '**':
    access: \$all
    publish: \$authenticated
middlewares:
  audit:
    enabled: false
server:
  keepAliveTimeout: 60
max_body_size: 64mb
listen: 127.0.0.1:$port
log: { type: stdout, format: json, level: warn }
EOF
  say "Verdaccio 6.8.0 on 127.0.0.1:$port, core $SERVER_CPU"
  "${ON_SERVER[@]}" node "$BENCH/verdaccio/node_modules/verdaccio/bin/verdaccio" --config "$dir/config.yaml" >"$log" 2>&1 &
  SERVER_PID=$!
  wait_ready "http://127.0.0.1:$port/-/ping" "$log" "$SERVER_PID"
  measure --server verdaccio --label "Verdaccio 6.8.0" --log-level warn --log "$log" \
    --registry "http://127.0.0.1:$port" --adduser \
    --work "$WORK/work-verdaccio" --out "$WORK/results/verdaccio.json" || say "Verdaccio did not finish: see the report"
  stop_server
}

# The cold install's reference: the same packuments and tarballs as files on a plain static server.
run_static() {
  local dir="$WORK/static" log="$WORK/static.log" port
  port="$(free_port)"
  mkdir -p "$dir" "$WORK/work-static"
  run_client node "$BENCH/bench.mjs" static-site --fixtures "$WORK/fixtures" --dir "$dir" --origin "http://127.0.0.1:$port"
  say "static files on 127.0.0.1:$port, core $SERVER_CPU"
  "${ON_SERVER[@]}" node "$ROOT/bench/lib/static-server.mjs" "$dir" "$port" >"$log" 2>&1 &
  SERVER_PID=$!
  wait_ready "http://127.0.0.1:$port/-/ping" "$log" "$SERVER_PID"
  run_client node "$BENCH/bench.mjs" install --label "static files" --registry "http://127.0.0.1:$port" --pid "$SERVER_PID" \
    --fixtures "$WORK/fixtures" --work "$WORK/work-static" --out "$WORK/results/static.json" || say "the static files' install did not finish: see the report"
  stop_server
}

command -v curl >/dev/null || die "curl is required"
install_locked "$BENCH"
install_locked "$BENCH/verdaccio"
if [ "${BENCH_SKIP_BUILD:-}" != 1 ]; then
  say "building Kura (npm run build)"
  (cd "$ROOT" && npm run build --silent >&2)
fi

mkdir -p "$WORK/results"
say "generating fixtures: $BENCH_PACKAGES packages × $BENCH_VERSIONS versions"
run_client node "$BENCH/bench.mjs" fixtures --dir "$WORK/fixtures"

for kura_level in $KURA_LOG_LEVELS; do run_kura "$kura_level"; done
run_verdaccio
run_static

run_client node "$BENCH/bench.mjs" report --in "$WORK/results" --out-dir "$ROOT/bench/results"
