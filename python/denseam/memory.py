"""The Dense Associative Memory over the C ABI: energy, gradient and retrieval."""

import ctypes

import numpy as np

from . import _lib
from ._base import ParamsMixin

_METHODS = {"fixed-point": 0, "fixed_point": 0, "gradient": 1, "gradient-descent": 1, "single-step": 2, "single_step": 2}
_SCHEDULES = {"constant": 0, "cosine": 1}
STATUS_NAMES = ("converged", "not-converged", "unsupported")


class _Handle:
    """Owns one library handle and frees it exactly once."""

    __slots__ = ("value", "_free")

    def __init__(self, value, free):
        self.value = value
        self._free = free

    def close(self):
        if self.value:
            v, self.value = self.value, None
            _lib.check(self._free(v))

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass


class AssociativeMemory(ParamsMixin):
    """A Dense Associative Memory E(x) = -(1/β)·log(ε + Σ_μ K((β/2)‖x − ξ_μ‖²)).

    With ``kernel="epanechnikov"`` this is the paper's log-sum-ReLU (LSR) energy, whose memories are
    the centroids c_S of pattern subsets S with B(c_S) = S; ``"gaussian"`` gives log-sum-exp.

    Parameters
    ----------
    kernel : str
        ``"epanechnikov"`` (alias ``"lsr"``), ``"gaussian"`` (``"lse"``), ``"uniform"``, ``"triangle"``,
        ``"quartic"``, ``"triweight"``, ``"tricube"`` or ``"cosine"``.
    beta : float
        Inverse temperature β > 0; the support radius is r = √(2/β).
    epsilon : float
        ε ≥ 0 inside the logarithm (ε > 0 keeps the energy finite everywhere).

    Attributes
    ----------
    patterns_ : numpy.ndarray
        The stored patterns (M × d) as given to ``fit``.
    n_features_in_ : int
        d.
    """

    def __init__(self, kernel="epanechnikov", beta=1.0, epsilon=0.0):
        self.kernel = kernel
        self.beta = beta
        self.epsilon = epsilon
        self._handle = None

    def fit(self, X, y=None):
        """Store the rows of ``X`` as the patterns ξ_μ.

        Parameters
        ----------
        X : array_like of shape (M, d)
            Float64 or float32 C-contiguous arrays are read without a copy.
        y : ignored

        Returns
        -------
        self
        """
        if not isinstance(self.kernel, str):
            raise TypeError(f"kernel must be a string; got {type(self.kernel).__name__}")
        X, dtype, _ = _lib.as_matrix(X, "X")
        lib = _lib.lib()
        out = ctypes.c_void_p()
        _lib.check(lib.dam_memory_create(_lib.address(X), dtype, X.shape[0], X.shape[1], self.kernel.encode(),
                                         float(self.beta), float(self.epsilon), ctypes.byref(out)))
        if self._handle is not None:
            self._handle.close()
        self._handle = _Handle(out.value, lib.dam_memory_free)
        self.patterns_ = X
        self.n_features_in_ = X.shape[1]
        return self

    def _h(self):
        if self._handle is None or not self._handle.value:
            raise ValueError("this AssociativeMemory is not fitted (or was closed); call fit(X) first")
        return self._handle.value

    def close(self):
        """Free the library's memory now (it is also freed when the object is collected)."""
        if self._handle is not None:
            self._handle.close()

    def energy(self, Q):
        """E(x) for each query.

        Parameters
        ----------
        Q : array_like of shape (n, d) or (d,)

        Returns
        -------
        numpy.ndarray of shape (n,) (a float for a 1-D query)
            +inf where ε = 0 and no pattern's support contains the query.
        """
        Q, dtype, one = _lib.as_matrix(Q, "Q", allow_1d=True)
        out = np.empty(Q.shape[0])
        _lib.check(_lib.lib().dam_memory_energy(self._h(), _lib.address(Q), dtype, Q.shape[0], Q.shape[1],
                                                _lib.address(out), None))
        return float(out[0]) if one else out

    def gradient(self, Q):
        """∇E(x) for each query (zeros where the energy is +inf).

        Parameters
        ----------
        Q : array_like of shape (n, d) or (d,)

        Returns
        -------
        numpy.ndarray of shape (n, d) (or (d,))
        """
        Q, dtype, one = _lib.as_matrix(Q, "Q", allow_1d=True)
        out = np.empty((Q.shape[0], Q.shape[1]))
        _lib.check(_lib.lib().dam_memory_gradient(self._h(), _lib.address(Q), dtype, Q.shape[0], Q.shape[1],
                                                  _lib.address(out), None, None, None))
        return out[0] if one else out

    def retrieve(self, Q, method="fixed-point", max_iter=1000, schedule="constant", rate=0.01,
                 final_fraction=0.001, decay_steps=None, tolerance=1e-8, early_stop=True, n_jobs=None,
                 return_info=False):
        """Retrieve a memory from each query.

        Parameters
        ----------
        Q : array_like of shape (n, d) or (d,)
        method : {"fixed-point", "gradient", "single-step"}
            Algorithm 1 (exact LSR fixed point), gradient descent, or Theorem 1's single step.
        max_iter : int
            Iteration cap (Algorithm 1 updates or gradient steps).
        schedule : {"constant", "cosine"}
            Gradient-descent learning-rate schedule.
        rate : float
            α (constant) or α_0 (cosine decay).
        final_fraction : float
            Cosine decay's final α_T / α_0.
        decay_steps : int, optional
            Cosine decay's length T (default ``max_iter``).
        tolerance : float
            ‖∇E‖ below which gradient descent and single step count as converged.
        early_stop : bool
            Stop gradient descent once ‖∇E‖ < tolerance.
        n_jobs : int, optional
            Threads (None or ≤ 0: all cores); results do not depend on it.
        return_info : bool
            Also return a dict of per-query ``status`` (names), ``status_code``, ``iterations``,
            ``support_size`` and ``gradient_norm`` (NaN when unsupported).

        Returns
        -------
        numpy.ndarray of shape (n, d) (or (d,)), and the info dict when ``return_info``.
        """
        if method not in _METHODS:
            raise ValueError(f"method must be one of 'fixed-point', 'gradient', 'single-step'; got {method!r}")
        if schedule not in _SCHEDULES:
            raise ValueError(f"schedule must be 'constant' or 'cosine'; got {schedule!r}")
        Q, dtype, one = _lib.as_matrix(Q, "Q", allow_1d=True)
        lib = _lib.lib()
        key = (method, max_iter, schedule, rate, final_fraction, decay_steps, tolerance, early_stop, n_jobs)
        cached = self.__dict__.get("_options")
        if cached is not None and cached[0] == key:
            opts = cached[1]
        else:
            opts = self._options_for(lib, *key)
            self._options = (key, opts)
        n, d = Q.shape
        points = np.empty((n, d))
        if return_info:
            status = np.empty(n, dtype=np.int32)
            iterations = np.empty(n, dtype=np.int32)
            support = np.empty(n, dtype=np.int32)
            norms = np.empty(n)
            ptrs = [_lib.address(a) for a in (status, iterations, support, norms)]
        else:
            ptrs = [None] * 4
        _lib.check(lib.dam_memory_retrieve(self._h(), _lib.address(Q), dtype, n, d, opts,
                                           _lib.address(points), *ptrs))
        result = points[0] if one else points
        if not return_info:
            return result
        info = {
            "status": [STATUS_NAMES[s] for s in status],
            "status_code": status,
            "iterations": iterations,
            "support_size": support,
            "gradient_norm": norms,
        }
        return result, info

    def memories(self, count_only=False, budget_nodes=None, budget_seconds=None, n_jobs=None):
        """Every memory of the LSR energy: the sets S of patterns with B(c_S) = S (exact enumeration).

        Parameters
        ----------
        count_only : bool
            Count without keeping members and points.
        budget_nodes : int, optional
            Stop after this many search nodes (the result is then marked incomplete).
        budget_seconds : float, optional
            Stop after this much wall time.
        n_jobs : int, optional
            Threads (None: all cores); the memories and their order do not depend on it.

        Returns
        -------
        Memories
            ``complete``, ``count``, ``stored_preserved``, ``novel``, ``members`` (sorted tuples of 0-based row
            indices) and ``points`` (one row per memory).
        """
        lib = _lib.lib()
        opts = _enumerate_options(lib, count_only, budget_nodes, budget_seconds, n_jobs)
        out = ctypes.c_void_p()
        _lib.check(lib.dam_memory_enumerate(self._h(), ctypes.byref(opts), ctypes.byref(out)))
        h = _Handle(out.value, lib.dam_enumeration_free)
        try:
            s = _lib.EnumerationSummary()
            _lib.check(lib.dam_enumeration_summarize(h.value, ctypes.byref(s)))
            k, d = s.kept, s.d
            offsets = np.empty(k + 1, dtype=np.int64)
            ids = np.empty(max(s.members_total, 1), dtype=np.int32)
            points = np.empty((k, d))
            _lib.check(lib.dam_enumeration_members(h.value, _lib.address(offsets), offsets.size, _lib.address(ids), ids.size))
            _lib.check(lib.dam_enumeration_points(h.value, _lib.address(points), points.size))
        finally:
            h.close()
        ids_list = ids.tolist()
        members = [tuple(ids_list[offsets[i]:offsets[i + 1]]) for i in range(k)]
        return Memories(s, members, points)

    def emergence_report(self, novel_distance=0.1, monte_carlo_points=1_000_000, seed=1, budget_nodes=None,
                         budget_seconds=None, n_jobs=None):
        """The emergence analysis of the LSR memories at this β (the paper's Def. 2 and 3, Thm 2, Prop. 3).

        Parameters
        ----------
        novel_distance : float
            ε_novel of Def. 2: how far from every stored pattern a novel memory must be to count.
        monte_carlo_points : int
            Uniform points of [0, 1]^d for the supported-fraction estimate (0 skips it).
        seed : int
            Seed of those points.
        budget_nodes, budget_seconds, n_jobs
            As in :meth:`memories`.

        Returns
        -------
        dict
            ``patterns``, ``stored_preserved``, ``fraction_preserved``, ``novel``, ``far_novel``,
            ``locally_emergent``, ``strongly_emergent``, ``global_emergence`` (bool), ``complete`` (bool),
            ``novel_distance``, ``supported_fraction``, ``supported_fraction_se``, ``monte_carlo_points``,
            ``log_lambda``, ``log_theorem2_bound``, ``log_proposition3``, ``nodes``.
        """
        lib = _lib.lib()
        opts = _lib.EmergenceOptions()
        _lib.check(lib.dam_emergence_options_init(ctypes.byref(opts)))
        opts.novel_distance = float(novel_distance)
        if isinstance(monte_carlo_points, bool) or not isinstance(monte_carlo_points, (int, np.integer)):
            raise TypeError(f"monte_carlo_points must be an integer; got {monte_carlo_points!r}")
        opts.monte_carlo_points = int(monte_carlo_points)
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= int(seed) < 2**64:
            raise ValueError(f"seed must be an integer in [0, 2**64); got {seed!r}")
        opts.seed = int(seed)
        opts.enumeration = _enumerate_options(lib, False, budget_nodes, budget_seconds, n_jobs)
        r = _lib.EmergenceReport()
        _lib.check(lib.dam_memory_emergence_report(self._h(), ctypes.byref(opts), ctypes.byref(r)))
        out = {name: getattr(r, name) for name, _ in _lib.EmergenceReport._fields_}
        out["global_emergence"] = bool(out["global_emergence"])
        out["complete"] = bool(out["complete"])
        return out

    @staticmethod
    def _options_for(lib, method, max_iter, schedule, rate, final_fraction, decay_steps, tolerance, early_stop, n_jobs):
        opts = _lib.RetrieveOptions()
        lib.dam_retrieve_options_init(ctypes.byref(opts))
        opts.method = _METHODS[method]
        opts.max_iterations = _int32(max_iter, "max_iter")
        opts.schedule = _SCHEDULES[schedule]
        opts.rate = float(rate)
        opts.final_fraction = float(final_fraction)
        opts.decay_steps = _int32(max_iter if decay_steps is None else decay_steps, "decay_steps")
        opts.tolerance = float(tolerance)
        opts.early_stop = 1 if early_stop else 0
        opts.max_threads = 0 if n_jobs is None else _int32(n_jobs, "n_jobs")
        return ctypes.byref(opts)


