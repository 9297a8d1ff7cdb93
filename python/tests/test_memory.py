import ctypes

import numpy as np
import pytest

import denseam
from denseam import _lib


def lsr_energy(X, beta, x, eps=0.0):
    u = 0.5 * beta * ((X - x) ** 2).sum(axis=1)
    return -np.log(eps + np.maximum(1 - u, 0).sum()) / beta


def test_emergent_memory_between_two_patterns():
    am = denseam.AssociativeMemory(kernel="epanechnikov", beta=0.9).fit([[-1.0], [1.0]])
    points, info = am.retrieve([[-1.2], [0.2], [0.9], [50.0]], return_info=True)
    assert points[:, 0].tolist() == [-1.0, 0.0, 1.0, 50.0]
    assert info["status"] == ["converged", "converged", "converged", "unsupported"]
    assert info["support_size"].tolist() == [1, 2, 1, 0]
    assert np.isnan(info["gradient_norm"][3])


def test_energy_and_gradient_match_the_formula():
    rng = np.random.default_rng(3)
    X = rng.uniform(0, 3, size=(30, 4))
    Q = X[:10] + rng.normal(scale=0.2, size=(10, 4))
    beta = 1.5
    am = denseam.AssociativeMemory(beta=beta).fit(X)
    e = am.energy(Q)
    for q, v in zip(Q, e):
        assert v == pytest.approx(lsr_energy(X, beta, q), rel=1e-12)
    g = am.gradient(Q)
    h = 1e-6
    for i in range(3):
        for j in range(4):
            dq = np.zeros(4)
            dq[j] = h
            fd = (lsr_energy(X, beta, Q[i] + dq) - lsr_energy(X, beta, Q[i] - dq)) / (2 * h)
            assert g[i, j] == pytest.approx(fd, rel=1e-5, abs=1e-7)


def test_fixed_point_has_exactly_zero_gradient():
    rng = np.random.default_rng(4)
    X = rng.uniform(0, 2, size=(25, 3))
    am = denseam.AssociativeMemory(beta=3.0).fit(X)
    P, info = am.retrieve(X + 0.05, return_info=True)
    ok = info["status_code"] == 0
    assert ok.sum() > 0
    assert (am.gradient(P[ok]) == 0).all()


def test_contiguous_float64_and_float32_cross_without_a_copy():
    a64 = np.ones((4, 3))
    a32 = np.ones((4, 3), dtype=np.float32)
    assert _lib.as_matrix(a64, "X")[0] is a64
    assert _lib.as_matrix(a32, "X")[0] is a32
    assert _lib.as_matrix(a32, "X")[1] == _lib.FLOAT32
    # non-contiguous or integer input is converted once
    f = np.asfortranarray(np.arange(12.0).reshape(4, 3))
    c, code, _ = _lib.as_matrix(f, "X")
    assert c.flags.c_contiguous and code == _lib.FLOAT64 and (c == f).all()
    i = np.arange(6).reshape(2, 3)
    assert _lib.as_matrix(i, "X")[0].dtype == np.float64


def test_float32_input_equals_its_exact_float64_widening():
    rng = np.random.default_rng(5)
    X32 = rng.uniform(0, 2, size=(20, 3)).astype(np.float32)
    Q32 = (X32[:8] + 0.1).astype(np.float32)
    a = denseam.AssociativeMemory(beta=2.0).fit(X32)
    b = denseam.AssociativeMemory(beta=2.0).fit(X32.astype(np.float64))
    assert np.array_equal(a.retrieve(Q32), b.retrieve(Q32.astype(np.float64)))
    assert np.array_equal(a.energy(Q32), b.energy(Q32.astype(np.float64)))


def test_one_dimensional_query_and_methods():
    am = denseam.AssociativeMemory(beta=0.5).fit(np.eye(3) * 4)
    x = am.retrieve([3.9, 0.1, 0.0], method="single-step")
    assert x.shape == (3,) and x.tolist() == [4.0, 0.0, 0.0]
    y = am.retrieve([3.5, 0.0, 0.0], method="gradient", max_iter=5000, rate=0.5)
    assert np.abs(y - [4, 0, 0]).max() < 1e-6
    z = am.retrieve([3.5, 0.0, 0.0], method="gradient", schedule="cosine", max_iter=3000, rate=0.5, final_fraction=0.01)
    assert np.abs(z - [4, 0, 0]).max() < 1e-6
    assert isinstance(am.energy([4.0, 0, 0]), float)


