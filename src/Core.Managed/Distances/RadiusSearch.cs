using System.Numerics;
using System.Runtime.Intrinsics;
using DenseAm.Native;

namespace DenseAm.Distances;

/// <summary>
/// Radius-search results in CSR form (faiss's range-search layout): the neighbours of query i are
/// <c>Ids[Offsets[i] .. Offsets[i + 1])</c> in increasing pattern index, with their float64 reference squared
/// distances in <see cref="SquaredDistances"/> at the same positions.
/// </summary>
public sealed class RadiusNeighbors
{
    internal RadiusNeighbors(int[] offsets, int[] ids, double[] squaredDistances)
    {
        Offsets = offsets;
        Ids = ids;
        SquaredDistances = squaredDistances;
    }

    /// <summary>Q + 1 offsets into <see cref="Ids"/>; Offsets[0] = 0, Offsets[Q] = total pairs.</summary>
    public int[] Offsets { get; }

    /// <summary>Pattern indices μ, grouped by query, increasing within a query.</summary>
    public int[] Ids { get; }

    /// <summary>‖x_i − ξ_μ‖² for each entry of <see cref="Ids"/> (the float64 reference value).</summary>
    public double[] SquaredDistances { get; }

    /// <summary>Number of queries Q.</summary>
    public int QueryCount => Offsets.Length - 1;

    /// <summary>Total number of (query, pattern) pairs found.</summary>
    public int TotalCount => Offsets[^1];

    /// <summary>|B(x_i)|: neighbours of query <paramref name="i"/>.</summary>
    public int Count(int i) => Offsets[i + 1] - Offsets[i];

    /// <summary>Neighbour ids of query <paramref name="i"/>.</summary>
    public ReadOnlySpan<int> Neighbors(int i) => Ids.AsSpan(Offsets[i], Count(i));

    /// <summary>Reference squared distances of query <paramref name="i"/>'s neighbours.</summary>
    public ReadOnlySpan<double> Distances(int i) => SquaredDistances.AsSpan(Offsets[i], Count(i));
}

