#!/usr/bin/env bash
# The whole Discriminator Guidance pipeline on real Fashion-MNIST, one command:
#   1. train a SongUNet denoiser (EDM loss)            sedm train
#   2. sample the fake set from its EMA (uint8)         sedm sample --dtype uint8
#   3. train the noise-aware classifier trunk           sedm train-classifier
#   4. train the discriminator head, real vs fake       sedm train-discriminator
#   5. sample EDM, EDM-G++ and SEDM-G++ (64 seeds each) sedm sample --discriminator net:...
# and collects PNG grids, the training logs (loss curves) and wall-clock times in OUT.
#
#   scripts/dg-pipeline.sh OUT [cpu|cuda:N]
#
# Scale through the environment (defaults are for a GPU; SEDM_SCALE=tiny runs in minutes on a CPU):
#   DEN_STEPS, DEN_BATCH, FAKES, CLS_STEPS, DISC_STEPS, AUX_BATCH (classifier/discriminator batch),
#   DATA_LIMIT, ARCH, SHOW (seeds per final grid)
# DENOISER=SIDECAR skips stage 1 and uses that checkpoint (e.g. a long CPU run continued with --resume);
# CLASSIFIER=SIDECAR likewise skips stage 3, FAKE_SET=NPY stage 2 (a fake set sampled before) and
# DISCRIMINATOR=SIDECAR stage 4. CLS_ARGS adds train-classifier flags (e.g. a CPU-sized
# trunk: CLS_ARGS="--mult 1,2,2 --attn none --lr 1e-3").
# SHIP=DIR copies the three final networks as DIR/{denoiser,classifier,discriminator}.json with the
# weights they name and a summary of each training log: the model folder `sedm demo` samples
# (models/fmnist-default).
# SEDM overrides how the CLI is started (default: ./sedm; on the jar-only GPU box gpu-check.sh
# passes its java command line).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:?usage: scripts/dg-pipeline.sh OUT [cpu|cuda:N]}"
device="${2:-cpu}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
sedm_cmd=(${SEDM:-"$root/sedm"})
if [ "${SEDM_SCALE:-full}" = "tiny" ]; then
  : "${DEN_STEPS:=30}" "${DEN_BATCH:=16}" "${FAKES:=64}" "${CLS_STEPS:=10}" "${DISC_STEPS:=10}" "${DATA_LIMIT:=512}"
  : "${AUX_BATCH:=8}" "${SHOW:=16}"
  [ -n "${ARCH:-}" ] || ARCH='{"kind":"unet","img_resolution":32,"in_channels":1,"out_channels":1,"model_channels":16,"channel_mult":[1,2],"channel_mult_emb":2,"num_blocks":1,"attn_resolutions":[16],"dropout":0.0,"label_dim":0,"augment_dim":0,"embedding_type":"positional","init_seed":0}'
  cls_width=16
  # 30 steps of training do not keep samples inside the data range: write them anyway, and skip the
  # classifier's test-set scoring
  sample_extra=(--allow-unusual)
  cls_extra=(--eval-images 0)
else
  : "${DEN_STEPS:=4000}" "${DEN_BATCH:=128}" "${FAKES:=10000}" "${CLS_STEPS:=3000}" "${DISC_STEPS:=3000}" "${DATA_LIMIT:=0}"
  : "${AUX_BATCH:=128}" "${SHOW:=64}"
  : "${ARCH:=ddpmpp-fmnist}"
  cls_width=64
  sample_extra=()
  cls_extra=()
fi
runs="$out/runs"
report="$out/report.txt"
: >"$report"
stage() {  # name, command...
  local name="$1"; shift
  local t0; t0=$(date +%s)
  echo "== $name: $*" | tee -a "$report"
  "$@" >"$out/$name.log" 2>&1 || { echo "$name FAILED (see $name.log)" | tee -a "$report"; tail -20 "$out/$name.log"; exit 1; }
  echo "$name: $(( $(date +%s) - t0 )) s" | tee -a "$report"
}
newest() { find "$runs" -name "$1" | sort | tail -1; }

if [ -n "${DENOISER:-}" ]; then
  den="$DENOISER"
  echo "== train-denoiser: skipped, using $den" | tee -a "$report"
else
  stage train-denoiser "${sedm_cmd[@]}" train --outdir "$runs" --desc denoiser --arch "$ARCH" --data-limit "$DATA_LIMIT" \
    --batch "$DEN_BATCH" --steps "$DEN_STEPS" --snap "$DEN_STEPS" --log-every 10 --lr-rampup-kimg 10 --ema-kimg 10 --device "$device"
  den="$(newest 'checkpoint-*.json')"
