using DenseAm.Distances;
using DenseAm.Kernels;
using DenseAm.Retrieval;

namespace DenseAm.Enumeration;

/// <summary>One LSE memory: a cluster of converged descents merged by single linkage.</summary>
/// <param name="Point">The representative: the point reached from the lowest-index stored pattern of the cluster.</param>
/// <param name="Starts">The stored patterns whose descents ended in this cluster (sorted).</param>
public sealed record LseMemory(double[] Point, int[] Starts);

/// <summary>The LSE memories found from the stored patterns.</summary>
/// <param name="Memories">Clusters in increasing order of their lowest start.</param>
/// <param name="Points">The point each stored pattern's descent reached (row μ).</param>
/// <param name="Outcomes">Each descent's outcome (converged, iterations, final ‖∇E‖).</param>
/// <param name="MergeDistance">Two end points closer than this (2/√β) are the same memory.</param>
/// <param name="Tolerance">‖∇E‖ below which a descent counted as converged.</param>
public sealed record LseMemoryResult(IReadOnlyList<LseMemory> Memories, Matrix Points, IReadOnlyList<RetrievalOutcome> Outcomes,
    double MergeDistance, double Tolerance)
{
    /// <summary>Number of distinct LSE memories.</summary>
    public int Count => Memories.Count;

    /// <summary>Descents that hit the iteration cap (their end points are still merged, and counted here).</summary>
    public int NotConverged => Outcomes.Count(o => !o.Converged);
}

/// <summary>
/// LSE memories (SPEC §5, last point): gradient descent on the Gaussian-kernel (LSE) energy from every stored pattern
/// until ‖∇E‖ falls below a tolerance, then end points closer than 2/√β merged by single linkage (union-find over all
/// pairs, so the result does not depend on the order of the patterns or threads).
/// </summary>
public static class LseMemories
{
    /// <summary>
    /// Finds the LSE memories. Default descent: constant step α = 1 (for LSE, x − ∇E(x) is the softmax-weighted mean of
    /// the patterns, the concave–convex step, so the energy decreases monotonically), tolerance 1e-9 on ‖∇E‖,
    /// at most 100 000 steps. Pass <paramref name="options"/> to change them (its Method must be gradient descent).
    /// </summary>
    public static LseMemoryResult Find(StoredPatterns patterns, double beta, RetrievalOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        Guard.Positive(beta);
        options ??= new RetrievalOptions
        {
            Method = RetrievalMethod.GradientDescent,
            Schedule = StepSchedule.Constant(1.0),
            Tolerance = 1e-9,
            MaxIterations = 100_000,
            EarlyStop = true,
        };
        if (options.Method != RetrievalMethod.GradientDescent)
            throw new ArgumentException($"options.Method must be GradientDescent for LSE memories; got {options.Method}.", nameof(options));
        var energy = new Energy(patterns, Kernel.Gaussian, beta);
        var batch = Retriever.Retrieve(energy, patterns.ToMatrix(), options);
        double merge = 2 / Math.Sqrt(beta);
        return new LseMemoryResult(Merge(batch.Points, merge), batch.Points, batch.Outcomes, merge, options.Tolerance);
    }

    /// <summary>Single-linkage clusters of the rows of <paramref name="points"/> with links ‖p_i − p_j‖ &lt; <paramref name="distance"/>.</summary>
    public static IReadOnlyList<LseMemory> Merge(Matrix points, double distance)
    {
        ArgumentNullException.ThrowIfNull(points);
        Guard.Positive(distance);
        var labels = SingleLinkage.Labels(points, distance);
        // One memory per cluster, represented by (and ordered by) its lowest start.
        return Enumerable.Range(0, points.Rows).GroupBy(i => labels[i])
            .Select(g => g.Order().ToArray()).OrderBy(l => l[0])
            .Select(l => new LseMemory(points.Row(l[0]).ToArray(), l)).ToList();
    }
}
