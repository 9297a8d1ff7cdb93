using DenseAm.Randomness;
using System.Diagnostics;
using DenseAm.Selection;

namespace DenseAm.Enumeration;

/// <summary>One exact enumeration inside a benchmark grid.</summary>
/// <param name="PatternCount">M.</param>
/// <param name="Dimension">d.</param>
/// <param name="Seed">The grid seed (0, 1, 2 … ).</param>
/// <param name="BetaIndex">Position of β in its grid.</param>
/// <param name="Beta">β.</param>
/// <param name="Count">Memories found (exact when <paramref name="Complete"/>).</param>
/// <param name="Stored">Stored patterns preserved (memories with |S| = 1).</param>
/// <param name="Complete">False when a budget ended the search.</param>
/// <param name="Nodes">Search nodes visited.</param>
/// <param name="Seconds">Wall time of this enumeration.</param>
public sealed record EnumerationBenchmarkRow(int PatternCount, int Dimension, int Seed, int BetaIndex, double Beta, long Count, long Stored,
    bool Complete, long Nodes, double Seconds);

/// <summary>A whole benchmark grid: rows in grid order and the total wall time.</summary>
/// <param name="Rows">One row per (M, d, seed, β), in that nesting order.</param>
/// <param name="Seconds">Wall time for the whole grid (enumerations run in parallel over grid points).</param>
/// <param name="Threads">Worker threads used.</param>
public sealed record EnumerationBenchmarkResult(IReadOnlyList<EnumerationBenchmarkRow> Rows, double Seconds, int Threads)
{
    /// <summary>True when every enumeration covered its whole search space.</summary>
    public bool AllComplete => Rows.All(r => r.Complete);

    /// <summary>Total memories over the grid.</summary>
    public long TotalMemories => Rows.Sum(r => r.Count);

    /// <summary>Total search nodes over the grid.</summary>
    public long TotalNodes => Rows.Sum(r => r.Nodes);
}

/// <summary>
/// Benchmark drivers for <see cref="MemoryEnumerator"/> (exposed by the CLI as <c>denseam bench enumerate</c>):
/// the LMIN0 grid of SPEC §7 and larger grids, on patterns uniform in [0,1]^d drawn from the enumeration module's
/// seeded generator (xoshiro256** seeded per (M, d, seed), so the same patterns on every machine).
/// </summary>
public static class EnumerationBenchmark
{
    /// <summary>
    /// The patterns of grid point (M, d, seed): M rows uniform in [0,1]^d from the generator seeded by
    /// SplitMix64 of (M, d, seed).
    /// </summary>
    public static StoredPatterns UniformPatterns(int patternCount, int dimension, int seed)
    {
        Guard.PositiveInt(patternCount);
        Guard.PositiveInt(dimension);
        ulong x = 0x4C4D494E30UL; // "LMIN0"
        x ^= (ulong)patternCount * 0x100000001B3UL;
        x = SeededRandom.SplitMix(ref x) ^ (ulong)dimension;
        x = SeededRandom.SplitMix(ref x) ^ (ulong)(uint)seed;
        ulong s = SeededRandom.SplitMix(ref x);
        return new StoredPatterns(SeededRandom.UniformCube(patternCount, dimension, s));
    }

    /// <summary>
    /// Enumerates exactly (count-only) every memory on a grid: for each M, d and seed, <paramref name="betaSteps"/> linear β from
    /// 2/d to 8/r_min² (<see cref="BetaSearch.Grid"/>, authors' upper end). Grid points run in parallel on
    /// <paramref name="threads"/> threads (each enumeration single-threaded), heaviest first; rows come back in grid order.
    /// LMIN0 is M ∈ {5, 15, 25}, d ∈ {8, 32}, seeds {0, 1, 2}, 50 steps.
    /// </summary>
    /// <param name="patternCounts">The M values.</param>
    /// <param name="dimensions">The d values.</param>
    /// <param name="seeds">Number of seeds (0 … seeds − 1).</param>
    /// <param name="betaSteps">β values per (M, d, seed).</param>
    /// <param name="threads">Worker threads (≤ 0: all cores).</param>
    /// <param name="options">Budgets per enumeration (threads inside it are forced to 1); null: none.</param>
    /// <param name="betaFilter">Optional: only β indices for which this returns true.</param>
    public static EnumerationBenchmarkResult RunGrid(IReadOnlyList<int> patternCounts, IReadOnlyList<int> dimensions, int seeds, int betaSteps,
        int threads = -1, MemoryEnumerationOptions? options = null, Func<int, bool>? betaFilter = null)
    {
        ArgumentNullException.ThrowIfNull(patternCounts);
        ArgumentNullException.ThrowIfNull(dimensions);
        Guard.PositiveInt(seeds);
        var clock = Stopwatch.StartNew();
        var jobs = new List<(int M, int D, int Seed, int Index, double Beta, StoredPatterns P)>();
        foreach (int m in patternCounts)
            foreach (int d in dimensions)
                for (int seed = 0; seed < seeds; seed++)
                {
                    var p = UniformPatterns(m, d, seed);
                    var grid = BetaSearch.Grid(p, GridSpacing.Linear, betaSteps);
                    for (int i = 0; i < grid.Length; i++)
                        if (betaFilter == null || betaFilter(i)) jobs.Add((m, d, seed, i, grid[i], p));
                }
        var opts = (options ?? new MemoryEnumerationOptions()) with { MaxThreads = 1 };
        int t = threads <= 0 ? Environment.ProcessorCount : threads;
        var rows = new EnumerationBenchmarkRow[jobs.Count];
        // Larger M first (the long jobs), then grid order, so no thread is left with a long job at the end.
        var order = Enumerable.Range(0, jobs.Count).OrderByDescending(j => jobs[j].M).ThenBy(j => jobs[j].Index).ToArray();
        int next = -1;
        var workers = new Task[t];
        for (int w = 0; w < t; w++)
        {
            workers[w] = Task.Factory.StartNew(() =>
            {
                while (true)
                {
                    int k = Interlocked.Increment(ref next);
                    if (k >= order.Length) return;
                    var job = jobs[order[k]];
                    var result = new MemoryEnumerator(job.P, job.Beta).Count(opts);
                    rows[order[k]] = new EnumerationBenchmarkRow(job.M, job.D, job.Seed, job.Index, job.Beta, result.Count, result.StoredCount,
                        result.Complete, result.NodesVisited, result.Seconds);
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        Task.WaitAll(workers);
        return new EnumerationBenchmarkResult(rows, clock.Elapsed.TotalSeconds, t);
    }

    /// <summary>The LMIN0 grid of SPEC §7: M ∈ {5, 15, 25}, d ∈ {8, 32}, 3 seeds, 50 linear β in [2/d, 8/r_min²].</summary>
    public static EnumerationBenchmarkResult Lmin0(int threads = -1, MemoryEnumerationOptions? options = null) =>
        RunGrid([5, 15, 25], [8, 32], 3, 50, threads, options);
}
