"""A minimal Python session with denseam (run with PYTHONPATH=python after ./build.sh --target Native).

Two stored patterns ξ = -1 and ξ = +1; at β = 0.9 their supports (radius √(2/β) ≈ 1.49) overlap and a
novel memory emerges at their centroid x = 0. Then β selection, and the two scikit-learn-style estimators.
"""
import numpy as np

import denseam

print(f"libdenseam {denseam.library_version()} ({denseam.library_path()}), linear algebra: {denseam.blas_provider()}")

X = np.array([[-1.0], [1.0]])
am = denseam.AssociativeMemory(kernel="epanechnikov", beta=0.9).fit(X)
Q = np.array([[-1.2], [0.2], [0.9]])
points, info = am.retrieve(Q, method="fixed-point", return_info=True)
for q, x, s, it in zip(Q[:, 0], points[:, 0], info["status"], info["iterations"]):
    print(f"query {q:+.1f} -> {x:+.17g} ({s}, {it} update(s))")
if points[1, 0] == 0.0:
    print("emergent memory at x = 0 (the centroid of both patterns)")
print("energy:", am.energy(Q))
print("Theorem 1 beta for a basin of 0.5:", denseam.beta_for_basin(X, 0.5))

rng = np.random.default_rng(0)
blobs = np.concatenate([rng.normal(loc=c, size=(200, 2)) for c in ([0, 0], [8, 0], [0, 8])])
print("Algorithm 2 beta for 5 neighbours:", denseam.beta_for_neighbours(blobs, 5))
print("geometric beta grid:", denseam.beta_grid(blobs, kind="geometric", steps=5))
ms = denseam.MeanShift(bandwidth=2.0).fit(blobs)
print("mean shift centres:\n", ms.cluster_centers_, "\nlabels per cluster:", np.bincount(ms.labels_))
kde = denseam.KernelDensity(kernel="epanechnikov", bandwidth=1.5).fit(blobs)
print("log density at (0,0), (4,4):", kde.score_samples([[0.0, 0.0], [4.0, 4.0]]))

memories = am.memories()                        # exact enumeration of the LSR memories at this beta
print("memories:", memories.members, "points:", memories.points[:, 0], "complete:", memories.complete)
print("emergence:", {k: v for k, v in am.emergence_report(monte_carlo_points=10_000).items()
                     if k in ("stored_preserved", "novel", "global_emergence", "supported_fraction")})
