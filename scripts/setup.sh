#!/usr/bin/env bash
# Installs what ireets needs on Debian bookworm, then the Node packages from the lockfile (which
# also builds dist/ through `prepare`) and the generated fixture models.
#   - libonnx-testdata: the ONNX conformance suite
#   - spirv-tools: spirv-val / spirv-dis for the SPIR-V emitter's tests and dumps
#   - python3-torch, python3-torchvision, python3-onnx: export the fixture models (fixtures/export_torch.py)
#   - mesa-vulkan-drivers from bookworm-backports (Mesa 25): lavapipe, the CPU Vulkan driver Dawn
#     (npm `webgpu`) runs on where there is no GPU; bookworm's own Mesa 22 lacks what Dawn needs
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive

need_update=1
apt_update() {
  if [ "$need_update" = 1 ]; then
    $SUDO apt-get update -qq
    need_update=0
  fi
}

missing=()
for p in libonnx-testdata spirv-tools python3-torch python3-torchvision python3-onnx; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt_update
  $SUDO apt-get install -y -qq "${missing[@]}"
fi

mesa_version=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || true)
case "$mesa_version" in
  2[5-9].*) ;;
  *)
    if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
      echo "deb http://deb.debian.org/debian bookworm-backports main" | $SUDO tee /etc/apt/sources.list.d/ireets-backports.list >/dev/null
      need_update=1
    fi
    apt_update
    $SUDO apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1
    ;;
esac

npm ci --no-audit --no-fund
node --import tsx fixtures/generate.ts >/dev/null
