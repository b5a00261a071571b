#!/usr/bin/env bash
# The benchmark harness against the Python reference (issue #8): the official samplers and sedm on
# the same latents, class labels, device, precision (float32 networks, float64 sampler state) and
# thread count; one table of max/mean |Δ| between the final images and each side's images/s.
#
#   scripts/harness.sh --edm EDM_DIR --checkpoint NET.pkl [--dg DG_DIR --classifier CLS.pt
#                      --discriminator DISC.pt [--cond 0|1]] [--device cpu|cuda] [--batch 64] [--n 64]
#                      [--threads N] [--python EXE] [--es 1.0004] [--w1 2.0] [--out DIR]
#
# --edm: a checkout of NVlabs/edm; --dg: a checkout of alsdudrla10/DG (EDM-G++; SEDM-G++ is DG's
# sampler with EDM-ES's epsilon scaling on the network, bench/harness/reference.py). NET.pkl is an
# EDM snapshot; CLS.pt / DISC.pt DG's classifier and discriminator. sedm imports them itself
# (sedm import), so both sides run the very same weights. Rows: EDM Heun 35 NFE (18 steps),
# EDM-G++ and SEDM-G++ (rows without --dg are skipped). Needs the built jar (scripts/build.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
edm="" dg="" pkl="" cls="" disc="" cond=0 device=cpu batch=64 n=64 threads="" python="" es=1.0004 w1=2.0 out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --edm) edm="$2"; shift 2;;
    --dg) dg="$2"; shift 2;;
    --checkpoint) pkl="$2"; shift 2;;
    --classifier) cls="$2"; shift 2;;
    --discriminator) disc="$2"; shift 2;;
    --cond) cond="$2"; shift 2;;
    --device) device="$2"; shift 2;;
    --batch) batch="$2"; shift 2;;
    --n) n="$2"; shift 2;;
    --threads) threads="$2"; shift 2;;
    --python) python="$2"; shift 2;;
    --es) es="$2"; shift 2;;
    --w1) w1="$2"; shift 2;;
    --out) out="$2"; shift 2;;
    -h|--help) sed -n '2,16p' "$0"; exit 0;;
    *) echo "harness: unknown option $1 (see --help)" >&2; exit 2;;
  esac
done
# --python: default the first of python3 on PATH, /usr/bin/python3 that imports torch and numpy
# (sedm import looks them up in the same order, PythonScript.torchPython).
if [ -z "$python" ]; then
  for c in python3 /usr/bin/python3; do
    if "$c" -c 'import torch, numpy' >/dev/null 2>&1; then python="$c"; break; fi
  done
  [ -n "$python" ] || { echo "harness: no Python that can 'import torch, numpy' (tried python3, /usr/bin/python3): install python3-torch or pass --python EXE" >&2; exit 2; }
elif ! "$python" -c 'import torch, numpy' >/dev/null 2>&1; then
  echo "harness: --python $python cannot 'import torch, numpy'" >&2; exit 2
fi
[ -n "$edm" ] && [ -d "$edm/torch_utils" ] || { echo "harness: --edm DIR (a checkout of NVlabs/edm) is required" >&2; exit 2; }
[ -n "$pkl" ] && [ -f "$pkl" ] || { echo "harness: --checkpoint NET.pkl (an EDM snapshot) is required" >&2; exit 2; }
if [ -n "$dg" ]; then
  [ -f "$dg/classifier_lib.py" ] || { echo "harness: --dg $dg is not a checkout of alsdudrla10/DG" >&2; exit 2; }
  [ -f "$cls" ] && [ -f "$disc" ] || { echo "harness: --dg needs --classifier CLS.pt and --discriminator DISC.pt" >&2; exit 2; }
