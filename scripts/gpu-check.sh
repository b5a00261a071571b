#!/usr/bin/env bash
# The whole GPU check in one command, for a CUDA machine with CUDA, CMake, Ninja and a Python
# with PyTorch 2.x but no Java and no network:
#   1. builds libsedm against the local PyTorch's libtorch with CUDA (build/gpu);
#   2. runs the @Tag("cuda") tests, then the whole suite, on the jlink-ed runtime from .gpu/;
#   3. runs the JMH benchmarks on the CPU and on cuda:0;
#   4. with SEDM_DG_PIPELINE=1, runs scripts/dg-pipeline.sh (train denoiser, classifier,
#      discriminator on Fashion-MNIST; EDM / EDM-G++ / SEDM-G++ grids) on cuda:0;
#   5. writes everything to REPORT_DIR (report.txt, junit XML, logs).
# Prepare .gpu/ beforehand with scripts/gpu-bundle.sh (on a machine with JDK 25 and Maven).
#   scripts/gpu-check.sh REPORT_DIR
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:?usage: scripts/gpu-check.sh REPORT_DIR}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
report="$out/report.txt"
cd "$root"
log() { echo "$*" | tee -a "$report"; }
: >"$report"
log "gpu-check $(date -u +%FT%TZ) on $(hostname)"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | sed 's/^/gpu: /' | tee -a "$report"

# 1. native build against the local PyTorch
t0=$(date +%s)
prefix="$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)' 2>/dev/null || true)"
log "torch cmake prefix: ${prefix:-<none; using LIBTORCH_HOME or the system libtorch>}"
cmake -S . -B build/gpu -G Ninja -DCMAKE_BUILD_TYPE=Release ${prefix:+-DCMAKE_PREFIX_PATH="$prefix"} \
  -DCMAKE_CUDA_ARCHITECTURES="${SEDM_CUDA_ARCHS:-90}" >"$out/cmake.log" 2>&1 \
  && cmake --build build/gpu -j"$(nproc)" >>"$out/cmake.log" 2>&1
rc=$?
log "native build: rc=$rc in $(( $(date +%s) - t0 )) s ($(grep -o 'SEDM_WITH_CUDA=[A-Z]*' "$out/cmake.log" | head -1))"
[ $rc -eq 0 ] || { tail -40 "$out/cmake.log" | tee -a "$report"; exit 1; }
# libtorch's own libraries sit beside the prefix; make them findable for the JVM's dlopen
if [ -n "$prefix" ]; then
  export LD_LIBRARY_PATH="$(dirname "$(dirname "$prefix")")/lib:${prefix%/share/cmake}/../lib:${LD_LIBRARY_PATH:-}"
fi

# 2. Java runtime
java=java
if ! command -v java >/dev/null || ! java -version 2>&1 | grep -q 'version "25'; then
  [ -f .gpu/jre.tar.xz ] || { log "no JDK 25 and no .gpu/jre.tar.xz: run scripts/gpu-bundle.sh first"; exit 1; }
  mkdir -p /tmp/sedm-jre && tar -C /tmp/sedm-jre -xJf .gpu/jre.tar.xz
  java=/tmp/sedm-jre/jre/bin/java
fi
log "java: $($java -version 2>&1 | head -1)"
app=.gpu/app
cp_main="$app/sedm-0.1.0-SNAPSHOT.jar:$(ls $app/lib/*.jar | tr '\n' ':')"
cp_test="$app/test-classes:$cp_main$(ls $app/testlib/*.jar | tr '\n' ':')"
jvm=(--enable-native-access=ALL-UNNAMED -Dsedm.library.dir="$root/build/gpu" -Dsedm.data.dir="$root/.gpu/data" -Xmx16g)
$java "${jvm[@]}" -cp "$cp_main" io.sedm.cli.Main info 2>&1 | tee -a "$report"

run_tests() {  # $1 = name, rest = launcher selection options
  local name="$1"; shift
  t0=$(date +%s)
  $java "${jvm[@]}" -jar $app/junit-platform-console-standalone-*.jar execute --class-path "$cp_test" \
    --scan-class-path --details=tree --reports-dir="$out/junit-$name" "$@" >"$out/tests-$name.log" 2>&1
  local rc=$?
  grep -E "GPU-CHECK" "$out/tests-$name.log" | sed 's/^.*GPU-CHECK/GPU-CHECK/' | tee -a "$report"
  grep -E "tests (successful|failed|skipped|aborted)" "$out/tests-$name.log" | sed "s/^/$name: /" | tee -a "$report"
  log "$name tests: rc=$rc in $(( $(date +%s) - t0 )) s"
  return $rc
}
run_tests cuda --include-tag cuda
cuda_rc=$?
run_tests all
all_rc=$?

# 3. benchmarks
if [ -d "$app/bench/classes" ] && [ -z "${SEDM_SKIP_BENCH:-}" ]; then
  cp_bench="$app/bench/classes:$cp_main$(ls $app/bench/*.jar | tr '\n' ':')"
  $java "${jvm[@]}" -cp "$cp_bench" org.openjdk.jmh.Main -f 1 -wi 3 -w 1 -i 5 -r 1 \
    -jvmArgsAppend "--enable-native-access=ALL-UNNAMED -Dsedm.library.dir=$root/build/gpu" \
    -p device=cpu,cuda:0 -rf text -rff "$out/jmh.txt" >"$out/jmh.log" 2>&1
  log "benchmarks: rc=$? (results in jmh.txt)"
  cat "$out/jmh.txt" >>"$report" 2>/dev/null
fi
# 4. optional: the DG pipeline on real data (issue #5's end-to-end run; needs gpu-bundle.sh --with-data)
if [ -n "${SEDM_DG_PIPELINE:-}" ]; then
  SEDM="$java ${jvm[*]} -cp $cp_main io.sedm.cli.Main" scripts/dg-pipeline.sh "$out/dg" cuda:0 >"$out/dg.log" 2>&1
  log "dg pipeline: rc=$? (grids and curves in dg/)"
  cat "$out/dg/report.txt" >>"$report" 2>/dev/null
fi
log "gpu-check: cuda tests rc=$cuda_rc, all tests rc=$all_rc"
[ $cuda_rc -eq 0 ] && [ $all_rc -eq 0 ]
