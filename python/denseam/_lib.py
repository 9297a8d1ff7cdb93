"""Loading ``libdenseam`` and declaring its C functions (see ``include/denseam.h``).

The library is looked up, in order, at ``$DENSEAM_LIBRARY``, beside this package
(``denseam/libdenseam.so``) and in the repository's ``artifacts/native/`` (where
``./build.sh --target Native`` publishes it).
"""

import ctypes
import os
from ctypes import POINTER, c_char_p, c_double, c_int32, c_int64, c_uint32, c_void_p

import numpy as np

OK, E_NULL, E_ARGUMENT, E_HANDLE, E_NOMEM, E_FAILED, E_INTERNAL = range(7)
FLOAT64, FLOAT32 = 1, 2

_HERE = os.path.dirname(os.path.abspath(__file__))
_CANDIDATES = (
    os.path.join(_HERE, "libdenseam.so"),
    os.path.normpath(os.path.join(_HERE, "..", "..", "artifacts", "native", "libdenseam.so")),
)


def library_path():
    """The path of the ``libdenseam`` shared library this package loads.

    Returns
    -------
    str
        ``$DENSEAM_LIBRARY`` when set, else the first existing candidate beside the package or in
        the repository's ``artifacts/native``.

    Raises
    ------
    OSError
        When no library is found.
    """
    env = os.environ.get("DENSEAM_LIBRARY")
    if env:
        if not os.path.isfile(env):
            raise OSError(f"DENSEAM_LIBRARY={env!r} does not name a file")
        return env
    for path in _CANDIDATES:
        if os.path.isfile(path):
            return path
    raise OSError(
        "libdenseam.so not found beside the denseam package or in artifacts/native; "
        "run ./build.sh --target Native or set DENSEAM_LIBRARY")


class RetrieveOptions(ctypes.Structure):
    """ctypes mirror of ``dam_retrieve_options``."""

    _fields_ = [
        ("struct_size", c_uint32),
        ("method", c_int32),
        ("max_iterations", c_int32),
        ("schedule", c_int32),
        ("rate", c_double),
        ("final_fraction", c_double),
        ("decay_steps", c_int32),
        ("early_stop", c_int32),
        ("tolerance", c_double),
        ("max_threads", c_int32),
        ("reserved", c_int32),
    ]


class NeighbourBeta(ctypes.Structure):
    """ctypes mirror of ``dam_neighbour_beta``."""

    _fields_ = [
        ("beta", c_double),
        ("radius", c_double),
        ("min_pairwise_distance", c_double),
        ("average_neighbours", c_double),
        ("iterations", c_int32),
        ("reserved", c_int32),
    ]


class EnumerateOptions(ctypes.Structure):
    """ctypes mirror of ``dam_enumerate_options``."""

    _fields_ = [
        ("struct_size", c_uint32),
        ("count_only", c_int32),
        ("max_nodes", c_int64),
        ("max_seconds", c_double),
        ("max_memories", c_int64),
        ("max_threads", c_int32),
        ("reserved", c_int32),
    ]


class EnumerationSummary(ctypes.Structure):
    """ctypes mirror of ``dam_enumeration_summary``."""

    _fields_ = [
        ("count", c_int64),
        ("stored_preserved", c_int64),
        ("novel", c_int64),
        ("nodes", c_int64),
        ("members_total", c_int64),
        ("seconds", c_double),
        ("complete", c_int32),
        ("stop", c_int32),
        ("kept", c_int64),
        ("d", c_int64),
    ]


class EmergenceOptions(ctypes.Structure):
    """ctypes mirror of ``dam_emergence_options``."""

    _fields_ = [
        ("struct_size", c_uint32),
        ("reserved", c_int32),
        ("novel_distance", c_double),
        ("monte_carlo_points", c_int64),
        ("seed", ctypes.c_uint64),
        ("enumeration", EnumerateOptions),
    ]


class EmergenceReport(ctypes.Structure):
    """ctypes mirror of ``dam_emergence_report``."""

    _fields_ = [
        ("patterns", c_int64),
        ("stored_preserved", c_int64),
        ("fraction_preserved", c_double),
        ("novel", c_int64),
        ("far_novel", c_int64),
        ("locally_emergent", c_int64),
        ("strongly_emergent", c_int64),
        ("global_emergence", c_int32),
        ("complete", c_int32),
        ("novel_distance", c_double),
        ("supported_fraction", c_double),
        ("supported_fraction_se", c_double),
        ("monte_carlo_points", c_int64),
        ("log_lambda", c_double),
        ("log_theorem2_bound", c_double),
        ("log_proposition3", c_double),
        ("nodes", c_int64),
    ]


MEMORY_CALLBACK = ctypes.CFUNCTYPE(c_int32, c_void_p, POINTER(c_int32), c_int64, POINTER(c_double), c_int64)

_P = c_void_p  # every array and handle crosses as an address
_I32, _I64, _D = c_int32, c_int64, c_double

