#!/usr/bin/env bash
# Builds this example against the installed io.sedm:sedm jar and runs it (no library path set: the
# jar carries libsedm and unpacks it).
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q package
mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >/dev/null
java --enable-native-access=ALL-UNNAMED -Dsedm.threads=1 \
  -cp "target/classes:$(cat target/classpath.txt)" example.Embed
