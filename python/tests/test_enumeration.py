"""Memory enumeration and the emergence report through the C ABI, against an all-subsets brute force."""
import ctypes
import itertools

import numpy as np
import pytest

import denseam
from denseam import _lib


def brute_force(X, beta):
    """Every S with B(c_S) = S: centroid summed in index order, open ball ||c - xi||^2 < 2/beta by index-order sums."""
    m, d = X.shape
    r2 = 2.0 / beta
    found = []
    for size in range(1, m + 1):
        for S in itertools.combinations(range(m), size):
            c = [0.0] * d
            for mu in S:
                for j in range(d):
                    c[j] += X[mu, j]
            c = [v / size for v in c]
            ball = []
            for mu in range(m):
                s = 0.0
                for j in range(d):
                    t = c[j] - X[mu, j]
                    s += t * t
                if s < r2:
                    ball.append(mu)
            if tuple(ball) == S:
                found.append(S)
    return found


@pytest.mark.parametrize("seed,k", [(0, 2), (1, 3), (2, 5)])
def test_memories_equal_the_brute_force(seed, k):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 1, size=(10, 2))
    beta = denseam.beta_for_neighbours(X, k)
    am = denseam.AssociativeMemory(beta=beta).fit(X)
    mem = am.memories()
    assert mem.complete and mem.stop == "complete"
    assert sorted(mem.members) == sorted(brute_force(X, beta))
    assert all(list(s) == sorted(s) for s in mem.members)
    assert mem.count == len(mem.members) == mem.stored_preserved + mem.novel
    assert mem.stored_preserved == sum(1 for s in mem.members if len(s) == 1)
    # each point is Algorithm 1's fixed point, bit for bit, with an exactly zero gradient
    assert np.array_equal(am.retrieve(mem.points), mem.points)
    assert (am.gradient(mem.points) == 0).all()
    counted = am.memories(count_only=True)
    assert counted.count == mem.count and counted.members == [] and counted.points.shape == (0, 2)
    print(f"memories (k={k}): {mem.count} ({mem.stored_preserved} stored, {mem.novel} novel), brute force agrees")


def test_budget_marks_the_result_incomplete():
    rng = np.random.default_rng(3)
    X = rng.uniform(0, 1, size=(30, 3))
    am = denseam.AssociativeMemory(beta=denseam.beta_for_neighbours(X, 6)).fit(X)
    full = am.memories()
    cut = am.memories(budget_nodes=1)
    assert full.complete and not cut.complete and cut.stop == "node-budget"
    assert cut.count <= full.count
    assert set(cut.members) <= set(full.members)
    assert am.memories(n_jobs=1).members == full.members  # the order does not depend on threads


def test_callback_sees_every_memory_in_order_and_can_stop():
    rng = np.random.default_rng(4)
    X = rng.uniform(0, 1, size=(12, 2))
    am = denseam.AssociativeMemory(beta=denseam.beta_for_neighbours(X, 3)).fit(X)
    expected = am.memories()
    lib = _lib.lib()
    seen = []

    def on_memory(user, members, size, point, d):
        seen.append((tuple(members[i] for i in range(size)), [point[j] for j in range(d)]))
        return 0

    cb = _lib.MEMORY_CALLBACK(on_memory)
    summary = _lib.EnumerationSummary()
    _lib.check(lib.dam_memory_enumerate_each(am._h(), None, cb, None, ctypes.byref(summary)))
    assert [s for s, _ in seen] == expected.members
    assert np.array_equal(np.array([p for _, p in seen]), expected.points)
    assert summary.complete == 1 and summary.count == expected.count

    stopped = []
    cb2 = _lib.MEMORY_CALLBACK(lambda u, m, n, p, d: stopped.append(n) or (1 if len(stopped) == 2 else 0))
    _lib.check(lib.dam_memory_enumerate_each(am._h(), None, cb2, None, ctypes.byref(summary)))
    assert len(stopped) == 2 and summary.stop == 4 and summary.complete == 0


def test_emergence_report_agrees_with_the_memories():
    rng = np.random.default_rng(5)
    X = rng.uniform(0, 1, size=(15, 2))
    am = denseam.AssociativeMemory(beta=denseam.beta_for_neighbours(X, 3)).fit(X)
    mem = am.memories()
    rep = am.emergence_report(monte_carlo_points=20000, seed=7)
    assert rep["complete"] and rep["patterns"] == 15
    assert rep["stored_preserved"] == mem.stored_preserved and rep["novel"] == mem.novel
    assert rep["fraction_preserved"] == mem.stored_preserved / 15
    preserved = {s[0] for s in mem.members if len(s) == 1}
    novel = [(s, p) for s, p in zip(mem.members, mem.points) if len(s) > 1]
    assert rep["locally_emergent"] == sum(1 for s, _ in novel if any(mu in preserved for mu in s))
    assert rep["strongly_emergent"] == sum(1 for s, _ in novel if all(mu in preserved for mu in s))
    far = sum(1 for _, p in novel if (((X - p) ** 2).sum(1) >= 0.01).all())
    assert rep["far_novel"] == far
    assert rep["global_emergence"] == (mem.stored_preserved == 15 and far > 0)
    assert 0 < rep["supported_fraction"] <= 1 and rep["monte_carlo_points"] == 20000
    again = am.emergence_report(monte_carlo_points=20000, seed=7)
    assert again["supported_fraction"] == rep["supported_fraction"]  # seeded


def test_enumeration_bad_input():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="epanechnikov"):
        denseam.AssociativeMemory(kernel="gaussian", beta=1.0).fit(X).memories()
    with pytest.raises(ValueError, match="duplicate rows 0 and 1"):
        denseam.AssociativeMemory(beta=1.0).fit(np.zeros((2, 2))).memories()
    with pytest.raises(ValueError, match="budget_nodes"):
        denseam.AssociativeMemory(beta=1.0).fit(X).memories(budget_nodes=0)
    with pytest.raises(ValueError, match="novel_distance"):
        denseam.AssociativeMemory(beta=1.0).fit(X).emergence_report(novel_distance=-1.0)
    with pytest.raises(ValueError, match="monte_carlo_points"):
        denseam.AssociativeMemory(beta=1.0).fit(X).emergence_report(monte_carlo_points=-5)
