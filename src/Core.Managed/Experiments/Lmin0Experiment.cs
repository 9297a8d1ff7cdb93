using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using DenseAm.Distances;
using DenseAm.Enumeration;
using DenseAm.Randomness;
using DenseAm.Selection;

namespace DenseAm.Experiments;

/// <summary>The LMIN0 grid and settings (SPEC §7); defaults are the authors'.</summary>
public sealed record Lmin0Spec
{
    /// <summary>Stored pattern counts M.</summary>
    public int[] PatternCounts { get; init; } = [5, 15, 25];

    /// <summary>Dimensions d.</summary>
    public int[] Dimensions { get; init; } = [8, 32];

    /// <summary>Seeds 0 … Seeds−1.</summary>
    public int Seeds { get; init; } = 3;

    /// <summary>Linear β steps from 2/d to 8/r_min².</summary>
    public int BetaSteps { get; init; } = 50;

    /// <summary>Uniform points of [0,1]^d for the supported fraction.</summary>
    public int SupportSamples { get; init; } = 1_000_000;

    /// <summary>Search-node budget per unit; a unit that hits it is recorded as incomplete (deterministic, unlike a time budget).</summary>
    public long NodeBudget { get; init; } = 2_000_000_000;

    /// <summary>The quick variant: every axis kept, fewer seeds, β values and Monte Carlo points.</summary>
    public static Lmin0Spec Quick { get; } = new() { Seeds = 2, BetaSteps = 10, SupportSamples = 50_000 };
}

/// <summary>
/// LMIN0 (SPEC §7, the paper's Fig. 3 left): M patterns uniform on [0,1]^d; over a linear β grid, every LSR
/// memory is enumerated exactly (stored patterns preserved and novel memories) and the supported fraction of
/// the cube (finite energy at ε = 0) is estimated from uniform points.
/// </summary>
public sealed class Lmin0Experiment : IExperiment
{
    private readonly Lmin0Spec _spec;
    private readonly ConcurrentDictionary<string, Lazy<double[]>> _nearest = new();

    /// <summary>Creates LMIN0 with <paramref name="spec"/> (the authors' grid by default).</summary>
    public Lmin0Experiment(Lmin0Spec? spec = null) => _spec = spec ?? new Lmin0Spec();

    /// <inheritdoc/>
    public string Id => "lmin0";

    /// <inheritdoc/>
    public IReadOnlyList<string> Notes { get; } =
    [
        "Memories are enumerated exactly (branch and bound over cliques of the 2r-graph, each confirmed from coordinates), not by testing all 2^M subsets, and no pattern's neighbourhood is skipped.",
        "Support is the open ball ‖x − ξ‖² < 2/β throughout.",
        "The supported fraction uses one set of uniform points per (configuration, seed), shared by every β, so the curve over β is monotone and free of resampling noise.",
    ];

    /// <inheritdoc/>
    public JsonObject Spec() => new()
    {
        ["pattern_counts"] = JsonFields.Integers(_spec.PatternCounts.Select(x => (long)x)),
        ["dimensions"] = JsonFields.Integers(_spec.Dimensions.Select(x => (long)x)),
        ["seeds"] = _spec.Seeds,
        ["beta_steps"] = _spec.BetaSteps,
        ["beta_grid"] = "linear 2/d .. 8/r_min^2",
        ["support_samples"] = _spec.SupportSamples,
        ["node_budget"] = _spec.NodeBudget,
    };

    /// <inheritdoc/>
    public IReadOnlyList<ExperimentUnit> Units()
    {
        var units = new List<ExperimentUnit>();
        foreach (int m in _spec.PatternCounts)
            foreach (int d in _spec.Dimensions)
            {
                string config = $"M={m},d={d}";
                for (int seed = 0; seed < _spec.Seeds; seed++)
                {
                    var grid = BetaSearch.Grid(Patterns(config, m, d, seed), GridSpacing.Linear, _spec.BetaSteps);
                    for (int i = 0; i < grid.Length; i++) units.Add(new(Id, config, seed, i, grid[i]));
                }
            }
        return units;
    }

    private StoredPatterns Patterns(string config, int m, int d, long seed)
    {
        var rng = SeededRandom.Derive(Id, config, seed);
        return new StoredPatterns(Data.Synthetic.UniformCube(rng, m, d));
    }

    /// <inheritdoc/>
    public JsonObject Compute(ExperimentUnit unit, CancellationToken cancellationToken)
    {
        var parts = unit.Configuration.Split(',').Select(p => int.Parse(p.Split('=')[1], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        int m = parts[0], d = parts[1];
        var patterns = Patterns(unit.Configuration, m, d, unit.Seed);
        var result = new MemoryEnumerator(patterns, unit.Beta).Count(new MemoryEnumerationOptions
        {
            MaxThreads = 1,
            MaxNodes = _spec.NodeBudget,
            Cancellation = cancellationToken,
        });
        cancellationToken.ThrowIfCancellationRequested();
        var nearest = _nearest.GetOrAdd($"{unit.Configuration}/{unit.Seed}",
            key => new Lazy<double[]>(() => NearestSquaredDistances(patterns, key, unit.Seed))).Value;
        double r2 = 2 / unit.Beta;
        int supported = LowerBound(nearest, r2);
        return new JsonObject
        {
            ["M"] = m,
            ["d"] = d,
            ["complete"] = result.Complete,
            ["memories"] = result.Count,
            ["stored_preserved"] = result.StoredCount,
            ["novel"] = result.NovelCount,
            ["nodes_visited"] = result.NodesVisited,
            ["supported_fraction"] = supported / (double)nearest.Length,
            ["support_samples"] = nearest.Length,
        };
    }

    /// <summary>Sorted min_μ ‖x − ξ_μ‖² over the uniform points of one (configuration, seed): x is supported at β iff it is &lt; 2/β.</summary>
    private double[] NearestSquaredDistances(StoredPatterns patterns, string key, long seed)
    {
        var rng = SeededRandom.Derive(Id, key + "/support", seed);
        int d = patterns.Dimension;
        var x = new double[d];
        var best = new double[_spec.SupportSamples];
        for (int i = 0; i < best.Length; i++)
        {
            for (int c = 0; c < d; c++) x[c] = rng.NextDouble();
            double min = double.PositiveInfinity;
            for (int mu = 0; mu < patterns.Count; mu++)
            {
                double d2 = SquaredDistance.Reference(x, patterns[mu]);
                if (d2 < min) min = d2;
            }
            best[i] = min;
        }
        Array.Sort(best);
        return best;
    }

    private static int LowerBound(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < value) lo = mid + 1; else hi = mid;
        }
        return lo;
    }
}
