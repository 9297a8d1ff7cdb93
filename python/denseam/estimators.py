"""Drop-in estimators with scikit-learn's conventions, computed by ``libdenseam``."""

import ctypes
import numbers

import numpy as np

from . import _lib
from ._base import ParamsMixin
from .memory import _Handle, _int32


def _positive(value, name):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {value!r}")
    value = float(value)
    if not value > 0 or value == float("inf"):
        raise ValueError(f"{name} must be a finite number > 0; got {value!r}")
    return value


class MeanShift(ParamsMixin):
    """Flat-kernel mean shift, as scikit-learn's ``MeanShift`` (``bin_seeding=False``, ``cluster_all=True``).

    Each seed moves to the mean of the points in the closed ball ‖x − c‖ ≤ bandwidth until the mean
    repeats exactly (the flat kernel's fixed point; scikit-learn stops once a step is below
    1e-3·bandwidth) or ``max_iter`` updates; modes within ``bandwidth`` of a mode with more points are
    dropped; every point is labelled with its nearest centre.

    Parameters
    ----------
    bandwidth : float
        Radius of the flat kernel (required: no bandwidth estimation).
    seeds : array_like of shape (n_seeds, d), optional
        Starting points; default every sample.
    max_iter : int
        Updates per seed, at most.
    n_jobs : int, optional
        Threads (None: all cores); results do not depend on it.

    Attributes
    ----------
    cluster_centers_ : numpy.ndarray of shape (k, d)
        Sorted by the number of points in their ball, descending.
    labels_ : numpy.ndarray of shape (n,)
    n_iter_ : int
        The largest number of updates any seed took.
    n_features_in_ : int
    """

    def __init__(self, bandwidth=None, seeds=None, max_iter=300, n_jobs=None):
        self.bandwidth = bandwidth
        self.seeds = seeds
        self.max_iter = max_iter
        self.n_jobs = n_jobs

    def fit(self, X, y=None):
        """Find the modes of ``X``.

        Parameters
        ----------
        X : array_like of shape (n, d)
        y : ignored

        Returns
        -------
        self
        """
        if self.bandwidth is None:
            raise ValueError("bandwidth must be given (this MeanShift does not estimate it)")
        bandwidth = _positive(self.bandwidth, "bandwidth")
        max_iter = _int32(self.max_iter, "max_iter")
        X, dtype, _ = _lib.as_matrix(X, "X")
        if self.seeds is None:
            seeds, sdtype, ns, sp = None, dtype, 0, None
        else:
            seeds, sdtype, _ = _lib.as_matrix(self.seeds, "seeds")
            if seeds.shape[1] != X.shape[1]:
                raise ValueError(f"seeds has {seeds.shape[1]} columns but X has d = {X.shape[1]}")
            ns, sp = seeds.shape[0], _lib.address(seeds)
        lib = _lib.lib()
        out = ctypes.c_void_p()
        _lib.check(lib.dam_meanshift_fit(_lib.address(X), dtype, X.shape[0], X.shape[1], sp, sdtype, ns, bandwidth,
                                         max_iter, 0 if self.n_jobs is None else _int32(self.n_jobs, "n_jobs"),
                                         ctypes.byref(out)))
        h = _Handle(out.value, lib.dam_meanshift_free)
        k, d, n, it = (ctypes.c_int64() for _ in range(4))
        _lib.check(lib.dam_meanshift_info(h.value, ctypes.byref(k), ctypes.byref(d), ctypes.byref(n), ctypes.byref(it)))
        centers = np.empty((k.value, d.value))
        intensities = np.empty(k.value, dtype=np.int64)
        labels = np.empty(n.value, dtype=np.int64)
        _lib.check(lib.dam_meanshift_centers(h.value, _lib.address(centers), centers.size, _lib.address(intensities)))
        _lib.check(lib.dam_meanshift_labels(h.value, _lib.address(labels), labels.size))
        h.close()
        self.cluster_centers_ = centers
        self.labels_ = labels
        self.n_iter_ = int(it.value)
        self.intensities_ = intensities
        self.n_features_in_ = X.shape[1]
        return self

    def fit_predict(self, X, y=None):
        """``fit(X)`` and return ``labels_``."""
        return self.fit(X).labels_

    def predict(self, X):
        """The index of the nearest cluster centre for each row of ``X``."""
        if not hasattr(self, "cluster_centers_"):
            raise ValueError("this MeanShift is not fitted; call fit(X) first")
        X, _, _ = _lib.as_matrix(X, "X")
        X = X.astype(np.float64, copy=False)
        d2 = ((X[:, None, :] - self.cluster_centers_[None, :, :]) ** 2).sum(-1)
        return d2.argmin(axis=1)


class KernelDensity(ParamsMixin):
    """Kernel density estimation with scikit-learn's ``KernelDensity`` normalisation (exact sums).

    Parameters
    ----------
    kernel : {"epanechnikov", "gaussian", "tophat", "exponential", "linear"}
    bandwidth : float
        h > 0.
    n_jobs : int, optional
        Threads for ``score_samples`` (None: all cores).

    Attributes
    ----------
    n_features_in_ : int
    """

    def __init__(self, kernel="epanechnikov", bandwidth=1.0, n_jobs=None):
        self.kernel = kernel
        self.bandwidth = bandwidth
        self.n_jobs = n_jobs

    def fit(self, X, y=None, sample_weight=None):
        """Store the samples ``X``.

        Parameters
        ----------
        X : array_like of shape (n, d)
        y : ignored
        sample_weight : None
            Weights are not supported.

        Returns
        -------
        self
        """
        if sample_weight is not None:
            raise ValueError("sample_weight is not supported")
        if not isinstance(self.kernel, str):
            raise TypeError(f"kernel must be a string; got {type(self.kernel).__name__}")
        bandwidth = _positive(self.bandwidth, "bandwidth")
        X, dtype, _ = _lib.as_matrix(X, "X")
        lib = _lib.lib()
        out = ctypes.c_void_p()
        _lib.check(lib.dam_kde_create(_lib.address(X), dtype, X.shape[0], X.shape[1], self.kernel.encode(), bandwidth,
                                      ctypes.byref(out)))
        self._handle = _Handle(out.value, lib.dam_kde_free)
        self.n_features_in_ = X.shape[1]
        return self

    def score_samples(self, X):
        """log p(x) for each row of ``X`` (-inf outside every kernel's support).

        Returns
        -------
        numpy.ndarray of shape (n,)
        """
        h = getattr(self, "_handle", None)
        if h is None or not h.value:
            raise ValueError("this KernelDensity is not fitted; call fit(X) first")
        X, dtype, _ = _lib.as_matrix(X, "X")
        out = np.empty(X.shape[0])
        _lib.check(_lib.lib().dam_kde_score_samples(h.value, _lib.address(X), dtype, X.shape[0], X.shape[1],
                                                    0 if self.n_jobs is None else _int32(self.n_jobs, "n_jobs"),
                                                    _lib.address(out)))
        return out

    def score(self, X, y=None):
        """Total log-likelihood of ``X``."""
        return float(self.score_samples(X).sum())
