using DenseAm.Randomness;
using DenseAm.Distances;

namespace DenseAm.Enumeration;

/// <summary>Settings of an <see cref="EmergenceReport"/>.</summary>
public sealed record EmergenceOptions
{
    /// <summary>
    /// ε_novel of Def. 2: a novel memory counts towards global emergence when it is at least this far from every stored
    /// pattern. Default 0.1, the novelty distance of the authors' LOGL0 evaluation (SPEC §7).
    /// </summary>
    public double NovelDistance { get; init; } = 0.1;

    /// <summary>Uniform points of [0,1]^d for the supported-fraction estimate; 0 skips it. Default 10^6.</summary>
    public int MonteCarloPoints { get; init; } = 1_000_000;

    /// <summary>Seed of the Monte Carlo points (the enumeration module's xoshiro256**, one stream per block of 4096 points).</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Enumeration budgets and threads (collect mode is used: the report needs the memories).</summary>
    public MemoryEnumerationOptions Enumeration { get; init; } = new();

    internal void Validate()
    {
        Guard.NonNegative(NovelDistance);
        if (MonteCarloPoints < 0)
            throw new ArgumentOutOfRangeException(nameof(MonteCarloPoints), MonteCarloPoints, $"MonteCarloPoints must be >= 0; got {MonteCarloPoints}.");
        ArgumentNullException.ThrowIfNull(Enumeration);
    }
}

/// <summary>
/// Emergence analysis of the LSR memories at one β (SPEC §2, §6): which stored patterns are preserved, how many novel
/// memories emerge, Def. 2 (global) and Def. 3 (local, strong) emergence, the supported fraction of [0,1]^d, and the
/// Thm 2 / Prop. 3 counts beside the measured count.
/// </summary>
public sealed class EmergenceReport
{
    private const int BlockSize = 4096;

    private EmergenceReport() { }

    /// <summary>The exact enumeration the report is built on (memories in search order).</summary>
    public required EnumerationResult Enumeration { get; init; }

    /// <summary>Per stored pattern μ: is S = {μ} a memory?</summary>
    public required IReadOnlyList<bool> Preserved { get; init; }

    /// <summary>Stored patterns preserved.</summary>
    public int StoredPreserved => Preserved.Count(p => p);

    /// <summary>Fraction of the M stored patterns preserved.</summary>
    public double FractionPreserved => StoredPreserved / (double)Preserved.Count;

    /// <summary>Novel memories (|S| &gt; 1).</summary>
    public long Novel => Enumeration.NovelCount;

    /// <summary>ε_novel used for <see cref="GlobalEmergence"/>.</summary>
    public required double NovelDistance { get; init; }

    /// <summary>Indices (into <see cref="EnumerationResult.Memories"/>) of novel memories at least ε_novel from every stored pattern.</summary>
    public required IReadOnlyList<int> FarNovel { get; init; }

    /// <summary>Def. 2: every stored pattern is preserved and at least one novel memory is ε_novel away from all of them.</summary>
    public bool GlobalEmergence => StoredPreserved == Preserved.Count && FarNovel.Count > 0;

    /// <summary>Def. 3: indices of novel memories with at least one preserved member (locally emergent).</summary>
    public required IReadOnlyList<int> LocallyEmergent { get; init; }

    /// <summary>Def. 3: indices of novel memories all of whose members are preserved (strongly emergent).</summary>
    public required IReadOnlyList<int> StronglyEmergent { get; init; }

    /// <summary>Monte Carlo estimate of the fraction of [0,1]^d where some pattern is within r (B(x) ≠ ∅); NaN when skipped.</summary>
    public required double SupportedFraction { get; init; }

    /// <summary>Standard error of <see cref="SupportedFraction"/>: √(f(1 − f)/N).</summary>
    public required double SupportedFractionStandardError { get; init; }

    /// <summary>Monte Carlo points used.</summary>
    public required int MonteCarloPoints { get; init; }

    /// <summary>λ = M·V_d·(2/β)^{d/2} of Thm 2 (V_d the unit d-ball volume), as its natural logarithm.</summary>
    public required double LogLambda { get; init; }

    /// <summary>
    /// Thm 2, eq. (5): the number of ε-globally emergent memories is O(exp(λ·log(e·M/λ))) with high probability (V = 1 for
    /// the unit cube); reported as the natural logarithm λ·log(e·M/λ) of the order, without its unknown constant, to set
    /// beside the measured count. Meaningful for λ ≤ M; for larger λ the expression is reported as computed.
    /// </summary>
    public required double LogTheorem2Bound { get; init; }

    /// <summary>
    /// Prop. 3 (grid design) order of the count, (M^{1/d} − λ'^{1/d} + 1)^d with λ' = M·(8/β)^{d/2}, as a natural
    /// logarithm without the Θ constant; NaN when the base is not positive (supports wider than the grid spacing).
    /// </summary>
    public required double LogProposition3 { get; init; }

