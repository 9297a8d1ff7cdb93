namespace DenseAm.Enumeration;

/// <summary>
/// The enumeration module's own seeded generator: xoshiro256** (Blackman and Vigna, public-domain
/// algorithm) with its state filled from SplitMix64. Written here so results depend only on the seed,
/// never on System.Random's unspecified algorithm. <see cref="ForStream"/> derives independent streams
/// from (seed, stream index), which is how parallel work stays identical for any thread count.
/// </summary>
internal sealed class SeededRandom
{
    private ulong _s0, _s1, _s2, _s3;

    public SeededRandom(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
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

    public static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

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

    /// <summary>Uniform on [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    private static ulong RotL(ulong x, int k) => (x << k) | (x >> (64 - k));

    /// <summary>An M×d matrix of independent uniform [0,1) coordinates, row by row.</summary>
    public static Matrix UniformCube(int rows, int dimension, ulong seed)
    {
        var rng = new SeededRandom(seed);
        var m = new Matrix(rows, dimension);
        for (int i = 0; i < m.Data.Length; i++) m.Data[i] = rng.NextDouble();
        return m;
    }
}
