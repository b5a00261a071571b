#!/usr/bin/env bash
# Builds libsedm (CMake, build/native) and the Java jar (Maven, target/). Incremental.
#   scripts/build.sh [--skip-java]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. scripts/env.sh
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
mkdir -p build
if [ ! -f build/native/CMakeCache.txt ]; then
  cmake -S . -B build/native "${generator[@]}" -DCMAKE_BUILD_TYPE=Release >build/cmake-configure.log 2>&1 \
    || { cat build/cmake-configure.log >&2; exit 1; }
fi
cmake --build build/native -j"$(nproc)"
if [ "${1:-}" != "--skip-java" ]; then
  # One Maven run, quiet; its output is shown only when it fails (a first run on a machine
  # without the Maven cache downloads the plugins and dependencies it needs).
  mkdir -p build
  mvn -q -B package -DskipTests >build/mvn-package.log 2>&1 || { cat build/mvn-package.log >&2; exit 1; }
fi
