#!/usr/bin/env bash
# `ireets tune --target cpu` on the fixture models with a fixed budget, then the default and the
# tuned module timed whole with `ireets bench` in alternating order (ABBA), each in its own process:
#   bash bench/tune-cpu.sh [OUT_DIR]        (TUNE_MODELS, TUNE_BUDGET, TUNE_TOP, THREADS, BENCH_RUNS)
# Writes <model>.tune.json (the tuner's report), <model>.tuning.json (the spec) and bench.log.
set -uo pipefail
source "$(dirname "$0")/abba.sh"
out=${1:-tmp/tune-cpu}
mkdir -p "$out"
models=${TUNE_MODELS:-mobilenet_v2 resnet18 minilm}
threads=${THREADS:-2}
m=$(mktemp -d)
export IREETS_CACHE_DIR="$m/cache"
{ date -u; uptime; nproc; node --version; } > "$out/env.txt"
for name in $models; do
  model=fixtures/models/$name.onnx
  node --import tsx -e "import('./fixtures/generate.ts').then((g) => g.ensureFixture('$name'))" >/dev/null
  node --import tsx cli/ireets.ts tune "$model" --target cpu --threads "$threads" --budget "${TUNE_BUDGET:-60s}" --top "${TUNE_TOP:-5}" \
    -o "$out/$name.tuning.json" --json > "$out/$name.tune.json" 2>>"$out/bench.log"
  echo "tune $name rc=$?" | tee -a "$out/bench.log"
  node --import tsx cli/ireets.ts compile "$model" --target cpu -o "$m/$name.default.vmfb" >>"$out/bench.log" 2>&1
  node --import tsx cli/ireets.ts compile "$model" --target cpu --tuning "$out/$name.tuning.json" -o "$m/$name.tuned.vmfb" >>"$out/bench.log" 2>&1
  time_one() {
    r=$(node --import tsx cli/ireets.ts bench "$m/$name.$1.vmfb" --device cpu --threads "$threads" --warmup 10 --runs "${BENCH_RUNS:-20}" --json 2>>"$out/bench.log" | tail -n 1)
    echo "bench $name $1 round $2 $r" | tee -a "$out/bench.log"
  }
  abba 4 default tuned time_one
done
rm -rf "$m"
