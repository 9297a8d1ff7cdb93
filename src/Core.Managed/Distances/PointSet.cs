using System.Numerics;
using DenseAm.Native;

namespace DenseAm.Distances;

/// <summary>
/// A row-major set of points (stored patterns ξ_μ or queries x) in float32 or float64 for the distance
/// engine: <see cref="Rows"/> vectors of dimension <see cref="Columns"/> over <see cref="Data"/> (not copied).
/// </summary>
public sealed class PointSet<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Wraps <paramref name="data"/> as <paramref name="rows"/> points of dimension <paramref name="columns"/>.</summary>
    /// <exception cref="ArgumentException">The shape does not match the data, columns &lt; 1, or a coordinate is not finite.</exception>
    public PointSet(T[] data, int rows, int columns)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (rows < 0) throw new ArgumentOutOfRangeException(nameof(rows), rows, $"rows must be >= 0; got {rows}.");
        if (columns < 1) throw new ArgumentOutOfRangeException(nameof(columns), columns, $"columns (the dimension d) must be >= 1; got {columns}.");
        if ((long)rows * columns != data.Length)
            throw new ArgumentException($"data has {data.Length} values, but {rows} points of dimension {columns} need {(long)rows * columns}.", nameof(data));
        for (int i = 0; i < data.Length; i++)
            if (!T.IsFinite(data[i]))
                throw new ArgumentException($"data must hold finite coordinates; row {i / columns}, column {i % columns} is {data[i]}.", nameof(data));
        Data = data;
        Rows = rows;
        Columns = columns;
    }

    /// <summary>Number of points.</summary>
    public int Rows { get; }

    /// <summary>Dimension d.</summary>
    public int Columns { get; }

    /// <summary>Row-major coordinates, <see cref="Rows"/>·<see cref="Columns"/> values.</summary>
    public T[] Data { get; }

    /// <summary>Point <paramref name="i"/>.</summary>
    public ReadOnlySpan<T> Row(int i) => Data.AsSpan(i * Columns, Columns);
}

/// <summary>Builds <see cref="PointSet{T}"/> views of the toolkit's float64 matrices.</summary>
public static class PointSet
{
    /// <summary>The rows of <paramref name="matrix"/> as float64 points (shares storage).</summary>
    public static PointSet<double> From(Matrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        return new PointSet<double>(matrix.Data, matrix.Rows, Math.Max(1, matrix.Columns));
    }

    /// <summary>The stored patterns as float64 points (a copy of the validated data).</summary>
    public static PointSet<double> From(StoredPatterns patterns)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        return new PointSet<double>(patterns.Data.ToArray(), patterns.Count, patterns.Dimension);
    }
}

/// <summary>
/// Tunable settings of the distance engine. Defaults were chosen on a 2-core AVX-512 machine; every
/// algorithm gives the same exact decisions whatever the settings.
/// </summary>
public sealed record DistanceEngineOptions
{
    /// <summary>Default of <see cref="GemmCutoverDimension"/>.</summary>
    public const int DefaultGemmCutoverDimension = 24;

    /// <summary>Default of <see cref="KdTreeMaxDimension"/>.</summary>
    public const int DefaultKdTreeMaxDimension = 16;

    /// <summary>Shared defaults.</summary>
    public static DistanceEngineOptions Default { get; } = new();

    /// <summary>GEMM provider for the large-d path; null means <see cref="Blas.Default"/> (environment override or best found).</summary>
    public BlasProvider? Provider { get; init; }

    /// <summary>
    /// The cut-over: for d below it all-pairs distances and KDE sums use direct SIMD differences
    /// (patterns transposed, one vector lane per pattern); from it up, blocked GEMM with precomputed norms,
    /// ‖x‖² + ‖ξ‖² − 2⟨x, ξ⟩ clamped at 0.
    /// </summary>
    public int GemmCutoverDimension { get; init; } = DefaultGemmCutoverDimension;

    /// <summary>Radius search uses a k-d tree up to this dimension and GEMM-screened brute-force tiles above it.</summary>
    public int KdTreeMaxDimension { get; init; } = DefaultKdTreeMaxDimension;

    /// <summary>
    /// With a known radius, the k-d tree is used only when a pattern's ball holds at most this fraction of M on
    /// average (estimated from 64 patterns); default 0.01.
    /// </summary>
    public double KdTreeMaxSelectivity { get; init; } = 0.01;

    /// <summary>
    /// Radius search without a k-d tree uses exact lane-parallel reference sums (no screening, no recomputation)
    /// up to this dimension, and GEMM-screened tiles above it. Default 16.
    /// </summary>
    public int ExactDirectMaxDimension { get; init; } = 16;

    /// <summary>
    /// Queries per GEMM call when all-pairs distances are written out whole (the result is Q×M anyway, so tiles
    /// only bound the norm epilogue's working set); default 4096: one BLAS call for Q ≤ 4096, which runs faster
    /// than several calls that each repack the patterns (d = 784: 88–91% of the same shape's sgemm, against 81–84%
    /// with 1024).
    /// </summary>
    public int AllPairsQueryTile { get; init; } = 4096;

    /// <summary>
    /// GEMM-screened radius search partitions the patterns into √M k-means cells (balls) from this many patterns
    /// up, and skips the cells a query's ball cannot reach; default 4096. Results are identical either way.
    /// </summary>
    public int CellMinPatterns { get; init; } = 4096;

    /// <summary>Queries per GEMM tile (rows of a Q-block).</summary>
    public int QueryTile { get; init; } = 1024;

    /// <summary>Patterns per GEMM tile (columns of a tile); a tile is QueryTile×PatternTile values, never Q×M.</summary>
    public int PatternTile { get; init; } = 2048;

