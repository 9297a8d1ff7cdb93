using System.Text.Json.Nodes;
using DenseAm.Data;
using DenseAm.Distances;
using DenseAm.Kernels;
using DenseAm.Randomness;
using DenseAm.Retrieval;
using DenseAm.Selection;

namespace DenseAm.Experiments;

/// <summary>The LOGL0 grid and settings (SPEC §7); defaults are the authors'.</summary>
public sealed record Logl0Spec
{
    /// <summary>Mixture components k.</summary>
    public int[] Components { get; init; } = [5, 10];

    /// <summary>Dimensions d.</summary>
    public int[] Dimensions { get; init; } = [8, 16];

    /// <summary>Stored pattern counts M.</summary>
    public int[] PatternCounts { get; init; } = [25, 100];

    /// <summary>Mixture standard deviation σ.</summary>
    public double Sigma { get; init; } = 0.1;

    /// <summary>Seeds 0 … Seeds−1.</summary>
    public int Seeds { get; init; } = 5;

    /// <summary>Geometric β steps from 2/d to 8/r_min².</summary>
    public int BetaSteps { get; init; } = 20;

    /// <summary>Thin-shell starts per stored pattern.</summary>
    public int StartsPerPattern { get; init; } = 500;

    /// <summary>LSE descent steps T (cosine decay from 0.01 to 1e-5).</summary>
    public int LseSteps { get; init; } = 13000;

    /// <summary>Early stop of the LSE descent once ‖∇E‖ falls below this (0: run all T steps).</summary>
    public double LseTolerance { get; init; } = 1e-6;

    /// <summary>
    /// ‖∇E‖ below which a start's LSE descent hands over from float32 steps to Newton's method, where the remaining
    /// steps provably converge to the same minimum (<see cref="RetrievalOptions.NewtonBelow"/>; 0: float64 descent throughout).
    /// </summary>
    public double LseNewtonBelow { get; init; } = 1e-3;

    /// <summary>The quick variant: every axis kept, fewer seeds, β values and starts.</summary>
    public static Logl0Spec Quick { get; } = new() { Seeds = 1, BetaSteps = 4, StartsPerPattern = 4 };
}

/// <summary>
/// LOGL0 (SPEC §7; the paper's Fig. 3 right and Figs. 7–8): M patterns drawn from a k-component Gaussian
/// mixture, N starts per pattern on a thin shell of radius ρ ~ U[0.98r, 0.9999r] in uniform directions; LSR
/// retrieves with Algorithm 1, LSE with cosine-decayed gradient descent. Per unit: stored patterns recovered,
/// unique retrieved points, novel fraction and mean log-likelihood under the true mixture, for both energies.
/// </summary>
public sealed class Logl0Experiment : IExperiment
{
    private readonly Logl0Spec _spec;

    /// <summary>Creates LOGL0 with <paramref name="spec"/> (the authors' grid by default).</summary>
    public Logl0Experiment(Logl0Spec? spec = null) => _spec = spec ?? new Logl0Spec();

    /// <inheritdoc/>
    public string Id => "logl0";

    /// <inheritdoc/>
    public IReadOnlyList<string> Notes { get; } =
    [
        "Start directions are uniform on the sphere (normalised Gaussians), not drawn from a cube.",
        "Stored patterns are M independent draws from the mixture, not the first M rows after a sort.",
        "LSE unique memories are merged by single linkage at 2/√β (order-independent), not counted as grid cells of side √(2/β).",
        "The LSE descent stops early once ‖∇E‖ falls below the stated tolerance (lse_tolerance in the spec).",
        "LSE descent runs in float32 (as the authors' runs did) while ‖∇E‖ ≥ lse_newton_below; below it Newton's method finds the minimum the remaining steps provably converge to (Hessian ⪰ μI at both ends with exp(−μ·Σα_remaining)·distance < tol/10), else the descent continues at float64 accuracy (float32 lanes stepping δ about a float64 anchor; gradient rounding about 1e-10).",
        "LSR retrieval is Algorithm 1 (exact), as in the authors' launcher; stored recovered = ‖∇E(ξ_μ)‖ < 1e-3; LSE recovered = ‖∇E(ξ_μ)‖/√β < 0.1.",
    ];

    /// <inheritdoc/>
    public JsonObject Spec() => new()
    {
        ["components"] = JsonFields.Integers(_spec.Components.Select(x => (long)x)),
        ["dimensions"] = JsonFields.Integers(_spec.Dimensions.Select(x => (long)x)),
        ["pattern_counts"] = JsonFields.Integers(_spec.PatternCounts.Select(x => (long)x)),
        ["sigma"] = _spec.Sigma,
        ["seeds"] = _spec.Seeds,
        ["beta_steps"] = _spec.BetaSteps,
        ["starts_per_pattern"] = _spec.StartsPerPattern,
        ["shell"] = JsonFields.Numbers([0.98, 0.9999]),
        ["lse_steps"] = _spec.LseSteps,
        ["lse_schedule"] = "cosine 0.01 -> 1e-5",
        ["lse_tolerance"] = _spec.LseTolerance,
        ["lse_newton_below"] = _spec.LseNewtonBelow,
        ["novel_distance"] = 0.1,
    };

