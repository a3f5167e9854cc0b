#!/usr/bin/env bash
# Rehearses here, on a machine without a GPU, the GPU machine's build (scripts/device_build.sh):
#   1. installs the PyPI PyTorch wheel of the GPU machine's version (a CUDA build) with its nvidia-*
#      wheels into a private prefix (never into the system Python); skipped when already there;
#   2. fetches the Debian .debs if .debs/ is missing (scripts/fetch_device_debs.sh), then runs
#      scripts/device_build.sh itself, with PYTHON set to a wrapper that sees the private prefix,
#      into build-rehearsal/ (git-ignored): CUDA LibTorch, nvcc, arch 90, benchmarks on;
#   3. runs the CPU tests with ctest (the CUDA parity test skips itself without a GPU);
#   4. prints a summary: torch and CUDA versions, download, build and test times, ctest result.
# Not part of CI: the download is about 3 GB. Usage, from anywhere:
#   nice -n 10 bash scripts/rehearse_device_build.sh
# Environment: ICSR_TORCH_VERSION (default 2.11.0), ICSR_REHEARSAL_PREFIX (default
# ~/.cache/icsr-rehearsal), ICSR_BUILD_DIR (default build-rehearsal), ICSR_JOBS (default nproc),
# ICSR_PYTHON (the base interpreter, default python3), ICSR_SKIP_TESTS=1 (stop after the build).
set -euo pipefail
cd "$(dirname "$0")/.."
torch_version=${ICSR_TORCH_VERSION:-2.11.0}
prefix=${ICSR_REHEARSAL_PREFIX:-$HOME/.cache/icsr-rehearsal}
build=${ICSR_BUILD_DIR:-build-rehearsal}
jobs=${ICSR_JOBS:-$(nproc)}
base_python=$("${ICSR_PYTHON:-python3}" -c 'import sys; print(sys.executable)')
site=$prefix/torch-$torch_version
wrapper=$prefix/python-torch-$torch_version
log() { echo "rehearse: $*" >&2; }
mkdir -p "$prefix"

# 1. The wheel, with its nvidia-* dependencies: libtorch_cuda.so needs cudart, cublas, cudnn, nccl, ...
# to link (the linker resolves its DT_NEEDED) and to load, even when no GPU is used. Its RUNPATH
# ($ORIGIN/../../nvidia/*/lib) finds them beside it in the same --target folder.
cat > "$wrapper" <<WRAPPER
#!/bin/sh
# Python that sees PyTorch $torch_version from $site (written by scripts/rehearse_device_build.sh)
# (NumPy is not a dependency of torch, and its absence only warns; that warning is silenced.)
PYTHONWARNINGS="ignore:Failed to initialize NumPy" PYTHONPATH="$site\${PYTHONPATH:+:\$PYTHONPATH}" \\
  exec "$base_python" "\$@"
WRAPPER
chmod +x "$wrapper"
have_torch() {
  "$wrapper" -c "import sys, torch; sys.exit(torch.__version__.split('+')[0] != '$torch_version')" 2> /dev/null
}
download_s=0
if have_torch; then
  log "PyTorch $torch_version already in $site; no download"
else
  log "installing torch==$torch_version and its dependencies into $site (about 3 GB)"
  start=$SECONDS
  rm -rf "$site.partial"
  "$base_python" -m pip install --no-cache-dir --no-warn-script-location --quiet \
    --target "$site.partial" "torch==$torch_version"
  rm -rf "$site"
  mv "$site.partial" "$site"
  download_s=$((SECONDS - start))
  have_torch || { log "torch $torch_version does not import from $site"; exit 1; }
fi
torch_full=$("$wrapper" -c 'import torch; print(torch.__version__)')
torch_cuda=$("$wrapper" -c 'import torch; print(torch.version.cuda)')
log "download/install: ${download_s} s; $site: $(du -sh "$site" | cut -f1) (torch $(du -sh "$site/torch" | cut -f1), nvidia $(du -sh "$site/nvidia" 2> /dev/null | cut -f1))"

# 2. The device build itself, into a separate build folder and a private dependency prefix.
if [[ ! -d .debs ]] || ! ls .debs/*.deb > /dev/null 2>&1; then
  log "no .debs/; fetching them"
  bash scripts/fetch_device_debs.sh
fi
start=$SECONDS
PYTHON=$wrapper ICSR_BUILD_DIR=$build ICSR_DEPS_PREFIX=$prefix/deps ICSR_JOBS=$jobs bash scripts/device_build.sh
build_s=$((SECONDS - start))
log "build: ${build_s} s"
# This machine also has Debian's LibTorch 1.13 in /usr: check that none of it slipped in, neither a
# header (the dependency files of every object) nor a library (what the icsr binary loads).
mixed_headers=$(grep -rlE --include='*.d' '/usr/include/(torch|ATen|c10|caffe2)/' "$build" || true)
if [[ -n "$mixed_headers" ]]; then
  log "objects compiled against Debian's LibTorch headers:"; echo "$mixed_headers" >&2; exit 1
fi
torch_libs=$(source "$build/env.sh" && ldd "$build/icsr" | grep -E 'lib(torch|c10)[a-z_]*\.so' | awk '{print $3}')
echo "$torch_libs" | sed 's/^/rehearse: icsr loads /' >&2
if echo "$torch_libs" | grep -qv "^$site/"; then log "icsr loads a LibTorch outside $site"; exit 1; fi

# 3. The CPU tests. build/env.sh puts the unpacked Debian libraries on LD_LIBRARY_PATH; the nvidia
# libraries are found through libtorch's RUNPATH.
test_s=0
ctest_rc=skipped
ctest_line="not run (ICSR_SKIP_TESTS)"
if [[ -z "${ICSR_SKIP_TESTS:-}" ]]; then
  start=$SECONDS
  set +e
  (source "$build/env.sh" && ctest --test-dir "$build" -j"$jobs" --output-on-failure) 2>&1 | tee "$build/rehearsal-ctest.log"
  ctest_rc=${PIPESTATUS[0]}
  set -e
  test_s=$((SECONDS - start))
  ctest_line=$(grep -E 'tests passed' "$build/rehearsal-ctest.log" | tail -1 || true)
  skipped=$(grep -c '(Skipped)' "$build/rehearsal-ctest.log" || true)
  ctest_line="$ctest_line; $skipped skipped"
fi

# 4. Summary.
summary="rehearsal summary
  torch:       $torch_full (CUDA $torch_cuda), from $site
  nvcc:        $("$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)" --version | grep -o 'release [0-9.]*')
  download:    ${download_s} s (0: already present)
  build:       ${build_s} s ($build, -j$jobs)
  ctest:       ${test_s} s, exit $ctest_rc: $ctest_line"
echo "$summary" | tee "$build/rehearsal-summary.txt"
[[ $ctest_rc == 0 || $ctest_rc == skipped ]]
