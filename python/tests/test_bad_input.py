"""Bad input through Python and through ctypes straight at the C ABI: each case raises an exception (or
returns a status) whose message names the argument, and the process survives them all."""
import ctypes

import numpy as np
import pytest

import denseam
from denseam import _lib

GOOD = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
NAN = np.array([[0.0, 0.0], [np.nan, 0.0], [0.0, 1.0]])
INF = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, np.inf]])


def fitted():
    return denseam.AssociativeMemory(beta=1.0).fit(GOOD)


def freed():
    am = fitted()
    handle = am._handle.value
    am.close()
    am._handle.value = handle  # simulate a stale handle kept by mistake
    am._handle._free = lambda v: 0
    return am


CASES = [
    # (description, callable, exception type, text the message must contain)
    ("unknown kernel", lambda: denseam.AssociativeMemory(kernel="gauss").fit(GOOD), ValueError, "kernel 'gauss' is unknown"),
    ("kernel not a string", lambda: denseam.AssociativeMemory(kernel=3).fit(GOOD), TypeError, "kernel"),
    ("beta = 0", lambda: denseam.AssociativeMemory(beta=0.0).fit(GOOD), ValueError, "beta"),
    ("beta < 0", lambda: denseam.AssociativeMemory(beta=-1.0).fit(GOOD), ValueError, "beta"),
    ("beta NaN", lambda: denseam.AssociativeMemory(beta=float("nan")).fit(GOOD), ValueError, "beta"),
    ("beta inf", lambda: denseam.AssociativeMemory(beta=float("inf")).fit(GOOD), ValueError, "beta"),
    ("epsilon < 0", lambda: denseam.AssociativeMemory(epsilon=-0.5).fit(GOOD), ValueError, "epsilon"),
    ("NaN pattern", lambda: denseam.AssociativeMemory().fit(NAN), ValueError, "patterns must hold finite coordinates; row 1, column 0"),
    ("inf pattern", lambda: denseam.AssociativeMemory().fit(INF), ValueError, "row 2, column 1"),
    ("empty patterns", lambda: denseam.AssociativeMemory().fit(np.zeros((0, 2))), ValueError, "m must be > 0"),
    ("zero-dimensional patterns", lambda: denseam.AssociativeMemory().fit(np.zeros((3, 0))), ValueError, "d must be > 0"),
    ("3-D patterns", lambda: denseam.AssociativeMemory().fit(np.zeros((2, 2, 2))), ValueError, "X must be a 2-D array"),
    ("string patterns", lambda: denseam.AssociativeMemory().fit([["a", "b"]]), TypeError, "X must hold real numbers"),
    ("ragged patterns", lambda: denseam.AssociativeMemory().fit([[1.0], [1.0, 2.0]]), TypeError, "X must be an array"),
    ("complex patterns", lambda: denseam.AssociativeMemory().fit(GOOD + 1j), TypeError, "X must hold real numbers"),
    ("NaN query", lambda: fitted().retrieve([[np.nan, 0.0]]), ValueError, "queries must hold finite"),
    ("NaN query batch", lambda: fitted().retrieve([[0.0, 0.0], [0.0, np.nan]]), ValueError, "queries must hold finite coordinates; row 1, column 1"),
    ("float32 inf single query", lambda: fitted().retrieve(np.array([np.inf, 0.0], dtype=np.float32)), ValueError, "row 0, column 0 is"),
    ("inf query energy", lambda: fitted().energy([[np.inf, 0.0]]), ValueError, "queries must hold finite"),
    ("mismatched query dimension", lambda: fitted().retrieve([[0.0, 0.0, 0.0]]), ValueError, "d = 3"),
    ("mismatched gradient dimension", lambda: fitted().gradient([[0.0]]), ValueError, "d = 1"),
    ("empty query batch", lambda: fitted().energy(np.zeros((0, 2))), ValueError, "n must be > 0"),
    ("unknown method", lambda: fitted().retrieve([[0.0, 0.0]], method="newton"), ValueError, "method"),
    ("max_iter = 0", lambda: fitted().retrieve([[0.0, 0.0]], max_iter=0), ValueError, "max_iterations"),
    ("max_iter overflows int32", lambda: fitted().retrieve([[0.0, 0.0]], max_iter=2**40), ValueError, "max_iter"),
    ("negative rate", lambda: fitted().retrieve([[0.0, 0.0]], method="gradient", rate=-1.0), ValueError, "rate"),
    ("freed handle", lambda: freed().energy([[0.0, 0.0]]), ValueError, "has been freed"),
    ("not fitted", lambda: denseam.AssociativeMemory().energy([[0.0, 0.0]]), ValueError, "not fitted"),
    ("basin delta >= r_min", lambda: denseam.beta_for_basin(GOOD, 2.0), ValueError, "delta"),
    ("basin delta NaN", lambda: denseam.beta_for_basin(GOOD, float("nan")), ValueError, "delta"),
    ("duplicate patterns", lambda: denseam.min_pairwise_distance(np.zeros((3, 2))), ValueError, "duplicate rows"),
    ("single pattern", lambda: denseam.min_pairwise_distance(GOOD[:1]), ValueError, "at least 2"),
    ("neighbour target 0", lambda: denseam.beta_for_neighbours(GOOD, 0), ValueError, "target"),
    ("neighbour target too large", lambda: denseam.beta_for_neighbours(GOOD, 10), ValueError, "target"),
    ("grid steps 1", lambda: denseam.beta_grid(GOOD, steps=1), ValueError, "steps"),
    ("grid kind", lambda: denseam.beta_grid(GOOD, kind="cubic"), ValueError, "kind"),
    ("meanshift bandwidth None", lambda: denseam.MeanShift().fit(GOOD), ValueError, "bandwidth"),
    ("meanshift bandwidth 0", lambda: denseam.MeanShift(bandwidth=0).fit(GOOD), ValueError, "bandwidth"),
    ("meanshift bandwidth string", lambda: denseam.MeanShift(bandwidth="1").fit(GOOD), TypeError, "bandwidth"),
    ("meanshift NaN", lambda: denseam.MeanShift(bandwidth=1.0).fit(NAN), ValueError, "X must hold finite"),
    ("meanshift seeds dimension", lambda: denseam.MeanShift(bandwidth=1.0, seeds=[[0.0]]).fit(GOOD), ValueError, "seeds"),
    ("meanshift no neighbour", lambda: denseam.MeanShift(bandwidth=0.1, seeds=[[9.0, 9.0]]).fit(GOOD), ValueError, "no point was within bandwidth"),
    ("meanshift max_iter < 0", lambda: denseam.MeanShift(bandwidth=1.0, max_iter=-1).fit(GOOD), ValueError, "max_iter"),
    ("kde unknown kernel", lambda: denseam.KernelDensity(kernel="triweight").fit(GOOD), ValueError, "kernel 'triweight' is unknown"),
    ("kde bandwidth < 0", lambda: denseam.KernelDensity(bandwidth=-1.0).fit(GOOD), ValueError, "bandwidth"),
    ("kde inf sample", lambda: denseam.KernelDensity().fit(INF), ValueError, "X must hold finite"),
    ("kde query dimension", lambda: denseam.KernelDensity().fit(GOOD).score_samples([[0.0]]), ValueError, "d = 1"),
    ("kde sample_weight", lambda: denseam.KernelDensity().fit(GOOD, sample_weight=[1, 1, 1]), ValueError, "sample_weight"),
    ("set_params unknown", lambda: denseam.MeanShift().set_params(radius=1), ValueError, "radius"),
]


