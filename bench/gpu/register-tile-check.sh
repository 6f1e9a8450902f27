#!/usr/bin/env bash
# ResNet-18 on webgpu with the register tile 4 everywhere ("old") against the size-dependent
# default ("new"): its classifier (dispatch 25, the only tiled matmul) timed alone, then the whole
# model in alternating rounds, each measurement a process of its own.
#   bash tmp/gpu-carry/enter.sh bash bench/gpu/register-tile-check.sh
set -u
source "$(dirname "$0")/../abba.sh"
spec=bench/gpu/results/registerTile4-specs/resnet18.webgpu.tuning.json
m=$(mktemp -d); export IREETS_CACHE_DIR=$m/cache
node --import tsx bench/gpu/flesh-out.ts resnet18 $m/r.onnx >/dev/null
node --import tsx cli/ireets.ts compile $m/r.onnx --target webgpu --tuning $spec -o $m/old.vmfb >/dev/null
node --import tsx cli/ireets.ts compile $m/r.onnx --target webgpu -o $m/new.vmfb >/dev/null
node --import tsx cli/ireets.ts bench $m/r.onnx --device webgpu --dispatch 25 --runs 10 --tuning $spec 2>&1 | tail -2 | sed "s/^/old dispatch: /"
node --import tsx cli/ireets.ts bench $m/r.onnx --device webgpu --dispatch 25 --runs 10 2>&1 | tail -2 | sed "s/^/new dispatch: /"
time_one() { echo "$1 $2 $(node --import tsx cli/ireets.ts bench $m/$1.vmfb --device webgpu --warmup 20 --runs 60 --json | tail -1)"; }
abba 6 old new time_one
rm -rf "$m"
