#!/usr/bin/env bash
# Installs the native BLAS providers the distance engine probes at run time (OpenBLAS, Intel MKL)
# and the Python peers the benchmarks compare against (numpy, scipy, scikit-learn, pytest),
# on Debian 12 (bookworm). Run as root. Idempotent.
#
# MKL lives in Debian's non-free component, so the script first adds "contrib non-free
# non-free-firmware" to the deb822 sources (/etc/apt/sources.list.d/debian.sources) or, on a
# system still using the one-line format, to /etc/apt/sources.list.
set -euo pipefail

if [[ $(id -u) -ne 0 ]]; then
  echo "install-native.sh: run as root (apt-get needs it)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive

add_components_deb822() {
  local file=$1
  # Every "Components:" line that lacks non-free gets the full set appended (keeps "main").
  if grep -qE '^Components:' "$file" && grep -E '^Components:' "$file" | grep -qv 'non-free'; then
    cp "$file" "$file.denseam.bak"
    sed -i -E '/^Components:/{/non-free/!s/$/ contrib non-free non-free-firmware/}' "$file"
    echo "added contrib non-free non-free-firmware to $file (backup: $file.denseam.bak)"
  fi
}

add_components_oneline() {
  local file=$1
  if grep -qE '^deb .*debian' "$file" && grep -E '^deb .*debian' "$file" | grep -qv 'non-free'; then
    cp "$file" "$file.denseam.bak"
    sed -i -E '/^deb .*debian/{/non-free/!s/$/ contrib non-free non-free-firmware/}' "$file"
    echo "added contrib non-free non-free-firmware to $file (backup: $file.denseam.bak)"
  fi
}

if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
  add_components_deb822 /etc/apt/sources.list.d/debian.sources
elif [[ -f /etc/apt/sources.list ]]; then
  add_components_oneline /etc/apt/sources.list
else
  echo "install-native.sh: no Debian apt sources found" >&2
  exit 1
fi

# MKL asks (debconf) whether libmkl_rt should become the system-wide BLAS/LAPACK alternative.
# Answer "no": numpy/scipy keep the reference OpenBLAS build researchers normally run, and the
# toolkit loads libmkl_rt.so itself, by path, when DENSEAM_BLAS=mkl (or when it is the best found).
if command -v debconf-set-selections >/dev/null; then
  echo "libmkl-rt libmkl-rt/use-as-default-blas-lapack boolean false" | debconf-set-selections
fi

apt-get update -q
apt-get install -y -q --no-install-recommends \
  libopenblas0-pthread \
  libmkl-rt \
  python3-numpy python3-scipy python3-sklearn python3-pytest

echo "--- installed:"
ls -1 /usr/lib/x86_64-linux-gnu/libmkl_rt.so* /usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas*.so* 2>/dev/null || true
/usr/bin/python3 -c 'import numpy, scipy, sklearn; print("numpy", numpy.__version__, "scipy", scipy.__version__, "sklearn", sklearn.__version__)'