def c_abi_cases():
    """Straight through ctypes: NULL pointers, sizes, overflow, bogus and freed handles."""
    lib = _lib.lib()
    p = GOOD
    out = ctypes.c_void_p()
    buf = np.empty(16)
    a = _lib.address
    cases = [
        ("C NULL patterns", lambda: lib.dam_memory_create(None, 1, 3, 2, b"lsr", 1.0, 0.0, ctypes.byref(out)), _lib.E_NULL, "patterns is NULL"),
        ("C NULL kernel", lambda: lib.dam_memory_create(a(p), 1, 3, 2, None, 1.0, 0.0, ctypes.byref(out)), _lib.E_NULL, "kernel is NULL"),
        ("C NULL out", lambda: lib.dam_memory_create(a(p), 1, 3, 2, b"lsr", 1.0, 0.0, None), _lib.E_NULL, "out is NULL"),
        ("C m = -1", lambda: lib.dam_memory_create(a(p), 1, -1, 2, b"lsr", 1.0, 0.0, ctypes.byref(out)), _lib.E_ARGUMENT, "m must be > 0"),
        ("C d = 0", lambda: lib.dam_memory_create(a(p), 1, 3, 0, b"lsr", 1.0, 0.0, ctypes.byref(out)), _lib.E_ARGUMENT, "d must be > 0"),
        ("C m*d overflows int64", lambda: lib.dam_memory_create(a(p), 1, 2**62, 8, b"lsr", 1.0, 0.0, ctypes.byref(out)), _lib.E_ARGUMENT, "overflows"),
        ("C m*d above array limit", lambda: lib.dam_memory_create(a(p), 1, 2**31 - 1, 2, b"lsr", 1.0, 0.0, ctypes.byref(out)), _lib.E_ARGUMENT, "overflows"),
        ("C bad dtype", lambda: lib.dam_memory_create(a(p), 3, 3, 2, b"lsr", 1.0, 0.0, ctypes.byref(out)), _lib.E_ARGUMENT, "dtype"),
        ("C bogus handle", lambda: lib.dam_memory_energy(0xDEAD, a(p), 1, 1, 2, a(buf), None), _lib.E_HANDLE, "not a handle issued"),
        ("C NULL handle", lambda: lib.dam_memory_energy(None, a(p), 1, 1, 2, a(buf), None), _lib.E_HANDLE, "memory is NULL"),
        ("C NULL grid output", lambda: lib.dam_beta_grid(a(p), 1, 3, 2, 0, 0, 4, None), _lib.E_NULL, "betas is NULL"),
        ("C grid spacing", lambda: lib.dam_beta_grid(a(p), 1, 3, 2, 5, 0, 4, a(buf)), _lib.E_ARGUMENT, "spacing"),
        ("C grid upper", lambda: lib.dam_beta_grid(a(p), 1, 3, 2, 0, 5, 4, a(buf)), _lib.E_ARGUMENT, "upper"),
        ("C meanshift capacity", None, _lib.E_ARGUMENT, "capacity"),
        ("C kde handle as memory", None, _lib.E_HANDLE, "not a dam_memory handle"),
    ]
    return cases


