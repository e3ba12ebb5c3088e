#!/usr/bin/env bash
# OCI registry benchmark: Kura's /v2/ against the CNCF registry (Debian's docker-registry, 2.8.2),
# same blobs, same machine, same run.
# Usage: npm run bench:oci   (or bash bench/oci/run.sh); see bench/README.md.
#
# Both servers run side by side on fresh data directories, pinned to the same core
# (BENCH_SERVER_CPU, default 0), and take turns (see bench.mjs); the load generator, curl and
# skopeo are pinned to another core (BENCH_CLIENT_CPU, default 1).
#
# Knobs (environment):
#   BENCH_SIZES=1,64,512       blob sizes in MiB, pushed monolithic and chunked, then pulled
#   BENCH_REPEATS              pushes (and large pulls) per size and mode (default: 10 up to 8 MiB, 5 up to 128 MiB, else 2)
#   BENCH_CHUNK_MB=8           PATCH size of chunked pushes, MiB
#   BENCH_DURATION=10          seconds measured per timed load scenario (after BENCH_WARMUP=2 s)
#   BENCH_PULL_CONNECTIONS=8   connections pulling the small blobs
#   BENCH_CONNECTIONS=48       autocannon connections for manifest and tags-list GETs
#   BENCH_TAGS=100             tags (distinct manifests) of the image read by those GETs
#   BENCH_MANIFEST_PUTS=1000   manifests pushed for the manifest PUT rate, over BENCH_PUT_CONNECTIONS=4
#   BENCH_SKOPEO_RUNS=3        skopeo copies per server (best is reported)
#   BENCH_LOG_LEVEL=info       both servers' log level (info: both log every request)
#   BENCH_KURA_NODE_FLAGS      run Kura as `node FLAGS bin/kura.js` instead of bin/kura.js with its shebang's flags
#   BENCH_TMPDIR               where fixtures and server storage go (default /dev/shm when it has 12 GiB free)
#   BENCH_SKIP_BUILD=1         do not run `npm run build` first
#   BENCH_KEEP=1               keep the temporary directory (data, logs, per-server JSON)
#   BENCH_STRICT=1             exit 1 when a target fails
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BENCH="$ROOT/bench/oci"
SERVER_CPU="${BENCH_SERVER_CPU:-0}"
CLIENT_CPU="${BENCH_CLIENT_CPU:-1}"
LOG_LEVEL="${BENCH_LOG_LEVEL:-info}"

# Fixtures and both servers' storage (about three times the blob fixtures: 8 GiB for the full
# run) go to tmpfs when it has room, so that what is measured is the servers, not a disk shared
# with other work; BENCH_TMPDIR=/tmp puts them on disk.
default_tmpdir() {
  local free_kb
  free_kb="$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }')"
  if [ -w /dev/shm ] && [ "${free_kb:-0}" -ge $((12 * 1024 * 1024)) ]; then echo /dev/shm; else echo "${TMPDIR:-/tmp}"; fi
}
WORK="$(mktemp -d "${BENCH_TMPDIR:-$(default_tmpdir)}/kura-bench-oci.XXXXXX")"
BENCH_STORAGE="$WORK ($(stat -f -c %T "$WORK"))"
export BENCH_STORAGE
SERVER_PIDS=()
CLIENT_PID=""

# shellcheck source=../lib/common.sh
source "$ROOT/bench/lib/common.sh"

stop_servers() {
  local pid
  for pid in "${SERVER_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${SERVER_PIDS[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  SERVER_PIDS=()
}

