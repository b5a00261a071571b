#!/usr/bin/env bash
# Checks (or fixes) source formatting.
#
#   scripts/check-format.sh --cpp          fail, listing the files, when a native source under
#                                          native/ differs from what .clang-format asks for
#   scripts/check-format.sh --cpp --fix    rewrite those files in place
#
# Uses clang-format-14 (Debian package clang-format-14; scripts/setup.sh installs it), or
# $CLANG_FORMAT. Other languages may get their own flag later.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

cpp=false fix=false
for arg in "$@"; do
  case "$arg" in
    --cpp) cpp=true ;;
    --fix) fix=true ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "check-format: unknown argument '$arg' (use --cpp [--fix])" >&2; exit 2 ;;
  esac
done
$cpp || { echo "check-format: say what to check: --cpp" >&2; exit 2; }

clang_format="${CLANG_FORMAT:-}"
if [ -z "$clang_format" ]; then
  for candidate in clang-format-14 clang-format; do
    command -v "$candidate" >/dev/null && clang_format="$candidate" && break
  done
fi
[ -n "$clang_format" ] || { echo "check-format: clang-format-14 not found (apt-get install clang-format-14, or scripts/setup.sh)" >&2; exit 2; }

mapfile -d '' files < <(find native \( -name '*.h' -o -name '*.cpp' -o -name '*.cu' -o -name '*.cuh' \) -type f -print0 | sort -z)
if $fix; then
  "$clang_format" -i --style=file "${files[@]}"
  echo "check-format: formatted ${#files[@]} native files"
  exit 0
fi
bad=()
for f in "${files[@]}"; do
  if ! "$clang_format" --style=file --dry-run --Werror "$f" >/dev/null 2>&1; then
    bad+=("$f")
  fi
done
if [ ${#bad[@]} -gt 0 ]; then
  echo "check-format: ${#bad[@]} native file(s) are not formatted (fix: scripts/check-format.sh --cpp --fix):" >&2
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi
echo "check-format: ${#files[@]} native files formatted"