/// <summary>
/// Exact radius search over stored patterns: for a query x the patterns with ‖x − ξ_μ‖² &lt; r² (open ball,
/// the support B(x) when r² = 2/β), decided on the float64 reference sum <see cref="SimdDistance.Reference{T}"/>,
/// so results are identical to a scalar scan whatever method, provider or thread count is used.
/// A k-d tree serves d ≤ <see cref="DistanceEngineOptions.KdTreeMaxDimension"/> (boxes pruned only when
/// provably outside, leaves scanned with the reference sum); above it, brute-force tiles of at most
/// QueryTile×PatternTile GEMM values screen pairs with a rounding bound and recompute the ones near r².
/// </summary>
public sealed class RadiusIndex<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly PointSet<T> _patterns;
    private readonly DistanceEngineOptions _options;
    private readonly KdTree? _tree;
    private readonly double[]? _norms;
    private readonly double[]? _screenP, _screenL;
    private readonly ExactPanel? _panel;

    // The screen: with approx = ‖x‖² + ‖ξ‖² − 2·fl(⟨x, ξ⟩) and bound = c₁‖x‖‖ξ‖ + e(‖x‖² + ‖ξ‖² + r²),
    // c₁ = 4(d + 2)u_T (twice γ_d for the float dot product, doubled) and e = 8(d + 4)u₆₄ (the float64
    // norms, the reference's own rounding and this formula's), a pair is skipped only when
    // approx ≥ r² + bound, i.e. fl(⟨x, ξ⟩) ≤ P_μ + R(x) − ‖x‖·L_μ with P_μ = (1 − e)‖ξ‖²/2,
    // L_μ = c₁‖ξ‖/2 and R(x) = ((1 − e)‖x‖² − (1 + e)r²)/2. Every other pair is decided by the reference sum.
    private double ScreenE => 8.0 * (Dimension + 4) / (1L << 53);

    private RadiusIndex(PointSet<T> patterns, DistanceEngineOptions options, double? radiusSquaredHint)
    {
        _patterns = patterns;
        _options = options;
        if (patterns.Columns <= options.KdTreeMaxDimension && !TooSelective(patterns, options, radiusSquaredHint)) _tree = new KdTree(typeof(T) == typeof(double) ? (double[])(object)patterns.Data : ToDouble(patterns), patterns.Rows, patterns.Columns);
        else if (patterns.Columns <= options.ExactDirectMaxDimension)
        {
            _panel = new ExactPanel(ToDouble(patterns), patterns.Rows, patterns.Columns);
            if (patterns.Rows >= options.CellMinPatterns)
            {
                _cells = new Cells(patterns, null, null, options);
                _cellPanels = new ExactPanel[_cells.Count];
                for (int c = 0; c < _cells.Count; c++)
                {
                    int c0 = _cells.Offsets[c], n = _cells.Offsets[c + 1] - c0;
                    var block = new double[n * patterns.Columns];
                    for (int i = 0; i < block.Length; i++) block[i] = double.CreateTruncating(_cells.Data[(long)c0 * patterns.Columns + i]);
                    _cellPanels[c] = new ExactPanel(block, n, patterns.Columns);
                }
            }
        }
        else
        {
            _norms = EngineCommon.SquaredNorms(patterns, options.Parallel);
            double e = ScreenE, c1 = 4.0 * (patterns.Columns + 2) * SimdDistance.UnitRoundoff<T>();
            _screenP = new double[_norms.Length];
            _screenL = new double[_norms.Length];
            for (int j = 0; j < _norms.Length; j++)
            {
                _screenP[j] = 0.5 * (1 - e) * _norms[j];
                _screenL[j] = 0.5 * c1 * Math.Sqrt(_norms[j]);
            }
            if (patterns.Rows >= options.CellMinPatterns)
                _cells = new Cells(patterns, _screenP, _screenL, options);
        }
    }

    private readonly Cells? _cells;
    private readonly ExactPanel[]? _cellPanels;

    /// <summary>
    /// A one-level ball partition of the patterns for the brute-force path: a few Lloyd (k-means) rounds give
    /// cells with centre c (rounded to T) and radius R_c = max over members of √(reference ‖ξ − c‖²); a query x
    /// can reach a member only if ‖x − c‖ &lt; r + R_c (triangle inequality). ‖x − c‖ comes from the same GEMM
    /// form, with its rounding bound subtracted before the test, and a relative slack of 1e-9, so no cell holding
    /// a neighbour is ever skipped: results stay exactly those of the full scan. Members are stored contiguously.
    /// </summary>
    private sealed class Cells
    {
        public readonly int Count;
        public readonly int[] Offsets;
        public readonly int[] Ids;
        public readonly T[] Data;
        public readonly double[] ScreenP, ScreenL;
        private readonly T[] _centres;
        private readonly double[] _centreNorms, _radii;
        private readonly int _d;

        public Cells(PointSet<T> p, double[]? screenP, double[]? screenL, DistanceEngineOptions o)
        {
            int m = p.Rows, d = p.Columns;
            _d = d;
            int k = (int)Math.Clamp(Math.Sqrt(m), 8, 512);
            var provider = o.ResolveProvider();
            var po = o.Parallel;
            var centres = new double[k * d];
            // Initial centres: k distinct patterns picked by a fixed SplitMix64 sequence (evenly spaced indices
            // can alias with structure in the data order, e.g. point i drawn from cluster i mod k).
            var picked = new HashSet<int>();
            ulong state = 0x5DEECE66DUL;
            for (int c = 0; c < k; c++)
            {
                int pick;
                do
                {
                    ulong z = state += 0x9E3779B97F4A7C15UL;
                    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
                    z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
                    pick = (int)((z ^ (z >> 31)) % (ulong)m);
                }
                while (!picked.Add(pick));
                for (int j = 0; j < d; j++) centres[c * d + j] = double.CreateTruncating(p.Data[(long)pick * d + j]);
            }
            var assign = new int[m];
            var ct = new T[k * d];
            var dots = new T[(long)m * k];
            for (int round = 0; round < 4; round++)
            {
                for (int i = 0; i < ct.Length; i++) ct[i] = T.CreateTruncating(centres[i]);
                var cn = new double[k];
                for (int c = 0; c < k; c++) { double s = 0; for (int j = 0; j < d; j++) { double v = double.CreateTruncating(ct[c * d + j]); s += v * v; } cn[c] = s; }
                EngineCommon.Gemm(provider, false, true, m, k, d, T.One, p.Data, d, ct, d, T.Zero, dots, k);
                Parallel.For(0, m, po, i =>
                {
                    int best = 0;
                    double bd = double.PositiveInfinity;
                    for (int c = 0; c < k; c++)
                    {
                        double v = cn[c] - 2 * double.CreateTruncating(dots[(long)i * k + c]);
                        if (v < bd) { bd = v; best = c; }
                    }
                    assign[i] = best;
                });
                var sums = new double[k * d];
                var counts = new int[k];
                for (int i = 0; i < m; i++)
                {
                    int c = assign[i];
                    counts[c]++;
                    for (int j = 0; j < d; j++) sums[c * d + j] += double.CreateTruncating(p.Data[(long)i * d + j]);
                }
                for (int c = 0; c < k; c++)
                    if (counts[c] > 0) for (int j = 0; j < d; j++) centres[c * d + j] = sums[c * d + j] / counts[c];
            }
            // Final cells: non-empty groups of the last assignment, centres rounded to T, exact radii.
            var members = new List<int>[k];
            for (int c = 0; c < k; c++) members[c] = new List<int>();
            for (int i = 0; i < m; i++) members[assign[i]].Add(i);
            var used = Enumerable.Range(0, k).Where(c => members[c].Count > 0).ToArray();
            Count = used.Length;
            Offsets = new int[Count + 1];
            Ids = new int[m];
            Data = GC.AllocateUninitializedArray<T>(m * d);
            ScreenP = new double[m];
            ScreenL = new double[m];
            _centres = new T[Count * d];
            _centreNorms = new double[Count];
            _radii = new double[Count];
            int at = 0;
            for (int ci = 0; ci < Count; ci++)
            {
                int c = used[ci];
                Offsets[ci] = at;
                for (int j = 0; j < d; j++) _centres[ci * d + j] = T.CreateTruncating(centres[c * d + j]);
                var centre = _centres.AsSpan(ci * d, d);
                double norm = 0;
                foreach (var v in centre) { double w = double.CreateTruncating(v); norm += w * w; }
                _centreNorms[ci] = norm;
                double rmax = 0;
                foreach (int i in members[c])
                {
                    Ids[at] = i;
                    p.Row(i).CopyTo(Data.AsSpan(at * d, d));
                    if (screenP is not null) ScreenP[at] = screenP[i];
                    if (screenL is not null) ScreenL[at] = screenL[i];
                    rmax = Math.Max(rmax, Math.Sqrt(SimdDistance.Reference(p.Row(i), (ReadOnlySpan<T>)centre)));
                    at++;
                }
                _radii[ci] = rmax * (1 + 1e-12);
            }
            Offsets[Count] = at;
        }

        /// <summary>For each cell, the queries (increasing) whose ball of radius r can reach it.</summary>
        public List<int>[] QueriesPerCell(PointSet<T> queries, double[] nx, double r, BlasProvider provider, ParallelOptions po)
        {
            int q = queries.Rows, k = Count;
            var lists = new List<int>[k];
            for (int c = 0; c < k; c++) lists[c] = new List<int>();
            var reach = Reach(queries, nx, r, provider, po);
            for (int i = 0; i < q; i++)
                for (int c = 0; c < k; c++)
                    if (reach[(long)i * k + c]) lists[c].Add(i);
            return lists;
        }

        /// <summary>reach[i·Count + c]: can query i's ball of radius r meet cell c?</summary>
        public bool[] Reach(PointSet<T> queries, double[] nx, double r, BlasProvider provider, ParallelOptions po)
        {
            int q = queries.Rows, k = Count, d = _d;
            var dots = new T[(long)q * k];
            EngineCommon.Gemm(provider, false, true, q, k, d, T.One, queries.Data, d, _centres, d, T.Zero, dots, k);
            double c1 = 4.0 * (d + 2) * SimdDistance.UnitRoundoff<T>(), e = 8.0 * (d + 4) / (1L << 53);
            var reach = new bool[(long)q * k];
            Parallel.For(0, q, po, i =>
            {
                double xn = nx[i], xl = Math.Sqrt(xn);
                for (int c = 0; c < k; c++)
                {
                    double cn = _centreNorms[c];
                    double approx = xn + cn - 2 * double.CreateTruncating(dots[(long)i * k + c]);
                    double bound = c1 * xl * Math.Sqrt(cn) + e * (xn + cn);
                    double lower = Math.Sqrt(Math.Max(0, approx - bound));
                    reach[(long)i * k + c] = lower < (r + _radii[c]) * (1 + 1e-9);
                }
            });
            return reach;
        }
    }

    /// <summary>
    /// Indexes <paramref name="patterns"/> (the data are referenced, not copied, by the brute-force path). When the
    /// radius to be searched is known (<paramref name="radiusSquaredHint"/>), a k-d tree is built only if a sample of
    /// patterns used as queries finds at most <see cref="DistanceEngineOptions.KdTreeMaxSelectivity"/>·M neighbours
    /// on average: wide balls make a tree visit most leaves, and batched brute force is then faster.
    /// </summary>
    public static RadiusIndex<T> Build(PointSet<T> patterns, DistanceEngineOptions? options = null, double? radiusSquaredHint = null)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        options ??= DistanceEngineOptions.Default;
        options.Validate();
        return new RadiusIndex<T>(patterns, options, radiusSquaredHint);
    }

    private static bool TooSelective(PointSet<T> patterns, DistanceEngineOptions o, double? r2)
    {
        if (r2 is not { } rr || patterns.Rows < 256) return false;
        int samples = 64, m = patterns.Rows;
        long found = 0;
        for (int s = 0; s < samples; s++)
        {
            var x = patterns.Row((int)((long)s * m / samples));
            for (int mu = 0; mu < m; mu++)
                if (SimdDistance.Reference(x, patterns.Row(mu)) < rr) found++;
        }
        return (double)found / samples > o.KdTreeMaxSelectivity * m;
    }

    /// <summary>
    /// "kd-tree"; "brute-exact-simd" (small d: lane-parallel reference sums); "brute-gemm" (GEMM-screened tiles);
    /// or "cells-exact-simd" / "cells-gemm": the same over only the k-means cells a query's ball can reach.
    /// </summary>
    public string Method => _tree is not null ? "kd-tree" : _panel is not null ? (_cells is not null ? "cells-exact-simd" : "brute-exact-simd")
        : _cells is not null ? "cells-gemm" : "brute-gemm";

    /// <summary>Number of indexed patterns M.</summary>
    public int Count => _patterns.Rows;

    /// <summary>Dimension d.</summary>
    public int Dimension => _patterns.Columns;

    /// <summary>For every query, the patterns strictly within r (‖x − ξ‖² &lt; <paramref name="radiusSquared"/>), as CSR.</summary>
    public RadiusNeighbors Search(PointSet<T> queries, double radiusSquared)
    {
        Check(queries, radiusSquared);
        var lists = new NeighborList[queries.Rows];
        if (_tree is not null)
        {
            var tree = _tree;
            InTreeOrder(queries, (i, xd) =>
            {
                var list = new NeighborList();
                tree.Search(xd, radiusSquared, ref list, collect: true);
                list.SortById();
                lists[i] = list;
            });
        }
        else if (_panel is not null) ExactScan(queries, radiusSquared, lists, null);
        else
        {
            var collector = new CollectingScreen(lists);
            BruteForce(queries, radiusSquared, collector);
        }
        return Pack(lists);
    }

    /// <summary>|B(x_i)| for every query: how many patterns lie strictly within r (no neighbour lists are kept).</summary>
    public int[] CountWithin(PointSet<T> queries, double radiusSquared)
    {
        Check(queries, radiusSquared);
        var counts = new int[queries.Rows];
        if (_tree is not null)
        {
            var tree = _tree;
            InTreeOrder(queries, (i, xd) =>
            {
                var list = new NeighborList();
                tree.Search(xd, radiusSquared, ref list, collect: false);
                counts[i] = list.Count;
            });
        }
        else if (_panel is not null) ExactScan(queries, radiusSquared, null, counts);
        else BruteForce(queries, radiusSquared, new CountingScreen(counts));
        return counts;
    }

    /// <summary>
    /// Runs <paramref name="query"/>(i, x_i widened to float64) for every query, in parallel chunks of consecutive
    /// queries in <see cref="TreeOrder"/>; each query's result goes to its own slot, so the order changes nothing.
    /// </summary>
    private void InTreeOrder(PointSet<T> queries, Action<int, double[]> query)
    {
        var order = TreeOrder(queries);
        Parallel.For(0, (order.Length + TreeChunk - 1) / TreeChunk, _options.Parallel, () => new double[Dimension], (c, _, xd) =>
        {
            for (int n = c * TreeChunk; n < Math.Min(order.Length, (c + 1) * TreeChunk); n++)
            {
                Widen(queries.Row(order[n]), xd);
                query(order[n], xd);
            }
            return xd;
        }, _ => { });
    }

    /// <summary>Queries per parallel chunk of a tree search: consecutive (in <see cref="TreeOrder"/>) queries share leaves.</summary>
    private const int TreeChunk = 64;

    /// <summary>
    /// The queries ordered by the tree leaf each descends to (a counting sort, stable): consecutive queries then visit
    /// mostly the same nodes and leaves, which are still in cache. Only the order of work changes, not any result.
    /// </summary>
    private int[] TreeOrder(PointSet<T> queries)
    {
        int q = queries.Rows;
        var key = new int[q];
        Parallel.For(0, (q + 1023) / 1024, _options.Parallel, () => new double[Dimension], (c, _, xd) =>
        {
            for (int i = c * 1024; i < Math.Min(q, (c + 1) * 1024); i++)
            {
                Widen(queries.Row(i), xd);
                key[i] = _tree!.HomeLeaf(xd);
            }
            return xd;
        }, _ => { });
        var start = new int[_tree!.LeafSlots + 1];
        foreach (int k in key) start[k + 1]++;
        for (int k = 0; k < _tree.LeafSlots; k++) start[k + 1] += start[k];
        var order = new int[q];
        for (int i = 0; i < q; i++) order[start[key[i]]++] = i;
        return order;
    }

    /// <summary>
    /// Whether <see cref="SupportSums"/> is available: the small-d exact lane-parallel paths (with or without cells).
    /// </summary>
    internal bool HasSupportSums => _panel is not null;

    /// <summary>
    /// For every query x_i, the support sums of the open ball B(x_i) = {μ : ‖x_i − ξ_μ‖² &lt; r²} without building
    /// neighbour lists: counts[i] = |B(x_i)| and sums[i·d .. (i + 1)·d) = Σ_{μ ∈ B(x_i)} ξ_μ, added in increasing μ
    /// (so the centroid sums[i]/counts[i] is bitwise the one computed from the CSR lists of <see cref="Search"/>).
    /// Membership is decided exactly as <see cref="Search"/> decides it (the same lane-parallel reference sums);
    /// members are marked in a per-thread bit set and then summed in index order. Requires <see cref="HasSupportSums"/>.
    /// </summary>
    internal void SupportSums(PointSet<T> queries, double radiusSquared, double[] sums, int[] counts, ParallelOptions? parallel = null)
    {
        Check(queries, radiusSquared);
        if (_panel is null) throw new InvalidOperationException("support sums need the exact small-d path");
        int d = Dimension, m = Count;
        var panel = _panel;
        bool[]? reach = null;
        int k = 0;
        if (_cells is not null)
        {
            var nx = EngineCommon.SquaredNorms(queries, _options.Parallel);
            reach = _cells.Reach(queries, nx, Math.Sqrt(radiusSquared), _options.ResolveProvider(), _options.Parallel);
            k = _cells.Count;
        }
        int words = (m + 63) / 64;
        Parallel.For(0, queries.Rows, parallel ?? _options.Parallel, () => (x: new double[d], bits: new ulong[words]), (i, _, ws) =>
        {
            Widen(queries.Row(i), ws.x);
            var sink = new MarkSink { R2 = radiusSquared, Bits = ws.bits };
            if (reach is null) panel.Scan(ws.x, 0, panel.Stride, ref sink);
            else
            {
                sink.Ids = _cells!.Ids;
                for (int c = 0; c < k; c++)
                {
                    if (!reach[(long)i * k + c]) continue;
                    sink.Base = _cells.Offsets[c];
                    _cellPanels![c].Scan(ws.x, 0, _cellPanels[c].Stride, ref sink);
                }
            }
            counts[i] = sink.Count;
            SumMarked(ws.bits, sums.AsSpan(i * d, d));
            return ws;
        }, _ => { });
    }

    /// <summary>
    /// acc = Σ ξ_μ over the marked μ in increasing order (clearing the marks). Each coordinate is its own running
    /// sum, so adding eight coordinates per vector instruction keeps every coordinate's order of additions.
    /// </summary>
    private unsafe void SumMarked(ulong[] bits, Span<double> acc)
    {
        int d = Dimension;
        acc.Clear();
        var data = _patterns.Data;
        if (typeof(T) == typeof(double) && Vector512.IsHardwareAccelerated && d % 8 == 0 && d <= 64)
        {
            var a = stackalloc Vector512<double>[d / 8];
            for (int v = 0; v < d / 8; v++) a[v] = Vector512<double>.Zero;
            fixed (T* pt = data)
            {
                double* p = (double*)pt;
                for (int w = 0; w < bits.Length; w++)
                {
                    ulong b = bits[w];
                    if (b == 0) continue;
                    bits[w] = 0;
                    while (b != 0)
                    {
                        long mu = w * 64 + BitOperations.TrailingZeroCount(b);
                        b &= b - 1;
                        double* row = p + mu * d;
                        for (int v = 0; v < d / 8; v++) a[v] += Vector512.Load(row + 8 * v);
                    }
                }
            }
            for (int v = 0; v < d / 8; v++) a[v].CopyTo(acc.Slice(8 * v, 8));
            return;
        }
        for (int w = 0; w < bits.Length; w++)
        {
            ulong b = bits[w];
            if (b == 0) continue;
            bits[w] = 0;
            while (b != 0)
            {
                int mu = w * 64 + BitOperations.TrailingZeroCount(b);
                b &= b - 1;
                var xi = data.AsSpan(mu * d, d);
                for (int j = 0; j < d; j++) acc[j] += double.CreateTruncating(xi[j]);
            }
        }
    }

    /// <summary>Marks the patterns strictly within r in a bit set (lanes past M carry +∞ and are never marked).</summary>
    private struct MarkSink : IExactSink
    {
        public double R2;
        public ulong[] Bits;
        public int Count;
        public int[]? Ids;   // cell member ids (null: lanes are pattern indices)
        public int Base;     // offset of the cell in Ids

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private void Mark(int j)
        {
            int id = Ids is null ? j : Ids[Base + j];
            Bits[id >> 6] |= 1UL << (id & 63);
            Count++;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public void Put512(int j, Vector512<double> d2)
        {
            ulong bits = Vector512.LessThan(d2, Vector512.Create(R2)).ExtractMostSignificantBits();
            while (bits != 0)
            {
                Mark(j + BitOperations.TrailingZeroCount(bits));
                bits &= bits - 1;
            }
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public void Put256(int j, Vector256<double> d2)
        {
            uint bits = Vector256.LessThan(d2, Vector256.Create(R2)).ExtractMostSignificantBits();
            while (bits != 0)
            {
                Mark(j + BitOperations.TrailingZeroCount(bits));
                bits &= bits - 1;
            }
        }

        public void PutScalar(int j, double d2)
        {
            if (d2 < R2) Mark(j);
        }
    }

    /// <summary>
    /// One query: clears <paramref name="ids"/> and fills it with the patterns within r in increasing index, and,
    /// when given, <paramref name="squaredDistances"/> with their reference squared distances.
    /// </summary>
    public void Query(ReadOnlySpan<T> x, double radiusSquared, List<int> ids, List<double>? squaredDistances = null)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (x.Length != Dimension) throw new ArgumentException($"x has dimension {x.Length}, but the patterns have dimension d = {Dimension}.", nameof(x));
        CheckRadius(radiusSquared);
        ids.Clear();
        squaredDistances?.Clear();
        if (_tree is not null)
        {
            Span<double> xd = Dimension <= 64 ? stackalloc double[Dimension] : new double[Dimension];
            Widen(x, xd);
            var list = new NeighborList();
            _tree.Search(xd, radiusSquared, ref list, collect: true);
            list.SortById();
            for (int k = 0; k < list.Count; k++)
            {
                ids.Add(list.Ids[k]);
                squaredDistances?.Add(list.D2[k]);
            }
            return;
        }
        if (_panel is not null)
        {
            Span<double> xe = Dimension <= 64 ? stackalloc double[Dimension] : new double[Dimension];
            Widen(x, xe);
            var sink = new RadiusSink { R2 = radiusSquared };
            _panel.Scan(xe, 0, _panel.Stride, ref sink);
            for (int k = 0; k < sink.List.Count; k++)
            {
                ids.Add(sink.List.Ids[k]);
                squaredDistances?.Add(sink.List.D2[k]);
            }
            return;
        }
        // One query: direct SIMD distances with the reference recomputed near r² (no GEMM for a single row).
        for (int mu = 0; mu < Count; mu++)
        {
            var xi = _patterns.Row(mu);
            double fast = double.CreateTruncating(SimdDistance.SquaredEuclidean(x, xi));
            double bound = SimdDistance.ErrorBound<T>(Math.Max(fast, radiusSquared), Dimension) * 2 + 1e-300;
            if (fast >= radiusSquared + bound) continue;
            double exact = SimdDistance.Reference(x, xi);
            if (exact < radiusSquared)
            {
                ids.Add(mu);
                squaredDistances?.Add(exact);
            }
        }
    }

    /// <summary>
    /// Small-d brute force: every pair's reference sum, eight lanes at a time, compared with r² directly; with
    /// cells, only the cells each query's ball can reach are scanned.
    /// </summary>
    private void ExactScan(PointSet<T> queries, double r2, NeighborList[]? lists, int[]? counts)
    {
        var panel = _panel!;
        bool[]? reach = null;
        int k = 0;
        if (_cells is not null)
        {
            var nx = EngineCommon.SquaredNorms(queries, _options.Parallel);
            reach = _cells.Reach(queries, nx, Math.Sqrt(r2), _options.ResolveProvider(), _options.Parallel);
            k = _cells.Count;
        }
        Parallel.For(0, queries.Rows, _options.Parallel, () => new double[Dimension], (i, _, xd) =>
        {
            Widen(queries.Row(i), xd);
            var sink = new RadiusSink { R2 = r2 };
            if (reach is null) panel.Scan(xd, 0, panel.Stride, ref sink);
            else
            {
                for (int c = 0; c < k; c++)
                {
                    if (!reach[(long)i * k + c]) continue;
                    sink.Ids = _cells!.Ids;
                    sink.Base = _cells.Offsets[c];
                    _cellPanels![c].Scan(xd, 0, _cellPanels[c].Stride, ref sink);
                }
                sink.List.SortById();
            }
            if (lists is not null) lists[i] = sink.List;
            if (counts is not null) counts[i] = sink.List.Count;
            return xd;
        }, _ => { });
    }

    private struct RadiusSink : IExactSink
    {
        public double R2;
        public NeighborList List;
        public int[]? Ids;   // cell member ids (null: lanes are pattern indices)
        public int Base;     // offset of the cell in Ids

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private void Add(int j, double d2) => List.Add(Ids is null ? j : Ids[Base + j], d2);

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public void Put512(int j, Vector512<double> d2)
        {
            ulong bits = Vector512.LessThan(d2, Vector512.Create(R2)).ExtractMostSignificantBits();
            while (bits != 0)
            {
                int k = BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                Add(j + k, d2[k]);
            }
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public void Put256(int j, Vector256<double> d2)
        {
            uint bits = Vector256.LessThan(d2, Vector256.Create(R2)).ExtractMostSignificantBits();
            while (bits != 0)
            {
                int k = BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                Add(j + k, d2[k]);
            }
        }

        public void PutScalar(int j, double d2)
        {
            if (d2 < R2) Add(j, d2);
        }
    }

    private void Check(PointSet<T> queries, double radiusSquared)
    {
        ArgumentNullException.ThrowIfNull(queries);
        EngineCommon.SameDimension(_patterns, queries, nameof(queries));
        CheckRadius(radiusSquared);
    }

    private static void CheckRadius(double radiusSquared)
    {
        if (!(radiusSquared >= 0) || double.IsInfinity(radiusSquared))
            throw new ArgumentOutOfRangeException(nameof(radiusSquared), radiusSquared, $"radiusSquared must be a finite number >= 0; got {radiusSquared}.");
    }

    private static void Widen(ReadOnlySpan<T> x, Span<double> xd)
    {
        for (int k = 0; k < x.Length; k++) xd[k] = double.CreateTruncating(x[k]);
    }

    private static double[] ToDouble(PointSet<T> p)
    {
        var r = new double[p.Data.Length];
        for (int i = 0; i < r.Length; i++) r[i] = double.CreateTruncating(p.Data[i]);
        return r;
    }

    private static RadiusNeighbors Pack(NeighborList[] lists)
    {
        foreach (ref var l in lists.AsSpan()) l.SortById(); // cells visit patterns out of index order
        var offsets = new int[lists.Length + 1];
        for (int i = 0; i < lists.Length; i++) offsets[i + 1] = checked(offsets[i] + lists[i].Count);
        var ids = new int[offsets[^1]];
        var d2 = new double[offsets[^1]];
        for (int i = 0; i < lists.Length; i++)
        {
            if (lists[i].Count == 0) continue;
            Array.Copy(lists[i].Ids, 0, ids, offsets[i], lists[i].Count);
            Array.Copy(lists[i].D2, 0, d2, offsets[i], lists[i].Count);
        }
        return new RadiusNeighbors(offsets, ids, d2);
    }

    /// <summary>What the brute-force screen does with a pair found inside the ball (reference distance given).</summary>
    private interface IScreen
    {
        void Accept(int query, int pattern, double d2);
    }

    private sealed class CollectingScreen(NeighborList[] lists) : IScreen
    {
        public void Accept(int query, int pattern, double d2) => lists[query].Add(pattern, d2);
    }

    private sealed class CountingScreen(int[] counts) : IScreen
    {
        public void Accept(int query, int pattern, double d2) => counts[query]++;
    }

    /// <summary>
    /// Tiles of GEMM values ⟨x, ξ⟩ (QueryTile×PatternTile, never Q×M); a pair is decided from
    /// ‖x‖² + ‖ξ‖² − 2⟨x, ξ⟩ when it is further than the rounding bound from r², otherwise by the reference sum.
    /// With a cell partition (large M), a query meets only the cells its ball can reach. Each query row is
    /// screened by one thread at a time; ids are sorted per query by the caller's CSR packing.
    /// </summary>
    private void BruteForce<TScreen>(PointSet<T> queries, double r2, TScreen screen) where TScreen : IScreen
    {
        var provider = _options.ResolveProvider();
        var po = _options.Parallel;
        var nx = EngineCommon.SquaredNorms(queries, po);
        int d = Dimension, m = Count;
        int qt = Math.Min(_options.QueryTile, Math.Max(1, queries.Rows)), pt = Math.Min(_options.PatternTile, m);
        var tile = GC.AllocateUninitializedArray<T>(qt * pt);
        if (_cells is null)
        {
            var qIndex = new int[qt];
            for (int q0 = 0; q0 < queries.Rows; q0 += qt)
            {
                int rows = Math.Min(qt, queries.Rows - q0);
                for (int r = 0; r < rows; r++) qIndex[r] = q0 + r;
                for (int j0 = 0; j0 < m; j0 += pt)
                    ScreenBlock(provider, po, queries.Data, q0 * d, rows, qIndex, nx, queries, _patterns.Data, j0, Math.Min(pt, m - j0),
                        _screenP!, _screenL!, null, r2, tile, screen);
            }
            return;
        }
        var cells = _cells;
        var reach = cells.QueriesPerCell(queries, nx, Math.Sqrt(r2), provider, po);
        var qbuf = GC.AllocateUninitializedArray<T>(qt * d);
        for (int c = 0; c < cells.Count; c++)
        {
            var list = reach[c];
            int c0 = cells.Offsets[c], cn = cells.Offsets[c + 1] - c0;
            for (int q0 = 0; q0 < list.Count; q0 += qt)
            {
                int rows = Math.Min(qt, list.Count - q0);
                var qIndex = list.GetRange(q0, rows).ToArray();
                for (int r = 0; r < rows; r++) queries.Row(qIndex[r]).CopyTo(qbuf.AsSpan(r * d, d));
                for (int j0 = 0; j0 < cn; j0 += pt)
                    ScreenBlock(provider, po, qbuf, 0, rows, qIndex, nx, queries, cells.Data, c0 + j0, Math.Min(pt, cn - j0),
                        cells.ScreenP, cells.ScreenL, cells.Ids, r2, tile, screen);
            }
        }
    }

    private void ScreenBlock<TScreen>(BlasProvider provider, ParallelOptions po, T[] qdata, int qoff, int rows, int[] qIndex, double[] nx,
        PointSet<T> queries, T[] pdata, int j0, int cols, double[] sp, double[] sl, int[]? ids, double r2, T[] tile, TScreen screen)
        where TScreen : IScreen
    {
        int d = Dimension;
        double e = ScreenE;
        EngineCommon.Gemm(provider, false, true, rows, cols, d, T.One, qdata.AsSpan(qoff, rows * d), d,
            pdata.AsSpan(j0 * d, cols * d), d, T.Zero, tile, cols);
        int js = j0;
        Parallel.For(0, rows, po, r =>
        {
            int q = qIndex[r];
            double xn = nx[q], xl = Math.Sqrt(xn);
            // Not a candidate ⇔ dot ≤ P_μ + R − ‖x‖·L_μ (see the screen's comment at the fields).
            double rr = 0.5 * ((1 - e) * xn - (1 + e) * r2);
            var xq = queries.Row(q);
            var t = tile.AsSpan(r * cols, cols);
            var pj = sp.AsSpan(js, cols);
            var lj = sl.AsSpan(js, cols);
            int c = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                var rv = Vector512.Create(rr);
                var xv = Vector512.Create(xl);
                if (typeof(T) == typeof(float))
                {
                    var tf = System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(t);
                    for (; c <= cols - 16; c += 16)
                    {
                        var f = Vector512.Create<float>(tf.Slice(c, 16));
                        var lo = Vector512.WidenLower(f);
                        var hi = Vector512.WidenUpper(f);
                        var th0 = Vector512.Create<double>(pj.Slice(c, 8)) + rv - xv * Vector512.Create<double>(lj.Slice(c, 8));
                        var th1 = Vector512.Create<double>(pj.Slice(c + 8, 8)) + rv - xv * Vector512.Create<double>(lj.Slice(c + 8, 8));
                        ulong bits = Vector512.GreaterThan(lo, th0).ExtractMostSignificantBits()
                            | (Vector512.GreaterThan(hi, th1).ExtractMostSignificantBits() << 8);
                        while (bits != 0)
                        {
                            int k = BitOperations.TrailingZeroCount(bits);
                            bits &= bits - 1;
                            Verify(screen, q, ids is null ? js + c + k : ids[js + c + k], xq, r2);
                        }
                    }
                }
                else
                {
                    var td = System.Runtime.InteropServices.MemoryMarshal.Cast<T, double>(t);
                    for (; c <= cols - 8; c += 8)
                    {
                        var v = Vector512.Create<double>(td.Slice(c, 8));
                        var th = Vector512.Create<double>(pj.Slice(c, 8)) + rv - xv * Vector512.Create<double>(lj.Slice(c, 8));
                        ulong bits = Vector512.GreaterThan(v, th).ExtractMostSignificantBits();
                        while (bits != 0)
                        {
                            int k = BitOperations.TrailingZeroCount(bits);
                            bits &= bits - 1;
                            Verify(screen, q, ids is null ? js + c + k : ids[js + c + k], xq, r2);
                        }
                    }
                }
            }
            for (; c < cols; c++)
            {
                double dot = double.CreateTruncating(t[c]);
                if (dot > pj[c] + rr - xl * lj[c]) Verify(screen, q, ids is null ? js + c : ids[js + c], xq, r2);
            }
        });
    }

    private void Verify<TScreen>(TScreen screen, int q, int mu, ReadOnlySpan<T> x, double r2) where TScreen : IScreen
    {
        double exact = SimdDistance.Reference(x, _patterns.Row(mu));
        if (exact < r2) screen.Accept(q, mu, exact);
    }
}

