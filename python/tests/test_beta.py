import numpy as np
import pytest

import denseam


def data():
    rng = np.random.default_rng(7)
    return rng.uniform(0, 5, size=(40, 3))


def test_basin_beta_is_theorem_1():
    X = data()
    r = denseam.min_pairwise_distance(X)
    assert denseam.beta_for_basin(X, 0.3 * r) == 2.0 / (r - 0.3 * r) ** 2
    diffs = X[:, None, :] - X[None, :, :]
    d = np.sqrt((diffs ** 2).sum(-1))
    np.fill_diagonal(d, np.inf)
    assert r == pytest.approx(d.min(), rel=1e-14)


def test_neighbour_beta_reaches_its_target():
    X = data()
    beta, info = denseam.beta_for_neighbours(X, 4, return_info=True)
    assert beta == 2.0 / info["radius"] ** 2
    d = np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))
    k = ((d < 2 * info["radius"]).sum(1) - 1).mean()
    assert k == pytest.approx(info["average_neighbours"])
    assert abs(info["average_neighbours"] - 4) <= 0.5
    with_self = denseam.beta_for_neighbours(X, 4, count_self=True)
    assert with_self != beta


def test_grids():
    X = data()
    r = denseam.min_pairwise_distance(X)
    lin = denseam.beta_grid(X, kind="linear", steps=11)
    geo = denseam.beta_grid(X, kind="geometric", steps=11)
    paper = denseam.beta_grid(X, steps=5, upper="paper")
    assert lin[0] == geo[0] == 2.0 / 3
    assert lin[-1] == geo[-1] == 8.0 / (r * r)
    assert paper[-1] == 2.0 / (r * r)
    assert (np.diff(lin) > 0).all() and (np.diff(geo) > 0).all()
    assert np.allclose(np.diff(np.log(geo)), np.log(geo[-1] / geo[0]) / 10)
