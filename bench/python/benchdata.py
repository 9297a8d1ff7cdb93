"""The benchmark data of DenseAm.Bench.BenchData, bit for bit (SplitMix64, uniforms, Irwin-Hall mixture)."""
import numpy as np

GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def draws(n: int, seed: int) -> np.ndarray:
    """The first n SplitMix64 outputs of `seed`: mix(seed + (i + 1) * golden)."""
    with np.errstate(over="ignore"):
        i = np.arange(1, n + 1, dtype=np.uint64)
        z = np.uint64(seed) + i * GOLDEN
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def uniform(n: int, seed: int, lo: float, hi: float) -> np.ndarray:
    u = (draws(n, seed) >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))
    return lo + (hi - lo) * u


def mixture(n: int, d: int, k: int, box: float, sigma: float, seed: int, centre_seed: int) -> np.ndarray:
    centres = uniform(k * d, centre_seed, -box, box).reshape(k, d)
    u = uniform(4 * n * d, seed, 0.0, 1.0).reshape(n, d, 4)
    s = sigma * np.sqrt(3.0)
    noise = ((u[..., 0] + u[..., 1]) + u[..., 2]) + u[..., 3]
    return centres[np.arange(n) % k] + s * (noise - 2)


def default_radius(d: int, m: int) -> float:
    """Same formula as Benchmarks.DefaultRadius (Wilson-Hilferty chi-square quantile)."""
    from scipy.stats import norm
    p = min(0.99, 5.0 * 100 / m)
    z = norm.ppf(p)
    a = 2.0 / (9 * d)
    chi = d * (1 - a + z * np.sqrt(a)) ** 3
    return float(np.sqrt(max(2 * chi, 1e-6)))
