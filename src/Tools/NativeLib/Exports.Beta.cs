using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DenseAm.Selection;

namespace DenseAm.Interop;

/// <summary>The C layout of <c>dam_neighbour_beta</c>: Algorithm 2's result.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct DamNeighbourBeta
{
    /// <summary>β* = 2/r².</summary>
    public double Beta;

    /// <summary>The support radius r the bisection ended on.</summary>
    public double Radius;

    /// <summary>r_min, the smallest distance between two stored patterns.</summary>
    public double MinPairwiseDistance;

    /// <summary>K' at r, the average number of interacting supports.</summary>
    public double AverageNeighbours;

    /// <summary>Bisection steps taken.</summary>
    public int Iterations;

    /// <summary>Padding; 0.</summary>
    public int Reserved;
}

public static unsafe partial class Exports
{
    private static StoredPatterns Patterns(void* patterns, int dtype, long m, long d) =>
        new(Inputs.Read(patterns, dtype, m, d, "patterns", "m", "d"));

    /// <summary>dam_patterns_min_distance: r_min = min over pairs μ ≠ ν of ‖ξ_μ − ξ_ν‖ (float64 reference distances).</summary>
    [UnmanagedCallersOnly(EntryPoint = "dam_patterns_min_distance", CallConvs = [typeof(CallConvCdecl)])]
    public static int PatternsMinDistance(void* patterns, int dtype, long m, long d, double* rMin)
    {
        try
        {
            Inputs.NotNull(rMin, "r_min");
            *rMin = BetaSearch.MinPairwiseDistance(Patterns(patterns, dtype, m, d));
            return 0;
        }
        catch (Exception e) { return LastError.Fail(e, "dam_patterns_min_distance"); }
    }

    /// <summary>dam_beta_for_basin: Theorem 1's β = 2/(r_min − Δ)², for 0 &lt; Δ &lt; r_min.</summary>
    [UnmanagedCallersOnly(EntryPoint = "dam_beta_for_basin", CallConvs = [typeof(CallConvCdecl)])]
    public static int BetaForBasin(void* patterns, int dtype, long m, long d, double delta, double* beta)
    {
        try
        {
            Inputs.NotNull(beta, "beta");
            Inputs.Finite(delta, "delta");
            *beta = BetaSearch.ForBasin(Patterns(patterns, dtype, m, d), delta);
            return 0;
        }
        catch (Exception e) { return LastError.Fail(e, "dam_beta_for_basin"); }
    }

    /// <summary>
    /// dam_beta_for_neighbours: Algorithm 2, bisection on r until the average number of interacting supports equals
    /// target (count_self ≠ 0 counts each pattern itself); max_iterations ≤ 0 means the default 64.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "dam_beta_for_neighbours", CallConvs = [typeof(CallConvCdecl)])]
    public static int BetaForNeighbours(void* patterns, int dtype, long m, long d, double target, int countSelf, int maxIterations, DamNeighbourBeta* result)
    {
        try
        {
            Inputs.NotNull(result, "result");
            var r = BetaSearch.ForNeighbours(Patterns(patterns, dtype, m, d), target, countSelf != 0, maxIterations <= 0 ? 64 : maxIterations);
            *result = new DamNeighbourBeta
            {
                Beta = r.Beta,
                Radius = r.Radius,
                MinPairwiseDistance = r.MinPairwiseDistance,
                AverageNeighbours = r.AverageNeighbours,
                Iterations = r.Iterations,
            };
            return 0;
        }
        catch (Exception e) { return LastError.Fail(e, "dam_beta_for_neighbours"); }
    }

    /// <summary>
    /// dam_beta_grid: steps β values ascending from 2/d to β_max (upper 0: the authors' 8/r_min², 1: the paper's
    /// text 2/r_min²), spacing 0 linear or 1 geometric, into betas[steps].
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "dam_beta_grid", CallConvs = [typeof(CallConvCdecl)])]
    public static int BetaGrid(void* patterns, int dtype, long m, long d, int spacing, int upper, int steps, double* betas)
    {
        try
        {
            var sp = spacing switch
            {
                0 => GridSpacing.Linear,
                1 => GridSpacing.Geometric,
                _ => throw new DamException(DamStatus.InvalidArgument, $"spacing must be 0 (linear) or 1 (geometric); got {spacing}."),
            };
            var up = upper switch
            {
                0 => BetaUpperBound.Authors,
                1 => BetaUpperBound.PaperText,
                _ => throw new DamException(DamStatus.InvalidArgument, $"upper must be 0 (authors, 8/r_min²) or 1 (paper text, 2/r_min²); got {upper}."),
            };
            if (steps < 2) throw new DamException(DamStatus.InvalidArgument, $"steps must be >= 2; got {steps}.");
            var outB = Inputs.Output<double>(betas, steps, "betas");
            BetaSearch.Grid(Patterns(patterns, dtype, m, d), sp, steps, up).CopyTo(outB);
            return 0;
        }
        catch (Exception e) { return LastError.Fail(e, "dam_beta_grid"); }
    }
}