cleanup() {
  if [ -n "$CLIENT_PID" ]; then kill -TERM "$CLIENT_PID" 2>/dev/null || true; fi
  stop_servers
  if [ "${BENCH_KEEP:-}" = 1 ]; then say "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM


# Starts Kura with user `bench` and a personal access token; appends its entry to targets.json.
start_kura() {
  local data="$WORK/kura" log="$WORK/kura.log" port token pid
  port="$(free_port)"
  node "$ROOT/bin/kura.js" user create bench --data "$data" >/dev/null
  token="$(node "$ROOT/bin/kura.js" token create --user bench --scopes read:packages,write:packages,delete:packages --name bench --data "$data")"
  say "Kura on 127.0.0.1:$port, core $SERVER_CPU, log level $LOG_LEVEL"
  kura_launch
  KURA_LOG_LEVEL="$LOG_LEVEL" "${ON_SERVER[@]}" "${KURA_LAUNCH[@]}" serve --data "$data" --host 127.0.0.1 --port "$port" >"$log" 2>&1 &
  pid=$!
  SERVER_PIDS+=("$pid")
  wait_ready "http://127.0.0.1:$port/v2/" "$log" "$pid"
  TARGETS+=("{\"server\": \"kura\", \"label\": \"Kura\", \"url\": \"http://127.0.0.1:$port\", \"user\": \"bench\", \"password\": \"$token\", \"pid\": $pid, \"log\": \"$log\"}")
}

# Starts the CNCF registry with htpasswd (bcrypt) user `bench`; appends its entry to targets.json.
start_registry() {
  local dir="$WORK/registry" log="$WORK/registry.log" port password pid accesslog=false
  port="$(free_port)"
  password="$(node -e 'console.log(require("node:crypto").randomBytes(16).toString("hex"))')"
  mkdir -p "$dir/storage"
  htpasswd -Bbn bench "$password" >"$dir/htpasswd" 2>/dev/null
  # Its access log is part of logging every request, as Kura does at info.
  [ "$LOG_LEVEL" = info ] || [ "$LOG_LEVEL" = debug ] || accesslog=true
  # Filesystem storage with the in-memory blob descriptor cache (as the package's stock
  # config.yml has it), htpasswd bcrypt auth, a fixed secret for the upload state tokens.
  cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: $LOG_LEVEL
  accesslog:
    disabled: $accesslog
storage:
  filesystem:
    rootdirectory: $dir/storage
  cache:
    blobdescriptor: inmemory
auth:
  htpasswd:
    realm: bench
    path: $dir/htpasswd
http:
  addr: 127.0.0.1:$port
  secret: $password
EOF
  say "CNCF registry $REGISTRY_VERSION on 127.0.0.1:$port, core $SERVER_CPU, log level $LOG_LEVEL"
  "${ON_SERVER[@]}" docker-registry serve "$dir/config.yml" >"$log" 2>&1 &
  pid=$!
  SERVER_PIDS+=("$pid")
  wait_ready "http://127.0.0.1:$port/v2/" "$log" "$pid"
  TARGETS+=("{\"server\": \"registry\", \"label\": \"CNCF registry $REGISTRY_VERSION\", \"url\": \"http://127.0.0.1:$port\", \"user\": \"bench\", \"password\": \"$password\", \"pid\": $pid, \"log\": \"$log\"}")
}

# Starts a second CNCF registry on the first one's storage, without auth: the manifest and tags
# GETs are also measured against it (anonymously), since with htpasswd every request pays a bcrypt.
start_registry_anonymous() {
  local dir="$WORK/registry" log="$WORK/registry-anonymous.log" port pid
  port="$(free_port)"
  sed -e '/^auth:/,/^    path:/d' -e "s/^  addr: .*/  addr: 127.0.0.1:$port/" "$dir/config.yml" >"$dir/config-anonymous.yml"
  say "CNCF registry $REGISTRY_VERSION without auth, same storage, on 127.0.0.1:$port (manifest and tags GETs only)"
  "${ON_SERVER[@]}" docker-registry serve "$dir/config-anonymous.yml" >"$log" 2>&1 &
  pid=$!
  SERVER_PIDS+=("$pid")
  wait_ready "http://127.0.0.1:$port/v2/" "$log" "$pid"
  TARGETS+=("{\"server\": \"registry-anonymous\", \"label\": \"CNCF registry $REGISTRY_VERSION without auth\", \"url\": \"http://127.0.0.1:$port\", \"user\": \"\", \"password\": \"\", \"pid\": $pid, \"log\": \"$log\", \"readsOnly\": true}")
}

command -v curl >/dev/null || die "curl is required"
# shellcheck source=../../scripts/lib/apt-packages.sh
source "$ROOT/scripts/lib/apt-packages.sh"
ensure_apt_packages "oci bench" docker-registry apache2-utils skopeo
REGISTRY_VERSION="$(docker-registry --version 2>/dev/null | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -n 1 || true)"
install_locked "$ROOT/bench/npm"
if [ "${BENCH_SKIP_BUILD:-}" != 1 ]; then
  say "building Kura (npm run build)"
  (cd "$ROOT" && npm run build --silent >&2)
fi

# The Kura code measured: the checkout's commit, and whether src/ had uncommitted changes.
if BENCH_KURA_REVISION="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)"; then
  [ -z "$(git -C "$ROOT" --no-optional-locks status --porcelain -- src 2>/dev/null)" ] || BENCH_KURA_REVISION="$BENCH_KURA_REVISION with uncommitted changes in src/"
  export BENCH_KURA_REVISION
fi

mkdir -p "$WORK/results"
say "generating fixtures in $WORK/fixtures"
run_client node "$BENCH/bench.mjs" fixtures --dir "$WORK/fixtures"

TARGETS=()
start_kura
start_registry
start_registry_anonymous
(IFS=,; printf '[%s]\n' "${TARGETS[*]}") >"$WORK/targets.json"
run_client node "$BENCH/bench.mjs" measure --targets "$WORK/targets.json" --fixtures "$WORK/fixtures" --out-dir "$WORK/results" \
  || say "a server did not finish: see the report"
stop_servers

run_client node "$BENCH/bench.mjs" report --in "$WORK/results" --out-dir "$ROOT/bench/results"