/// <summary>Growable (id, squared distance) list for one query.</summary>
internal struct NeighborList
{
    public int[] Ids;
    public double[] D2;
    public int Count;

    public void Add(int id, double d2)
    {
        if (Ids is null) { Ids = new int[8]; D2 = new double[8]; }
        else if (Count == Ids.Length)
        {
            Array.Resize(ref Ids, Count * 2);
            Array.Resize(ref D2, Count * 2);
        }
        Ids[Count] = id;
        D2[Count] = d2;
        Count++;
    }

    public void SortById()
    {
        if (Count > 1) Array.Sort(Ids, D2, 0, Count);
    }
}

/// <summary>
/// A k-d tree over float64 points (median splits, leaves of at most 32 points stored contiguously and in 8-lane blocks). A box is skipped only when its lower bound on the squared distance exceeds r²·(1 + 4(d+2)u),
/// which no point inside can then beat even after rounding; leaves are scanned with the reference sum.
/// </summary>
internal sealed class KdTree
{
    private const int LeafSize = 32;
    private readonly double[]? _points;  // permuted copy, row-major: only for the scalar leaf scan (no 256-bit vectors)
    private readonly int[] _index;       // original index of each permuted row
    private readonly int _d;
    private readonly Node[] _nodes;
    private readonly double[] _boxArray; // per node: d lows then d highs (exact bounding boxes)

