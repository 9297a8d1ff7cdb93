#!/usr/bin/env bash
# Everything the tests and the main job use from Debian beyond the .NET SDK: the native BLAS providers (OpenBLAS,
# MKL from non-free), Python with numpy/scikit-learn/pytest for the ABI tests and peer benchmarks, gcc for the C ABI,
# and DejaVu fonts for the figures. Run as root; idempotent. The tests still pass without any of it (managed BLAS,
# Python and C tests report what is missing), so build.cake calls this best-effort.
set -uo pipefail
cd "$(dirname "$0")"
status=0
export DEBIAN_FRONTEND=noninteractive
if ! dpkg-query -W -f='${Status}' fonts-dejavu-core 2>/dev/null | grep -q "install ok installed"; then
  apt-get update -qq && apt-get install -y -qq --no-install-recommends fonts-dejavu-core || status=1
fi
bash ./install-native.sh || status=1
bash ./install-python-deps.sh || status=1
exit $status
