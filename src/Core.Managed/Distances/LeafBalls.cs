using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DenseAm.Distances;

/// <summary>
/// Patterns cut into leaves of at most <see cref="MaxLeaf"/> points by recursive two-way 2-means splits (the
/// bisecting hyperplane of two means, so clustered data are cut between clusters rather than through them).
/// Each leaf keeps a bounding ball (centre = mean of its members, radius = largest member distance, rounded up)
/// and its points transposed (d rows of lanes, padded with +∞) for a lane-parallel direct-difference kernel;
/// consecutive leaves form groups (subtrees of at most 256 points) with balls of their own.
/// A query x skips leaf l when ‖x − c_l‖ is provably at least R_l + h: by the triangle inequality every member
/// is then at distance ≥ h, where the Epanechnikov kernel is zero, so the sums equal those of a full scan.
/// </summary>
internal sealed class LeafBalls<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Largest leaf: big enough that a leaf fills several vectors, small enough to prune finely.</summary>
    public const int MaxLeaf = 128;

    /// <summary>Depth below which subtrees are deferred to one parallel loop (up to 2^DeferDepth subtrees).</summary>
    private const int DeferDepth = 4;

    /// <summary>Nodes this small are never split.</summary>
    private const int MinLeaf = 8;
    private const int Rounds = 3;

    private readonly int _d;
    private readonly int[] _offset;     // start of leaf l in _data
    private readonly int[] _stride;     // lanes per coordinate row of leaf l (a multiple of the vector width)
    private readonly T[] _data;
    private readonly double[] _centresT; // d rows of LeafStride lanes (padded leaves: +∞, never reached)
    private readonly double[] _radii;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public LeafBalls(PointSet<T> p, bool parallel = true)
    {
        int m = p.Rows, d = p.Columns;
        _d = d;
        var order = new int[m];
        for (int i = 0; i < m; i++) order[i] = i;
        // The splits read float64 coordinates: the data themselves when T is double (only read, never written).
        double[] xs;
        if (typeof(T) == typeof(double)) xs = (double[])(object)p.Data;
        else
        {
            xs = new double[(long)m * d];
            for (int i = 0; i < xs.Length; i++) xs[i] = double.CreateTruncating(p.Data[i]);
        }
        var bag = new System.Collections.Concurrent.ConcurrentBag<(int start, int end)>();
        var groupBag = new System.Collections.Concurrent.ConcurrentBag<(int start, int end)>();
        var proj = new double[m];
        var deferred = parallel ? new List<(int Start, int End, bool Grouped)>() : null;
        Split(xs, d, order, proj, 0, m, bag, groupBag, false, deferred);
        if (deferred is { Count: > 0 })
            Parallel.For(0, deferred.Count, new ParallelOptions { MaxDegreeOfParallelism = -1 }, t =>
                Split(xs, d, order, proj, deferred[t].Start, deferred[t].End, bag, groupBag, deferred[t].Grouped, null));
        // Leaves and groups in position order: the layout does not depend on which thread split which node.
        var leaves = bag.OrderBy(r => r.start).ToList();
        var groups = groupBag.OrderBy(r => r.start).ToList();
        LeafCount = leaves.Count;
        int w = Vector512<T>.Count;
        _offset = new int[LeafCount];
        _stride = new int[LeafCount];
        long total = 0;
        for (int l = 0; l < LeafCount; l++)
        {
            int n = leaves[l].end - leaves[l].start;
            _offset[l] = checked((int)total);
            _stride[l] = (n + w - 1) / w * w;
            total += (long)_stride[l] * d;
        }
        _data = GC.AllocateUninitializedArray<T>(checked((int)total));
        LeafStride = (LeafCount + 15) / 8 * 8;
        _centresT = new double[LeafStride * d];
        Array.Fill(_centresT, double.PositiveInfinity);
        _radii = new double[LeafStride];
        // Each leaf writes only its own block, centre lanes and radius: leaves in parallel give the same arrays.
        var po = new ParallelOptions { MaxDegreeOfParallelism = parallel ? -1 : 1 };
        Parallel.For(0, (LeafCount + 15) / 16, po, () => new double[d], (chunk, _, c) =>
        {
            for (int l = chunk * 16; l < Math.Min(LeafCount, chunk * 16 + 16); l++) FillLeaf(p, order, leaves[l].start, leaves[l].end, l, c);
            return c;
        }, _ => { });
        var c = new double[d];
        // Groups of consecutive leaves (subtrees of at most GroupMax points): centre = mean of the members,
        // radius = max over its leaves of ‖c_g − c_l‖ + R_l, which bounds every member's distance.
        GroupCount = groups.Count;
        GroupStride = (GroupCount + 31) / 32 * 32;
        _groupFirst = new int[GroupCount + 1];
        _groupCentresT = new double[GroupStride * d];
        Array.Fill(_groupCentresT, double.PositiveInfinity);
        _groupRadii = new double[GroupCount];
        int leaf = 0;
        for (int g = 0; g < GroupCount; g++)
        {
            _groupFirst[g] = leaf;
            int l0 = leaf;
            while (leaf < LeafCount && leaves[leaf].start < groups[g].end) leaf++;
            Array.Clear(c);
            for (int l = l0; l < leaf; l++)
                for (int i = 0; i < d; i++) c[i] += _centresT[i * LeafStride + l] * (leaves[l].end - leaves[l].start);
            for (int i = 0; i < d; i++)
            {
                c[i] /= groups[g].end - groups[g].start;
                _groupCentresT[i * GroupStride + g] = c[i];
            }
            double r = 0;
            for (int l = l0; l < leaf; l++)
            {
                double s2 = 0;
                for (int i = 0; i < d; i++)
                {
                    double t = _centresT[i * LeafStride + l] - c[i];
                    s2 += t * t;
                }
                r = Math.Max(r, Math.Sqrt(s2) * (1 + 1e-12) + _radii[l]);
            }
            _groupRadii[g] = r * (1 + 1e-12);
        }
        _groupFirst[GroupCount] = leaf;
    }

    private readonly int[] _groupFirst;       // leaves of group g: [_groupFirst[g], _groupFirst[g + 1])
    private readonly double[] _groupCentresT; // d rows of GroupStride lanes
    private readonly double[] _groupRadii;

    /// <summary>Number of leaf groups.</summary>
    public int GroupCount { get; }

    /// <summary>Lanes per row of the transposed group centres.</summary>
    public int GroupStride { get; }

    /// <summary>Largest subtree kept as one group of leaves, tested as a whole before its leaves.</summary>
    private const int GroupMax = 256;

    /// <summary>
    /// Relative slack on reach tests: the computed centre distances and the T-precision member distances err by at
    /// most a few (d + 2)·u each, so a leaf skipped with this margin has only members whose terms would be zero.
    /// </summary>
    private double Slack => 1 + 8.0 * (_d + 2) * SimdDistance.UnitRoundoff<T>() + 1e-9;

    /// <summary>Copies leaf l's points (positions [start, end) of order) into its transposed block; sets its centre and radius.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FillLeaf(PointSet<T> p, int[] order, int start, int end, int l, double[] c)
    {
        int d = _d, n = end - start, s = _stride[l];
        Array.Clear(c);
        for (int k = start; k < end; k++)
        {
            var row = p.Row(order[k]);
            for (int i = 0; i < d; i++)
            {
                c[i] += double.CreateTruncating(row[i]);
                _data[_offset[l] + i * s + (k - start)] = row[i];
            }
        }
        for (int i = 0; i < d; i++)
        {
            c[i] /= n;
            _centresT[i * LeafStride + l] = c[i];
            _data.AsSpan(_offset[l] + i * s + n, s - n).Fill(T.PositiveInfinity);
        }
        double r2 = 0;
        for (int k = start; k < end; k++)
        {
            var row = p.Row(order[k]);
            double s2 = 0;
            for (int i = 0; i < d; i++)
            {
                double t = double.CreateTruncating(row[i]) - c[i];
                s2 += t * t;
            }
            r2 = Math.Max(r2, s2);
        }
        // Rounded up past the reference sum's own rounding, so R_l bounds the true member distances.
        _radii[l] = Math.Sqrt(r2) * (1 + 1e-12) + double.Epsilon;
    }

    /// <summary>Number of leaves.</summary>
    public int LeafCount { get; }

    /// <summary>Lanes per row of the transposed leaf centres (LeafCount + 8 rounded up to 8).</summary>
    public int LeafStride { get; }

    /// <summary>
    /// Splits order[start, end) in two by 2-means: seeded with two far-apart points, three Lloyd rounds on an evenly
    /// spaced sample of at most <see cref="SampleSize"/> members, then one pass cutting all members by the bisecting
    /// hyperplane of the two means, which on clustered data runs between clusters. A side smaller than a quarter of
    /// a large node falls back to the median along the means' direction, so the depth stays logarithmic.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Split(double[] xs, int d, int[] order, double[] proj, int start, int end,
        System.Collections.Concurrent.ConcurrentBag<(int, int)> leaves, System.Collections.Concurrent.ConcurrentBag<(int, int)> groups, bool grouped,
        List<(int Start, int End, bool Grouped)>? deferred, int depth = 0)
    {
        int n = end - start;
        if (!grouped && n <= GroupMax)
        {
            groups.Add((start, end));
            grouped = true;
        }
        if (n <= MinLeaf)
        {
            leaves.Add((start, end));
            return;
        }
        int ns = Math.Min(n, SampleSize);
        Span<int> sample = stackalloc int[ns];
        for (int k = 0; k < ns; k++) sample[k] = order[start + (int)((long)k * n / ns)];
        Span<bool> side = stackalloc bool[ns];
        var ca = new double[d];
        var cb = new double[d];
        var dir = new double[d];
        int ia = Farthest(xs, d, sample, sample[0]);
        int ib = Farthest(xs, d, sample, ia);
        xs.AsSpan(ia * d, d).CopyTo(ca);
        xs.AsSpan(ib * d, d).CopyTo(cb);
        double off = 0;
        for (int round = 0; ; round++)
        {
            // x is nearer b than a ⇔ ⟨x, b − a⟩ > (‖b‖² − ‖a‖²)/2.
            off = 0;
            for (int i = 0; i < d; i++) { dir[i] = cb[i] - ca[i]; off += 0.5 * (cb[i] * cb[i] - ca[i] * ca[i]); }
            if (round == Rounds) break;
            int nb = 0;
            for (int k = 0; k < ns; k++) if (side[k] = Dot(xs, sample[k] * d, dir, d) > off) nb++;
            if (nb == 0 || nb == ns) break;
            SideSums(xs, d, sample, side, ca, cb);
            for (int i = 0; i < d; i++) { ca[i] /= ns - nb; cb[i] /= nb; }
        }
        for (int k = start; k < end; k++) proj[k] = Dot(xs, order[k] * d, dir, d) - off;
        // Stable two-way partition (non-positive side first) keeps the result a function of the input alone.
        int cut = Partition(order, proj, start, end);
        if (n <= MaxLeaf)
        {
            // A leaf-sized node is split further only if its two means lie farther apart than the members' RMS
            // distance to their own mean: a node mixing pieces of distant clusters would have a needlessly wide ball.
            if (cut == start || cut == end || !WellSeparated(xs, d, order, start, cut, end, ca, cb))
            {
                leaves.Add((start, end));
                return;
            }
        }
        else if (cut - start < n / 4 || end - cut < n / 4)
        {
            // Lopsided: the median along the means' direction instead (depth stays logarithmic).
            cut = start + n / 2;
            Select(order, proj, start, end - 1, cut);
        }
        // The halves are disjoint ranges, so splitting them on other threads gives the same partition: below the top
        // levels they are deferred and then split in one parallel loop (one fork and join instead of one per node).
        if (deferred is not null && (depth + 1 >= DeferDepth || n <= 2048))
        {
            deferred.Add((start, cut, grouped));
            deferred.Add((cut, end, grouped));
        }
        else
        {
            Split(xs, d, order, proj, start, cut, leaves, groups, grouped, deferred, depth + 1);
            Split(xs, d, order, proj, cut, end, leaves, groups, grouped, deferred, depth + 1);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool WellSeparated(double[] xs, int d, int[] order, int start, int cut, int end, double[] ca, double[] cb)
    {
        Mean(xs, d, order, start, cut, ca);
        Mean(xs, d, order, cut, end, cb);
        double within = 0;
        for (int k = start; k < end; k++) within += Distance2(xs, order[k] * d, k < cut ? ca : cb, 0, d);
        double sep = 0;
        for (int i = 0; i < d; i++) sep += (ca[i] - cb[i]) * (ca[i] - cb[i]);
        return sep > within / (end - start);
    }

    /// <summary>
    /// Quickselect of (proj, order)[lo..hi] by (projection, point index): afterwards position k holds the k-th
    /// smallest and those before it are no larger. Deterministic (median-of-three pivots, no randomness).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Select(int[] order, double[] proj, int lo, int hi, int k)
    {
        static bool Less(int[] order, double[] proj, int a, int b) => proj[a] < proj[b] || (proj[a] == proj[b] && order[a] < order[b]);
        static void Swap(int[] order, double[] proj, int a, int b)
        {
            (proj[a], proj[b]) = (proj[b], proj[a]);
            (order[a], order[b]) = (order[b], order[a]);
        }
        while (hi > lo)
        {
            int mid = lo + (hi - lo) / 2;
            if (Less(order, proj, mid, lo)) Swap(order, proj, mid, lo);
            if (Less(order, proj, hi, lo)) Swap(order, proj, hi, lo);
            if (Less(order, proj, hi, mid)) Swap(order, proj, hi, mid);
            double pk = proj[mid];
            int pi = order[mid];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (proj[i] < pk || (proj[i] == pk && order[i] < pi)) i++;
                while (pk < proj[j] || (pk == proj[j] && pi < order[j])) j--;
                if (i <= j) { Swap(order, proj, i, j); i++; j--; }
            }
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Partition(int[] order, double[] proj, int start, int end)
    {
        int n = end - start;
        var o = System.Buffers.ArrayPool<int>.Shared.Rent(n);
        var v = System.Buffers.ArrayPool<double>.Shared.Rent(n);
        int lo = 0, hi = n;
        for (int k = start; k < end; k++)
        {
            if (proj[k] <= 0) { o[lo] = order[k]; v[lo++] = proj[k]; }
            else { o[--hi] = order[k]; v[hi] = proj[k]; }
        }
        Array.Reverse(o, hi, n - hi);
        Array.Reverse(v, hi, n - hi);
        Array.Copy(o, 0, order, start, n);
        Array.Copy(v, 0, proj, start, n);
        System.Buffers.ArrayPool<int>.Shared.Return(o);
        System.Buffers.ArrayPool<double>.Shared.Return(v);
        return start + lo;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Mean(double[] xs, int d, int[] order, int start, int end, double[] c)
    {
        Array.Clear(c);
        for (int k = start; k < end; k++) Add(c, xs, order[k] * d, d);
        for (int i = 0; i < d; i++) c[i] /= end - start;
    }

    /// <summary>The point of <paramref name="ids"/> farthest from point <paramref name="from"/> (first on ties).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Farthest(double[] xs, int d, ReadOnlySpan<int> ids, int from)
    {
        int best = from;
        double bd = -1;
        foreach (int id in ids)
        {
            double s = Distance2(xs, id * d, xs, from * d, d);
            if (s > bd) { bd = s; best = id; }
        }
        return best;
    }

    // The splits need no particular rounding (any deterministic value will do), so eight lanes at a time, read
    // straight from the arrays: span slicing and SimdDistance's per-call checks cost more than the arithmetic at d = 16.

    /// <summary>⟨a[ao..ao+d), b[0..d)⟩.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Dot(double[] a, int ao, double[] b, int d)
    {
        ref double pa = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(a), ao);
        ref double pb = ref MemoryMarshal.GetArrayDataReference(b);
        int i = 0;
        double s = 0;
        if (Vector512.IsHardwareAccelerated && d >= 8)
        {
            var acc = Vector512<double>.Zero;
            for (; i + 8 <= d; i += 8) acc = SimdDistance.Fma(Vector512.LoadUnsafe(ref pa, (nuint)i), Vector512.LoadUnsafe(ref pb, (nuint)i), acc);
            s = HorizontalSum(acc);
        }
        for (; i < d; i++) s += Unsafe.Add(ref pa, i) * Unsafe.Add(ref pb, i);
        return s;
    }

    /// <summary>‖a[ao..ao+d) − b[bo..bo+d)‖².</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Distance2(double[] a, int ao, double[] b, int bo, int d)
    {
        ref double pa = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(a), ao);
        ref double pb = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(b), bo);
        int i = 0;
        double s = 0;
        if (Vector512.IsHardwareAccelerated && d >= 8)
        {
            var acc = Vector512<double>.Zero;
            for (; i + 8 <= d; i += 8)
            {
                var t = Vector512.LoadUnsafe(ref pa, (nuint)i) - Vector512.LoadUnsafe(ref pb, (nuint)i);
                acc = SimdDistance.Fma(t, t, acc);
            }
            s = HorizontalSum(acc);
        }
        for (; i < d; i++)
        {
            double t = Unsafe.Add(ref pa, i) - Unsafe.Add(ref pb, i);
            s += t * t;
        }
        return s;
    }

    /// <summary>
    /// ca = Σ of the sample members on side false, cb = on side true. For d = 8 or 16 the sums stay in registers:
    /// adding into the arrays member by member chains every add through a store and a reload (most of the build).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SideSums(double[] xs, int d, ReadOnlySpan<int> sample, ReadOnlySpan<bool> side, double[] ca, double[] cb)
    {
        if (Vector512.IsHardwareAccelerated && (d == 8 || d == 16))
        {
            ref double px = ref MemoryMarshal.GetArrayDataReference(xs);
            Vector512<double> a0 = default, a1 = default, b0 = default, b1 = default;
            for (int k = 0; k < sample.Length; k++)
            {
                ref double r = ref Unsafe.Add(ref px, sample[k] * d);
                var lo = Vector512.LoadUnsafe(ref r);
                var hi = d == 16 ? Vector512.LoadUnsafe(ref r, 8) : default;
                if (side[k]) { b0 += lo; b1 += hi; }
                else { a0 += lo; a1 += hi; }
            }
            a0.CopyTo(ca);
            b0.CopyTo(cb);
            if (d == 16)
            {
                a1.CopyTo(ca.AsSpan(8));
                b1.CopyTo(cb.AsSpan(8));
            }
            return;
        }
        Array.Clear(ca);
        Array.Clear(cb);
        for (int k = 0; k < sample.Length; k++) Add(side[k] ? cb : ca, xs, sample[k] * d, d);
    }

    /// <summary>The eight lanes' sum by halving (Vector512.Sum's lowering is slower here).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double HorizontalSum(Vector512<double> v)
    {
        var h = v.GetLower() + v.GetUpper();
        var q = h.GetLower() + h.GetUpper();
        return q.ToScalar() + q.GetElement(1);
    }

    /// <summary>acc += x[xo..xo+d) (coordinate-wise), eight lanes at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(double[] acc, double[] x, int xo, int d)
    {
        ref double pa = ref MemoryMarshal.GetArrayDataReference(acc);
        ref double px = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(x), xo);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 8 <= d; i += 8) (Vector512.LoadUnsafe(ref pa, (nuint)i) + Vector512.LoadUnsafe(ref px, (nuint)i)).StoreUnsafe(ref pa, (nuint)i);
        for (; i < d; i++) Unsafe.Add(ref pa, i) += Unsafe.Add(ref px, i);
    }

    /// <summary>Members sampled per node to fit the 2-means split.</summary>
    private const int SampleSize = 128;

    /// <summary>Skip thresholds for bandwidth h: leaf l is scanned only if the computed ‖x − c_l‖² &lt; thr[l].</summary>
    public double[] Thresholds(double h)
    {
        double slack = Slack;
        var thr = new double[LeafCount];
        for (int l = 0; l < LeafCount; l++)
        {
            double t = (_radii[l] + h) * slack;
            thr[l] = t * t;
        }
        return thr;
    }

    /// <summary>
    /// The leaf nearest to x among those of the group whose centre is nearest (first on ties): a locality key.
    /// Queries handled in order of this key find the leaves they need still in cache from the previous query.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    public unsafe int NearestLeaf(ReadOnlySpan<double> x)
    {
        int best = 0, d = _d, gs = GroupStride;
        double bd = double.PositiveInfinity;
        Span<double> dist = stackalloc double[32];
        fixed (double* gc = _groupCentresT)
        fixed (double* px = x)
        {
            if (Vector512.IsHardwareAccelerated)
            {
                // Four independent chains of eight groups (padded groups are +∞ away); the running minimum and its
                // index are kept per lane without branches, the earliest index winning ties.
                var bestV = Vector512.Create(double.PositiveInfinity);
                var bestI = Vector512<double>.Zero;
                var lane = Vector512.Create(0.0, 1, 2, 3, 4, 5, 6, 7);
                for (int g0 = 0; g0 < gs; g0 += 32)
                {
                    Vector512<double> a0 = default, a1 = default, a2 = default, a3 = default;
                    double* col = gc + g0;
                    for (int i = 0; i < d; i++, col += gs)
                    {
                        var xb = Vector512.Create(px[i]);
                        var t0 = xb - Vector512.Load(col);
                        var t1 = xb - Vector512.Load(col + 8);
                        var t2 = xb - Vector512.Load(col + 16);
                        var t3 = xb - Vector512.Load(col + 24);
                        a0 = SimdDistance.Fma(t0, t0, a0);
                        a1 = SimdDistance.Fma(t1, t1, a1);
                        a2 = SimdDistance.Fma(t2, t2, a2);
                        a3 = SimdDistance.Fma(t3, t3, a3);
                    }
                    Track(a0, lane + Vector512.Create((double)g0), ref bestV, ref bestI);
                    Track(a1, lane + Vector512.Create((double)(g0 + 8)), ref bestV, ref bestI);
                    Track(a2, lane + Vector512.Create((double)(g0 + 16)), ref bestV, ref bestI);
                    Track(a3, lane + Vector512.Create((double)(g0 + 24)), ref bestV, ref bestI);
                }
                for (int k = 0; k < 8; k++)
                    if (bestV[k] < bd || (bestV[k] == bd && (int)bestI[k] < best)) { bd = bestV[k]; best = (int)bestI[k]; }
            }
            else
            {
                for (int g0 = 0; g0 < gs; g0 += 32)
                {
                    dist.Clear();
                    for (int i = 0; i < d; i++)
                        for (int k = 0; k < 32; k++)
                        {
                            double t = px[i] - gc[i * gs + g0 + k];
                            dist[k] += t * t;
                        }
                    for (int k = 0; k < 32; k++)
                        if (dist[k] < bd) { bd = dist[k]; best = g0 + k; }
                }
            }
        }
        // Then the nearest leaf of that group (eight leaves per vector, lanes past the group masked off): a finer
        // key, so consecutive queries share their leaves.
        int g = Math.Min(best, GroupCount - 1), leaf = _groupFirst[g], last = _groupFirst[g + 1];
        bd = double.PositiveInfinity;
        int ls = LeafStride;
        fixed (double* ct = _centresT)
        fixed (double* px = x)
        {
            for (int l0 = _groupFirst[g]; l0 < last; l0 += 8)
            {
                if (Vector512.IsHardwareAccelerated)
                {
                    var a = Vector512<double>.Zero;
                    double* col = ct + l0;
                    for (int i = 0; i < d; i++, col += ls)
                    {
                        var t = Vector512.Create(px[i]) - Vector512.Load(col);
                        a = SimdDistance.Fma(t, t, a);
                    }
                    a.CopyTo(dist);
                }
                else
                {
                    dist[..8].Clear();
                    for (int i = 0; i < d; i++)
                        for (int k = 0; k < 8; k++)
                        {
                            double t = px[i] - ct[i * ls + l0 + k];
                            dist[k] += t * t;
                        }
                }
                for (int k = 0; k < Math.Min(8, last - l0); k++)
                    if (dist[k] < bd) { bd = dist[k]; leaf = l0 + k; }
            }
        }
        return leaf;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Track(Vector512<double> a, Vector512<double> index, ref Vector512<double> bestV, ref Vector512<double> bestI)
    {
        var m = Vector512.LessThan(a, bestV);
        bestV = Vector512.ConditionalSelect(m, a, bestV);
        bestI = Vector512.ConditionalSelect(m, index, bestI);
    }

    /// <summary>Points in the leaves a query x would scan (for the cost estimate).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public long Work(ReadOnlySpan<double> x, double[] thr)
    {
        long n = 0;
        for (int l = 0; l < LeafCount; l++)
        {
            double s = 0;
            for (int i = 0; i < _d; i++)
            {
                double t = x[i] - _centresT[i * LeafStride + l];
                s += t * t;
            }
            if (s < thr[l]) n += _stride[l];
        }
        return n + LeafCount;
    }

    /// <summary>
    /// The leaves (increasing) that some point within <paramref name="radius"/> of <paramref name="c"/> could need at
    /// bandwidth h: ‖c − c_l‖ &lt; R_l + radius + h, with the same relative slack as <see cref="Thresholds"/>.
    /// For a block of queries inside that ball it is a superset of every query's own reachable leaves (triangle
    /// inequality), so each query then tests only these. Returns the count written to <paramref name="result"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Candidates(ReadOnlySpan<double> c, double radius, double h, Span<int> result)
    {
        int n = 0;
        // An extra 1e-9 so that rounding in ‖c − c_l‖ versus a query's own ‖x − c_l‖ cannot drop a leaf the query reaches.
        double slack = Slack * (1 + 1e-9);
        for (int g = 0; g < GroupCount; g++)
        {
            double t = (_groupRadii[g] + radius + h) * slack;
            if (!(CentreDistance(c, _groupCentresT, GroupStride, g) < t * t)) continue;
            for (int l = _groupFirst[g]; l < _groupFirst[g + 1]; l++)
            {
                double u = (_radii[l] + radius + h) * slack;
                if (CentreDistance(c, _centresT, LeafStride, l) < u * u) result[n++] = l;
            }
        }
        return n;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private double CentreDistance(ReadOnlySpan<double> x, double[] centresT, int stride, int k)
    {
        double s0 = 0, s1 = 0;
        int i = 0;
        for (; i + 1 < _d; i += 2)
        {
            double t0 = x[i] - centresT[i * stride + k], t1 = x[i + 1] - centresT[(i + 1) * stride + k];
            s0 += t0 * t0;
            s1 += t1 * t1;
        }
        if (i < _d)
        {
            double t0 = x[i] - centresT[i * stride + k];
            s0 += t0 * t0;
        }
        return s0 + s1;
    }

    /// <summary>
    /// Σ_μ max(0, 1 − ‖x − ξ_μ‖²·inv) over the leaves of <paramref name="candidates"/> (increasing) that x itself can
    /// reach by its own threshold: the leaves a lone query would scan, in leaf order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe double EpanechnikovSumOver(ReadOnlySpan<T> x, ReadOnlySpan<double> xd, ReadOnlySpan<int> candidates, double[] thr, T inv)
    {
        double total = 0;
        fixed (T* pxt = x)
        fixed (T* data = _data)
        {
            if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
            {
                var vacc = Vector512<double>.Zero;
                foreach (int l in candidates)
                    if (CentreDistance(xd, _centresT, LeafStride, l) < thr[l]) ScanLeaf512(pxt, data + _offset[l], _stride[l], inv, ref vacc);
                total = Vector512.Sum(vacc);
            }
            else
            {
                foreach (int l in candidates)
                    if (CentreDistance(xd, _centresT, LeafStride, l) < thr[l]) total += ScanLeafScalar(pxt, data + _offset[l], _stride[l], inv);
            }
        }
        return total;
    }

    /// <summary>
    /// The candidates' centres transposed (d rows of <paramref name="stride"/> lanes; padding +∞) with their thresholds
    /// (padding 0), so a query of the block tests eight candidates per vector instruction.
    /// </summary>
    public void TransposeCandidates(ReadOnlySpan<int> candidates, double[] thr, double[] centres, double[] thresholds, int stride)
    {
        int d = _d, nc = candidates.Length;
        for (int i = 0; i < d; i++)
        {
            var row = centres.AsSpan(i * stride, stride);
            for (int j = 0; j < nc; j++) row[j] = _centresT[i * LeafStride + candidates[j]];
            row[nc..].Fill(double.PositiveInfinity);
        }
        for (int j = 0; j < nc; j++) thresholds[j] = thr[candidates[j]];
        thresholds.AsSpan(nc, stride - nc).Clear();
    }

    /// <summary>
    /// As <see cref="EpanechnikovSumOver"/>, with the reach tests of eight candidates per vector (from
    /// <see cref="TransposeCandidates"/>). The tests may round differently from the scalar ones, but only by a few
    /// (d + 2)·u, inside the reach slack: a leaf they disagree on has only zero terms, so the sum is the same.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe double EpanechnikovSumOverBlock(ReadOnlySpan<T> x, ReadOnlySpan<double> xd, ReadOnlySpan<int> candidates, double[] centres,
        double[] thresholds, int stride, T inv)
    {
        if (!(Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported))
            throw new InvalidOperationException("The block reach tests need 512-bit vectors; use EpanechnikovSumOver without them.");
        int d = _d, nc = candidates.Length;
        var vacc = Vector512<double>.Zero;
        fixed (T* pxt = x)
        fixed (T* data = _data)
        fixed (double* ct = centres, th = thresholds, px = xd)
        {
            for (int j0 = 0; j0 < nc; j0 += 8)
            {
                var a = Vector512<double>.Zero;
                double* col = ct + j0;
                for (int i = 0; i < d; i++, col += stride)
                {
                    var t = Vector512.Create(px[i]) - Vector512.Load(col);
                    a = SimdDistance.Fma(t, t, a);
                }
                ulong bits = Vector512.LessThan(a, Vector512.Load(th + j0)).ExtractMostSignificantBits();
                while (bits != 0)
                {
                    int l = candidates[j0 + BitOperations.TrailingZeroCount(bits)];
                    bits &= bits - 1;
                    ScanLeaf512(pxt, data + _offset[l], _stride[l], inv, ref vacc);
                }
            }
        }
        return Vector512.Sum(vacc);
    }

    private unsafe double ScanLeafScalar(T* x, T* b, int stride, T inv)
    {
        int d = _d;
        T sum = T.Zero;
        for (int j = 0; j < stride; j++)
        {
            T acc = T.Zero;
            for (int i = 0; i < d; i++)
            {
                T t = x[i] - b[i * stride + j];
                acc += t * t;
            }
            T k = T.One - acc * inv;
            if (k > T.Zero) sum += k;
        }
        return double.CreateTruncating(sum);
    }

    /// <summary>
    /// Adds one leaf's Epanechnikov terms to <paramref name="acc"/> (lanes in float64; padded lanes are +∞ away and give
    /// 0). Leaves are short, so the distance sums are split into several independent FMA chains (four vectors × even
    /// and odd coordinates, or one vector × four coordinate classes) to keep the units busy rather than waiting on latency.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private unsafe void ScanLeaf512(T* x, T* b, int stride, T inv, ref Vector512<double> acc)
    {
        // MaxNative (a single vmaxpd/vmaxps) rather than Max, whose IEEE handling of −0 and NaN costs several
        // instructions per vector: 1 − t is never −0, and padded lanes give −∞, whose maximum with 0 is 0 either way.
        int d = _d, w = Vector512<T>.Count;
        var one = Vector512<T>.One;
        var iv = Vector512.Create(inv);
        var sum = Vector512<T>.Zero;
        int j = 0;
        for (; j + 4 * w <= stride; j += 4 * w)
        {
            Vector512<T> a0 = default, a1 = default, a2 = default, a3 = default, e0 = default, e1 = default, e2 = default, e3 = default;
            T* col = b + j;
            int i = 0;
            for (; i + 1 < d; i += 2, col += 2 * stride)
            {
                var xb = Vector512.Create(x[i]);
                var t0 = xb - Vector512.Load(col);
                var t1 = xb - Vector512.Load(col + w);
                var t2 = xb - Vector512.Load(col + 2 * w);
                var t3 = xb - Vector512.Load(col + 3 * w);
                a0 = SimdDistance.Fma(t0, t0, a0);
                a1 = SimdDistance.Fma(t1, t1, a1);
                a2 = SimdDistance.Fma(t2, t2, a2);
                a3 = SimdDistance.Fma(t3, t3, a3);
                var yb = Vector512.Create(x[i + 1]);
                var u0 = yb - Vector512.Load(col + stride);
                var u1 = yb - Vector512.Load(col + stride + w);
                var u2 = yb - Vector512.Load(col + stride + 2 * w);
                var u3 = yb - Vector512.Load(col + stride + 3 * w);
                e0 = SimdDistance.Fma(u0, u0, e0);
                e1 = SimdDistance.Fma(u1, u1, e1);
                e2 = SimdDistance.Fma(u2, u2, e2);
                e3 = SimdDistance.Fma(u3, u3, e3);
            }
            if (i < d)
            {
                var xb = Vector512.Create(x[i]);
                var t0 = xb - Vector512.Load(col);
                var t1 = xb - Vector512.Load(col + w);
                var t2 = xb - Vector512.Load(col + 2 * w);
                var t3 = xb - Vector512.Load(col + 3 * w);
                a0 = SimdDistance.Fma(t0, t0, a0);
                a1 = SimdDistance.Fma(t1, t1, a1);
                a2 = SimdDistance.Fma(t2, t2, a2);
                a3 = SimdDistance.Fma(t3, t3, a3);
            }
            sum += Vector512.MaxNative(Vector512<T>.Zero, one - (a0 + e0) * iv) + Vector512.MaxNative(Vector512<T>.Zero, one - (a1 + e1) * iv)
                + Vector512.MaxNative(Vector512<T>.Zero, one - (a2 + e2) * iv) + Vector512.MaxNative(Vector512<T>.Zero, one - (a3 + e3) * iv);
        }
        for (; j < stride; j += w)
        {
            Vector512<T> a0 = default, a1 = default, a2 = default, a3 = default;
            T* col = b + j;
            int i = 0;
            for (; i + 3 < d; i += 4, col += 4 * stride)
            {
                var t0 = Vector512.Create(x[i]) - Vector512.Load(col);
                var t1 = Vector512.Create(x[i + 1]) - Vector512.Load(col + stride);
                var t2 = Vector512.Create(x[i + 2]) - Vector512.Load(col + 2 * stride);
                var t3 = Vector512.Create(x[i + 3]) - Vector512.Load(col + 3 * stride);
                a0 = SimdDistance.Fma(t0, t0, a0);
                a1 = SimdDistance.Fma(t1, t1, a1);
                a2 = SimdDistance.Fma(t2, t2, a2);
                a3 = SimdDistance.Fma(t3, t3, a3);
            }
            for (; i < d; i++, col += stride)
            {
                var t0 = Vector512.Create(x[i]) - Vector512.Load(col);
                a0 = SimdDistance.Fma(t0, t0, a0);
            }
            sum += Vector512.MaxNative(Vector512<T>.Zero, one - ((a0 + a1) + (a2 + a3)) * iv);
        }
        if (typeof(T) == typeof(float))
        {
            var f = sum.AsSingle();
            acc += Vector512.WidenLower(f) + Vector512.WidenUpper(f);
        }
        else acc += sum.AsDouble();
    }
}