    private struct Node
    {
        public int Start, End, Left, Right;
    }

    public KdTree(double[] points, int count, int d)
    {
        _d = d;
        _index = new int[count];
        for (int i = 0; i < count; i++) _index[i] = i;
        var src = points;
        // 1. The shape depends only on the sizes (median splits down to LeafSize), so node ids are fixed first.
        var nodes = new List<Node>();
        Shape(nodes, 0, count);
        _nodes = nodes.ToArray();
        // 2. Partition top-down; a node's split dimension is the widest side of its parent's box cut at the
        //    parent's median (a superset of its true box), which needs no pass over the points.
        var approx = new double[_nodes.Length * 2 * d];
        for (int k = 0; k < d; k++) { approx[k] = double.PositiveInfinity; approx[d + k] = double.NegativeInfinity; }
        for (int i = 0; i < count; i++)
            for (int k = 0; k < d; k++)
            {
                double v = src[(long)i * d + k];
                if (v < approx[k]) approx[k] = v;
                if (v > approx[d + k]) approx[d + k] = v;
            }
        _keys = new double[count];
        _items = new int[count];
        Partition(src, 0, approx, 0);
        _keys = null;
        _items = null;
        // 3. Leaves in 8-point blocks, coordinate-major inside a block (d rows of 8 lanes), padded with +∞.
        _leafBlock = new int[_nodes.Length];
        var leaves = new List<int>();
        int blocks = 0;
        for (int n = 0; n < _nodes.Length; n++)
        {
            if (_nodes[n].Left >= 0) continue;
            leaves.Add(n);
            _leafBlock[n] = blocks;
            blocks += (_nodes[n].End - _nodes[n].Start + 7) / 8;
        }
        _soa = GC.AllocateUninitializedArray<double>(checked(blocks * 8 * d));
        if (!Vector256.IsHardwareAccelerated) _points = GC.AllocateUninitializedArray<double>(checked(count * d));
        _boxArray = new double[_nodes.Length * 2 * d];
        // 4. Each leaf gathers its points, its exact box and its blocks, writing only its own parts: leaves in
        //    parallel give the same arrays. Then the inner boxes bottom-up (children follow their parent in preorder).
        Parallel.For(0, (leaves.Count + 63) / 64, chunk =>
        {
            for (int li = chunk * 64; li < Math.Min(leaves.Count, chunk * 64 + 64); li++) FillLeaf(src, leaves[li]);
        });
        for (int id = _nodes.Length - 1; id >= 0; id--)
        {
            var n = _nodes[id];
            if (n.Left < 0) continue;
            var box = _boxArray.AsSpan(id * 2 * d, 2 * d);
            var l = _boxArray.AsSpan(n.Left * 2 * d, 2 * d);
            var r = _boxArray.AsSpan(n.Right * 2 * d, 2 * d);
            for (int k = 0; k < d; k++)
            {
                box[k] = Math.Min(l[k], r[k]);
                box[d + k] = Math.Max(l[d + k], r[d + k]);
            }
        }
        if (d <= 8 && Vector512.IsHardwareAccelerated)
        {
            _box8 = new double[_nodes.Length * 16];
            for (int n = 0; n < _nodes.Length; n++)
                for (int k = 0; k < 8; k++)
                {
                    _box8[n * 16 + k] = k < d ? _boxArray[n * 2 * d + k] : double.NegativeInfinity;
                    _box8[n * 16 + 8 + k] = k < d ? _boxArray[n * 2 * d + d + k] : double.PositiveInfinity;
                }
        }
    }

