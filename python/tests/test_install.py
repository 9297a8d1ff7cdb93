"""The package installs with pip offline (no index) and works from the installed copy."""
import os
import shutil
import subprocess
import sys

import pytest

import denseam

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.dirname(HERE)


def test_pip_installs_offline(tmp_path):
    pytest.importorskip("pip", reason="python3-pip (scripts/install-python-deps.sh)")
    src = tmp_path / "src"
    shutil.copytree(PROJECT, src, ignore=shutil.ignore_patterns("tests", "benchmarks", "build", "*.egg-info", "__pycache__"))
    target = tmp_path / "site"
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--no-build-isolation", "--no-deps", "--no-index",
                        "--disable-pip-version-check", "--target", str(target), str(src)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    env = dict(os.environ, PYTHONPATH=str(target))
    if not os.path.isfile(target / "denseam" / "libdenseam.so"):
        env["DENSEAM_LIBRARY"] = denseam.library_path()  # built by dotnet publish only, not copied beside the package
    code = "import denseam, numpy as np; print(denseam.__file__); print(denseam.AssociativeMemory(beta=0.9).fit([[-1.0], [1.0]]).retrieve([[0.2]])[0, 0])"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0].startswith(str(target))
    assert r.stdout.splitlines()[1] == "0.0"
