namespace DenseAm.Enumeration;

/// <summary>
/// One memory of the LSR energy (SPEC §2): a non-empty S ⊆ [M] with B(c_S) = S, where c_S is the centroid
/// of S summed in increasing index order and divided by |S| (the point Algorithm 1 stops on), confirmed
/// from coordinates in float64 with the core's exact support test.
/// </summary>
/// <param name="Members">S as sorted 0-based pattern indices.</param>
/// <param name="Point">The memory c_S; null in count-only mode when the memory was accepted without coordinates.</param>
/// <param name="DeltaMin">δ_min = min_{μ∈S} (r² − ‖c_S − ξ_μ‖²) &gt; 0: how far inside the support the farthest member is.</param>
/// <param name="GammaMin">γ_min = min_{ν∉S} (‖c_S − ξ_ν‖² − r²) ≥ 0; +∞ when S = [M].</param>
/// <param name="BasinRadius">Thm 2b: r* = √(D_max² + min(δ_min, γ_min)) − D_max, D_max = max_{μ∈S} ‖c_S − ξ_μ‖; any x within r* of c_S retrieves c_S.</param>
/// <param name="IsMarginal">min(δ_min, γ_min) is below the stated tolerance (<see cref="MemoryEnumerationOptions.MarginTolerance"/>·r²): a memory that lives on a support boundary.</param>
public sealed record LsrMemory(int[] Members, double[]? Point, double DeltaMin, double GammaMin, double BasinRadius, bool IsMarginal)
{
    /// <summary>|S|.</summary>
    public int Size => Members.Length;

    /// <summary>True when S = {μ}: the stored pattern ξ_μ is preserved as a memory.</summary>
    public bool IsStored => Members.Length == 1;

    /// <summary>True when |S| &gt; 1: an emergent (novel) memory.</summary>
    public bool IsNovel => Members.Length > 1;
}

/// <summary>When a memory found in the squared-distance arithmetic is re-checked from coordinates.</summary>
public enum CoordinateConfirmation
{
    /// <summary>Every memory: centroid from coordinates, then the exact support test against every pattern (the default).</summary>
    Always,

    /// <summary>
    /// Only memories whose squared-distance margins lie within the rounding band of r² (count-only mode only).
    /// Outside the band the float64 test provably gives the same answer, so counts are identical; it saves O(M·d) per memory.
    /// </summary>
    WhenNearBoundary,
}

/// <summary>Budgets and settings for <see cref="MemoryEnumerator"/>.</summary>
public sealed record MemoryEnumerationOptions
{
    /// <summary>Stop after visiting this many search nodes (null: no limit). Checked in blocks of a few thousand nodes per thread.</summary>
    public long? MaxNodes { get; init; }

    /// <summary>Stop after this many seconds of wall time (null: no limit).</summary>
    public double? MaxSeconds { get; init; }

    /// <summary>Stop once this many memories have been found (null: no limit).</summary>
    public long? MaxMemories { get; init; }

    /// <summary>Worker threads; ≤ 0 means all cores. The memories and their order do not depend on it.</summary>
    public int MaxThreads { get; init; } = -1;

    /// <summary>
    /// A memory is <see cref="LsrMemory.IsMarginal"/> when min(δ_min, γ_min) &lt; MarginTolerance·r². Default 1e-9 (relative to r²).
    /// </summary>
    public double MarginTolerance { get; init; } = 1e-9;

    /// <summary>When memories are re-checked from coordinates; default <see cref="CoordinateConfirmation.Always"/>.</summary>
    public CoordinateConfirmation Confirmation { get; init; } = CoordinateConfirmation.Always;

    /// <summary>Cancels the search (it then ends incomplete, like a budget).</summary>
    public CancellationToken Cancellation { get; init; }