    /// <summary>
    /// Leaf <paramref name="node"/>: its exact box and its 8-point blocks, gathered from <paramref name="src"/> through
    /// _index (and its rows of _points when the scalar scan needs them). The points are only read.
    /// </summary>
    private void FillLeaf(double[] src, int node)
    {
        int d = _d;
        var n = _nodes[node];
        var box = _boxArray.AsSpan(node * 2 * d, 2 * d);
        box[..d].Fill(double.PositiveInfinity);
        box[d..].Fill(double.NegativeInfinity);
        int len = n.End - n.Start;
        var soa = _soa.AsSpan(_leafBlock[node] * 8 * d, (len + 7) / 8 * 8 * d);
        soa.Fill(double.PositiveInfinity);
        for (int local = 0; local < len; local++)
        {
            var row = src.AsSpan(_index[n.Start + local] * d, d);
            if (_points is not null) row.CopyTo(_points.AsSpan((n.Start + local) * d, d));
            for (int k = 0; k < d; k++)
            {
                double v = row[k];
                if (v < box[k]) box[k] = v;
                if (v > box[d + k]) box[d + k] = v;
                soa[(local / 8 * d + k) * 8 + local % 8] = v;
            }
        }
    }

    private readonly int[] _leafBlock;
    private readonly double[] _soa;

