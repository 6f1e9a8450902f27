#!/usr/bin/env bash
# Whole-model latency of the default and a tuned module, many alternating rounds (ABBA), each
# measurement a process of its own — a tighter check of tuning specs `tune-on-device.sh` wrote:
#   bash tmp/gpu-carry/enter.sh bash bench/gpu/compare-tuned.sh SPEC_DIR TARGET [ROUNDS] [RUNS]
# SPEC_DIR holds <model>.<target>.tuning.json; TARGET cpu (16 threads) or webgpu.
set -uo pipefail
source "$(dirname "$0")/../abba.sh"
specs=$1; target=$2; rounds=${3:-8}; runs=${4:-60}
out=${OUT:-tmp/gpu-compare}
mkdir -p "$out"
if [ "$target" = cpu ]; then dev=(--device cpu --threads "${THREADS:-16}"); else dev=(--device webgpu); fi
m=$(mktemp -d)
export IREETS_CACHE_DIR="$m/cache"
for spec in "$specs"/*."$target".tuning.json; do
  name=$(basename "$spec" ".$target.tuning.json")
  timeout 60 node --import tsx bench/gpu/flesh-out.ts "$name" "$m/$name.onnx" >/dev/null
  node --import tsx cli/ireets.ts compile "$m/$name.onnx" --target "$target" -o "$m/$name.default.vmfb" >/dev/null
  node --import tsx cli/ireets.ts compile "$m/$name.onnx" --target "$target" --tuning "$spec" -o "$m/$name.tuned.vmfb" >/dev/null
  time_one() {
    r=$(timeout 120 node --import tsx cli/ireets.ts bench "$m/$name.$1.vmfb" "${dev[@]}" --warmup 20 --runs "$runs" --json 2>/dev/null | tail -n 1)
    echo "bench $target $name $1 $2 $r" | tee -a "$out/compare.log"
  }
  abba "$rounds" default tuned time_one
done
rm -rf "$m"