    internal void Validate()
    {
        if (MaxNodes is { } n && n <= 0)
            throw new ArgumentOutOfRangeException(nameof(MaxNodes), n, $"MaxNodes must be > 0 when given; got {n}.");
        if (MaxSeconds is { } s && !(s > 0))
            throw new ArgumentOutOfRangeException(nameof(MaxSeconds), s, $"MaxSeconds must be > 0 when given; got {Guard.Fmt(s)}.");
        if (MaxMemories is { } k && k <= 0)
            throw new ArgumentOutOfRangeException(nameof(MaxMemories), k, $"MaxMemories must be > 0 when given; got {k}.");
        if (!(MarginTolerance >= 0) || double.IsInfinity(MarginTolerance))
            throw new ArgumentOutOfRangeException(nameof(MarginTolerance), MarginTolerance, $"MarginTolerance must be a finite number >= 0; got {Guard.Fmt(MarginTolerance)}.");
    }
}

/// <summary>Why an enumeration ended.</summary>
public enum EnumerationStop
{
    /// <summary>The whole search space was covered: the memories (or the count) are exact.</summary>
    Complete,

    /// <summary><see cref="MemoryEnumerationOptions.MaxNodes"/> was reached.</summary>
    NodeBudget,

    /// <summary><see cref="MemoryEnumerationOptions.MaxSeconds"/> was reached.</summary>
    TimeBudget,

    /// <summary><see cref="MemoryEnumerationOptions.MaxMemories"/> was reached.</summary>
    MemoryBudget,

    /// <summary>The cancellation token fired.</summary>
    Cancelled,
}

/// <summary>
/// The outcome of an enumeration. When <see cref="Complete"/> is false the count is only a lower bound:
/// <see cref="CompletedRoots"/> lists the root patterns μ whose memories with smallest member μ were all found.
/// </summary>
public sealed class EnumerationResult
{
    internal EnumerationResult(int m, int d, double beta, IReadOnlyList<LsrMemory> memories, long count, long stored, EnumerationStop stop,
        long nodes, bool[] rootDone, double seconds)
    {
        PatternCount = m;
        Dimension = d;
        Beta = beta;
        Memories = memories;
        Count = count;
        StoredCount = stored;
        Stop = stop;
        NodesVisited = nodes;
        var done = new List<int>();
        for (int i = 0; i < rootDone.Length; i++) if (rootDone[i]) done.Add(i);
        CompletedRoots = done;
        Seconds = seconds;
    }

    /// <summary>M.</summary>
    public int PatternCount { get; }

    /// <summary>d.</summary>
    public int Dimension { get; }

    /// <summary>β.</summary>
    public double Beta { get; }

    /// <summary>The memories found, in search order (<see cref="MemoryEnumerator.SearchOrder"/>; empty in count-only mode).</summary>
    public IReadOnlyList<LsrMemory> Memories { get; }

    /// <summary>Number of memories found (exact when <see cref="Complete"/>, otherwise a lower bound).</summary>
    public long Count { get; }

    /// <summary>Memories with |S| = 1 (stored patterns preserved).</summary>
    public long StoredCount { get; }

    /// <summary>Memories with |S| &gt; 1 (novel).</summary>
    public long NovelCount => Count - StoredCount;

    /// <summary>Why the search ended.</summary>
    public EnumerationStop Stop { get; }

    /// <summary>True when the whole search space was covered.</summary>
    public bool Complete => Stop == EnumerationStop.Complete;

    /// <summary>Search nodes visited (each a partial decision S ⊆ S' ⊆ S ∪ P).</summary>
    public long NodesVisited { get; }

    /// <summary>Roots μ (a memory's smallest member) whose subtrees were searched completely.</summary>
    public IReadOnlyList<int> CompletedRoots { get; }

    /// <summary>Wall time in seconds.</summary>
    public double Seconds { get; }

    /// <summary>A one-line description of what was covered.</summary>
    public string Coverage => Complete
        ? $"complete: all {PatternCount} roots searched"
        : $"incomplete ({Stop}): {CompletedRoots.Count} of {PatternCount} roots searched completely [{string.Join(",", CompletedRoots)}]; the count {Count} is a lower bound";
}