    /// <inheritdoc/>
    public IReadOnlyList<ExperimentUnit> Units()
    {
        var units = new List<ExperimentUnit>();
        foreach (int k in _spec.Components)
            foreach (int d in _spec.Dimensions)
                foreach (int m in _spec.PatternCounts)
                {
                    string config = $"k={k},d={d},M={m}";
                    for (int seed = 0; seed < _spec.Seeds; seed++)
                    {
                        var (_, patterns) = Data(config, k, d, m, seed);
                        var grid = BetaSearch.Grid(patterns, GridSpacing.Geometric, _spec.BetaSteps);
                        for (int i = 0; i < grid.Length; i++) units.Add(new(Id, config, seed, i, grid[i]));
                    }
                }
        return units;
    }

    private (GaussianMixture Mixture, StoredPatterns Patterns) Data(string config, int k, int d, int m, long seed)
    {
        var rng = SeededRandom.Derive(Id, config, seed);
        var mixture = Synthetic.Mixture(rng, k, d, _spec.Sigma);
        return (mixture, new StoredPatterns(mixture.Sample(rng, m)));
    }

    /// <inheritdoc/>
    public JsonObject Compute(ExperimentUnit unit, CancellationToken cancellationToken)
    {
        var parts = unit.Configuration.Split(',').Select(p => int.Parse(p.Split('=')[1], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var (mixture, patterns) = Data(unit.Configuration, parts[0], parts[1], parts[2], unit.Seed);
        double beta = unit.Beta;
        var starts = Synthetic.ShellStarts(SeededRandom.Derive(Id, $"{unit.Configuration}/starts/{unit.BetaIndex}", unit.Seed),
            patterns, _spec.StartsPerPattern, Math.Sqrt(2 / beta));

        var lsr = new Energy(patterns, Kernel.Epanechnikov, beta);
        var lsrRun = Retriever.Retrieve(lsr, starts, new RetrievalOptions { Method = RetrievalMethod.FixedPoint, MaxThreads = 1 });
        cancellationToken.ThrowIfCancellationRequested();
        var lse = new Energy(patterns, Kernel.Gaussian, beta);
        var lseRun = Retriever.Retrieve(lse, starts, new RetrievalOptions
        {
            Method = RetrievalMethod.GradientDescent,
            Schedule = StepSchedule.CosineDecay(0.01, 0.001, _spec.LseSteps),
            MaxIterations = _spec.LseSteps,
            Tolerance = _spec.LseTolerance,
            EarlyStop = _spec.LseTolerance > 0,
            NewtonBelow = _spec.LseNewtonBelow,
            MaxThreads = 1,
        });

        var g = new double[patterns.Dimension];
        int lsrRecovered = 0, lseRecovered = 0;
        for (int mu = 0; mu < patterns.Count; mu++)
        {
            if (lsr.Gradient(patterns[mu], g).Norm < 1e-3) lsrRecovered++;
            if (lse.Gradient(patterns[mu], g).Norm / Math.Sqrt(beta) < 0.1) lseRecovered++;
        }
        return new JsonObject
        {
            ["M"] = patterns.Count,
            ["d"] = patterns.Dimension,
            ["k"] = mixture.Components,
            ["starts"] = starts.Rows,
            ["lsr_stored_recovered"] = lsrRecovered,
            ["lsr_unique"] = CountExactUnique(lsrRun.Points),
            ["lsr_novel_fraction"] = NovelFraction(lsrRun.Points, patterns),
            ["lsr_mean_log_likelihood"] = JsonFields.Number(MeanLogLikelihood(lsrRun.Points, mixture)),
            ["lsr_unsupported"] = lsrRun.UnsupportedCount,
            ["lsr_not_converged"] = lsrRun.NotConvergedCount,
            ["lse_stored_recovered"] = lseRecovered,
            ["lse_unique"] = SingleLinkage.Count(lseRun.Points, 2 / Math.Sqrt(beta)),
            ["lse_novel_fraction"] = NovelFraction(lseRun.Points, patterns),
            ["lse_mean_log_likelihood"] = JsonFields.Number(MeanLogLikelihood(lseRun.Points, mixture)),
            ["lse_not_converged"] = lseRun.NotConvergedCount,
            ["lse_mean_steps"] = lseRun.Outcomes.Average(o => o.Iterations),
        };
    }

    private static int CountExactUnique(Matrix points)
    {
        var set = new HashSet<string>();
        for (int i = 0; i < points.Rows; i++)
            set.Add(Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(points.Row(i))));
        return set.Count;
    }

    private static double NovelFraction(Matrix points, StoredPatterns patterns)
    {
        int novel = 0;
        for (int i = 0; i < points.Rows; i++)
        {
            bool near = false;
            for (int mu = 0; mu < patterns.Count && !near; mu++)
                near = SquaredDistance.Reference(points.Row(i), patterns[mu]) <= 0.01;
            if (!near) novel++;
        }
        return points.Rows == 0 ? 0 : novel / (double)points.Rows;
    }

    private static double MeanLogLikelihood(Matrix points, GaussianMixture mixture)
    {
        double s = 0;
        for (int i = 0; i < points.Rows; i++) s += mixture.LogDensity(points.Row(i));
        return s / points.Rows;
    }
}
