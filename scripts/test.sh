#!/usr/bin/env bash
# The whole test suite: install what is missing, build libsedm (warnings are errors), check the
# C++ and Java formatting, check that the committed jextract bindings match the header (skipped
# with one line where no jextract exists), run every JUnit 5 test (GPU tests skip without a GPU),
# install the jar and build + run examples/embed against it.
# .ci/run calls exactly this.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
start=$(date +%s)
scripts/setup.sh
. scripts/env.sh
mkdir -p build
scripts/build.sh --skip-java
scripts/check-format.sh --cpp
scripts/regen-bindings.sh --check
mvn -B spotless:check test -Dsedm.library.dir="$root/build/native" "$@"
# the jar (libsedm packed inside) into the local Maven repository, then examples/embed built and run
# against it with no library path set (a project that depends on sedm alone)
mvn -B -q install -DskipTests -Dsedm.library.dir="$root/build/native"
examples/embed/run.sh
echo "scripts/test.sh: finished in $(( $(date +%s) - start )) s"
