#!/usr/bin/env bash
# Installs what ireets needs on Debian bookworm: the ONNX conformance data and SPIR-V tools from
# Debian, then the Node packages from the lockfile (which also builds dist/ through `prepare`).
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(libonnx-testdata)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

npm ci --no-audit --no-fund
