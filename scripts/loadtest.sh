#!/usr/bin/env bash
# The serving engine's load test (io.sedm.serve.LoadTest): open-loop Poisson arrivals of a mixed
# workload (NFE 13/35/79, EDM and SEDM-G++, 1-16 images per request) against request-level dynamic
# batching and step-level continuous batching at the same offered load, a light-load run of both,
# and an overload run at 3x capacity. Loopback only (in-process), bounded: every run stops arriving
# after SECONDS and drains for at most 3 minutes; the whole script is killed after 15 minutes.
#
#   scripts/loadtest.sh [SECONDS per run (40)] [MAX_ROWS (32)] [LOAD factor of capacity (0.9)]
#
# Needs libsedm (scripts/build.sh --skip-java, or -Dsedm.library.dir via SEDM_LIBRARY_DIR).
# Prints a Markdown table; exits non-zero if an accepted request was lost or a native handle leaked.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. scripts/env.sh
libdir="${SEDM_LIBRARY_DIR:-$root/build/native}"
mvn -B -q -o compile -Dsedm.library.dir="$libdir" || mvn -B -q compile -Dsedm.library.dir="$libdir"
cp_file="$root/target/loadtest.classpath"
mvn -B -q -o dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=runtime >/dev/null
exec timeout 900 nice -n 10 java --enable-native-access=ALL-UNNAMED -Xmx2g \
  -Dsedm.library.dir="$libdir" -Dsedm.threads="${SEDM_THREADS:-1}" \
  -cp "$root/target/classes:$(cat "$cp_file")" io.sedm.serve.LoadTest "$@"
