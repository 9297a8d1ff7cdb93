#!/usr/bin/env bash
# Installs what the C-ABI and Python tests need from Debian's packages: python3 with numpy and pytest,
# scikit-learn (the reference the estimators are compared with), OpenBLAS for numpy, and gcc (the C test
# program; NativeAOT also links libdenseam with it). Run as root; without root it only reports what is missing.
#   scripts/install-python-deps.sh          install what is missing
#   scripts/install-python-deps.sh --check  report only (exit 1 when something is missing)
set -euo pipefail
packages=(python3 python3-numpy python3-pytest python3-sklearn python3-scipy python3-pip python3-setuptools libopenblas0-pthread gcc libc6-dev)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "python and C test dependencies present: ${packages[*]}"
    exit 0
fi
echo "missing: ${missing[*]}"
if [ "${1:-}" = "--check" ]; then exit 1; fi
if [ "$(id -u)" -ne 0 ]; then
    echo "not root: install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
/usr/bin/python3 -c "import numpy, pytest, sklearn; print('numpy', numpy.__version__, 'pytest', pytest.__version__, 'scikit-learn', sklearn.__version__)"
