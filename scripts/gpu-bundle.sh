#!/usr/bin/env bash
# Prepares .gpu/ (git-ignored), everything scripts/gpu-check.sh needs on a CUDA machine that
# has no Java and no network: a jlink-ed JDK 25 runtime (.tar.xz), the jar and its
# dependencies, compiled tests, the JUnit console launcher, the JMH benchmarks, and the
# gzipped Fashion-MNIST files (with --with-data: 30 MB more). Run it here, then on the CUDA machine: scripts/gpu-check.sh OUT.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. scripts/env.sh
junit_console_version=1.14.1
rm -rf .gpu && mkdir -p .gpu/app
mvn -q -B package -DskipTests
mvn -q -B test-compile
mvn -q -B -Pbench package -DskipTests
mvn -q -B dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:$junit_console_version \
  -DoutputDirectory="$root/.gpu/app"
mvn -q -B dependency:copy-dependencies -DincludeScope=test -DincludeArtifactIds=assertj-core -DoutputDirectory="$root/.gpu/app/testlib"
cp target/sedm-0.1.0-SNAPSHOT.jar .gpu/app/
cp -r target/lib .gpu/app/lib
cp -r target/test-classes .gpu/app/test-classes
mkdir -p .gpu/app/bench && cp -r bench/target/classes .gpu/app/bench/classes && cp bench/target/lib/jmh-*.jar bench/target/lib/commons-math3-*.jar bench/target/lib/jopt-*.jar .gpu/app/bench/ 2>/dev/null || true
# (assertj alone: its byte-buddy dependency is only for soft assertions, and 9 MB of the 64 MiB
# the device accepts)
# the runtime: what jdeps reports for the jars, plus what the JUnit launcher and JMH use;
# uncompressed modules, since xz packs them far better (21 MB) than jlink zip-9 + xz (34 MB)
modules=java.base,java.desktop,java.sql,java.logging,java.management,jdk.unsupported,java.xml,jdk.management
rm -rf "$root/build/jre"
jlink --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=zip-0 --output "$root/build/jre"
tar -C "$root/build" -cf - jre | xz -9 -T2 >.gpu/jre.tar.xz
if [ "${1:-}" = "--with-data" ] && [ -d /usr/share/datasets/fashion-mnist ]; then
  mkdir -p .gpu/data && cp /usr/share/datasets/fashion-mnist/*.gz .gpu/data/
fi
du -sh .gpu .gpu/* | sed 's/^/gpu-bundle: /'
