#!/usr/bin/env bash
# The whole test suite: install what is missing, build libsedm (warnings are errors), check the
# C++ and Java formatting, check that the committed jextract bindings match the header (skipped
# with one line where no jextract exists), run every JUnit 5 test (GPU tests skip without a GPU).
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
echo "scripts/test.sh: finished in $(( $(date +%s) - start )) s"
