#!/usr/bin/env bash
# The serving engine's load test (io.sedm.serve.LoadTest): open-loop Poisson arrivals of a mixed
# workload (NFE 13/35/79, EDM and SEDM-G++, 1-16 images per request) against request-level dynamic
# batching and step-level continuous batching at the same offered load, a light-load run of both,
# and an overload run at 3x capacity. Loopback only, bounded: every run stops arriving after SECONDS
# and drains for at most 3 minutes; each JVM is killed after 15 minutes.
#
#   scripts/loadtest.sh [--http] [SECONDS per run (40)] [MAX_ROWS (32)] [LOAD factor of capacity (0.9)]
#
# Default: in-process (the engine's own numbers, no HTTP). --http: the same workload over loopback
# HTTP to a `sedm serve` this script starts (on a free port, model checkpoints written to a temp
# folder), first with --batching continuous (which also measures the capacity and so the rate), then
# with --batching request at the same rate; each server gets SIGTERM after its runs. It checks that
# every request got an answer: 200, 429/503 with Retry-After, or a cancellation/timeout with a reason.
# MAX_QUEUED=N bounds the servers' queues (default 64); with --http, RATE=R fixes the requests/s
# at load 1.0 for both servers (no calibration burst). ONLY=equal,light,overload picks runs
# (default all). In-process only, --rate R fixes the requests/s at load 1.0 instead of measuring
# the capacity with a saturated burst, e.g.
#   ONLY=equal scripts/loadtest.sh --rate 1.2 50 32 1.0
#
# Needs libsedm (scripts/build.sh --skip-java, or -Dsedm.library.dir via SEDM_LIBRARY_DIR).
# Prints Markdown tables; exits non-zero if an accepted request was lost or a native handle leaked.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. scripts/env.sh
http=0
if [[ "${1:-}" == "--http" ]]; then
  http=1
  shift
fi
libdir="${SEDM_LIBRARY_DIR:-$root/build/native}"
threads="${SEDM_THREADS:-1}"
mvn -B -q -o compile -Dsedm.library.dir="$libdir" || mvn -B -q compile -Dsedm.library.dir="$libdir"
cp_file="$root/target/loadtest.classpath"
mvn -B -q -o dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=runtime >/dev/null
java_run=(java --enable-native-access=ALL-UNNAMED -Xmx2g -Dsedm.library.dir="$libdir" -Dsedm.threads="$threads"
  -cp "$root/target/classes:$(cat "$cp_file")")
only=()
if [[ -n "${ONLY:-}" ]]; then only=(--only "$ONLY"); fi
if [[ $http == 0 ]]; then
  exec timeout 900 nice -n 10 "${java_run[@]}" io.sedm.serve.LoadTest "${only[@]}" "$@"
fi

seconds="${1:-40}"
max_rows="${2:-32}"
load="${3:-0.9}"
work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
"${java_run[@]}" io.sedm.serve.LoadTest --write-models "$work"

# start_server MODE: starts `sedm serve` on a free port; sets server_pid and url
start_server() {
  local log="$work/serve-$1.log"
  timeout 900 nice -n 10 "${java_run[@]}" io.sedm.cli.Main serve \
    --model "net=checkpoint:$work/net.json" --discriminator "net=net:$work/disc.json" --classifier "net=$work/cls.json" \
    --port 0 --max-rows "$max_rows" --max-queued "${MAX_QUEUED:-64}" --max-images 16 --batching "$1" --max-batch-delay-ms 50 \
    --threads "$threads" --grace-s 5 >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 600); do
    url="$(grep -o 'http://127.0.0.1:[0-9]*' "$log" | head -1 || true)"
    if [[ -n "$url" ]]; then return 0; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then cat "$log" >&2; echo "sedm serve did not start" >&2; exit 1; fi
    sleep 0.1
  done
  echo "sedm serve did not print its address in 60 s" >&2
  exit 1
}
stop_server() {
  kill -TERM "$server_pid"
  wait "$server_pid" || true
  server_pid=""
}

status=0
start_server continuous
out="$work/continuous.out"
fixed=()
if [[ -n "${RATE:-}" ]]; then fixed=(--rate "$RATE"); fi
timeout 900 nice -n 10 "${java_run[@]}" io.sedm.serve.LoadTest --http "$url" --label continuous "${only[@]}" "${fixed[@]}" \
  "$seconds" "$max_rows" "$load" | tee "$out" || status=1
stop_server
rate="$(grep -o 'RATE=[0-9.]*' "$out" | head -1 | cut -d= -f2)"
start_server request
timeout 900 nice -n 10 "${java_run[@]}" io.sedm.serve.LoadTest --http "$url" --label request-level --rate "$rate" \
  "${only[@]}" "$seconds" "$max_rows" "$load" || status=1
stop_server
exit $status
