"""Benchmarks of the Python package, printing both sides' times in one run.

  PYTHONPATH=python /usr/bin/python3 python/benchmarks/bench.py [--quick]

1. MeanShift, 10 000 points of a Gaussian mixture in d = 8, every point a seed: denseam vs scikit-learn.
2. KernelDensity (epanechnikov) score_samples, 10 000 samples x 10 000 queries, d = 16: denseam vs scikit-learn.
3. Python's own cost: retrieve of 1 query over 100 patterns, Python vs the bare C call (gcc-compiled).
4. A large fixed-point batch: Python's retrieve vs the CLI's reported retrieval time on the same files.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

import denseam

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
QUICK = "--quick" in sys.argv


CPU = {}


def timed(f, repeat=1):
    """Best wall time of ``repeat`` runs; the CPU time (all threads of this process) of that run goes to CPU[f]."""
    best = float("inf")
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        r = f()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        if wall < best:
            best, CPU[f] = wall, cpu
    return best, r


def cpu_of(f):
    return CPU.get(f, float("nan"))


def mixture(rng, n, d, k, spread):
    centres = rng.normal(scale=spread, size=(k, d))
    return centres[rng.integers(0, k, size=n)] + rng.normal(size=(n, d))


def mean_shift():
    from sklearn.cluster import MeanShift
    n = 2000 if QUICK else 10000
    rng = np.random.default_rng(42)
    X = mixture(rng, n, 8, 6, 6.0)
    bw = 3.0
    fo, fs = (lambda: denseam.MeanShift(bandwidth=bw).fit(X)), (lambda: MeanShift(bandwidth=bw).fit(X))
    t_ours, ours = timed(fo)
    t_sk, sk = timed(fs)
    same = ours.cluster_centers_.shape == sk.cluster_centers_.shape and np.array_equal(ours.labels_, sk.labels_)
    dev = np.abs(ours.cluster_centers_ - sk.cluster_centers_).max() / bw if ours.cluster_centers_.shape == sk.cluster_centers_.shape else float("nan")
    print(f"MeanShift n={n} d=8 bandwidth={bw} (every point a seed): denseam {t_ours:.3f} s, scikit-learn {t_sk:.3f} s, "
          f"speed-up {t_sk / t_ours:.1f}x; {len(ours.cluster_centers_)} clusters, same labels: {same}, "
          f"max centre difference {dev:.2e} x bandwidth")
    print(f"  CPU time (all threads): denseam {cpu_of(fo):.3f} s, scikit-learn {cpu_of(fs):.3f} s, ratio {cpu_of(fs) / cpu_of(fo):.1f}x; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    # How far each side's centres are from being flat-kernel fixed points: one more mean-shift step from each centre.
    def residual(centres):
        worst = 0.0
        for c in centres:
            inside = ((X - c) ** 2).sum(1) <= bw * bw
            worst = max(worst, float(np.linalg.norm(X[inside].mean(0) - c)))
        return worst / bw
    print(f"  one more mean-shift step moves denseam's centres by at most {residual(ours.cluster_centers_):.2e} x bandwidth, "
          f"scikit-learn's by {residual(sk.cluster_centers_):.2e} x bandwidth (it stops once a step is below 1e-3 x bandwidth)")


def kernel_density():
    from sklearn.neighbors import KernelDensity
    n = 2000 if QUICK else 10000
    rng = np.random.default_rng(43)
    X = rng.normal(size=(n, 16))
    Q = rng.normal(size=(n, 16))
    h = 4.0
    fo = lambda: denseam.KernelDensity(kernel="epanechnikov", bandwidth=h).fit(X).score_samples(Q)  # noqa: E731
    fs = lambda: KernelDensity(kernel="epanechnikov", bandwidth=h).fit(X).score_samples(Q)  # noqa: E731
    t_ours, a = timed(fo)
    t_sk, b = timed(fs)
    f = np.isfinite(a) & np.isfinite(b)
    rel = np.max(np.abs(a[f] - b[f]) / np.abs(b[f]))
    print(f"KernelDensity epanechnikov {n} x {n} d=16 h={h}: denseam {t_ours:.3f} s, scikit-learn {t_sk:.3f} s, "
          f"speed-up {t_sk / t_ours:.1f}x; max relative difference {rel:.2e} over {f.sum()} finite scores "
          f"({(~np.isfinite(a)).sum()} queries outside every support)")
    print(f"  CPU time (all threads): denseam {cpu_of(fo):.3f} s, scikit-learn {cpu_of(fs):.3f} s, ratio {cpu_of(fs) / cpu_of(fo):.1f}x; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    # The queries where the two disagree most, against an exactly rounded sum (math.fsum) of the same formula.
    import math
    from sklearn.neighbors._ball_tree import kernel_norm
    log_norm = kernel_norm(h, 16, "epanechnikov", return_log=True) - math.log(n)
    with np.errstate(invalid="ignore"):
        diff = np.where(f, np.abs(a - b) / np.abs(np.where(f, b, 1)), 0)
    for i in np.argsort(diff)[-3:][::-1]:
        d2 = [math.fsum((X[k] - Q[i]) ** 2) for k in range(n)]
        terms = [1 - t / (h * h) for t in d2 if t < h * h]
        exact = math.log(math.fsum(terms)) + log_norm
        print(f"  query {i} ({len(terms)} samples in its support): relative error against the exact sum: "
              f"denseam {abs(a[i] - exact) / abs(exact):.1e}, scikit-learn {abs(b[i] - exact) / abs(exact):.1e}")


def overhead():
    lib = denseam.library_path()
    with tempfile.TemporaryDirectory() as tmp:
        exe = os.path.join(tmp, "bare_call")
        subprocess.run(["gcc", "-O2", "-I", os.path.join(ROOT, "include"), os.path.join(HERE, "bare_call.c"), "-o", exe,
                        "-L", os.path.dirname(lib), "-l:" + os.path.basename(lib), "-Wl,-rpath," + os.path.dirname(lib)], check=True)
        calls = 20000
        bare = float(subprocess.run([exe, "100", "8", str(calls)], check=True, capture_output=True, text=True).stdout)
    rng = np.random.default_rng(1)
    s = 12345
    P = np.empty(800)
    for i in range(800):  # the same patterns as bare_call.c
        s = (s * 1103515245 + 12345) % 2**32
        P[i] = (s >> 8) * (1.0 / (1 << 24))
    P = P.reshape(100, 8)
    am = denseam.AssociativeMemory(beta=2.0).fit(P)
    q = (P[0] + 0.01).reshape(1, 8)
    for _ in range(2000):
        am.retrieve(q)
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(calls):
            am.retrieve(q)
        best = min(best, (time.perf_counter() - t0) / calls * 1e6)
    print(f"retrieve 1 query over 100 patterns (d=8): Python {best:.2f} us/call, bare C {bare:.2f} us/call, "
          f"Python's own cost {best - bare:.2f} us")


def batch_vs_cli():
    cli = os.path.join(ROOT, "src", "Tools", "Cli", "bin", "Release", "net10.0", "denseam.dll")
    if not os.path.isfile(cli):
        print(f"batch vs CLI: skipped, {cli} not built (dotnet build src/Tools/Cli -c Release)")
        return
    rng = np.random.default_rng(5)
    m, n, d = 2000, (5000 if QUICK else 50000), 16
    P = rng.uniform(0, 1, size=(m, d))
    Q = P[rng.integers(0, m, size=n)] + rng.normal(scale=0.05, size=(n, d))
    beta = denseam.beta_for_neighbours(P, 8)
    with tempfile.TemporaryDirectory() as tmp:
        np.save(os.path.join(tmp, "p.npy"), P)
        np.save(os.path.join(tmp, "q.npy"), Q)
        r = subprocess.run(["dotnet", cli, "retrieve", "--patterns", os.path.join(tmp, "p.npy"), "--queries", os.path.join(tmp, "q.npy"),
                            "--beta", repr(beta), "--method", "fixed-point", "--out", os.path.join(tmp, "r.npy"), "--summary-only"],
                           check=True, capture_output=True, text=True)
        cli_seconds = json.loads(r.stdout)["seconds"]
        cli_points = np.load(os.path.join(tmp, "r.npy"))
    am = denseam.AssociativeMemory(beta=beta).fit(P)
    t_py, pts = timed(lambda: am.retrieve(Q), repeat=2)
    print(f"fixed-point batch {n} queries x {m} patterns d={d}: Python {n / t_py:,.0f} queries/s ({t_py:.3f} s), "
          f"CLI {n / cli_seconds:,.0f} queries/s ({cli_seconds:.3f} s); Python/CLI time {t_py / cli_seconds:.3f}; "
          f"identical points: {np.array_equal(pts, cli_points)}")


if __name__ == "__main__":
    print(f"libdenseam {denseam.library_version()} at {denseam.library_path()}; {denseam.blas_provider()}; {os.cpu_count()} cores")
    overhead()
    batch_vs_cli()
    kernel_density()
    mean_shift()
