#!/usr/bin/python3
"""Python peers of `denseam bench` workloads: numpy / scipy / scikit-learn on the same data (benchdata.py).

Run with Debian's interpreter, e.g.
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/python/peers.py distances --dim 784
Prints one JSON object (median seconds over --repeat runs after one warm-up, throughput, BLAS info, checks).
"""
import argparse
import json
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, __import__("os").path.dirname(__file__))
import benchdata  # noqa: E402


CPU = []


def timed(repeat, fn):
    fn()
    ts = []
    out = None
    CPU.clear()
    for _ in range(repeat):
        c0 = time.process_time()
        t0 = time.perf_counter()
        out = fn()
        ts.append(time.perf_counter() - t0)
        CPU.append(time.process_time() - c0)
    return statistics.median(ts), min(ts), out


def blas_info():
    try:
        from threadpoolctl import threadpool_info
        return "; ".join(f"{i.get('internal_api')} {i.get('version')} {i.get('architecture')} {i.get('num_threads')} threads" for i in threadpool_info())
    except Exception:
        import os
        return f"numpy {np.__version__} (threadpoolctl unavailable; OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', 'unset')})"


def neighbour_checks(ind, m):
    s1 = 0
    s2 = 0
    total = 0
    mask = (1 << 64) - 1
    for i, row in enumerate(ind):
        keys = i * m + np.asarray(row, dtype=np.uint64)
        total += len(keys)
        s1 = (s1 + int(keys.sum(dtype=np.uint64))) & mask
        with np.errstate(over="ignore"):
            s2 = (s2 + int((keys * keys).sum(dtype=np.uint64))) & mask
    low = (1 << 52) - 1
    return {"pairs": total, "mean_neighbours": total / max(1, len(ind)), "id_sum_low52": s1 & low, "id_sq_sum_low52": s2 & low}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("workload", choices=["distances", "radius", "kde", "fixed-point", "lse-step", "gemm"])
    ap.add_argument("--queries", type=int, default=4096)
    ap.add_argument("--patterns", type=int, default=4096)
    ap.add_argument("--dim", type=int, default=784)
    ap.add_argument("--dtype", default="float32")
    ap.add_argument("--radius", type=float, default=None)
    ap.add_argument("--beta", type=float, default=None)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    dt = np.float32 if a.dtype == "float32" else np.float64
    q, m, d, s = a.queries, a.patterns, a.dim, a.seed
    res = {"workload": a.workload, "queries": q, "patterns": m, "dim": d, "dtype": a.dtype, "repeat": a.repeat, "blas": blas_info()}

    if a.workload in ("distances", "gemm"):
        from sklearn.metrics.pairwise import euclidean_distances
        X = benchdata.uniform(q * d, s, -1, 1).reshape(q, d).astype(dt)
        Y = benchdata.uniform(m * d, s + 1, -1, 1).reshape(m, d).astype(dt)
        if a.workload == "distances":
            med, mn, D = timed(a.repeat, lambda: euclidean_distances(X, Y, squared=True))
            res.update(peer="sklearn.metrics.pairwise.euclidean_distances(X, Y, squared=True)", gflops=2.0 * q * m * d / med / 1e9,
                       checks={"sample_sum": float(D.ravel()[::997].astype(np.float64).sum())})
        else:
            med, mn, _ = timed(a.repeat, lambda: X @ Y.T)
            res.update(peer="numpy X @ Y.T", gflops=2.0 * q * m * d / med / 1e9)
        res.update(median_seconds=med, min_seconds=mn, throughput=q * m / med, throughput_unit="pairs/s")
    elif a.workload == "radius":
        from sklearn.neighbors import NearestNeighbors
        P = benchdata.mixture(m, d, 100, 10, 1, s, s + 1).astype(dt)
        Q = benchdata.mixture(q, d, 100, 10, 1, s + 7, s + 1).astype(dt)
        r = a.radius if a.radius is not None else benchdata.default_radius(d, m)

        def run():
            nn = NearestNeighbors(radius=r).fit(P)
            return nn.radius_neighbors(Q, return_distance=False)
        med, mn, ind = timed(a.repeat, run)
        res.update(peer="NearestNeighbors(radius=r).fit(P).radius_neighbors(Q)", radius=r, median_seconds=med, min_seconds=mn,
                   throughput=q / med, throughput_unit="queries/s", checks=neighbour_checks(ind, m))
    elif a.workload == "kde":
        from sklearn.neighbors import KernelDensity
        P = benchdata.mixture(m, d, 100, 10, 1, s, s + 1).astype(dt)
        Q = benchdata.mixture(q, d, 100, 10, 1, s + 7, s + 1).astype(dt)
        h = a.radius if a.radius is not None else benchdata.default_radius(d, m // 4)
        med, mn, ld = timed(a.repeat, lambda: KernelDensity(kernel="epanechnikov", bandwidth=h).fit(P).score_samples(Q))
        fin = ld[np.isfinite(ld)]
        res.update(peer="KernelDensity(kernel='epanechnikov', bandwidth=h).fit(P).score_samples(Q)", radius=h, median_seconds=med,
                   min_seconds=mn, throughput=q * m / med, throughput_unit="pairs/s",
                   checks={"finite": int(fin.size), "mean_density": float(np.where(np.isfinite(ld), np.exp(ld), 0.0).mean())})
    elif a.workload == "fixed-point":
        from sklearn.cluster import MeanShift
        X = benchdata.mixture(m, d, 10, 10, 1, s, s + 1)
        r = a.radius if a.radius is not None else 4.0
        seeds = X[: min(q, m)]
        med, mn, ms = timed(a.repeat, lambda: MeanShift(bandwidth=r, seeds=seeds, bin_seeding=False).fit(X))
        res.update(peer="MeanShift(bandwidth=r, seeds=X[:Q], bin_seeding=False).fit(X)", radius=r, median_seconds=med, min_seconds=mn,
                   throughput=len(seeds) / med, throughput_unit="queries/s", checks={"modes": int(len(ms.cluster_centers_))},
                   modes=ms.cluster_centers_.tolist())
    elif a.workload == "lse-step":
        X = benchdata.uniform(q * d, s, 0, 1).reshape(q, d).astype(dt)
        Y = benchdata.uniform(m * d, s + 1, 0, 1).reshape(m, d).astype(dt)
        beta = a.beta if a.beta is not None else 1.0 / d
        hy = (0.5 * beta * np.einsum("ij,ij->i", Y, Y)).astype(dt)

        def step():
            S = (beta * (X @ Y.T)).astype(dt, copy=False) - hy
            mx = S.max(axis=1, keepdims=True)
            np.exp(S - mx, out=S)
            z = S.sum(axis=1, keepdims=True)
            return (S @ Y) / z
        med, mn, _ = timed(a.repeat, step)
        res.update(peer="numpy: softmax(beta X Y^T - beta/2 |y|^2) @ Y (Q x M held whole)", beta=beta, median_seconds=med, min_seconds=mn,
                   throughput=q / med, throughput_unit="queries/s", gflops=4.0 * q * m * d / med / 1e9)
    res["cpu_seconds"] = statistics.median(CPU) if CPU else None
    print(json.dumps(res))


if __name__ == "__main__":
    main()