    /// <summary>Worker threads (managed loops and the provider's GEMM); ≤ 0 means all cores.</summary>
    public int MaxThreads { get; init; } = -1;

    internal BlasProvider ResolveProvider() => Provider ?? Blas.Default;

    internal int Threads => MaxThreads <= 0 ? Environment.ProcessorCount : MaxThreads;

    internal ParallelOptions Parallel => new() { MaxDegreeOfParallelism = Threads };

    internal void Validate()
    {
        if (GemmCutoverDimension < 1) throw new ArgumentOutOfRangeException(nameof(GemmCutoverDimension), GemmCutoverDimension, $"GemmCutoverDimension must be >= 1; got {GemmCutoverDimension}.");
        if (KdTreeMaxDimension < 0) throw new ArgumentOutOfRangeException(nameof(KdTreeMaxDimension), KdTreeMaxDimension, $"KdTreeMaxDimension must be >= 0; got {KdTreeMaxDimension}.");
        if (AllPairsQueryTile < 1) throw new ArgumentOutOfRangeException(nameof(AllPairsQueryTile), AllPairsQueryTile, $"AllPairsQueryTile must be >= 1; got {AllPairsQueryTile}.");
        if (QueryTile < 1) throw new ArgumentOutOfRangeException(nameof(QueryTile), QueryTile, $"QueryTile must be >= 1; got {QueryTile}.");
        if (PatternTile < 1) throw new ArgumentOutOfRangeException(nameof(PatternTile), PatternTile, $"PatternTile must be >= 1; got {PatternTile}.");
    }
}

/// <summary>Shared helpers: typed GEMM dispatch, norms, checks.</summary>
internal static class EngineCommon
{
    /// <summary>C (m×n) ← α·op(A)·op(B) + β·C in T through the provider's sgemm or dgemm.</summary>
    public static void Gemm<T>(BlasProvider p, bool ta, bool tb, int m, int n, int k, T alpha, ReadOnlySpan<T> a, int lda,
        ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            p.Sgemm(ta, tb, m, n, k, float.CreateTruncating(alpha), System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(a), lda,
                System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(b), ldb, float.CreateTruncating(beta),
                System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(c), ldc);
        else if (typeof(T) == typeof(double))
            p.Dgemm(ta, tb, m, n, k, double.CreateTruncating(alpha), System.Runtime.InteropServices.MemoryMarshal.Cast<T, double>(a), lda,
                System.Runtime.InteropServices.MemoryMarshal.Cast<T, double>(b), ldb, double.CreateTruncating(beta),
                System.Runtime.InteropServices.MemoryMarshal.Cast<T, double>(c), ldc);
        else throw new NotSupportedException($"element type {typeof(T).Name} is not float or double.");
    }

    /// <summary>
    /// ‖row‖² of every row in float64, on the calling thread, with vector partial sums (not index order: only for
    /// the all-pairs output, whose values carry float32/float64 rounding anyway; the radius screens' bounds assume
    /// <see cref="SquaredNorms{T}"/>). Serial on purpose: a parallel loop just before a BLAS call leaves thread-pool
    /// workers spinning on the cores the BLAS threads need.
    /// </summary>
    public static double[] SquaredNormsSerial<T>(PointSet<T> s) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var n = new double[s.Rows];
        for (int i = 0; i < s.Rows; i++) n[i] = RowNormVector(s.Row(i));
        return n;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static double RowNormVector<T>(ReadOnlySpan<T> r) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a0 = System.Runtime.Intrinsics.Vector256<double>.Zero;
        var a1 = System.Runtime.Intrinsics.Vector256<double>.Zero;
        int j = 0;
        if (typeof(T) == typeof(float))
        {
            var f = System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(r);
            for (; j + 8 <= f.Length; j += 8)
            {
                var (lo, hi) = System.Runtime.Intrinsics.Vector256.Widen(System.Runtime.Intrinsics.Vector256.Create<float>(f.Slice(j, 8)));
                a0 += lo * lo;
                a1 += hi * hi;
            }
        }
        else if (typeof(T) == typeof(double))
        {
            var f = System.Runtime.InteropServices.MemoryMarshal.Cast<T, double>(r);
            for (; j + 8 <= f.Length; j += 8)
            {
                var lo = System.Runtime.Intrinsics.Vector256.Create<double>(f.Slice(j, 4));
                var hi = System.Runtime.Intrinsics.Vector256.Create<double>(f.Slice(j + 4, 4));
                a0 += lo * lo;
                a1 += hi * hi;
            }
        }
        double total = System.Runtime.Intrinsics.Vector256.Sum(a0 + a1);
        for (; j < r.Length; j++)
        {
            double v = double.CreateTruncating(r[j]);
            total += v * v;
        }
        return total;
    }

    /// <summary>‖row‖² of every row in float64 (widened, index order).</summary>
    public static double[] SquaredNorms<T>(PointSet<T> s, ParallelOptions po) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var n = new double[s.Rows];
        System.Threading.Tasks.Parallel.For(0, s.Rows, po, i =>
        {
            var r = s.Row(i);
            double acc = 0;
            for (int j = 0; j < r.Length; j++) { double v = double.CreateTruncating(r[j]); acc += v * v; }
            n[i] = acc;
        });
        return n;
    }

    public static void SameDimension<T>(PointSet<T> patterns, PointSet<T> queries, string name) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (patterns.Columns != queries.Columns)
            throw new ArgumentException($"{name} has dimension {queries.Columns}, but the patterns have dimension d = {patterns.Columns}.", name);
    }
}
