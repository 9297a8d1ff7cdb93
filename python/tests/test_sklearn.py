"""The estimators against Debian's python3-sklearn on the same data."""
import numpy as np
import pytest

import denseam

sklearn = pytest.importorskip("sklearn", reason="python3-sklearn (scripts/install-python-deps.sh)")
from sklearn.cluster import MeanShift as SkMeanShift  # noqa: E402
from sklearn.neighbors import KernelDensity as SkKernelDensity  # noqa: E402
from sklearn.neighbors._ball_tree import kernel_norm  # noqa: E402


def mixture(rng, n, d, k, spread):
    centres = rng.normal(scale=spread, size=(k, d))
    return centres[rng.integers(0, k, size=n)] + rng.normal(size=(n, d))


@pytest.mark.parametrize("seed,d,bandwidth", [(1, 2, 1.5), (2, 4, 2.5), (3, 8, 3.0)])
def test_mean_shift_matches_scikit_learn(seed, d, bandwidth):
    rng = np.random.default_rng(seed)
    X = mixture(rng, 400, d, 4, 5.0)
    ours = denseam.MeanShift(bandwidth=bandwidth).fit(X)
    theirs = SkMeanShift(bandwidth=bandwidth).fit(X)
    assert ours.cluster_centers_.shape == theirs.cluster_centers_.shape
    assert np.abs(ours.cluster_centers_ - theirs.cluster_centers_).max() <= 1e-3 * bandwidth
    assert np.array_equal(ours.labels_, theirs.labels_)
    assert np.array_equal(ours.predict(X), ours.labels_)
    print(f"MeanShift d={d}: {len(ours.cluster_centers_)} clusters, n_iter {ours.n_iter_} (scikit-learn {theirs.n_iter_})")


def test_mean_shift_with_seeds_and_float32():
    rng = np.random.default_rng(9)
    X = mixture(rng, 300, 3, 3, 6.0).astype(np.float32)
    seeds = X[::7]
    ours = denseam.MeanShift(bandwidth=2.0, seeds=seeds, max_iter=100).fit(X)
    theirs = SkMeanShift(bandwidth=2.0, seeds=seeds, max_iter=100).fit(X)
    assert np.abs(ours.cluster_centers_ - theirs.cluster_centers_).max() <= 2e-3
    assert np.array_equal(ours.labels_, theirs.labels_)
    assert ours.get_params()["max_iter"] == 100


@pytest.mark.parametrize("kernel", ["epanechnikov", "gaussian", "tophat", "exponential", "linear"])
def test_kernel_density_matches_scikit_learn_to_1e_10(kernel):
    rng = np.random.default_rng(11)
    X = rng.normal(size=(1500, 6))
    Q = np.concatenate([X[:100], rng.normal(size=(200, 6))])
    bandwidth = 3.5  # every query has samples inside the compact kernels' support
    ours = denseam.KernelDensity(kernel=kernel, bandwidth=bandwidth).fit(X).score_samples(Q)
    theirs = SkKernelDensity(kernel=kernel, bandwidth=bandwidth).fit(X).score_samples(Q)
    assert np.isfinite(theirs).all()
    rel = np.abs(ours - theirs) / np.abs(theirs)
    print(f"KernelDensity {kernel}: max relative difference {rel.max():.3g}")
    assert rel.max() < 1e-10


@pytest.mark.parametrize("d", [1, 2, 3, 8, 16])
def test_kernel_density_normalisation_is_scikit_learns(d):
    X = np.zeros((1, d))
    for kernel in ["epanechnikov", "gaussian", "tophat", "exponential", "linear"]:
        at_centre = denseam.KernelDensity(kernel=kernel, bandwidth=0.7).fit(X).score_samples(np.zeros((1, d)))[0]
        # K(0) = 1 for every kernel, so the log density at the single sample is log C(h, d).
        assert at_centre == pytest.approx(kernel_norm(0.7, d, kernel, return_log=True), rel=1e-13)


@pytest.mark.parametrize("kernel", ["epanechnikov", "tophat", "linear"])
def test_kernel_density_far_from_the_origin_and_in_float32(kernel):
    # Data centred at 1000: the epanechnikov path's Gram identity works on mean-centred data, so no precision is lost.
    rng = np.random.default_rng(12)
    X = 1000.0 + rng.normal(size=(800, 5))
    Q = np.concatenate([X[:50], 1000.0 + rng.normal(scale=0.5, size=(50, 5))])
    ours = denseam.KernelDensity(kernel=kernel, bandwidth=3.0).fit(X).score_samples(Q)
    theirs = SkKernelDensity(kernel=kernel, bandwidth=3.0).fit(X).score_samples(Q)
    assert (np.abs(ours - theirs) / np.abs(theirs)).max() < 1e-10
    X32, Q32 = X.astype(np.float32), Q.astype(np.float32)
    ours32 = denseam.KernelDensity(kernel=kernel, bandwidth=3.0).fit(X32).score_samples(Q32)
    theirs32 = SkKernelDensity(kernel=kernel, bandwidth=3.0).fit(X32.astype(np.float64)).score_samples(Q32.astype(np.float64))
    assert (np.abs(ours32 - theirs32) / np.abs(theirs32)).max() < 1e-10


def test_mean_shift_is_identical_for_any_thread_count():
    rng = np.random.default_rng(21)
    X = mixture(rng, 1500, 5, 5, 5.0)
    a = denseam.MeanShift(bandwidth=2.5, n_jobs=1).fit(X)
    b = denseam.MeanShift(bandwidth=2.5, n_jobs=2).fit(X)
    c = denseam.MeanShift(bandwidth=2.5, n_jobs=2).fit(X)
    for other in (b, c):
        assert np.array_equal(a.cluster_centers_, other.cluster_centers_)
        assert np.array_equal(a.labels_, other.labels_)
        assert a.n_iter_ == other.n_iter_
    # each centre is an exact flat-kernel fixed point: the mean of its closed ball is the centre itself
    for centre in a.cluster_centers_:
        inside = ((X - centre) ** 2).sum(1) <= 2.5 ** 2
        assert np.abs(X[inside].mean(0) - centre).max() < 1e-12


def test_kernel_density_is_identical_for_any_thread_count():
    rng = np.random.default_rng(22)
    X = rng.normal(size=(700, 9))
    Q = rng.normal(size=(333, 9))
    for kernel in ["epanechnikov", "gaussian", "tophat"]:
        one = denseam.KernelDensity(kernel=kernel, bandwidth=3.0, n_jobs=1).fit(X).score_samples(Q)
        two = denseam.KernelDensity(kernel=kernel, bandwidth=3.0, n_jobs=2).fit(X).score_samples(Q)
        assert np.array_equal(one, two)
