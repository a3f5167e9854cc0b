#!/usr/bin/env bash
# Installs the Debian packages icsr builds and runs with. Idempotent: packages already present are
# not fetched again, and apt's index is refreshed only when something is missing.
set -euo pipefail

packages=(
  cmake g++ make pkg-config
  libtorch-dev            # LibTorch 1.13 (CPU) on Debian; the GPU build uses PyTorch's (scripts/device_build.sh)
  libopenblas0-pthread    # makes Debian's LibTorch about 1.6x faster on CPU
  libeigen3-dev
  librapidcheck-dev
  libgtest-dev libgmock-dev
  libbenchmark-dev
  libboost-math-dev
  libfmt-dev
  libcli11-dev
  nlohmann-json3-dev
  gnuplot-nox             # the report's figures (PNG via cairo, SVG)
  fonts-dejavu-core       # a font for the PNG figures
  python3                 # the scripts' JSON handling (compare_large_batch.sh, its ctest, bench_training.sh)
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
