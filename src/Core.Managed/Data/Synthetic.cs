using DenseAm.Randomness;

namespace DenseAm.Data;

/// <summary>An isotropic Gaussian mixture with equal weights: the "true density" of LOGL0 (SPEC §7).</summary>
/// <param name="Means">One row per component mean.</param>
/// <param name="Sigma">The common standard deviation σ of every coordinate.</param>
public sealed record GaussianMixture(Matrix Means, double Sigma)
{
    /// <summary>Number of components k.</summary>
    public int Components => Means.Rows;

    /// <summary>Dimension d.</summary>
    public int Dimension => Means.Columns;

    /// <summary>log p(x) = log( (1/k) Σ_j N(x; m_j, σ²I) ), by a stable log-sum-exp.</summary>
    public double LogDensity(ReadOnlySpan<double> x)
    {
        int d = Dimension;
        double logNorm = -0.5 * d * Math.Log(2 * Math.PI * Sigma * Sigma) - Math.Log(Components);
        double max = double.NegativeInfinity;
        Span<double> terms = Components <= 256 ? stackalloc double[Components] : new double[Components];
        for (int j = 0; j < Components; j++)
        {
            double d2 = Distances.SquaredDistance.Reference(x, Means.Row(j));
            terms[j] = -d2 / (2 * Sigma * Sigma);
            if (terms[j] > max) max = terms[j];
        }
        double s = 0;
        for (int j = 0; j < Components; j++) s += Math.Exp(terms[j] - max);
        return logNorm + max + Math.Log(s);
    }

    /// <summary>Draws <paramref name="count"/> points: a component uniformly, then its mean plus σ·N(0, I).</summary>
    public Matrix Sample(SeededRandom rng, int count)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var m = new Matrix(count, Dimension);
        for (int i = 0; i < count; i++)
        {
            var mean = Means.Row(rng.NextInt(Components));
            var row = m.Row(i);
            for (int c = 0; c < row.Length; c++) row[c] = mean[c] + Sigma * rng.NextGaussian();
        }
        return m;
    }
}

/// <summary>Synthetic data sets (SPEC §8): uniform on [0,1]^d, Gaussian mixtures, grids, the ±1 hypercube.</summary>
public static class Synthetic
{
    /// <summary><paramref name="count"/> points uniform on the unit cube [0,1]^d.</summary>
    public static Matrix UniformCube(SeededRandom rng, int count, int dimension)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Guard.PositiveInt(dimension);
        var m = new Matrix(count, dimension);
        for (int i = 0; i < m.Data.Length; i++) m.Data[i] = rng.NextDouble();
        return m;
    }

    /// <summary>A mixture of <paramref name="components"/> Gaussians with σ and means uniform in [0,1]^d (LOGL0's truth).</summary>
    public static GaussianMixture Mixture(SeededRandom rng, int components, int dimension, double sigma)
    {
        Guard.PositiveInt(components);
        Guard.Positive(sigma);
        return new GaussianMixture(UniformCube(rng, components, dimension), sigma);
    }

    /// <summary>The regular grid with <paramref name="perAxis"/> points per axis on [0,1]^d (perAxis^d rows).</summary>
    public static Matrix Grid(int perAxis, int dimension)
    {
        Guard.PositiveInt(perAxis);
        Guard.PositiveInt(dimension);
        long total = (long)Math.Pow(perAxis, dimension);
        if (total > 50_000_000) throw new ArgumentException($"a grid of {perAxis}^{dimension} points is too large.", nameof(perAxis));
        var m = new Matrix((int)total, dimension);
        for (int i = 0; i < total; i++)
        {
            long rest = i;
            for (int c = 0; c < dimension; c++)
            {
                m[i, c] = perAxis == 1 ? 0.5 : (rest % perAxis) / (double)(perAxis - 1);
                rest /= perAxis;
            }
        }
        return m;
    }

    /// <summary>The 2^d corners of the hypercube {−1, +1}^d (d ≤ 24).</summary>
    public static Matrix Hypercube(int dimension)
    {
        if (dimension is < 1 or > 24) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, $"dimension must lie in [1, 24]; got {dimension}.");
        int n = 1 << dimension;
        var m = new Matrix(n, dimension);
        for (int i = 0; i < n; i++)
            for (int c = 0; c < dimension; c++)
                m[i, c] = ((i >> c) & 1) == 0 ? -1 : 1;
        return m;
    }

    /// <summary>
    /// Thin-shell starts around each pattern (LOGL0): for each ξ_μ, <paramref name="perPattern"/> points
    /// ξ_μ + ρ·u with u uniform on the sphere and ρ ~ U[lo·r, hi·r]. Row μ·perPattern + i is start i of ξ_μ.
    /// </summary>
    public static Matrix ShellStarts(SeededRandom rng, StoredPatterns patterns, int perPattern, double radius, double lo = 0.98, double hi = 0.9999)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentNullException.ThrowIfNull(patterns);
        Guard.PositiveInt(perPattern);
        Guard.Positive(radius);
        int d = patterns.Dimension;
        var m = new Matrix(patterns.Count * perPattern, d);
        var u = new double[d];
        for (int mu = 0; mu < patterns.Count; mu++)
        {
            var xi = patterns[mu];
            for (int i = 0; i < perPattern; i++)
            {
                rng.UnitVector(u);
                double rho = radius * rng.Uniform(lo, hi);
                var row = m.Row(mu * perPattern + i);
                for (int c = 0; c < d; c++) row[c] = xi[c] + rho * u[c];
            }
        }
        return m;
    }
}
