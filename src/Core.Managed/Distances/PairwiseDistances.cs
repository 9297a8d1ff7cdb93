using System.Numerics;
using System.Runtime.Intrinsics;
using DenseAm.Native;

namespace DenseAm.Distances;

/// <summary>
/// All-pairs squared Euclidean distances D[i, μ] = ‖x_i − ξ_μ‖² between Q queries and M patterns, float32 or
/// float64. Below <see cref="DistanceEngineOptions.GemmCutoverDimension"/> the direct SIMD kernel (patterns
/// transposed, tiled and parallel over queries); from it up, blocked GEMM with precomputed norms,
/// ‖x‖² + ‖ξ‖² − 2⟨x, ξ⟩ clamped at 0 (faiss's form), one query tile at a time.
/// </summary>
public static class PairwiseDistances
{
    /// <summary>Returns the Q×M matrix of squared distances, row-major (row i for query i).</summary>
    public static T[] Compute<T>(PointSet<T> queries, PointSet<T> patterns, DistanceEngineOptions? options = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(patterns);
        var result = GC.AllocateUninitializedArray<T>(checked(queries.Rows * patterns.Rows));
        Compute(queries, patterns, result, options);
        return result;
    }

    /// <summary>Writes the Q×M squared distances into <paramref name="result"/> (row-major, length Q·M).</summary>
    /// <exception cref="ArgumentException">Dimensions differ or <paramref name="result"/> has the wrong length.</exception>
    public static void Compute<T>(PointSet<T> queries, PointSet<T> patterns, T[] result, DistanceEngineOptions? options = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(patterns);
        ArgumentNullException.ThrowIfNull(result);
        EngineCommon.SameDimension(patterns, queries, nameof(queries));
        if (result.Length != (long)queries.Rows * patterns.Rows)
            throw new ArgumentException($"result has {result.Length} values; expected Q·M = {(long)queries.Rows * patterns.Rows}.", nameof(result));
        options ??= DistanceEngineOptions.Default;
        options.Validate();
        if (queries.Rows == 0 || patterns.Rows == 0) return;
        if (queries.Columns < options.GemmCutoverDimension) Direct(queries, patterns, result, options);
        else Gemm(queries, patterns, result, options);
    }

    /// <summary>The method <see cref="Compute{T}(PointSet{T}, PointSet{T}, DistanceEngineOptions?)"/> uses for dimension d.</summary>
    public static string MethodFor(int dimension, DistanceEngineOptions? options = null) =>
        dimension < (options ?? DistanceEngineOptions.Default).GemmCutoverDimension ? "direct-simd" : "gemm-norms";

    private static unsafe void Direct<T>(PointSet<T> queries, PointSet<T> patterns, T[] result, DistanceEngineOptions o)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var panel = new TransposedPanel<T>(patterns);
        int m = patterns.Rows;
        // Pattern tiles of 2048 keep the transposed slice (d·2048 values) in L2 across a block of 64 queries.
        const int patternTile = 2048, queryBlock = 64;
        int qBlocks = (queries.Rows + queryBlock - 1) / queryBlock;
        Parallel.For(0, qBlocks, o.Parallel, qb =>
        {
            fixed (T* res = result)
            {
                int q0 = qb * queryBlock, q1 = Math.Min(queries.Rows, q0 + queryBlock);
                for (int j0 = 0; j0 < m; j0 += patternTile)
                {
                    int j1 = Math.Min(panel.Stride, j0 + patternTile);
                    for (int q = q0; q < q1; q++)
                    {
                        var sink = new RowSink<T> { Row = res + (long)q * m, Count = m };
                        panel.Scan(queries.Row(q), j0, j1, ref sink);
                    }
                }
            }
        });
    }

    /// <summary>From this dimension the all-pairs epilogue runs on the calling thread (see <see cref="Gemm{T}"/>).</summary>
    private const int SerialEpilogueMinDimension = 256;

    private static void Gemm<T>(PointSet<T> queries, PointSet<T> patterns, T[] result, DistanceEngineOptions o)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var provider = o.ResolveProvider();
        var po = o.Parallel;
        var nx = EngineCommon.SquaredNormsSerial(queries);
        var ny = EngineCommon.SquaredNormsSerial(patterns);
        var nyT = new T[ny.Length];
        for (int j = 0; j < ny.Length; j++) nyT[j] = T.CreateTruncating(ny[j]);
        int m = patterns.Rows, d = queries.Columns, tile = o.AllPairsQueryTile;
        T minusTwo = T.CreateTruncating(-2.0);
        for (int q0 = 0; q0 < queries.Rows; q0 += tile)
        {
            int rows = Math.Min(tile, queries.Rows - q0);
            var block = result.AsSpan(q0 * m, rows * m);
            EngineCommon.Gemm(provider, false, true, rows, m, d, minusTwo, queries.Data.AsSpan(q0 * d, rows * d), d, patterns.Data, d, T.Zero, block, m);
            int qs = q0;
            // Epilogue: + ‖x‖² + ‖ξ‖², clamped at 0 (cancellation can go below). It is memory-bound; when the GEMM is
            // long (large d) it runs on this thread, because thread-pool workers left spinning after a parallel loop
            // slow the BLAS threads of the next call; when the GEMM is short, two threads halve the epilogue.
            if (d >= SerialEpilogueMinDimension)
            {
                for (int r = 0; r < rows; r++)
                    AddNormsClamp(result.AsSpan((qs + r) * m, m), T.CreateTruncating(nx[qs + r]), nyT);
            }
            else
            {
                Parallel.For(0, rows, po, r => AddNormsClamp(result.AsSpan((qs + r) * m, m), T.CreateTruncating(nx[qs + r]), nyT));
            }
        }
    }

    private static void AddNormsClamp<T>(Span<T> row, T xn, T[] ny) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated && System.Runtime.Intrinsics.Vector512<T>.IsSupported)
        {
            int w = System.Runtime.Intrinsics.Vector512<T>.Count;
            var xv = System.Runtime.Intrinsics.Vector512.Create(xn);
            ref T r0 = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(row);
            ref T n0 = ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(ny);
            for (; i <= row.Length - w; i += w)
            {
                var v = System.Runtime.Intrinsics.Vector512.LoadUnsafe(ref r0, (nuint)i) + xv + System.Runtime.Intrinsics.Vector512.LoadUnsafe(ref n0, (nuint)i);
                System.Runtime.Intrinsics.Vector512.Max(v, System.Runtime.Intrinsics.Vector512<T>.Zero).StoreUnsafe(ref r0, (nuint)i);
            }
        }
        else if (System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated && System.Runtime.Intrinsics.Vector256<T>.IsSupported)
        {
            int w = System.Runtime.Intrinsics.Vector256<T>.Count;
            var xv = System.Runtime.Intrinsics.Vector256.Create(xn);
            ref T r0 = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(row);
            ref T n0 = ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(ny);
            for (; i <= row.Length - w; i += w)
            {
                var v = System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref r0, (nuint)i) + xv + System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref n0, (nuint)i);
                System.Runtime.Intrinsics.Vector256.Max(v, System.Runtime.Intrinsics.Vector256<T>.Zero).StoreUnsafe(ref r0, (nuint)i);
            }
        }
        for (; i < row.Length; i++)
        {
            T v = row[i] + xn + ny[i];
            row[i] = v > T.Zero ? v : T.Zero;
        }
    }
}
