#!/usr/bin/env bash
# Everything one GPU measurement needs, in one command on the GPU machine (after the carry's
# enter.sh has put node and node_modules in place):
#   bash tmp/gpu-carry/enter.sh bash bench/gpu/on-device.sh [run-gpu.ts options…]
# Writes to $OUT (the device tool's result folder; else tmp/gpu-run): env.txt, run-gpu.log,
# gpu-results.json, gpu-results.md (run-gpu.ts) and cli.log (the same path through the CLI).
set -uo pipefail
out=${OUT:-tmp/gpu-run}
mkdir -p "$out"
[ $# -gt 0 ] || set -- --runs 30 --warmup 10 --threads 16 --ort
{
  date -u
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
  nproc
  node --version
} 2>&1 | tee "$out/env.txt"
timeout 360 node --import tsx bench/gpu/run-gpu.ts --out "$out" "$@" 2>&1 | tee "$out/run-gpu.log"
# The CLI path, each measurement a process of its own: compile every model for both targets,
# run one (prints the adapter), bench each model on each device.
# (CLI_MODELS, CLI_RUNS, CLI_WARMUP shorten it for a rehearsal on lavapipe.)
models=${CLI_MODELS:-tiny_cnn mlp_dynamic mobilenet_v2 resnet18 minilm}
m=$(mktemp -d)
(
  set -x
  timeout 60 node --import tsx fixtures/generate.ts --out "$m" tiny_cnn mlp_dynamic
  for name in mobilenet_v2 resnet18 minilm; do timeout 60 node --import tsx bench/gpu/flesh-out.ts $name "$m/$name.onnx"; done
  for name in $models; do
    timeout 120 node --import tsx cli/ireets.ts compile "$m/$name.onnx" --target webgpu,cpu -o "$m/$name.vmfb"
  done
  timeout 60 node --import tsx cli/ireets.ts run "$m/mobilenet_v2.vmfb" --device webgpu --input input=random --verbose | head -c 1500
) > "$out/cli.log" 2>&1
for name in $models; do
  for dev in webgpu cpu; do
    r=$(timeout 60 node --import tsx cli/ireets.ts bench "$m/$name.vmfb" --device $dev --threads 16 --warmup ${CLI_WARMUP:-10} --runs ${CLI_RUNS:-30} --json 2>>"$out/cli.log" | tail -n 1)
    echo "cli-bench $name $dev $r" | tee -a "$out/cli.log"
  done
done
rm -rf "$m"