    /// <summary>Builds the report for <paramref name="patterns"/> at <paramref name="beta"/>.</summary>
    public static EmergenceReport Compute(StoredPatterns patterns, double beta, EmergenceOptions? options = null)
    {
        options ??= new EmergenceOptions();
        options.Validate();
        var e = new MemoryEnumerator(patterns, beta);
        var result = e.Collect(options.Enumeration);
        return FromEnumeration(e, result, options);
    }

    /// <summary>Builds the report from an enumeration already run in collect mode by <paramref name="enumerator"/>.</summary>
    public static EmergenceReport FromEnumeration(MemoryEnumerator enumerator, EnumerationResult result, EmergenceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(enumerator);
        ArgumentNullException.ThrowIfNull(result);
        options ??= new EmergenceOptions();
        options.Validate();
        var patterns = enumerator.Patterns;
        int m = patterns.Count, d = patterns.Dimension;
        if (result.Count != result.Memories.Count)
            throw new ArgumentException("result must come from Collect (it holds no memory list).", nameof(result));
        var preserved = new bool[m];
        foreach (var mem in result.Memories) if (mem.IsStored) preserved[mem.Members[0]] = true;
        var far = new List<int>();
        var local = new List<int>();
        var strong = new List<int>();
        double eps2 = options.NovelDistance * options.NovelDistance;
        for (int i = 0; i < result.Memories.Count; i++)
        {
            var mem = result.Memories[i];
            if (!mem.IsNovel) continue;
            int kept = mem.Members.Count(mu => preserved[mu]);
            if (kept > 0) local.Add(i);
            if (kept == mem.Members.Length) strong.Add(i);
            bool isFar = true;
            for (int mu = 0; mu < m && isFar; mu++)
                isFar = SquaredDistance.Reference(mem.Point!, patterns[mu]) >= eps2;
            if (isFar) far.Add(i);
        }
        var (fraction, se) = SupportedFractionOfCube(enumerator.Patterns, enumerator.RadiusSquared, options.MonteCarloPoints, options.Seed,
            options.Enumeration.MaxThreads);
        var bounds = TheoryBounds.Compute(m, d, enumerator.Beta);
        return new EmergenceReport
        {
            Enumeration = result,
            Preserved = preserved,
            NovelDistance = options.NovelDistance,
            FarNovel = far,
            LocallyEmergent = local,
            StronglyEmergent = strong,
            SupportedFraction = fraction,
            SupportedFractionStandardError = se,
            MonteCarloPoints = options.MonteCarloPoints,
            LogLambda = bounds.LogLambda,
            LogTheorem2Bound = bounds.LogTheorem2,
            LogProposition3 = bounds.LogProposition3,
        };
    }

    /// <summary>log V_d = (d/2)·log π − log Γ(d/2 + 1), with Γ at integers and half-integers evaluated exactly as a product.</summary>
    public static double LogUnitBallVolume(int dimension)
    {
        Guard.PositiveInt(dimension);
        // Γ(d/2 + 1): for even d, (d/2)!; for odd d, √π·Π_{j=0}^{(d−1)/2} (j + 1/2).
        double logGamma = 0;
        if (dimension % 2 == 0)
        {
            for (int j = 2; j <= dimension / 2; j++) logGamma += Math.Log(j);
        }
        else
        {
            logGamma = 0.5 * Math.Log(Math.PI);
            for (int j = 0; j <= (dimension - 1) / 2; j++) logGamma += Math.Log(j + 0.5);
        }
        return 0.5 * dimension * Math.Log(Math.PI) - logGamma;
    }

    /// <summary>
    /// The fraction of uniform points of [0,1]^d that lie strictly within r of some stored pattern, by Monte Carlo:
    /// block b of 4096 points comes from stream (seed, b), so the estimate is identical for any thread count.
    /// </summary>
    public static (double Fraction, double StandardError) SupportedFractionOfCube(StoredPatterns patterns, double radiusSquared, int points,
        ulong seed, int maxThreads = -1)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        Guard.Positive(radiusSquared);
        if (points < 0) throw new ArgumentOutOfRangeException(nameof(points), points, $"points must be >= 0; got {points}.");
        if (points == 0) return (double.NaN, double.NaN);
        int d = patterns.Dimension, m = patterns.Count;
        int blocks = (points + BlockSize - 1) / BlockSize;
        var hits = new long[blocks];
        var data = patterns.ToMatrix().Data;
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = maxThreads <= 0 ? Environment.ProcessorCount : maxThreads }, b =>
        {
            var rng = SeededRandom.ForStream(seed, (ulong)b);
            var x = new double[d];
            int count = Math.Min(BlockSize, points - b * BlockSize);
            long h = 0;
            for (int i = 0; i < count; i++)
            {
                for (int j = 0; j < d; j++) x[j] = rng.NextDouble();
                for (int mu = 0; mu < m; mu++)
                {
                    if (SquaredDistance.IsWithin(x, data.AsSpan(mu * d, d), radiusSquared, out _)) { h++; break; }
                }
            }
            hits[b] = h;
        });
        double f = hits.Sum() / (double)points;
        return (f, Math.Sqrt(f * (1 - f) / points));
    }
}
