"""The Python side of the ABI cross-check (run by AbiTests.cs): the same computations as abi_test.c's
``crosscheck`` mode, printed in the same "key index hex64" format.

usage: crosscheck.py PATTERNS.f64 M D QUERIES.f64 N BETA
"""
import struct
import sys

import numpy as np

import denseam


def put(key, i, v):
    print(f"{key} {i} {struct.unpack('<Q', struct.pack('<d', float(v)))[0]:016x}")


def main():
    p_path, m, d, q_path, n, beta = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), float(sys.argv[6])
    P = np.fromfile(p_path, dtype="<f8").reshape(m, d)
    Q = np.fromfile(q_path, dtype="<f8").reshape(n, d)
    am = denseam.AssociativeMemory(kernel="epanechnikov", beta=beta, epsilon=0.0).fit(P)
    runs = [("fixed-point", dict(method="fixed-point", max_iter=1000)),
            ("single-step", dict(method="single-step")),
            ("gradient", dict(method="gradient", max_iter=200, rate=0.05))]
    for name, kw in runs:
        pts, info = am.retrieve(Q, return_info=True, **kw)
        for i, v in enumerate(pts.ravel()):
            put(name, i, v)
        for i in range(n):
            print(f"{name}-status {i} {info['status_code'][i]} {info['iterations'][i]}")
    for i, v in enumerate(am.energy(Q)):
        put("energy", i, v)
    for i, v in enumerate(am.gradient(Q).ravel()):
        put("gradient", i, v)
    r_min = denseam.min_pairwise_distance(P)
    put("r_min", 0, r_min)
    put("beta_basin", 0, denseam.beta_for_basin(P, 0.25 * r_min))
    put("beta_neighbours", 0, denseam.beta_for_neighbours(P, 3.0))
    for i, v in enumerate(denseam.beta_grid(P, kind="linear", steps=7)):
        put("grid_linear", i, v)
    for i, v in enumerate(denseam.beta_grid(P, kind="geometric", steps=7)):
        put("grid_geometric", i, v)
    mem = am.memories()
    print(f"memories {mem.count} {mem.stored_preserved} {mem.novel} {int(mem.complete)}")
    for i, s in enumerate(mem.members):
        print(" ".join([f"members {i}"] + [str(k) for k in s]))
    for i, v in enumerate(mem.points.ravel()):
        put("memory_point", i, v)


if __name__ == "__main__":
    main()
