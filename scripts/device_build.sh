#!/usr/bin/env bash
# Builds icsr on the GPU machine: CUDA LibTorch from the Python PyTorch wheel there, every other library
# from the Debian .deb files in .debs/ (scripts/fetch_device_debs.sh), unpacked with `dpkg -x` into a
# private prefix (never into /). The build goes to build-cuda/ (git-ignored, kept between calls on a
# warm machine). Usage, from the repository root on the device:
#   bash scripts/device_build.sh            # configure and build icsr, the tests and the benchmarks
#   source build-cuda/env.sh                # LD_LIBRARY_PATH for the unpacked shared libraries
# PYTHON (default python3) names the Python whose torch is used; ICSR_CONFIGURE_ONLY=1 stops after cmake;
# ICSR_JOBS (default nproc) sets the build's parallelism; ICSR_TARGETS (default: everything) names the targets to
# build, so that a first device call within its 10 minutes builds only what it runs.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${ICSR_DEPS_PREFIX:-/tmp/icsr-deps}
build=${ICSR_BUILD_DIR:-build-cuda}
if [[ ! -d .debs ]] || ! ls .debs/*.deb > /dev/null 2>&1; then
  echo "device_build: no .debs/*.deb; run scripts/fetch_device_debs.sh here and carry .debs" >&2
  exit 2
fi
mkdir -p "$prefix"
for deb in .debs/*.deb; do dpkg -x "$deb" "$prefix"; done
python=${PYTHON:-python3}
torch_prefix=$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')
torch_version=$("$python" -c 'import torch; print(torch.__version__, "CUDA", torch.version.cuda)')
# TorchConfig.cmake looks for libtorch and libc10 in the system paths before the wheel's lib/; name
# the wheel's, so that a LibTorch installed in /usr (Debian's 1.13) is never mixed in.
torch_lib=$("$python" -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')
echo "device_build: PyTorch $torch_version; dependencies unpacked in $prefix" >&2
multiarch=$prefix/usr/lib/x86_64-linux-gnu
nvcc_path=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DICSR_BUILD_BENCHMARKS=ON \
  -DCMAKE_PREFIX_PATH="$torch_prefix;$prefix/usr;$multiarch/cmake" \
  -DTORCH_LIBRARY="$torch_lib/libtorch.so" -Dc10_LIBRARY="$torch_lib/libc10.so" \
  -DBoost_INCLUDE_DIR="$prefix/usr/include" -DBoost_NO_SYSTEM_PATHS=ON \
  -DEigen3_DIR="$prefix/usr/share/eigen3/cmake" \
  -DCMAKE_CUDA_COMPILER="$nvcc_path" -DCMAKE_CUDA_ARCHITECTURES=90 -DTORCH_CUDA_ARCH_LIST=9.0 \
  -DCMAKE_BUILD_RPATH="$multiarch"
if [[ -n "${ICSR_CONFIGURE_ONLY:-}" ]]; then exit 0; fi
# shellcheck disable=SC2086  # ICSR_TARGETS is a list of target names
cmake --build "$build" -j"${ICSR_JOBS:-$(nproc)}" ${ICSR_TARGETS:+--target $ICSR_TARGETS}
cat > "$build/env.sh" <<ENV
export LD_LIBRARY_PATH="$multiarch:\${LD_LIBRARY_PATH:-}"
ENV
echo "device_build: built $build/icsr" >&2
