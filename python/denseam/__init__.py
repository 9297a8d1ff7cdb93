"""denseam: Dense Associative Memories with the Epanechnikov (log-sum-ReLU) energy, over ``libdenseam``.

Quick start
-----------
>>> import numpy as np, denseam
>>> X = np.array([[-1.0], [1.0]])
>>> am = denseam.AssociativeMemory(kernel="epanechnikov", beta=0.9).fit(X)
>>> am.retrieve([[0.2]])          # Algorithm 1: the emergent memory between -1 and +1
array([[0.]])
"""

import ctypes as _ctypes

from . import _lib
from .beta import beta_for_basin, beta_for_neighbours, beta_grid, min_pairwise_distance
from .estimators import KernelDensity, MeanShift
from .memory import AssociativeMemory

__version__ = "0.1.0"

__all__ = [
    "AssociativeMemory",
    "KernelDensity",
    "MeanShift",
    "beta_for_basin",
    "beta_for_neighbours",
    "beta_grid",
    "blas_provider",
    "library_path",
    "library_version",
    "min_pairwise_distance",
]


def library_version():
    """The loaded ``libdenseam``'s version string ("major.minor.patch")."""
    return _lib.lib().dam_version_string().decode()


def blas_provider():
    """One line naming the linear-algebra provider the library uses."""
    out = _ctypes.c_char_p()
    _lib.check(_lib.lib().dam_blas_describe(_ctypes.byref(out)))
    return out.value.decode()


def library_path():
    """The path of the loaded (or to-be-loaded) ``libdenseam`` shared library."""
    return _lib.library_path()
