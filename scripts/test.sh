#!/usr/bin/env bash
# The whole test suite: install what is missing, build libsedm, check that the committed
# jextract bindings match the header, run every JUnit 5 test (GPU tests skip without a GPU).
# .ci/run calls exactly this.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
start=$(date +%s)
scripts/setup.sh
. scripts/env.sh
mkdir -p build
scripts/build.sh --skip-java
scripts/regen-bindings.sh --check
mvn -B test -Dsedm.library.dir="$root/build/native" "$@"
echo "scripts/test.sh: finished in $(( $(date +%s) - start )) s"