def test_results_do_not_depend_on_thread_count():
    rng = np.random.default_rng(6)
    X = rng.uniform(0, 3, size=(60, 4))
    Q = rng.uniform(0, 3, size=(200, 4))
    am = denseam.AssociativeMemory(beta=1.2).fit(X)
    assert np.array_equal(am.retrieve(Q, n_jobs=1), am.retrieve(Q, n_jobs=2))


def test_params_protocol_and_refit():
    am = denseam.AssociativeMemory(kernel="gaussian", beta=2.0, epsilon=0.1)
    assert am.get_params() == {"beta": 2.0, "epsilon": 0.1, "kernel": "gaussian"}
    am.set_params(beta=3.0).fit([[0.0, 0.0], [1.0, 1.0]])
    assert am.get_params()["beta"] == 3.0
    before = _lib.lib().dam_handles_live()
    am.fit([[0.0, 0.0], [2.0, 2.0]])  # refit frees the old handle
    assert _lib.lib().dam_handles_live() == before
    am.close()
    assert _lib.lib().dam_handles_live() == before - 1
    with pytest.raises(ValueError, match="not fitted"):
        am.energy([[0.0, 0.0]])


def test_version_and_provider():
    assert denseam.library_version() == denseam.__version__
    assert "managed" in denseam.blas_provider() or "blas" in denseam.blas_provider().lower()
    major, minor, patch = (ctypes.c_int32() for _ in range(3))
    _lib.check(_lib.lib().dam_version_get(ctypes.byref(major), ctypes.byref(minor), ctypes.byref(patch)))
    assert f"{major.value}.{minor.value}.{patch.value}" == denseam.library_version()


@pytest.mark.parametrize("method", ["fixed-point", "single-step", "gradient"])
def test_single_query_path_equals_the_batch_bitwise(method):
    rng = np.random.default_rng(8)
    X = rng.uniform(0, 3, size=(50, 4))
    Q = np.concatenate([X[:12] + rng.normal(scale=0.1, size=(12, 4)), rng.uniform(0, 3, size=(8, 4))])
    am = denseam.AssociativeMemory(beta=2.5).fit(X)
    batch, info = am.retrieve(Q, method=method, max_iter=300, return_info=True)
    for i in range(len(Q)):
        one, one_info = am.retrieve(Q[i], method=method, max_iter=300, return_info=True)
        assert np.array_equal(one, batch[i])
        assert one_info["status_code"][0] == info["status_code"][i]
        assert one_info["iterations"][0] == info["iterations"][i]
    q32 = Q.astype(np.float32)
    assert np.array_equal(am.retrieve(q32[3], method=method, max_iter=300), am.retrieve(q32, method=method, max_iter=300)[3])


def test_big_endian_and_strided_inputs_are_converted_correctly():
    X = np.array([[-1.0], [1.0]])
    am = denseam.AssociativeMemory(beta=0.9).fit(X.astype(">f8"))
    assert am.retrieve(np.array([[0.2]], dtype=">f8"))[0, 0] == 0.0
    Q = np.array([[0.2, 99.0], [-1.2, 99.0]])[:, :1]  # a strided view
    assert am.retrieve(Q)[:, 0].tolist() == [0.0, -1.0]


def test_one_memory_used_from_many_threads_at_once():
    from concurrent.futures import ThreadPoolExecutor
    rng = np.random.default_rng(9)
    X = rng.uniform(0, 3, size=(80, 5))
    am = denseam.AssociativeMemory(beta=1.5).fit(X)
    queries = [rng.uniform(0, 3, size=(int(rng.integers(1, 40)), 5)) for _ in range(64)]
    serial = [am.retrieve(q) for q in queries]
    with ThreadPoolExecutor(max_workers=6) as pool:
        parallel = list(pool.map(am.retrieve, queries))
    assert all(np.array_equal(a, b) for a, b in zip(serial, parallel))
    # errors are per thread: a failing call on one thread does not disturb another's message
    def bad(_):
        try:
            am.retrieve([[np.nan] * 5])
        except ValueError as e:
            return str(e)
    messages = list(ThreadPoolExecutor(max_workers=4).map(bad, range(16)))
    assert all(m is not None and "queries must hold finite" in m for m in messages)