    // Selection scratch, one slot per row, for the build only: a node's selection uses its own rows' slots, so
    // subtrees partitioned in parallel share it (large pooled arrays were allocated afresh at every node).
    private double[]? _keys;
    private int[]? _items;

    /// <summary>For d ≤ 8: per node its box as 8 lows then 8 highs, padded with −∞/+∞ (a zero gap), for a one-vector bound.</summary>
    private readonly double[]? _box8;

    /// <summary>Range of <see cref="HomeLeaf"/>'s values.</summary>
    public int LeafSlots => _soa.Length / (8 * _d) + 1;

    /// <summary>
    /// A locality key for x: the first 8-point block of the leaf reached by descending into the child whose box is
    /// nearer (the left one on ties). Leaves are numbered in point order, so near keys mean near leaves.
    /// </summary>
    public int HomeLeaf(ReadOnlySpan<double> x)
    {
        int id = 0;
        while (_nodes[id].Left >= 0)
        {
            var n = _nodes[id];
            id = Gap(x, n.Right) < Gap(x, n.Left) ? n.Right : n.Left;
        }
        return _leafBlock[id];
    }

    /// <summary>Squared distance from x to node id's box (0 inside).</summary>
    private double Gap(ReadOnlySpan<double> x, int id)
    {
        int d = _d;
        var box = _boxArray.AsSpan(id * 2 * d, 2 * d);
        double lb = 0;
        for (int k = 0; k < d; k++)
        {
            double v = x[k];
            double g = v < box[k] ? box[k] - v : v > box[d + k] ? v - box[d + k] : 0;
            lb += g * g;
        }
        return lb;
    }

