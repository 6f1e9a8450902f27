#!/usr/bin/env bash
# `ireets tune --target webgpu` (or TUNE_TARGET=cpu: its 16-core CPU) on the GPU machine, then the default and the tuned module timed
# whole with `ireets bench` in alternating rounds (same process kind, same device):
#   bash tmp/gpu-carry/enter.sh bash bench/gpu/tune-on-device.sh
# Writes to $OUT (else tmp/gpu-tune): env.txt, <model>.tune.json (the tuner's report: regions,
# per-dispatch default/tuned, trials per minute), <model>.tuning.json (the spec), bench.log.
# TUNE_MODELS, TUNE_BUDGET, TUNE_TOP, BENCH_RUNS shorten it for a rehearsal on lavapipe;
# TUNE_TARGET=cpu THREADS=16 tunes the CPU target on the worker pool instead.
set -uo pipefail
source "$(dirname "$0")/../abba.sh"
out=${OUT:-tmp/gpu-tune}
mkdir -p "$out"
{
  date -u
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
  nproc
  node --version
} 2>&1 | tee "$out/env.txt"
models=${TUNE_MODELS:-mobilenet_v2 resnet18 minilm}
m=$(mktemp -d)
export IREETS_CACHE_DIR="$m/cache"
target=${TUNE_TARGET:-webgpu}
if [ "$target" = cpu ]; then dev=(--device cpu --threads "${THREADS:-16}"); else dev=(--device webgpu); fi
for name in $models; do
  case $name in
    tiny_cnn|mlp_dynamic) timeout 60 node --import tsx fixtures/generate.ts --out "$m" "$name" >/dev/null ;;
    *) timeout 60 node --import tsx bench/gpu/flesh-out.ts "$name" "$m/$name.onnx" ;;
  esac
  timeout 300 node --import tsx cli/ireets.ts tune "$m/$name.onnx" --target "$target" "${dev[@]}" --budget "${TUNE_BUDGET:-60s}" --top "${TUNE_TOP:-6}" \
    -o "$out/$name.$target.tuning.json" --json > "$out/$name.$target.tune.json" 2>>"$out/bench.log"
  echo "tune $target $name rc=$? $(node -e "const r=require('$out/$name.$target.tune.json'); console.log(r.trials+' trials, '+r.trialsPerMinute.toFixed(0)+'/min, model '+JSON.stringify(r.model??null))" 2>/dev/null)" | tee -a "$out/bench.log"
  timeout 120 node --import tsx cli/ireets.ts compile "$m/$name.onnx" --target "$target" -o "$m/$name.default.vmfb" >>"$out/bench.log" 2>&1
  timeout 120 node --import tsx cli/ireets.ts compile "$m/$name.onnx" --target "$target" --tuning "$out/$name.$target.tuning.json" -o "$m/$name.tuned.vmfb" >>"$out/bench.log" 2>&1
  # Alternating order (default first, then tuned first, …): the second process of a pair runs warmer or colder.
  time_one() {
    r=$(timeout 60 node --import tsx cli/ireets.ts bench "$m/$name.$1.vmfb" "${dev[@]}" --warmup 10 --runs "${BENCH_RUNS:-30}" --json 2>>"$out/bench.log" | tail -n 1)
    echo "bench $target $name $1 round $2 $r" | tee -a "$out/bench.log"
  }
  abba 4 default tuned time_one
done
rm -rf "$m"