@pytest.mark.parametrize("description,call,exc,needle", CASES, ids=[c[0] for c in CASES])
def test_python_bad_input(description, call, exc, needle):
    with pytest.raises(exc) as info:
        call()
    assert needle in str(info.value), f"{description}: {info.value}"


def test_c_abi_bad_input_through_ctypes():
    lib = _lib.lib()
    tried = 0
    for description, call, status, needle in c_abi_cases():
        if call is None:
            continue
        got = call()
        message = lib.dam_last_error().decode()
        assert got == status, f"{description}: status {got}, message {message}"
        assert needle in message, f"{description}: {message}"
        tried += 1
    # a result handle with too small a buffer, and a handle of the wrong kind
    out = ctypes.c_void_p()
    a = _lib.address
    assert lib.dam_meanshift_fit(a(GOOD), 1, 3, 2, None, 1, 0, 2.0, 10, 0, ctypes.byref(out)) == 0
    small = np.empty(1)
    assert lib.dam_meanshift_centers(out.value, a(small), 1, None) == _lib.E_ARGUMENT
    assert "capacity" in lib.dam_last_error().decode()
    assert lib.dam_memory_energy(out.value, a(GOOD), 1, 1, 2, a(small), None) == _lib.E_HANDLE
    assert "not a dam_memory handle" in lib.dam_last_error().decode()
    assert lib.dam_meanshift_free(out.value) == 0
    assert lib.dam_meanshift_free(out.value) == _lib.E_HANDLE
    tried += 3
    test_c_abi_bad_input_through_ctypes.tried = tried


def test_zz_report_case_count():
    # Runs last in this module (alphabetical within the file order is not guaranteed; the name sorts last).
    n = len(CASES) + getattr(test_c_abi_bad_input_through_ctypes, "tried", 0)
    print(f"\nPython bad-input cases tried: {n} (the process survived them all)")
    assert n >= len(CASES)
