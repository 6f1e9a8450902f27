#!/usr/bin/env bash
# A slimmer carry than ../shared/gpu/prepare-carry.sh makes (76 MB, over the 64 MiB a call may
# take): only the x64 Linux binaries and the packages a run needs (tsx + esbuild, onnx-proto,
# webgpu, onnxruntime-node for the optional --ort check), no compilers, test tools or dist/.
# Reuses .gpu-carry's node binary and loader packages; run that script once first.
#   bash bench/gpu/prepare-carry.sh [--no-ort]     → tmp/gpu-carry (tmp/ is git-ignored)
# On the GPU machine:  bash tmp/gpu-carry/enter.sh <command…>
set -euo pipefail
root=$(git rev-parse --show-toplevel)
cd "$root"
out=tmp/gpu-carry
[ -f .gpu-carry/node.xz ] && ls .gpu-carry/debs/libvulkan1_*.deb >/dev/null || { echo "run ../shared/gpu/prepare-carry.sh first" >&2; exit 1; }
mkdir -p "$out"
cp -u .gpu-carry/node.xz "$out/"
rm -rf "$out/debs" && cp -r .gpu-carry/debs "$out/debs"
ort_excludes=(--exclude='node_modules/onnxruntime-node/bin/napi-v*/linux/arm64')
[ "${1:-}" = --no-ort ] && ort_excludes=(--exclude='node_modules/onnxruntime-node')
tar -cf - \
  --exclude='node_modules/.cache' --exclude='node_modules/.bin' \
  --exclude='node_modules/webgpu/dist/darwin-*' --exclude='node_modules/webgpu/dist/win32-*' --exclude='node_modules/webgpu/dist/linux-arm64' \
  --exclude='node_modules/onnxruntime-node/bin/napi-v*/darwin' --exclude='node_modules/onnxruntime-node/bin/napi-v*/win32' "${ort_excludes[@]}" \
  --exclude='node_modules/onnxruntime-web' --exclude='node_modules/typescript' --exclude='node_modules/@rolldown' \
  --exclude='node_modules/rolldown' --exclude='node_modules/lightningcss*' --exclude='node_modules/vite' \
  --exclude='node_modules/vitest' --exclude='node_modules/@vitest' --exclude='node_modules/fast-check' \
  --exclude='node_modules/@types' --exclude='*.map' --exclude='*.d.ts' --exclude='*.md' \
  node_modules | xz -T2 -6 > "$out/node_modules.tar.xz"
cat > "$out/enter.sh" <<'EOS'
#!/usr/bin/env bash
# Unpacks the carried runtime on the GPU machine (loaders, node, node_modules), then runs the command
# from the repository's root (two folders above this script).
set -e
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
for f in "$here"/debs/*.deb; do dpkg -x "$f" /; done
ldconfig
mkdir -p /opt/node/bin
[ -x /opt/node/bin/node ] || { xz -dc "$here/node.xz" > /opt/node/bin/node; chmod +x /opt/node/bin/node; }
export PATH=/opt/node/bin:$PATH
[ -d "$root/node_modules" ] || xz -T0 -dc "$here/node_modules.tar.xz" | tar -C "$root" -xf -
export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
cd "$root"
exec "$@"
EOS
chmod +x "$out/enter.sh"
du -sh "$out" "$out"/*
