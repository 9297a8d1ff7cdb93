using DenseAm.Distances;

namespace DenseAm.Selection;

/// <summary>Upper end of a β grid (SPEC §4).</summary>
public enum BetaUpperBound
{
    /// <summary>β_max = 8/r_min² = 2/(r_min/2)², the authors' code (the default).</summary>
    Authors,

    /// <summary>β_max = 2/r_min², the paper's text; the closest pair still forms a novel memory there.</summary>
    PaperText,
}

/// <summary>Spacing of a β grid.</summary>
public enum GridSpacing
{
    /// <summary>Evenly spaced β (LMIN0 uses 50 steps).</summary>
    Linear,

    /// <summary>Geometrically spaced β (LOGL0 uses 20 steps).</summary>
    Geometric,
}

/// <summary>The result of Algorithm 2.</summary>
/// <param name="Beta">β* = 2/r².</param>
/// <param name="Radius">The support radius r the search ended on.</param>
/// <param name="MinPairwiseDistance">r_min, the smallest distance between two stored patterns.</param>
/// <param name="AverageNeighbours">K' at r: mean over μ of #{ν : D_μν &lt; 2r} (ν = μ counted only with <paramref name="CountSelf"/>).</param>
/// <param name="Target">The requested K.</param>
/// <param name="Iterations">Bisection steps taken.</param>
/// <param name="CountSelf">Whether each pattern counted itself.</param>
public sealed record NeighbourBeta(double Beta, double Radius, double MinPairwiseDistance, double AverageNeighbours, double Target, int Iterations, bool CountSelf);

