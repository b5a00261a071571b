#!/usr/bin/env bash
# JMH benchmarks of the JVM side (downcall round trip, solver-step kernel, sampler overhead).
#   scripts/bench.sh [JMH options]     e.g. scripts/bench.sh -f 1 -wi 3 -i 5 DowncallBenchmark
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. scripts/env.sh
scripts/build.sh --skip-java
mvn -q -B -Pbench package -DskipTests
cp="bench/target/classes:$(ls bench/target/lib/*.jar | tr '\n' ':')"
exec java --enable-native-access=ALL-UNNAMED -Dsedm.library.dir="$root/build/native" -cp "$cp" \
  org.openjdk.jmh.Main -jvmArgsAppend "--enable-native-access=ALL-UNNAMED -Dsedm.library.dir=$root/build/native" "$@"