_STOPS = ("complete", "node-budget", "time-budget", "memory-budget", "cancelled")


class Memories:
    """The memories of an LSR energy, as found by an exact enumeration.

    Attributes
    ----------
    complete : bool
        True when the whole search space was covered (the counts are exact); otherwise they are lower bounds.
    stop : str
        Why the search ended: ``"complete"``, ``"node-budget"``, ``"time-budget"``, ``"memory-budget"``.
    count : int
        Memories found.
    stored_preserved : int
        Memories S = {μ}: stored patterns that are memories.
    novel : int
        Memories with |S| > 1 (emergent).
    members : list of tuple of int
        Each memory's S as sorted 0-based row indices, in search order (empty when ``count_only``).
    points : numpy.ndarray of shape (len(members), d)
        Each memory's point c_S, the centroid of S (Algorithm 1's fixed point, bit for bit).
    nodes : int
        Search nodes visited.
    seconds : float
        Wall time of the search.
    """

    def __init__(self, summary, members, points):
        self.complete = bool(summary.complete)
        self.stop = _STOPS[summary.stop] if 0 <= summary.stop < len(_STOPS) else str(summary.stop)
        self.count = int(summary.count)
        self.stored_preserved = int(summary.stored_preserved)
        self.novel = int(summary.novel)
        self.nodes = int(summary.nodes)
        self.seconds = float(summary.seconds)
        self.members = members
        self.points = points

    def __len__(self):
        return self.count

    def __repr__(self):
        return (f"Memories(count={self.count}, stored_preserved={self.stored_preserved}, novel={self.novel}, "
                f"complete={self.complete})")


def _enumerate_options(lib, count_only, budget_nodes, budget_seconds, n_jobs):
    opts = _lib.EnumerateOptions()
    _lib.check(lib.dam_enumerate_options_init(ctypes.byref(opts)))
    opts.count_only = 1 if count_only else 0
    if budget_nodes is not None:
        if isinstance(budget_nodes, bool) or not isinstance(budget_nodes, (int, np.integer)) or budget_nodes <= 0:
            raise ValueError(f"budget_nodes must be a positive integer or None; got {budget_nodes!r}")
        opts.max_nodes = int(budget_nodes)
    if budget_seconds is not None:
        if not budget_seconds > 0:
            raise ValueError(f"budget_seconds must be > 0 or None; got {budget_seconds!r}")
        opts.max_seconds = float(budget_seconds)
    opts.max_threads = 0 if n_jobs is None else _int32(n_jobs, "n_jobs")
    return opts


def _int32(value, name):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer; got {value!r}")
    if not -2**31 <= int(value) < 2**31:
        raise ValueError(f"{name} = {value} does not fit in 32 bits")
    return int(value)
