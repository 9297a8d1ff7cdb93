#!/usr/bin/python3
"""The authors' all-subsets memory count (SPEC §5, their LMIN0 code), written from the description:
every non-empty subset S of the M stored patterns (all 2^M masks), its centroid c_S, the LSR gradient
at c_S, and S counted as a memory when the gradient norm is below delta. Vectorised numpy, processed in
chunks of masks (the authors materialise all 2^M masks at once; chunking only saves memory).

LSR gradient (SPEC §1): grad E(x) = |B(x)| (x - mean_{B(x)} xi) / Z(x),
B(x) = {mu : |x - xi_mu|^2 < 2/beta} (open ball), Z = sum_{mu in B} (1 - u_mu), u = (beta/2)|x - xi|^2.
An empty support has no gradient and is not a memory.

usage: authors_all_subsets.py PATTERNS.npy BETA [BETA ...] [--delta 1e-6] [--chunk 262144]
prints one JSON object: {"M", "d", "delta", "results": [{"beta", "count", "stored", "seconds"}], "seconds", "cpu_seconds"}
"""
import json
import sys
import time

import numpy as np


def count_memories(x, beta, delta=1e-6, chunk=1 << 18):
    m, d = x.shape
    r2 = 2.0 / beta
    total = 0
    stored = 0
    n_masks = 1 << m
    bits = (1 << np.arange(m, dtype=np.int64))
    for start in range(1, n_masks, chunk):
        masks = np.arange(start, min(start + chunk, n_masks), dtype=np.int64)
        member = ((masks[:, None] & bits[None, :]) != 0).astype(np.float64)  # (n, M)
        size = member.sum(axis=1)
        centroids = (member @ x) / size[:, None]                                # (n, d)
        # squared distances from every centroid to every pattern
        d2 = (np.sum(centroids ** 2, axis=1)[:, None] + np.sum(x ** 2, axis=1)[None, :]
              - 2.0 * centroids @ x.T)
        np.maximum(d2, 0.0, out=d2)
        support = d2 < r2
        nb = support.sum(axis=1)
        z = np.where(support, 1.0 - d2 / r2, 0.0).sum(axis=1)
        ok = nb > 0
        mean_b = (support.astype(np.float64) @ x) / np.maximum(nb, 1)[:, None]
        grad = nb[:, None] * (centroids - mean_b) / np.where(z > 0, z, 1.0)[:, None]
        gnorm = np.sqrt(np.sum(grad ** 2, axis=1))
        is_mem = ok & (gnorm < delta)
        total += int(is_mem.sum())
        stored += int((is_mem & (size == 1)).sum())
    return total, stored


def main(argv):
    args = [a for a in argv[1:]]
    delta = 1e-6
    chunk = 1 << 18
    if "--delta" in args:
        i = args.index("--delta"); delta = float(args[i + 1]); del args[i:i + 2]
    if "--chunk" in args:
        i = args.index("--chunk"); chunk = int(args[i + 1]); del args[i:i + 2]
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    x = np.load(args[0]).astype(np.float64)
    betas = [float(b) for b in args[1:]]
    t0 = time.perf_counter()
    c0 = time.process_time()
    results = []
    for beta in betas:
        t = time.perf_counter()
        count, stored = count_memories(x, beta, delta, chunk)
        results.append({"beta": beta, "count": count, "stored": stored, "seconds": time.perf_counter() - t})
    print(json.dumps({"M": x.shape[0], "d": x.shape[1], "delta": delta, "results": results,
                      "seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - c0}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
