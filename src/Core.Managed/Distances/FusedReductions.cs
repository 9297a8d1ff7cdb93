using System.Numerics;
using System.Runtime.Intrinsics;
using DenseAm.Native;

namespace DenseAm.Distances;

/// <summary>
/// Reductions over all (query, pattern) pairs that never hold the Q×M distance matrix: Epanechnikov kernel
/// density sums and the LSE (Gaussian-kernel) softmax-weighted mean used by a gradient step. Neighbour
/// counts within r are <see cref="RadiusIndex{T}.CountWithin"/>.
/// </summary>
public static class FusedReductions
{
    /// <summary>
    /// S(x_i) = Σ_μ max(0, 1 − ‖x_i − ξ_μ‖²/h²) for every query: the unnormalised Epanechnikov kernel sum
    /// (Z(x) of the LSR energy with ε = 0 when h² = 2/β). The kernel is continuous and zero on the boundary, so
    /// no exact boundary decision is needed. Small d: leaves of nearby patterns with bounding balls, those provably
    /// beyond h skipped (triangle inequality) and the rest summed with direct SIMD differences, or all patterns
    /// scanned when the bandwidth reaches most of them; large d: GEMM tiles.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static double[] EpanechnikovSums<T>(PointSet<T> patterns, PointSet<T> queries, double bandwidth, DistanceEngineOptions? options = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(patterns);
        ArgumentNullException.ThrowIfNull(queries);
        EngineCommon.SameDimension(patterns, queries, nameof(queries));
        if (!(bandwidth > 0) || double.IsInfinity(bandwidth))
            throw new ArgumentOutOfRangeException(nameof(bandwidth), bandwidth, $"bandwidth must be a finite number > 0; got {bandwidth}.");
        options ??= DistanceEngineOptions.Default;
        options.Validate();
        var sums = new double[queries.Rows];
        if (queries.Rows == 0) return sums;
        double h2 = bandwidth * bandwidth;
        if (patterns.Columns < options.GemmCutoverDimension)
        {
            // Leaves whose bounding ball is out of every query's reach are skipped; when a sample of queries shows
            // that almost nothing would be skipped (a bandwidth wider than the data), the plain scan below is used.
            var leaves = new LeafBalls<T>(patterns, options.Threads > 1);
            var thr = leaves.Thresholds(bandwidth);
            if (LeavesPay(leaves, queries, thr, patterns.Rows))
            {
                T invT = T.CreateTruncating(1.0 / h2);
                // Queries in blocks of neighbours (same nearest leaf, by a counting sort, at most 64 per block); each
                // block's bounding ball gives the leaves any of its queries might reach, and each query then tests only
                // those against its own thresholds, so it scans exactly the leaves of a lone query, in the same order.
                // Consecutive queries also find those leaves in cache.
                int q = queries.Rows, d = queries.Columns, nl = leaves.LeafCount;
                var key = new int[q];
                const int keyChunk = 256;
                Parallel.For(0, (q + keyChunk - 1) / keyChunk, options.Parallel, c =>
                    NearestLeaves(leaves, queries, key, c * keyChunk, Math.Min(q, (c + 1) * keyChunk)));
                var start = new int[nl + 1];
                foreach (int g in key) start[g + 1]++;
                for (int g = 0; g < nl; g++) start[g + 1] += start[g];
                var order = new int[q];
                var next = (int[])start.Clone();
                for (int i = 0; i < q; i++) order[next[key[i]]++] = i;
                var blocks = new List<(int from, int to)>();
                for (int g = 0; g < nl; g++)
                    for (int b0 = start[g]; b0 < start[g + 1]; b0 += BlockMax) blocks.Add((b0, Math.Min(start[g + 1], b0 + BlockMax)));
                Parallel.For(0, blocks.Count, options.Parallel, () => new BlockWorkspace(d, nl), (bi, _, ws) =>
                {
                    BlockSums(leaves, queries, order, blocks[bi].from, blocks[bi].to, bandwidth, thr, invT, sums, ws);
                    return ws;
                }, _ => { });
                return sums;
            }
        }
        if (patterns.Columns < options.GemmCutoverDimension)
        {
            var panel = new TransposedPanel<T>(patterns);
            T inv = T.CreateTruncating(1.0 / h2);
            // Lane sums are flushed to float64 every 4096 patterns so float32 accumulation error stays small.
            const int chunk = 4096;
            Parallel.For(0, queries.Rows, options.Parallel, i =>
            {
                var sink = new EpanechnikovSink<T> { InverseH2 = inv };
                double total = 0;
                for (int j0 = 0; j0 < panel.Stride; j0 += chunk)
                {
                    panel.Scan(queries.Row(i), j0, Math.Min(panel.Stride, j0 + chunk), ref sink);
                    total += sink.Flush();
                }
                sums[i] = total;
            });
            return sums;
        }
        GemmTiles(patterns, queries, options, (q, row, xn, ny, j0) =>
        {
            double s = 0;
            for (int c = 0; c < row.Length; c++)
            {
                double d2 = xn + ny[j0 + c] - 2 * double.CreateTruncating(row[c]);
                double k = 1 - d2 / h2;
                if (k > 0) s += k;
            }
            sums[q] += s;
        });
        return sums;
    }

    /// <summary>Largest block of neighbouring queries sharing one candidate-leaf list.</summary>
    private const int BlockMax = 64;

    /// <summary>Per-thread scratch of <see cref="BlockSums{T}"/>.</summary>
    private sealed class BlockWorkspace(int d, int leaves)
    {
        public readonly double[] X = new double[d * BlockMax];
        public readonly double[] Centre = new double[d];
        public readonly int[] Candidates = new int[leaves];
        public readonly int Stride = (leaves + 7) / 8 * 8;
        public readonly double[] CandidateCentres = new double[(leaves + 7) / 8 * 8 * d];
        public readonly double[] CandidateThresholds = new double[(leaves + 7) / 8 * 8];
    }

    // The two loops below are separate, fully optimised methods (not lambda bodies) so that they run optimised code
    // from the first call: a call takes milliseconds, well within the runtime's delay before re-compiling hot code.

    /// <summary>key[i] = the nearest leaf of query i, for i in [from, to).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void NearestLeaves<T>(LeafBalls<T> leaves, PointSet<T> queries, int[] key, int from, int to) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int d = queries.Columns;
        Span<double> xd = d <= 256 ? stackalloc double[d] : new double[d];
        for (int i = from; i < to; i++)
        {
            var x = queries.Row(i);
            for (int k = 0; k < d; k++) xd[k] = double.CreateTruncating(x[k]);
            key[i] = leaves.NearestLeaf(xd);
        }
    }

    /// <summary>
    /// The sums of the queries order[from, to): their bounding ball (centre = mean, radius = largest distance, rounded
    /// up) selects the candidate leaves once; each query then scans the candidates its own thresholds reach.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void BlockSums<T>(LeafBalls<T> leaves, PointSet<T> queries, int[] order, int from, int to, double bandwidth, double[] thr, T inv,
        double[] sums, BlockWorkspace ws) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nb = to - from, d = queries.Columns;
        var c = ws.Centre;
        Array.Clear(c);
        for (int k = 0; k < nb; k++)
        {
            var x = queries.Row(order[from + k]);
            var xd = ws.X.AsSpan(k * d, d);
            for (int j = 0; j < d; j++) c[j] += xd[j] = double.CreateTruncating(x[j]);
        }
        for (int j = 0; j < d; j++) c[j] /= nb;
        double r2 = 0;
        for (int k = 0; k < nb; k++)
        {
            var xd = ws.X.AsSpan(k * d, d);
            double s2 = 0;
            for (int j = 0; j < d; j++) s2 += (xd[j] - c[j]) * (xd[j] - c[j]);
            r2 = Math.Max(r2, s2);
        }
        int nc = leaves.Candidates(c, Math.Sqrt(r2) * (1 + 1e-12), bandwidth, ws.Candidates);
        var cand = ws.Candidates.AsSpan(0, nc);
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
        {
            // The block's candidates transposed once, so each query tests eight of them per instruction.
            int stride = (nc + 7) / 8 * 8;
            leaves.TransposeCandidates(cand, thr, ws.CandidateCentres, ws.CandidateThresholds, stride);
            for (int k = 0; k < nb; k++)
            {
                int i = order[from + k];
                sums[i] = leaves.EpanechnikovSumOverBlock(queries.Row(i), ws.X.AsSpan(k * d, d), cand, ws.CandidateCentres, ws.CandidateThresholds, stride, inv);
            }
            return;
        }
        for (int k = 0; k < nb; k++)
        {
            int i = order[from + k];
            sums[i] = leaves.EpanechnikovSumOver(queries.Row(i), ws.X.AsSpan(k * d, d), cand, thr, inv);
        }
    }

    /// <summary>
    /// The path <see cref="EpanechnikovSums{T}"/> takes for these arguments: "leaf-balls-simd" (leaves out of reach
    /// skipped), "direct-simd" (every pattern scanned) or "gemm" (large d). Builds the leaves to decide, as the sum does.
    /// </summary>
    public static string EpanechnikovMethod<T>(PointSet<T> patterns, PointSet<T> queries, double bandwidth, DistanceEngineOptions? options = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(patterns);
        ArgumentNullException.ThrowIfNull(queries);
        EngineCommon.SameDimension(patterns, queries, nameof(queries));
        if (!(bandwidth > 0) || double.IsInfinity(bandwidth))
            throw new ArgumentOutOfRangeException(nameof(bandwidth), bandwidth, $"bandwidth must be a finite number > 0; got {bandwidth}.");
        options ??= DistanceEngineOptions.Default;
        options.Validate();
        if (patterns.Columns >= options.GemmCutoverDimension) return "gemm";
        if (queries.Rows == 0) return "direct-simd";
        var leaves = new LeafBalls<T>(patterns);
        return LeavesPay(leaves, queries, leaves.Thresholds(bandwidth), patterns.Rows) ? "leaf-balls-simd" : "direct-simd";
    }

    /// <summary>
    /// Whether the leaf-pruned scan is expected to beat the plain scan: the points in reachable leaves, averaged
    /// over up to 32 evenly spaced queries, below 3/4 of M (the leaf path costs about that plus a centre test per leaf).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool LeavesPay<T>(LeafBalls<T> leaves, PointSet<T> queries, double[] thr, int m) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int samples = Math.Min(32, queries.Rows);
        var xd = new double[queries.Columns];
        long work = 0;
        for (int s = 0; s < samples; s++)
        {
            var x = queries.Row((int)((long)s * queries.Rows / samples));
            for (int k = 0; k < xd.Length; k++) xd[k] = double.CreateTruncating(x[k]);
            work += leaves.Work(xd, thr);
        }
        return work < 0.75 * m * samples;
    }

    /// <summary>
    /// log p̂(x_i) of scikit-learn's <c>KernelDensity(kernel='epanechnikov', bandwidth=h).score_samples</c>:
    /// log(S(x_i)) − log M − log(V_d · 2/(d + 2)) − d·log h, with V_d the volume of the unit d-ball and S the
    /// Epanechnikov sum of <see cref="EpanechnikovSums{T}"/>; −∞ where S = 0.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static double[] EpanechnikovLogDensity<T>(PointSet<T> patterns, PointSet<T> queries, double bandwidth, DistanceEngineOptions? options = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var s = EpanechnikovSums(patterns, queries, bandwidth, options);
        int d = patterns.Columns;
        double logVd = 0.5 * d * Math.Log(Math.PI) - LogGamma(0.5 * d + 1);
        double logNorm = -(logVd + Math.Log(2.0 / (d + 2))) - d * Math.Log(bandwidth) - Math.Log(patterns.Rows);
        for (int i = 0; i < s.Length; i++) s[i] = s[i] > 0 ? Math.Log(s[i]) + logNorm : double.NegativeInfinity;
        return s;
    }

    /// <summary>
    /// The LSE softmax-weighted mean, fused: for each query x_i, m_i = Σ_μ p_μ ξ_μ with
    /// p_μ = exp(−(β/2)‖x_i − ξ_μ‖²) / Σ_ν exp(−(β/2)‖x_i − ξ_ν‖²), written to the rows of <paramref name="means"/>,
    /// and log Σ_μ exp(−(β/2)‖x_i − ξ_μ‖²) to <paramref name="logSumExp"/>. Pattern tiles are processed with an
    /// online (running-maximum) softmax: scores by one GEMM, weights by a vectorised exp, weighted sums by a
    /// second GEMM; the Q×M matrix is never held. The LSE gradient at x_i is x_i − m_i.
    /// </summary>
    public static void LseSoftmaxMean<T>(PointSet<T> patterns, PointSet<T> queries, double beta, T[] means, double[] logSumExp,
        DistanceEngineOptions? options = null) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(patterns);
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(logSumExp);
        EngineCommon.SameDimension(patterns, queries, nameof(queries));
        if (!(beta > 0) || double.IsInfinity(beta))
            throw new ArgumentOutOfRangeException(nameof(beta), beta, $"beta must be a finite number > 0; got {beta}.");
        int q = queries.Rows, m = patterns.Rows, d = patterns.Columns;
        if (means.Length != (long)q * d) throw new ArgumentException($"means has {means.Length} values; expected Q·d = {(long)q * d}.", nameof(means));
        if (logSumExp.Length != q) throw new ArgumentException($"logSumExp has {logSumExp.Length} values; expected Q = {q}.", nameof(logSumExp));
        options ??= DistanceEngineOptions.Default;
        options.Validate();
        if (q == 0) return;
        var provider = options.ResolveProvider();
        var po = options.Parallel;
        var nx = EngineCommon.SquaredNorms(queries, po);
        var ny = EngineCommon.SquaredNorms(patterns, po);
        int qt = Math.Min(options.QueryTile, q), pt = Math.Min(options.PatternTile, m);
        var scores = GC.AllocateUninitializedArray<T>(qt * pt);
        var runMax = new double[qt];
        var runSum = new double[qt];
        var halfBetaNy = new T[m];
        for (int j = 0; j < m; j++) halfBetaNy[j] = T.CreateTruncating(0.5 * beta * ny[j]);
        T betaT = T.CreateTruncating(beta);
        for (int q0 = 0; q0 < q; q0 += qt)
        {
            int rows = Math.Min(qt, q - q0);
            var acc = means.AsSpan(q0 * d, rows * d);
            acc.Clear();
            Array.Fill(runMax, double.NegativeInfinity);
            Array.Clear(runSum);
            for (int j0 = 0; j0 < m; j0 += pt)
            {
                int cols = Math.Min(pt, m - j0);
                // s_iμ = β⟨x_i, ξ_μ⟩ − (β/2)‖ξ_μ‖² = −(β/2)‖x_i − ξ_μ‖² + (β/2)‖x_i‖²; the last term cancels in p.
                EngineCommon.Gemm(provider, false, true, rows, cols, d, betaT, queries.Data.AsSpan(q0 * d, rows * d), d,
                    patterns.Data.AsSpan(j0 * d, cols * d), d, T.Zero, scores, cols);
                int js = j0, qs = q0;
                Parallel.For(0, rows, po, r =>
                {
                    var s = scores.AsSpan(r * cols, cols);
                    var hb = halfBetaNy.AsSpan(js, cols);
                    T max = SubtractAndMax(s, hb);
                    double newMax = Math.Max(runMax[r], double.CreateTruncating(max));
                    double sum = ExpShiftedAndSum(s, T.CreateTruncating(newMax));
                    double scale = double.IsNegativeInfinity(runMax[r]) ? 0 : Math.Exp(runMax[r] - newMax);
                    runSum[r] = runSum[r] * scale + sum;
                    runMax[r] = newMax;
                    if (scale != 1)
                    {
                        var row = means.AsSpan((qs + r) * d, d);
                        T sc = T.CreateTruncating(scale);
                        for (int k = 0; k < d; k++) row[k] *= sc;
                    }
                });
                // acc += P·Ξ_tile (rows×cols times cols×d).
                EngineCommon.Gemm(provider, false, false, rows, d, cols, T.One, scores, cols, patterns.Data.AsSpan(j0 * d, cols * d), d,
                    T.One, acc, d);
            }
            int q0s = q0;
            Parallel.For(0, rows, po, r =>
            {
                var row = means.AsSpan((q0s + r) * d, d);
                T inv = T.CreateTruncating(1.0 / runSum[r]);
                for (int k = 0; k < d; k++) row[k] *= inv;
                logSumExp[q0s + r] = runMax[r] + Math.Log(runSum[r]) - 0.5 * beta * nx[q0s + r];
            });
        }
    }

    /// <summary>s ← s − hb elementwise; returns max(s).</summary>
    private static T SubtractAndMax<T>(Span<T> s, ReadOnlySpan<T> hb) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        T max = T.NegativeInfinity;
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported && s.Length >= Vector512<T>.Count)
        {
            int w = Vector512<T>.Count;
            var mv = Vector512.Create(T.NegativeInfinity);
            ref T sp = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(s);
            ref T hp = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(hb);
            for (; i <= s.Length - w; i += w)
            {
                var v = Vector512.LoadUnsafe(ref sp, (nuint)i) - Vector512.LoadUnsafe(ref hp, (nuint)i);
                Vector512.StoreUnsafe(v, ref sp, (nuint)i);
                mv = Vector512.Max(mv, v);
            }
            max = MaxLanes(mv);
        }
        for (; i < s.Length; i++)
        {
            s[i] -= hb[i];
            if (s[i] > max) max = s[i];
        }
        return max;
    }

    private static T MaxLanes<T>(Vector512<T> v) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T m = v[0];
        for (int k = 1; k < Vector512<T>.Count; k++) if (v[k] > m) m = v[k];
        return m;
    }

    /// <summary>s ← exp(s − shift) elementwise; returns Σ s in float64.</summary>
    private static double ExpShiftedAndSum<T>(Span<T> s, T shift) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        double total = 0;
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported && s.Length >= Vector512<T>.Count)
        {
            int w = Vector512<T>.Count;
            var sh = Vector512.Create(shift);
            var acc = Vector512<T>.Zero;
            ref T sp = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(s);
            int n = 0;
            for (; i <= s.Length - w; i += w)
            {
                var e = Exp(Vector512.LoadUnsafe(ref sp, (nuint)i) - sh);
                Vector512.StoreUnsafe(e, ref sp, (nuint)i);
                acc += e;
                if (++n == 64) { total += double.CreateTruncating(Vector512.Sum(acc)); acc = Vector512<T>.Zero; n = 0; }
            }
            total += double.CreateTruncating(Vector512.Sum(acc));
        }
        for (; i < s.Length; i++)
        {
            T e = T.Exp(s[i] - shift);
            s[i] = e;
            total += double.CreateTruncating(e);
        }
        return total;
    }

    private static Vector512<T> Exp<T>(Vector512<T> v) where T : unmanaged
    {
        if (typeof(T) == typeof(float)) return Vector512.Exp(v.AsSingle()).As<float, T>();
        return Vector512.Exp(v.AsDouble()).As<double, T>();
    }

    /// <summary>Runs <paramref name="reduce"/> on each row of each GEMM tile of ⟨x_i, ξ_μ⟩ (rows in parallel, tiles in order).</summary>
    internal static void GemmTiles<T>(PointSet<T> patterns, PointSet<T> queries, DistanceEngineOptions o,
        Action<int, ReadOnlySpan<T>, double, double[], int> reduce) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var provider = o.ResolveProvider();
        var po = o.Parallel;
        var nx = EngineCommon.SquaredNorms(queries, po);
        var ny = EngineCommon.SquaredNorms(patterns, po);
        int d = patterns.Columns, m = patterns.Rows;
        int qt = Math.Min(o.QueryTile, queries.Rows), pt = Math.Min(o.PatternTile, m);
        var tile = GC.AllocateUninitializedArray<T>(qt * pt);
        for (int q0 = 0; q0 < queries.Rows; q0 += qt)
        {
            int rows = Math.Min(qt, queries.Rows - q0);
            for (int j0 = 0; j0 < m; j0 += pt)
            {
                int cols = Math.Min(pt, m - j0);
                EngineCommon.Gemm(provider, false, true, rows, cols, d, T.One, queries.Data.AsSpan(q0 * d, rows * d), d,
                    patterns.Data.AsSpan(j0 * d, cols * d), d, T.Zero, tile, cols);
                int qs = q0, js = j0;
                Parallel.For(0, rows, po, r => reduce(qs + r, tile.AsSpan(r * cols, cols), nx[qs + r], ny, js));
            }
        }
    }

    /// <summary>log Γ(x) for x &gt; 0 (Lanczos, g = 7, n = 9; relative error below 1e-14 for the half-integers used here).</summary>
    internal static double LogGamma(double x)
    {
        if (x < 0.5) return Math.Log(Math.PI / Math.Sin(Math.PI * x)) - LogGamma(1 - x);
        ReadOnlySpan<double> c =
        [
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
        ];
        x -= 1;
        double a = c[0];
        double t = x + 7.5;
        for (int i = 1; i < 9; i++) a += c[i] / (x + i);
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(a);
    }
}