_SIGNATURES = {
    "dam_last_error": (c_char_p, []),
    "dam_clear_error": (None, []),
    "dam_version_string": (c_char_p, []),
    "dam_version_get": (c_int32, [_P, _P, _P]),
    "dam_blas_describe": (c_int32, [POINTER(c_char_p)]),
    "dam_handles_live": (c_int64, []),
    "dam_memory_create": (c_int32, [_P, _I32, _I64, _I64, c_char_p, _D, _D, POINTER(c_void_p)]),
    "dam_memory_free": (c_int32, [_P]),
    "dam_memory_info": (c_int32, [_P, _P, _P, _P, _P, POINTER(c_char_p)]),
    "dam_memory_energy": (c_int32, [_P, _P, _I32, _I64, _I64, _P, _P]),
    "dam_memory_gradient": (c_int32, [_P, _P, _I32, _I64, _I64, _P, _P, _P, _P]),
    "dam_retrieve_options_init": (c_int32, [POINTER(RetrieveOptions)]),
    "dam_memory_retrieve": (c_int32, [_P, _P, _I32, _I64, _I64, POINTER(RetrieveOptions), _P, _P, _P, _P, _P]),
    "dam_patterns_min_distance": (c_int32, [_P, _I32, _I64, _I64, _P]),
    "dam_beta_for_basin": (c_int32, [_P, _I32, _I64, _I64, _D, _P]),
    "dam_beta_for_neighbours": (c_int32, [_P, _I32, _I64, _I64, _D, _I32, _I32, POINTER(NeighbourBeta)]),
    "dam_beta_grid": (c_int32, [_P, _I32, _I64, _I64, _I32, _I32, _I32, _P]),
    "dam_meanshift_fit": (c_int32, [_P, _I32, _I64, _I64, _P, _I32, _I64, _D, _I32, _I32, POINTER(c_void_p)]),
    "dam_meanshift_info": (c_int32, [_P, _P, _P, _P, _P]),
    "dam_meanshift_centers": (c_int32, [_P, _P, _I64, _P]),
    "dam_meanshift_labels": (c_int32, [_P, _P, _I64]),
    "dam_meanshift_free": (c_int32, [_P]),
    "dam_kde_create": (c_int32, [_P, _I32, _I64, _I64, c_char_p, _D, POINTER(c_void_p)]),
    "dam_kde_score_samples": (c_int32, [_P, _P, _I32, _I64, _I64, _I32, _P]),
    "dam_kde_free": (c_int32, [_P]),
    "dam_enumerate_options_init": (c_int32, [POINTER(EnumerateOptions)]),
    "dam_memory_enumerate": (c_int32, [_P, POINTER(EnumerateOptions), POINTER(c_void_p)]),
    "dam_enumeration_summarize": (c_int32, [_P, POINTER(EnumerationSummary)]),
    "dam_enumeration_members": (c_int32, [_P, _P, _I64, _P, _I64]),
    "dam_enumeration_points": (c_int32, [_P, _P, _I64]),
    "dam_enumeration_free": (c_int32, [_P]),
    "dam_memory_enumerate_each": (c_int32, [_P, POINTER(EnumerateOptions), MEMORY_CALLBACK, _P, POINTER(EnumerationSummary)]),
    "dam_emergence_options_init": (c_int32, [POINTER(EmergenceOptions)]),
    "dam_memory_emergence_report": (c_int32, [_P, POINTER(EmergenceOptions), POINTER(EmergenceReport)]),
}


class _Library:
    """The loaded library with every declared function as an attribute (``lib.dam_memory_create``)."""

    def __init__(self, path):
        self.path = path
        self.dll = ctypes.CDLL(path)
        for name, (restype, argtypes) in _SIGNATURES.items():
            f = getattr(self.dll, name)
            f.restype = restype
            f.argtypes = argtypes
            setattr(self, name, f)


_lib = None


def lib():
    """The loaded library (loaded on first use)."""
    global _lib
    if _lib is None:
        _lib = _Library(library_path())
    return _lib


def check(status):
    """Raise the Python exception for a non-zero status, with the library's message."""
    if status == OK:
        return
    message = lib().dam_last_error().decode("utf-8", "replace")
    if status == E_NOMEM:
        raise MemoryError(message)
    if status == E_INTERNAL:
        raise RuntimeError(message)
    raise ValueError(message)


_CODES = {"d": FLOAT64, "f": FLOAT32}


def as_matrix(x, name, allow_1d=False):
    """An array the library can read without a copy: C-contiguous float64 or float32, 2-D.

    Contiguous float64/float32 arrays pass through as they are; anything else is converted once to
    float64. A 1-D array is one row when ``allow_1d`` is true (``was_1d`` then tells the caller).

    Returns
    -------
    (numpy.ndarray, int, bool)
        The array, its DAM dtype code and whether the input was 1-D.
    """
    if type(x) is np.ndarray and x.ndim == 2 and x.flags.c_contiguous and x.dtype.isnative:
        code = _CODES.get(x.dtype.char)
        if code is not None:  # the common case, checked first: nothing to convert
            return x, code, False
    if not isinstance(x, np.ndarray):
        try:
            x = np.asarray(x)
        except Exception as e:  # ragged lists and the like
            raise TypeError(f"{name} must be an array of numbers: {e}") from None
    if x.dtype.kind not in "fiub":
        raise TypeError(f"{name} must hold real numbers; got dtype {x.dtype}")
    was_1d = False
    if x.ndim == 1 and allow_1d:
        x = x.reshape(1, -1)
        was_1d = True
    if x.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (rows x d); got shape {x.shape}")
    if x.dtype == np.float64 or x.dtype == np.float32:
        if not x.flags.c_contiguous:
            x = np.ascontiguousarray(x)
    else:
        x = np.ascontiguousarray(x, dtype=np.float64)
    return x, (FLOAT64 if x.dtype == np.float64 else FLOAT32), was_1d


def address(a):
    """The data address of a NumPy array (no copy)."""
    return a.__array_interface__["data"][0]