fi
if [ -n "${FAKE_SET:-}" ]; then
  fakes="$FAKE_SET"
  echo "== sample-fakes: skipped, using $fakes" | tee -a "$report"
else
  stage sample-fakes "${sedm_cmd[@]}" sample --denoiser "checkpoint:$den" --seeds "0-$((FAKES - 1))" --batch 256 \
    --dtype uint8 --device "$device" --outdir "$out/fakes" "${sample_extra[@]}"
  fakes="$out/fakes/samples.npy"
fi
if [ -n "${CLASSIFIER:-}" ]; then
  cls="$CLASSIFIER"
  echo "== train-classifier: skipped, using $cls" | tee -a "$report"
else
  # shellcheck disable=SC2206  # CLS_ARGS is a list of flags
  stage train-classifier "${sedm_cmd[@]}" train-classifier --outdir "$runs" --width "$cls_width" --depth 1 \
    --data-limit "$DATA_LIMIT" --batch "$AUX_BATCH" --steps "$CLS_STEPS" --log-every 10 --device "$device" \
    "${cls_extra[@]}" ${CLS_ARGS:-}
  cls="$(newest 'classifier.json')"
fi
if [ -n "${DISCRIMINATOR:-}" ]; then
  disc="$DISCRIMINATOR"
  echo "== train-discriminator: skipped, using $disc" | tee -a "$report"
else
  stage train-discriminator "${sedm_cmd[@]}" train-discriminator --outdir "$runs" --classifier "$cls" \
    --fake "$fakes" --data-limit "$DATA_LIMIT" --batch "$AUX_BATCH" --steps "$DISC_STEPS" --log-every 10 \
    --device "$device"
  disc="$(newest 'discriminator.json')"
fi
for sampler in edm edm-gpp sedm-gpp; do
  guide=()
  [ "$sampler" = edm ] || guide=(--discriminator "net:$disc" --classifier "$cls")
  stage "sample-$sampler" "${sedm_cmd[@]}" sample --sampler "$sampler" --denoiser "checkpoint:$den" "${guide[@]}" \
    --seeds "0-$((SHOW - 1))" --batch 16 --device "$device" --probe --outdir "$out/$sampler" "${sample_extra[@]}"
  cp "$out/$sampler/grid.png" "$out/$sampler.png"
done
# training curves: the logged losses of each run
for log in $( [ -d "$runs" ] && find "$runs" -name log.txt | sort); do
  echo "-- $(basename "$(dirname "$log")")" >>"$report"
  grep -E "loss|bce|ce " "$log" | awk '{ $1 = ""; print }' >>"$report" || true
done
if [ -n "${SHIP:-}" ]; then
  mkdir -p "$SHIP"
  ship() {  # sidecar, name: the sidecar as SHIP/name.json and the files it names beside it; a log summary
    local sidecar="$1" name="$2"
    cp "$sidecar" "$SHIP/$name.json"
    for f in $(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["files"].values()))' "$sidecar"); do
      cp "$(dirname "$sidecar")/$f" "$SHIP/$f"
    done
    local log; log="$(dirname "$sidecar")/log.txt"
    if [ -f "$log" ]; then  # first, every tenth and last logged line
      { echo "# $name: $(basename "$(dirname "$sidecar")")"; awk 'NR == 1 || NR % 10 == 0 { print } END { print }' "$log"; } \
        >"$SHIP/$name-training-log.txt"
    fi
  }
  ship "$den" denoiser
  ship "$cls" classifier
  ship "$disc" discriminator
  # sampling needs the denoiser's EMA and the trained weights of the other two: drop optimizer states
  python3 - "$SHIP" <<'PY'
import json, os, sys
ship = sys.argv[1]
for name, key in (("denoiser", "ema"), ("classifier", "net"), ("discriminator", "net")):
    p = os.path.join(ship, name + ".json"); d = json.load(open(p))
    for k, f in d["files"].items():
        if k != key: os.remove(os.path.join(ship, f))
    d["files"] = {key: d["files"][key]}; json.dump(d, open(p, "w"), indent=2)
PY
  du -sh "$SHIP" | tee -a "$report"
fi
echo "dg-pipeline: done; grids $out/{edm,edm-gpp,sedm-gpp}.png, report $report"