    private static int Shape(List<Node> nodes, int start, int end)
    {
        int id = nodes.Count;
        nodes.Add(new Node { Start = start, End = end, Left = -1, Right = -1 });
        if (end - start <= LeafSize) return id;
        int mid = (start + end) / 2;
        int left = Shape(nodes, start, mid);
        int right = Shape(nodes, mid, end);
        nodes[id] = new Node { Start = start, End = end, Left = left, Right = right };
        return id;
    }

    /// <summary>Orders the node's range so the left child holds the smaller half along the split dimension; children in parallel near the root.</summary>
    private void Partition(double[] src, int id, double[] approx, int depth)
    {
        var n = _nodes[id];
        if (n.Left < 0) return;
        int d = _d;
        var box = approx.AsSpan(id * 2 * d, 2 * d);
        int dim = 0;
        double widest = double.NegativeInfinity;
        for (int k = 0; k < d; k++)
        {
            double w = box[d + k] - box[k];
            if (w > widest) { widest = w; dim = k; }
        }
        int mid = (n.Start + n.End) / 2;
        Select(src, n.Start, n.End - 1, mid, dim);
        double split = src[(long)_index[mid] * d + dim];
        box.CopyTo(approx.AsSpan(n.Left * 2 * d, 2 * d));
        box.CopyTo(approx.AsSpan(n.Right * 2 * d, 2 * d));
        approx[n.Left * 2 * d + d + dim] = split;
        approx[n.Right * 2 * d + dim] = split;
        if (depth < 3 && n.End - n.Start > 16_384)
            Parallel.Invoke(() => Partition(src, n.Left, approx, depth + 1), () => Partition(src, n.Right, approx, depth + 1));
        else
        {
            Partition(src, n.Left, approx, depth + 1);
            Partition(src, n.Right, approx, depth + 1);
        }
    }

    /// <summary>
    /// Selection of _index[lo..hi] by (coordinate dim, index), a strict total order: afterwards position k holds the
    /// k-th smallest and positions before it smaller ones. Floyd–Rivest: on a large range the pivot is first selected
    /// within a sample around k, so one partition pass nearly settles it (about n + o(n) comparisons against ~3.4n for
    /// quickselect with median-of-three). Keys are copied into scratch shared by the whole build (a node uses its own
    /// rows' slots only, so subtrees run in parallel). Deterministic: no randomness.
    /// </summary>
    private void Select(double[] src, int lo, int hi, int k, int dim)
    {
        int d = _d;
        double[] keys = _keys!;
        int[] items = _items!;
        for (int i = lo; i <= hi; i++) { items[i] = _index[i]; keys[i] = src[(long)items[i] * d + dim]; }
        FloydRivest(keys, items, lo, hi, k);
        Array.Copy(items, lo, _index, lo, hi - lo + 1);
    }

    private static void FloydRivest(double[] keys, int[] items, int left, int right, int k)
    {
        while (right > left)
        {
            if (right - left > 600)
            {
                double n = right - left + 1, i = k - left + 1, z = Math.Log(n);
                double s = 0.5 * Math.Exp(2 * z / 3), sd = 0.5 * Math.Sqrt(z * s * (n - s) / n) * Math.Sign(i - n / 2);
                FloydRivest(keys, items, Math.Max(left, (int)(k - i * s / n + sd)), Math.Min(right, (int)(k + (n - i) * s / n + sd)), k);
            }
            double tk = keys[k];
            int ti = items[k];
            int a = left, b = right;
            Swap(keys, items, left, k);
            if (Greater(keys, items, right, tk, ti)) Swap(keys, items, right, left);
            while (a < b)
            {
                Swap(keys, items, a, b);
                a++;
                b--;
                while (keys[a] < tk || (keys[a] == tk && items[a] < ti)) a++;
                while (Greater(keys, items, b, tk, ti)) b--;
            }
            if (keys[left] == tk && items[left] == ti) Swap(keys, items, left, b);
            else
            {
                b++;
                Swap(keys, items, b, right);
            }
            if (b <= k) left = b + 1;
            if (k <= b) right = b - 1;
        }
    }