/// <summary>
/// Choosing the inverse temperature β (SPEC §4): Theorem 1's β for a basin radius, the paper's
/// Algorithm 2 (bisection on r for a target number of interacting supports), and the β grids of the
/// LMIN0/LOGL0 experiments.
/// </summary>
public static class BetaSearch
{
    /// <summary>
    /// r_min = min_{μ≠ν} ‖ξ_μ − ξ_ν‖ (float64 reference distances).
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than two patterns, or two identical patterns (named by row).</exception>
    public static double MinPairwiseDistance(StoredPatterns patterns)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        RequirePairs(patterns);
        double best = double.PositiveInfinity;
        int bi = -1, bj = -1;
        for (int i = 0; i < patterns.Count; i++)
            for (int j = i + 1; j < patterns.Count; j++)
            {
                double d2 = SquaredDistance.Reference(patterns[i], patterns[j]);
                if (d2 < best) { best = d2; bi = i; bj = j; }
            }
        if (best == 0)
            throw new ArgumentException($"patterns has duplicate rows {bi} and {bj}: r_min = 0, so no finite β separates them.", nameof(patterns));
        return Math.Sqrt(best);
    }

    /// <summary>
    /// Theorem 1: β = 2/(r_min − Δ)², so that every x with ‖x − ξ_μ‖ ≤ Δ is retrieved in one step.
    /// The guarantee needs Δ &lt; r_min/2 (the paper states Δ ∈ (0, r_min)): the support radius is r = r_min − Δ,
    /// and for Δ ≥ r_min/2 points at distance in [r, Δ] from ξ_μ lie outside its support, e.g. the midpoint of
    /// the closest pair lies in no support at all. Larger Δ is therefore refused.
    /// </summary>
    /// <exception cref="ArgumentException">Δ is not in (0, r_min/2).</exception>
    public static double ForBasin(StoredPatterns patterns, double delta)
    {
        double rMin = MinPairwiseDistance(patterns);
        if (!(delta > 0 && delta < rMin / 2))
            throw new ArgumentOutOfRangeException(nameof(delta), delta,
                $"delta must lie in (0, r_min/2) = (0, {Guard.Fmt(rMin / 2)}) for Theorem 1's one-step retrieval (r = r_min − Δ must exceed Δ); got {Guard.Fmt(delta)}.");
        double gap = rMin - delta;
        return 2.0 / (gap * gap);
    }

    /// <summary>
    /// Algorithm 2: bisection on r ∈ (r_min/2, 4·max D) until the average number of interacting supports
    /// K' = mean_μ #{ν : D_μν &lt; 2r} equals <paramref name="target"/> or <paramref name="maxIterations"/> is reached;
    /// β* = 2/r². By default a pattern does not count itself (the paper's text speaks of "other" patterns;
    /// its pseudocode's diagonal counts it: pass <paramref name="countSelf"/> = true for that).
    /// </summary>
    public static NeighbourBeta ForNeighbours(StoredPatterns patterns, double target, bool countSelf = false, int maxIterations = 64)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        Guard.PositiveInt(maxIterations);
        if (!(target > 0) || double.IsInfinity(target))
            throw new ArgumentOutOfRangeException(nameof(target), target, $"target (K) must be a finite number > 0; got {Guard.Fmt(target)}.");
        int m = patterns.Count;
        double maxK = countSelf ? m : m - 1;
        if (target > maxK)
            throw new ArgumentOutOfRangeException(nameof(target), target,
                $"target (K) = {Guard.Fmt(target)} exceeds the most interactions possible with M = {m} patterns ({Guard.Fmt(maxK)}{(countSelf ? ", counting self" : "")}).");
        double rMin = MinPairwiseDistance(patterns);
        var pairs = SortedPairDistances(patterns);
        double lo = 0.5 * rMin, hi = 4 * pairs[^1];
        double r = 0.5 * (lo + hi), k = 0;
        int it = 0;
        while (true)
        {
            k = AverageNeighbours(pairs, m, r, countSelf);
            it++;
            if (k == target || it >= maxIterations) break;
            if (k < target) lo = r; else hi = r;
            r = 0.5 * (lo + hi);
        }
        return new NeighbourBeta(2.0 / (r * r), r, rMin, k, target, it, countSelf);
    }

    /// <summary>K'(r) = mean_μ #{ν : ‖ξ_μ − ξ_ν‖ &lt; 2r}, counting ν = μ only when <paramref name="countSelf"/>.</summary>
    public static double AverageNeighbours(StoredPatterns patterns, double radius, bool countSelf = false)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        Guard.Positive(radius);
        RequirePairs(patterns);
        return AverageNeighbours(SortedPairDistances(patterns), patterns.Count, radius, countSelf);
    }

    /// <summary>
    /// A β grid from β_min = 2/d to β_max (<see cref="BetaUpperBound"/>), <paramref name="steps"/> values, ascending.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than 2 steps, or β_max ≤ β_min for these patterns.</exception>
    public static double[] Grid(StoredPatterns patterns, GridSpacing spacing, int steps, BetaUpperBound upper = BetaUpperBound.Authors)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        if (steps < 2)
            throw new ArgumentOutOfRangeException(nameof(steps), steps, $"steps must be >= 2; got {steps}.");
        double rMin = MinPairwiseDistance(patterns);
        double lo = 2.0 / patterns.Dimension;
        double hi = (upper == BetaUpperBound.Authors ? 8.0 : 2.0) / (rMin * rMin);
        if (!(hi > lo) || double.IsInfinity(hi))
            throw new ArgumentException(
                $"patterns give beta_max = {Guard.Fmt(hi)} (r_min = {Guard.Fmt(rMin)}) which is not above beta_min = 2/d = {Guard.Fmt(lo)}; no grid exists.",
                nameof(patterns));
        var grid = new double[steps];
        for (int i = 0; i < steps; i++)
        {
            double t = i / (double)(steps - 1);
            grid[i] = spacing == GridSpacing.Linear ? lo + t * (hi - lo) : lo * Math.Pow(hi / lo, t);
        }
        grid[0] = lo;
        grid[^1] = hi;
        return grid;
    }

    private static double AverageNeighbours(double[] sortedPairs, int m, double r, bool countSelf)
    {
        // Pairs with D < 2r: lower bound of 2r in the sorted list; each pair counts for both of its patterns.
        double twoR = 2 * r;
        int lo = 0, hi = sortedPairs.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sortedPairs[mid] < twoR) lo = mid + 1; else hi = mid;
        }
        return (2.0 * lo + (countSelf ? m : 0)) / m;
    }

    private static double[] SortedPairDistances(StoredPatterns patterns)
    {
        int m = patterns.Count;
        var d = new double[(long)m * (m - 1) / 2];
        int k = 0;
        for (int i = 0; i < m; i++)
            for (int j = i + 1; j < m; j++)
                d[k++] = Math.Sqrt(SquaredDistance.Reference(patterns[i], patterns[j]));
        Array.Sort(d);
        return d;
    }

    private static void RequirePairs(StoredPatterns patterns)
    {
        if (patterns.Count < 2)
            throw new ArgumentException($"patterns must hold at least 2 stored patterns to have pairwise distances; got M = {patterns.Count}.", nameof(patterns));
    }
}
