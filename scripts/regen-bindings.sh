#!/usr/bin/env bash
# Regenerates bindings/java from native/include/sedm.h with jextract.
#
#   scripts/regen-bindings.sh            rewrite bindings/java and bindings/includes.txt
#   scripts/regen-bindings.sh --check    regenerate into a temp folder and fail if the committed
#                                        bindings differ (run by scripts/test.sh and CI)
#
# jextract: $JEXTRACT, else ../shared/tools/jextract/jextract beside the checkout, else on PATH.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
header="$root/native/include/sedm.h"
package=io.sedm.ffi.bindings

jextract="${JEXTRACT:-}"
if [ -z "$jextract" ]; then
  for candidate in "$root/../shared/tools/jextract/jextract" "$root/shared/tools/jextract/jextract"; do
    [ -x "$candidate" ] && jextract="$candidate" && break
  done
fi
[ -n "$jextract" ] || jextract="$(command -v jextract || true)"
if [ -z "$jextract" ]; then
  if [ "${1:-}" = "--check" ]; then
    # A plain clone has no ../shared beside it: skip the check with one line instead of failing.
    echo "bindings check: SKIPPED (no jextract; it would verify that bindings/ is what native/include/sedm.h generates;" \
         "set JEXTRACT=/path/to/jextract or place the team's shared/tools/jextract beside the checkout to run it)"
    exit 0
  fi
  echo "regen-bindings: no jextract found: set JEXTRACT=/path/to/jextract (jextract 22+ from jdk.java.net/jextract)" >&2
  exit 2
fi

generate() {  # $1 = output folder for java sources, $2 = includes file to write
  local out="$1" includes="$2" dump
  dump="$(mktemp)"
  local log="$out.log"
  mkdir -p "$(dirname "$out")"
  "$jextract" --dump-includes "$dump" "$header" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
  # Keep only what sedm.h itself declares (not stdint.h & co), without the machine's path;
  # the opaque handle structs have no layout to generate.
  grep -E '^--include-.*sedm\.h$' "$dump" | sed -E 's/[[:space:]]+#.*$//' \
    | grep -v -E -- '--include-struct (sedm_tensor|sedm_generator|sedm_gmm|sedm_module|sedm_adam)$' | LC_ALL=C sort > "$includes"
  rm -f "$dump"
  "$jextract" --output "$out" -t "$package" --header-class-name Sedm @"$includes" "$header" >"$log" 2>&1 \
    || { cat "$log" >&2; exit 1; }
  rm -f "$log"
}

if [ "${1:-}" = "--check" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  generate "$tmp/java" "$tmp/includes.txt"
  if ! diff -r -q "$root/bindings/java" "$tmp/java" >/dev/null || ! diff -q "$root/bindings/includes.txt" "$tmp/includes.txt" >/dev/null; then
    echo "bindings check FAILED: bindings/ is not what native/include/sedm.h generates." >&2
    diff -r "$root/bindings/java" "$tmp/java" | head -40 >&2 || true
    echo "Run scripts/regen-bindings.sh and commit the result." >&2
    exit 1
  fi
  echo "bindings check: bindings/ matches native/include/sedm.h"
else
  rm -rf "$root/bindings/java"
  mkdir -p "$root/bindings"
  generate "$root/bindings/java" "$root/bindings/includes.txt"
  echo "regenerated $(find "$root/bindings/java" -name '*.java' | wc -l) files in bindings/java"
fi
