"""Choosing the inverse temperature β (Theorem 1, Algorithm 2, the experiments' grids)."""

import ctypes

import numpy as np

from . import _lib
from .memory import _int32

_KINDS = {"linear": 0, "geometric": 1}
_UPPER = {"authors": 0, "paper": 1, "paper-text": 1}


def min_pairwise_distance(X):
    """r_min = min over μ ≠ ν of ‖ξ_μ − ξ_ν‖ (float64, index-order sums).

    Parameters
    ----------
    X : array_like of shape (M, d), M ≥ 2, no duplicate rows

    Returns
    -------
    float
    """
    X, dtype, _ = _lib.as_matrix(X, "X")
    out = ctypes.c_double()
    _lib.check(_lib.lib().dam_patterns_min_distance(_lib.address(X), dtype, X.shape[0], X.shape[1], ctypes.byref(out)))
    return out.value


def beta_for_basin(X, delta):
    """Theorem 1's β = 2/(r_min − Δ)²: every query within Δ of a pattern is retrieved in one step.

    Parameters
    ----------
    X : array_like of shape (M, d)
    delta : float
        Basin radius Δ, 0 < Δ < r_min.

    Returns
    -------
    float
    """
    X, dtype, _ = _lib.as_matrix(X, "X")
    out = ctypes.c_double()
    _lib.check(_lib.lib().dam_beta_for_basin(_lib.address(X), dtype, X.shape[0], X.shape[1], float(delta), ctypes.byref(out)))
    return out.value


def beta_for_neighbours(X, k, count_self=False, max_iter=64, return_info=False):
    """Algorithm 2: β* = 2/r² with r bisected until the average number of interacting supports is ``k``.

    Parameters
    ----------
    X : array_like of shape (M, d)
    k : float
        Target K: the mean over μ of #{ν : ‖ξ_μ − ξ_ν‖ < 2r}.
    count_self : bool
        Count ν = μ (the paper's pseudocode) or not (its text; the default).
    max_iter : int
        Bisection steps.
    return_info : bool
        Also return a dict with ``radius``, ``min_pairwise_distance``, ``average_neighbours`` and ``iterations``.

    Returns
    -------
    float, or (float, dict)
    """
    X, dtype, _ = _lib.as_matrix(X, "X")
    out = _lib.NeighbourBeta()
    _lib.check(_lib.lib().dam_beta_for_neighbours(_lib.address(X), dtype, X.shape[0], X.shape[1], float(k),
                                                  1 if count_self else 0, _int32(max_iter, "max_iter"), ctypes.byref(out)))
    if not return_info:
        return out.beta
    return out.beta, {
        "radius": out.radius,
        "min_pairwise_distance": out.min_pairwise_distance,
        "average_neighbours": out.average_neighbours,
        "iterations": out.iterations,
    }


def beta_grid(X, kind="linear", steps=50, upper="authors"):
    """The β grid of the LMIN0/LOGL0 experiments: ``steps`` values from 2/d to β_max, ascending.

    Parameters
    ----------
    X : array_like of shape (M, d)
    kind : {"linear", "geometric"}
    steps : int
        Number of values, ≥ 2.
    upper : {"authors", "paper"}
        β_max = 8/r_min² (the authors' code) or 2/r_min² (the paper's text).

    Returns
    -------
    numpy.ndarray of shape (steps,)
    """
    if kind not in _KINDS:
        raise ValueError(f"kind must be 'linear' or 'geometric'; got {kind!r}")
    if upper not in _UPPER:
        raise ValueError(f"upper must be 'authors' or 'paper'; got {upper!r}")
    steps = _int32(steps, "steps")
    if steps < 2:
        raise ValueError(f"steps must be >= 2; got {steps}")
    X, dtype, _ = _lib.as_matrix(X, "X")
    out = np.empty(steps)
    _lib.check(_lib.lib().dam_beta_grid(_lib.address(X), dtype, X.shape[0], X.shape[1], _KINDS[kind], _UPPER[upper],
                                        steps, _lib.address(out)))
    return out
