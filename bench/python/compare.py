#!/usr/bin/python3
"""Side-by-side table: the toolkit's engine (`denseam-enginebench`, same JSON as `denseam bench`) against numpy /
scipy / scikit-learn peers (peers.py) on identical data, both measured in this run, with speed ratios.

    /usr/bin/python3 bench/python/compare.py [--engine "dotnet path/denseam-enginebench.dll"] [--repeat 3]
        [--only distances,radius,...] [--peer-coretype SkylakeX]

The peers run with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from their environment (Debian's numpy as
researchers run it). --peer-coretype adds a second peer column with OPENBLAS_CORETYPE set, for a peer whose
OpenBLAS uses the same kernels the toolkit selects.
"""
import argparse
import json
import os
import shlex
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEFAULT_ENGINE = f"dotnet {ROOT}/src/Tools/EngineBench/bin/Release/net10.0/denseam-enginebench.dll"

CASES = [
    ("distances-d8", "distances", dict(queries=4096, patterns=4096, dim=8, dtype="float32"), 8.0),
    ("distances-d32", "distances", dict(queries=4096, patterns=4096, dim=32, dtype="float32"), 8.0),
    ("distances-d784", "distances", dict(queries=4096, patterns=4096, dim=784, dtype="float32"), 2.0),
    ("radius-d8", "radius", dict(queries=10000, patterns=100000, dim=8, dtype="float64"), 5.0),
    ("radius-d784", "radius", dict(queries=10000, patterns=10000, dim=784, dtype="float32"), 5.0),
    ("kde-d16", "kde", dict(queries=10000, patterns=10000, dim=16, dtype="float64"), 50.0),
    ("kde-d16-wide", "kde", dict(queries=10000, patterns=10000, dim=16, dtype="float64", radius=8.0), 50.0),
    ("meanshift-d8", "fixed-point", dict(queries=10000, patterns=10000, dim=8, dtype="float64"), 20.0),
    ("lse-step-d784", "lse-step", dict(queries=1000, patterns=60000, dim=784, dtype="float32"), None),
]


def run(cmd, env=None):
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {out.stderr.strip()}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def flags(args, repeat):
    f = []
    for k, v in args.items():
        if v is not None:
            f += [f"--{k}", str(v)]
    return f + ["--repeat", str(repeat)]


def modes_match(ours, theirs, r):
    import numpy as np
    a = np.asarray(ours)
    b = np.asarray(theirs)
    if len(a) == 0 or len(b) == 0:
        return f"{len(a)} vs {len(b)} modes"
    dist = np.sqrt(((b[:, None, :] - a[None, :, :]) ** 2).sum(-1))
    worst = dist.min(axis=1).max()
    return f"{len(a)} vs {len(b)} modes, farthest match {worst:.3g} (r={r:g})"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--engine", default=DEFAULT_ENGINE)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--peer-repeat", type=int, default=None)
    ap.add_argument("--only", default=None)
    ap.add_argument("--peer-coretype", default=None)
    a = ap.parse_args()
    engine = shlex.split(a.engine)
    peer_env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    only = set(a.only.split(",")) if a.only else None
    rows = []
    print(subprocess.run(engine + ["--describe"], capture_output=True, text=True).stdout.strip())
    for name, workload, args, target in CASES:
        if only and name not in only and workload not in only:
            continue
        ours = run(engine + [workload] + flags(args, a.repeat))
        pargs = dict(args)
        if ours.get("radius") is not None:
            pargs["radius"] = ours["radius"]
        if ours.get("beta") is not None:
            pargs["beta"] = ours["beta"]
        pr = a.peer_repeat or (1 if workload in ("fixed-point", "kde", "radius") else a.repeat)
        peer = run([sys.executable, os.path.join(HERE, "peers.py"), workload] + flags(pargs, pr), peer_env)
        peer2 = None
        if a.peer_coretype:
            env2 = dict(peer_env, OPENBLAS_CORETYPE=a.peer_coretype)
            peer2 = run([sys.executable, os.path.join(HERE, "peers.py"), workload] + flags(pargs, pr), env2)
        ratio = peer["median_seconds"] / ours["median_seconds"]
        cpu_ratio = (peer.get("cpu_seconds") or float("nan")) / (ours["checks"].get("cpu_seconds") or float("nan"))
        note = ""
        if workload == "radius":
            same = all(ours["checks"][k] == peer["checks"][k] for k in ("pairs", "id_sum_low52", "id_sq_sum_low52"))
            note = f"neighbour sets {'identical' if same else 'DIFFER'} ({ours['checks']['pairs']:.0f} pairs)"
        elif workload == "distances":
            note = f"{ours['fraction_of_gemm']:.0%} of same-run {ours['gemm_gflops']:.0f} GFLOP/s gemm"
        elif workload == "lse-step":
            note = f"{ours['fraction_of_gemm']:.0%} of same-run {ours['gemm_gflops']:.0f} GFLOP/s sgemm ({ours['gflops']:.0f} GFLOP/s)"
        elif workload == "fixed-point":
            note = modes_match(ours.get("modes", []), peer.get("modes", []), ours["radius"])
        elif workload == "kde":
            note = f"mean density {ours['checks']['mean_density']:.9g} vs {peer['checks']['mean_density']:.9g}"
        rows.append((name, ours, peer, peer2, ratio, target, note))
        print(f"{name:16s} ours {ours['median_seconds']:9.4f}s [{ours['method']}]  peer {peer['median_seconds']:9.4f}s  x{ratio:7.1f} (cpu-time x{cpu_ratio:.1f})"
              + (f"  peer({a.peer_coretype}) {peer2['median_seconds']:9.4f}s x{peer2['median_seconds'] / ours['median_seconds']:7.1f}" if peer2 else "")
              + (f"  target x{target:g}" if target else "") + f"  {note}", flush=True)
    print()
    print(f"provider: {rows[0][1]['provider'] if rows else '?'}")
    print(f"peer BLAS: {rows[0][2]['blas'] if rows else '?'}")


if __name__ == "__main__":
    main()