fi
[ -n "$threads" ] || threads=$(nproc)
. "$root/scripts/env.sh"
out="${out:-$(mktemp -d /tmp/sedm-harness.XXXXXX)}"
mkdir -p "$out"
jar="$(ls "$root"/target/sedm-*.jar 2>/dev/null | grep -v sources | head -1)"
[ -n "$jar" ] || { echo "harness: no target/sedm-*.jar (run scripts/build.sh)" >&2; exit 2; }
sedm() { java --enable-native-access=ALL-UNNAMED -Dsedm.library.dir="${SEDM_LIBRARY_DIR:-$root/build/native}" -Dsedm.scripts="$root/scripts" \
  -cp "$jar:$root/target/lib/*" io.sedm.cli.Main "$@"; }
ref() { "$python" "$root/bench/harness/reference.py" "$@" --edm-src "$edm" --pkl "$pkl" --device "$device" \
  --threads "$threads" --batch "$batch"; }

echo "harness: importing into $out" >&2
[ -f "$out/net.json" ] || sedm import edm "$pkl" --edm-src "$edm" --python "$python" --out "$out/net.json" >&2
if [ -n "$dg" ]; then
  [ -f "$out/cls.json" ] || sedm import dg-classifier "$cls" --out "$out/cls.json" >&2
  [ -f "$out/disc.json" ] || sedm import dg-discriminator "$disc" --out "$out/disc.json" >&2
fi
# The shared latents: N(0, 1), one row per seed, generated once.
res=$("$python" -c "import json; c=json.load(open('$out/net.json')); print(c['network']['img_resolution'], c['network']['in_channels'])")
read -r r c <<<"$res"
"$python" -c "import numpy as np; np.save('$out/z.npy', np.random.default_rng(0).standard_normal(($n, $c, $r, $r)))"

rows=("edm|EDM Heun (35 NFE)|")
[ -n "$dg" ] && rows+=("edm-gpp|EDM-G++|1.0" "sedm-gpp|SEDM-G++|$es")
printf "%-20s %12s %12s %14s %14s %8s\n" sampler "max|Δ|" "mean|Δ|" "sedm img/s" "python img/s" ratio
for row in "${rows[@]}"; do
  IFS='|' read -r sampler label scale <<<"$row"
  dir="$out/sedm-$sampler"
  args=(sample --denoiser "checkpoint:$out/net.json" --sampler "$sampler" --steps 18 --seeds "0-$((n - 1))"
        --batch "$batch" --latents "$out/z.npy" --outdir "$dir" --dtype float64 --device "$device"
        --threads "$threads" --allow-unusual --quiet)
  [ "$sampler" = edm ] || args+=(--classifier "$out/cls.json" --discriminator "net:$out/disc.json" --dg-w1 "$w1"
                                 --dg-w2 0)
  [ "$sampler" = sedm-gpp ] && args+=(--es-scale "$scale")
  line=$(sedm "${args[@]}")
  sedm_rate=$(sed -n 's/.*, \([0-9.e+-]*\) images\/s).*/\1/p' <<<"$line")
  labels=()
  [ -f "$dir/labels.npy" ] && labels=(--labels "$dir/labels.npy")
  if [ "$sampler" = edm ]; then
    json=$(ref edm --latents "$out/z.npy" "${labels[@]}" --out "$out/ref-$sampler.npy")
  else
    json=$(ref dg --dg-src "$dg" --classifier "$cls" --discriminator "$disc" --cond "$cond" --w1 "$w1" --es "$scale" \
           --latents "$out/z.npy" "${labels[@]}" --out "$out/ref-$sampler.npy")
  fi
  ref_rate=$("$python" -c "import json,sys; print(json.loads(sys.argv[1].strip().splitlines()[-1])['images_per_s'])" "$json")
  "$python" - "$dir/samples.npy" "$out/ref-$sampler.npy" "$label" "$sedm_rate" "$ref_rate" <<'PY'
import sys, numpy as np
a, b = np.load(sys.argv[1]).astype(np.float64), np.load(sys.argv[2]).astype(np.float64)
d = np.abs(a - b)
s, r = float(sys.argv[4]), float(sys.argv[5])
print(f"{sys.argv[3]:<20} {d.max():12.3e} {d.mean():12.3e} {s:14.4g} {r:14.4g} {s / r:8.3f}")
PY
done
echo "harness: files in $out (device $device, threads $threads, batch $batch, $n images)" >&2
