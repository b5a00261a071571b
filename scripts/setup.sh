#!/usr/bin/env bash
# Installs what this project needs and is missing (Debian packages only; nothing else is
# downloaded besides Maven's own dependencies). Idempotent: does nothing when all is present.
set -euo pipefail

packages=(libtorch-dev dataset-fashion-mnist cmake ninja-build maven g++ libclang1-14 libclang-common-14-dev python3-torch python3-numpy
          nlohmann-json3-dev zlib1g-dev clang-format-14 libgloo-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]} (Debian packages)" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# jextract loads libclang.so, which only the -dev package links; point it at the runtime library.
if [ ! -e /usr/lib/llvm-14/lib/libclang.so ] && [ -e /usr/lib/llvm-14/lib/libclang.so.1 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO ln -sf /usr/lib/llvm-14/lib/libclang.so.1 /usr/lib/llvm-14/lib/libclang.so
fi
