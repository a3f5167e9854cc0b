#!/usr/bin/env bash
# Downloads, here, the Debian packages the GPU machine lacks (it reaches no registry) into .debs/
# (git-ignored, about 12 MB). Carry that folder to the device run; scripts/device_build.sh unpacks it.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .debs
cd .debs
apt-get download libeigen3-dev librapidcheck-dev libgtest-dev libgmock-dev libbenchmark-dev libbenchmark1debian \
  libboost1.74-dev libboost-math1.74-dev libfmt-dev libfmt9 libcli11-dev nlohmann-json3-dev
ls -la
