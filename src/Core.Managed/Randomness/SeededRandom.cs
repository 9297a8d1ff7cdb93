using System.Text;

namespace DenseAm.Randomness;

/// <summary>
/// The toolkit's own pseudo-random generator: xoshiro256** seeded through SplitMix64. Its algorithm is fixed
/// and documented, so a seed gives the same stream on every machine and .NET version (System.Random's is not
/// specified). Streams for jobs are derived from (experiment, configuration, seed) by <see cref="Derive"/>, so a
/// job's draws do not depend on which thread runs it or in what order jobs run.
/// </summary>
public sealed class SeededRandom
{
    private ulong _s0, _s1, _s2, _s3;
    private double? _spareGaussian;

    /// <summary>Creates a generator from a 64-bit seed (expanded by SplitMix64 into the 256-bit state).</summary>
    public SeededRandom(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    /// <summary>
    /// A generator for one job: the 64-bit FNV-1a hash of "experiment/configuration/seed" (UTF-8) seeds it.
    /// </summary>
    public static SeededRandom Derive(string experiment, string configuration, long seed)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(configuration);
        ulong h = 14695981039346656037UL;
        foreach (byte b in Encoding.UTF8.GetBytes($"{experiment}/{configuration}/{seed}"))
        {
            h ^= b;
            h *= 1099511628211UL;
        }
        return new SeededRandom(h);
    }

    /// <summary>A generator for stream <paramref name="stream"/> of <paramref name="seed"/> (e.g. one block of Monte Carlo points).</summary>
    public static SeededRandom ForStream(ulong seed, ulong stream)
    {
        ulong x = seed ^ 0x9E3779B97F4A7C15UL;
        ulong a = SplitMix(ref x);
        ulong y = stream + 0xD1B54A32D192ED03UL;
        ulong b = SplitMix(ref y);
        return new SeededRandom(a ^ (b * 0xBF58476D1CE4E5B9UL));
    }

    /// <summary>An M×d matrix of independent uniform [0,1) coordinates, row by row, from <paramref name="seed"/>.</summary>
    public static Matrix UniformCube(int rows, int dimension, ulong seed)
    {
        var rng = new SeededRandom(seed);
        var m = new Matrix(rows, dimension);
        for (int i = 0; i < m.Data.Length; i++) m.Data[i] = rng.NextDouble();
        return m;
    }

    /// <summary>The next 64 random bits (xoshiro256**).</summary>
    public ulong NextUInt64()
    {
        ulong result = RotL(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotL(_s3, 45);
        return result;
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform double in [lo, hi).</summary>
    public double Uniform(double lo, double hi) => lo + (hi - lo) * NextDouble();

    /// <summary>A uniform integer in [0, n) without modulo bias (Lemire's multiply-and-reject).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, $"n must be > 0; got {n}.");
        ulong range = (ulong)n;
        while (true)
        {
            ulong x = NextUInt64();
            UInt128 m = (UInt128)x * range;
            ulong low = (ulong)m;
            if (low >= range || low >= (0UL - range) % range)
                return (int)(m >> 64);
        }
    }

    /// <summary>A standard normal deviate (Marsaglia's polar method; the second value of each pair is kept).</summary>
    public double NextGaussian()
    {
        if (_spareGaussian is { } spare)
        {
            _spareGaussian = null;
            return spare;
        }
        double u, v, s;
        do
        {
            u = 2 * NextDouble() - 1;
            v = 2 * NextDouble() - 1;
            s = u * u + v * v;
        }
        while (s >= 1 || s == 0);
        double f = Math.Sqrt(-2 * Math.Log(s) / s);
        _spareGaussian = v * f;
        return u * f;
    }

    /// <summary>A direction uniform on the unit sphere S^{d−1}: normalised standard normals (not a cube's corners).</summary>
    public void UnitVector(Span<double> direction)
    {
        double norm2;
        do
        {
            norm2 = 0;
            for (int i = 0; i < direction.Length; i++)
            {
                double g = NextGaussian();
                direction[i] = g;
                norm2 += g * g;
            }
        }
        while (norm2 == 0);
        double inv = 1 / Math.Sqrt(norm2);
        for (int i = 0; i < direction.Length; i++) direction[i] *= inv;
    }

    /// <summary>A point uniform in the ball of radius <paramref name="radius"/> about the origin: direction × radius·U^{1/d}.</summary>
    public void InBall(Span<double> point, double radius)
    {
        Guard.NonNegative(radius);
        UnitVector(point);
        double r = radius * Math.Pow(NextDouble(), 1.0 / point.Length);
        for (int i = 0; i < point.Length; i++) point[i] *= r;
    }

    /// <summary><paramref name="k"/> distinct indices from [0, n), uniformly (partial Fisher–Yates), in draw order.</summary>
    public int[] Choose(int n, int k)
    {
        if (k < 0 || k > n) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must lie in [0, n = {n}]; got {k}.");
        var idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        for (int i = 0; i < k; i++)
        {
            int j = i + NextInt(n - i);
            (idx[i], idx[j]) = (idx[j], idx[i]);
        }
        return idx[..k];
    }

    private static ulong RotL(ulong x, int k) => (x << k) | (x >> (64 - k));

    /// <summary>One SplitMix64 step: advances <paramref name="x"/> and returns a well-mixed 64-bit value.</summary>
    public static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
