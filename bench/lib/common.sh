# Shell helpers shared by the benchmarks' run.sh scripts. Source it after setting SERVER_CPU and
# CLIENT_CPU; the caller keeps CLIENT_PID (the running client step) for its cleanup trap.

say() { printf '[bench] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# Command prefixes that pin to a core. They are arrays, not functions, so that a server started
# in the background is exec'd directly and $! is its own PID (for RSS sampling and stopping).
# Pinning needs two cores; elsewhere everything runs unpinned (and the results say less).
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
  ON_SERVER=(taskset -c "$SERVER_CPU")
  ON_CLIENT=(taskset -c "$CLIENT_CPU")
else
  say "warning: taskset or a second core is missing: servers and load generator are not pinned"
  ON_SERVER=()
  ON_CLIENT=()
fi

# Installs a package.json's pinned dependencies from its lockfile unless they are current.
install_locked() {
  local dir="$1"
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    say "installing $(basename "$dir") dependencies (npm ci)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
  fi
}

free_port() {
  node -e 'const s = require("node:net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# wait_ready URL LOG PID: polls URL until it answers 200 (or 401, a registry asking for
# credentials); fails early, showing LOG, if process PID exited.
wait_ready() {
  local url="$1" log="$2" pid="$3" code
  for _ in $(seq 1 600); do
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$log" >&2; die "the server exited before it was ready ($url)"; }
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url" 2>/dev/null || true)"
    if [ "$code" = 200 ] || [ "$code" = 401 ]; then return 0; fi
    sleep 0.1
  done
  tail -n 20 "$log" >&2
  die "no answer from $url after 60 s"
}

# Runs a client step (pinned) in the background and waits for it: bash runs traps only between
# foreground commands, so this lets an interrupt stop the run at once, and cleanup stop the step.
run_client() {
  local status=0
  "${ON_CLIENT[@]}" "$@" &
  CLIENT_PID=$!
  wait "$CLIENT_PID" || status=$?
  CLIENT_PID=""
  return "$status"
}

# Sets KURA_LAUNCH to the command that starts Kura as `npx kura` does: bin/kura.js itself, so its
# shebang's Node flags apply; or, with BENCH_KURA_NODE_FLAGS set, `node FLAGS bin/kura.js` (those
# flags instead of the shebang's).
kura_launch() {
  KURA_LAUNCH=("$ROOT/bin/kura.js")
  if [ -n "${BENCH_KURA_NODE_FLAGS:-}" ]; then
    read -r -a KURA_LAUNCH <<<"$BENCH_KURA_NODE_FLAGS"
    KURA_LAUNCH=(node "${KURA_LAUNCH[@]}" "$ROOT/bin/kura.js")
  fi
}

# Exit trap of benchmarks that run servers side by side (their PIDs in SERVER_PIDS): stops the
# running client step and every server, then removes WORK unless BENCH_KEEP=1.
cleanup_servers() {
  local pid
  if [ -n "${CLIENT_PID:-}" ]; then kill -TERM "$CLIENT_PID" 2>/dev/null || true; fi
  for pid in "${SERVER_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${SERVER_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "${BENCH_KEEP:-}" = 1 ]; then say "kept $WORK"; else rm -rf "$WORK"; fi
}

# start_kura_and_static DATA STATIC_DIR: starts Kura (log level warn) on DATA and the static file
# server on STATIC_DIR, both pinned to the server core; sets KURA_URL and STATIC_URL.
start_kura_and_static() {
  local data="$1" static_dir="$2" kura_port static_port
  kura_port="$(free_port)"
  static_port="$(free_port)"
  kura_launch
  KURA_LOG_LEVEL=warn "${ON_SERVER[@]}" "${KURA_LAUNCH[@]}" serve --data "$data" --host 127.0.0.1 --port "$kura_port" >"$WORK/kura.log" 2>&1 &
  SERVER_PIDS+=($!)
  wait_ready "http://127.0.0.1:$kura_port/healthz" "$WORK/kura.log" "${SERVER_PIDS[0]}"
  "${ON_SERVER[@]}" node "$ROOT/bench/lib/static-server.mjs" "$static_dir" "$static_port" >"$WORK/static.log" 2>&1 &
  SERVER_PIDS+=($!)
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$static_port/" && break; sleep 0.1; done
  KURA_URL="http://127.0.0.1:$kura_port"
  STATIC_URL="http://127.0.0.1:$static_port"
  say "Kura on $KURA_URL and the static files on $STATIC_URL, core $SERVER_CPU"
}

# Installs the load generator (bench/npm's lockfile) and builds Kura unless BENCH_SKIP_BUILD=1.
prepare_kura_bench() {
  install_locked "$ROOT/bench/npm"
  if [ "${BENCH_SKIP_BUILD:-}" != 1 ]; then
    say "building Kura (npm run build)"
    (cd "$ROOT" && npm run build --silent >&2)
  fi
}
