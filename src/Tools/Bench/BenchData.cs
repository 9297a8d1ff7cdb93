namespace DenseAm.Bench;

/// <summary>
/// The benchmark workloads' data, bit-for-bit reproducible in any language with IEEE doubles: SplitMix64
/// draws (the i-th draw of seed s is mix(s + (i + 1)·0x9E3779B97F4A7C15)), uniforms (draw ≫ 11)·2⁻⁵³, and
/// Gaussian-mixture points built with additions and multiplications only (Irwin–Hall: the sum of four
/// uniforms, centred and scaled to unit variance), so bench/python/peers.py generates identical arrays.
/// </summary>
public static class BenchData
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    /// <summary>The i-th SplitMix64 output for <paramref name="seed"/>.</summary>
    public static ulong Draw(ulong seed, ulong i)
    {
        ulong z = unchecked(seed + (i + 1) * Golden);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    /// <summary>n uniforms in [lo, hi): lo + (hi − lo)·u with u = (draw ≫ 11)·2⁻⁵³.</summary>
    public static double[] Uniform(int n, ulong seed, double lo, double hi)
    {
        var r = new double[n];
        for (int i = 0; i < n; i++) r[i] = lo + (hi - lo) * ((Draw(seed, (ulong)i) >> 11) * (1.0 / (1UL << 53)));
        return r;
    }

    /// <summary>
    /// n points in d dimensions from k centres drawn uniformly in [−box, box]^d (seed <paramref name="centreSeed"/>);
    /// point i belongs to centre i mod k and adds σ·√3·(u₁ + u₂ + u₃ + u₄ − 2) per coordinate (seed
    /// <paramref name="seed"/>), unit-variance noise scaled by σ. Queries use the patterns' centre seed.
    /// </summary>
    public static double[] Mixture(int n, int d, int k, double box, double sigma, ulong seed, ulong centreSeed)
    {
        var centres = Uniform(k * d, centreSeed, -box, box);
        var u = Uniform(4 * n * d, seed, 0, 1);
        var r = new double[n * d];
        double s = sigma * Math.Sqrt(3.0);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
            {
                int b = 4 * (i * d + j);
                r[i * d + j] = centres[(i % k) * d + j] + s * (u[b] + u[b + 1] + u[b + 2] + u[b + 3] - 2);
            }
        return r;
    }

    /// <summary>Float32 copy (round to nearest).</summary>
    public static float[] ToSingle(double[] v)
    {
        var r = new float[v.Length];
        for (int i = 0; i < v.Length; i++) r[i] = (float)v[i];
        return r;
    }
}