    private static bool Greater(double[] keys, int[] items, int a, double tk, int ti) => keys[a] > tk || (keys[a] == tk && items[a] > ti);

    private static void Swap(double[] keys, int[] items, int a, int b)
    {
        (keys[a], keys[b]) = (keys[b], keys[a]);
        (items[a], items[b]) = (items[b], items[a]);
    }

    public void Search(ReadOnlySpan<double> x, double r2, ref NeighborList result, bool collect)
    {
        int d = _d;
        double prune = r2 * (1 + 4.0 * (d + 2) / (1L << 53)) + double.Epsilon;
        Span<int> stack = stackalloc int[128];
        int sp = 0;
        stack[sp++] = 0;
        var nodes = _nodes.AsSpan();
        // d ≤ 8: the box gap of all coordinates in one vector (padded lanes have a zero gap); any summation order
        // errs by at most d·u, inside the prune slack.
        var xv = Vector512<double>.Zero;
        if (_box8 is not null)
        {
            Span<double> xp = stackalloc double[8];
            x.CopyTo(xp);
            xv = Vector512.Create<double>(xp);
        }
        while (sp > 0)
        {
            int id = stack[--sp];
            ref readonly var node = ref nodes[id];
            double lb;
            if (_box8 is not null)
            {
                var lo8 = Vector512.Create<double>(_box8.AsSpan(id * 16, 8));
                var hi8 = Vector512.Create<double>(_box8.AsSpan(id * 16 + 8, 8));
                var g = Vector512.Max(Vector512.Max(lo8 - xv, xv - hi8), Vector512<double>.Zero);
                lb = Vector512.Sum(g * g);
            }
            else lb = Gap(x, id);
            if (lb > prune) continue;
            if (node.Left < 0)
            {
                if (Vector512.IsHardwareAccelerated) ScanLeaf512(x, r2, id, node.Start, node.End, ref result, collect);
                else if (Vector256.IsHardwareAccelerated) ScanLeaf256(x, r2, id, node.Start, node.End, ref result, collect);
                else ScanLeafScalar(x, r2, node.Start, node.End, ref result, collect);
                continue;
            }
            if (sp + 2 > stack.Length)
            {
                var bigger = new int[stack.Length * 2];
                stack.CopyTo(bigger);
                stack = bigger;
            }
            stack[sp++] = node.Right;
            stack[sp++] = node.Left;
        }
    }

    /// <summary>Eight leaf points per step: lane sums in index order, multiply then add (the reference sum bit for bit).</summary>
    private unsafe void ScanLeaf512(ReadOnlySpan<double> x, double r2, int node, int start, int end, ref NeighborList result, bool collect)
    {
        int d = _d, n = end - start;
        var limit = Vector512.Create(r2);
        double* hits = stackalloc double[16];
        fixed (double* soa = _soa)
        {
            double* b = soa + (long)_leafBlock[node] * 8 * d;
            int j = 0;
            // Two blocks at once: each block's lane sums keep their order (the same bits), and the two independent
            // chains hide the add latency that one chain of d dependent adds exposes.
            for (; j + 8 < n; j += 16, b += 16 * d)
            {
                var acc = Vector512<double>.Zero;
                var acc2 = Vector512<double>.Zero;
                for (int k = 0; k < d; k++)
                {
                    var xk = Vector512.Create(x[k]);
                    var t = xk - Vector512.Load(b + k * 8);
                    var t2 = xk - Vector512.Load(b + 8 * d + k * 8);
                    acc += t * t;
                    acc2 += t2 * t2;
                }
                ulong bits = Vector512.LessThan(acc, limit).ExtractMostSignificantBits() | (Vector512.LessThan(acc2, limit).ExtractMostSignificantBits() << 8);
                if (bits != 0)
                {
                    acc.Store(hits);
                    acc2.Store(hits + 8);
                    Emit(bits, start + j, hits, ref result, collect);
                }
            }
            for (; j < n; j += 8, b += 8 * d)
            {
                var acc = Vector512<double>.Zero;
                for (int k = 0; k < d; k++)
                {
                    var t = Vector512.Create(x[k]) - Vector512.Load(b + k * 8);
                    acc += t * t;
                }
                ulong bits = Vector512.LessThan(acc, limit).ExtractMostSignificantBits();
                if (bits != 0)
                {
                    acc.Store(hits);
                    Emit(bits, start + j, hits, ref result, collect);
                }
            }
        }
    }

    /// <summary>Adds the points of a block whose lanes are set in <paramref name="bits"/> (squared distances in <paramref name="d2"/>, lane order).</summary>
    private unsafe void Emit(ulong bits, int first, double* d2, ref NeighborList result, bool collect)
    {
        while (bits != 0)
        {
            int lane = BitOperations.TrailingZeroCount(bits);
            bits &= bits - 1;
            if (collect) result.Add(_index[first + lane], d2[lane]);
            else result.Count++;
        }
    }

    /// <summary>
    /// The same eight-point blocks as two 256-bit halves (AVX2 machines, and the AVX2 build of the C library): lane
    /// sums in index order, multiply then add, so the same bits as <see cref="ScanLeaf512"/> and the reference.
    /// </summary>
    private unsafe void ScanLeaf256(ReadOnlySpan<double> x, double r2, int node, int start, int end, ref NeighborList result, bool collect)
    {
        int d = _d, n = end - start;
        var limit = Vector256.Create(r2);
        double* hits = stackalloc double[8];
        fixed (double* soa = _soa)
        {
            double* b = soa + (long)_leafBlock[node] * 8 * d;
            for (int j = 0; j < n; j += 8, b += 8 * d)
            {
                Vector256<double> lo = Vector256<double>.Zero, hi = Vector256<double>.Zero;
                for (int k = 0; k < d; k++)
                {
                    var xk = Vector256.Create(x[k]);
                    var t0 = xk - Vector256.Load(b + k * 8);
                    var t1 = xk - Vector256.Load(b + k * 8 + 4);
                    lo += t0 * t0;
                    hi += t1 * t1;
                }
                uint bits = Vector256.LessThan(lo, limit).ExtractMostSignificantBits() | (Vector256.LessThan(hi, limit).ExtractMostSignificantBits() << 4);
                if (bits != 0)
                {
                    lo.Store(hits);
                    hi.Store(hits + 4);
                    Emit(bits, start + j, hits, ref result, collect);
                }
            }
        }
    }

    private void ScanLeafScalar(ReadOnlySpan<double> x, double r2, int start, int end, ref NeighborList result, bool collect)
    {
        int d = _d;
        for (int i = start; i < end; i++)
        {
            var p = _points!.AsSpan(i * d, d);
            double s = 0;
            for (int k = 0; k < d; k++)
            {
                double t = x[k] - p[k];
                s += t * t;
                if (s >= r2) break; // partial sums only grow: the full reference sum is ≥ r² too
            }
            if (s < r2)
            {
                if (collect) result.Add(_index[i], s);
                else result.Count++;
            }
        }
    }
}
