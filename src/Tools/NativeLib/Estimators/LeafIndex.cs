using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DenseAm.Interop.Estimators;

/// <summary>
/// Points partitioned into leaves of at most <see cref="MaxLeafSize"/> points by recursive median splits on the widest
/// coordinate (a flat kd-tree), each leaf with its bounding box and coordinate sums, and the points stored
/// column-major so that squared distances to one centre are computed four points at a time.
/// The distance of each point is the reference sum Σ_j (x_j − c_j)² taken in index order j with a separate
/// multiply and add per term, so the vector lanes give exactly the float64 value of the scalar definition.
/// Box bounds are used only with a relative slack of 1e-9, far above their rounding error, so pruning never
/// changes a ball decision.
/// </summary>
internal sealed class LeafIndex
{
    /// <summary>The default leaf size (a few cache lines per coordinate).</summary>
    public const int LeafSize = 48;
    private const double Slack = 1e-9;

    public LeafIndex(Matrix points, int leafSize = LeafSize)
    {
        MaxLeafSize = leafSize;
        Count = points.Rows;
        Dimension = points.Columns;
        int n = Count, d = Dimension;
        Order = new int[n];
        for (int i = 0; i < n; i++) Order[i] = i;
        var starts = new List<int>();
        Split(points, 0, n, starts);
        starts.Add(n);
        LeafStart = starts.ToArray();
        LeafCount = starts.Count - 1;

        Rows = new double[(long)n * d];
        Columns = new double[(long)n * d];
        for (int k = 0; k < n; k++)
        {
            var row = points.Row(Order[k]);
            row.CopyTo(Rows.AsSpan(k * d, d));
            for (int j = 0; j < d; j++) Columns[(long)j * n + k] = row[j];
        }
        Lo = new double[LeafCount * d];
        Hi = new double[LeafCount * d];
        Sum = new double[LeafCount * d];
        for (int l = 0; l < LeafCount; l++)
        {
            var lo = Lo.AsSpan(l * d, d);
            var hi = Hi.AsSpan(l * d, d);
            var sum = Sum.AsSpan(l * d, d);
            lo.Fill(double.PositiveInfinity);
            hi.Fill(double.NegativeInfinity);
            for (int k = LeafStart[l]; k < LeafStart[l + 1]; k++)
            {
                var row = Row(k);
                for (int j = 0; j < d; j++)
                {
                    lo[j] = Math.Min(lo[j], row[j]);
                    hi[j] = Math.Max(hi[j], row[j]);
                    sum[j] += row[j];
                }
            }
        }
        // Groups of consecutive leaves (siblings in the split tree) with their bounding boxes: a ball query first
        // skips whole groups.
        GroupCount = (LeafCount + GroupSize - 1) / GroupSize;
        GroupLo = new double[GroupCount * d];
        GroupHi = new double[GroupCount * d];
        for (int g = 0; g < GroupCount; g++)
        {
            var lo = GroupLo.AsSpan(g * d, d);
            var hi = GroupHi.AsSpan(g * d, d);
            lo.Fill(double.PositiveInfinity);
            hi.Fill(double.NegativeInfinity);
            for (int l = g * GroupSize; l < Math.Min(LeafCount, (g + 1) * GroupSize); l++)
                for (int j = 0; j < d; j++)
                {
                    lo[j] = Math.Min(lo[j], Lo[l * d + j]);
                    hi[j] = Math.Max(hi[j], Hi[l * d + j]);
                }
        }
    }

    /// <summary>Leaves per group.</summary>
    public const int GroupSize = 8;

    /// <summary>Number of leaf groups; group g holds leaves [g·GroupSize, min(LeafCount, (g + 1)·GroupSize)).</summary>
    public int GroupCount { get; }

    private double[] GroupLo { get; }
    private double[] GroupHi { get; }

    /// <summary>Can some leaf of group g hold a point with squared distance ≤ r2 from c? (false only when provably not)</summary>
    public bool GroupMayReach(int g, ReadOnlySpan<double> c, double r2) =>
        BoxDistance(GroupLo.AsSpan(g * Dimension, Dimension), GroupHi.AsSpan(g * Dimension, Dimension), c) <= r2 * (1 + Slack);

    private static double BoxDistance(ReadOnlySpan<double> lo, ReadOnlySpan<double> hi, ReadOnlySpan<double> c)
    {
        // Only a pruning bound (compared with a relative slack of 1e-9), so four coordinates per step is as good as
        // the index-order sum; at most one of lo − c and c − hi is positive.
        double s = 0;
        int j = 0;
        if (Vector256.IsHardwareAccelerated && c.Length >= 4)
        {
            var acc = Vector256<double>.Zero;
            for (; j + 4 <= c.Length; j += 4)
            {
                var cv = Vector256.Create(c.Slice(j, 4));
                var t = Vector256.Max(Vector256.Create(lo.Slice(j, 4)) - cv, Vector256<double>.Zero)
                    + Vector256.Max(cv - Vector256.Create(hi.Slice(j, 4)), Vector256<double>.Zero);
                acc += t * t;
            }
            s = Vector256.Sum(acc);
        }
        for (; j < c.Length; j++)
        {
            double t = c[j] < lo[j] ? lo[j] - c[j] : c[j] > hi[j] ? c[j] - hi[j] : 0;
            s += t * t;
        }
        return s;
    }

    public int Count { get; }

    /// <summary>Leaves hold at most this many points.</summary>
    public int MaxLeafSize { get; }
    public int Dimension { get; }
    public int LeafCount { get; }

    /// <summary>Original row index of stored position k.</summary>
    public int[] Order { get; }

    /// <summary>Leaf l holds positions [LeafStart[l], LeafStart[l + 1]).</summary>
    public int[] LeafStart { get; }

    private double[] Rows { get; }
    private double[] Columns { get; }
    private double[] Lo { get; }
    private double[] Hi { get; }
    private double[] Sum { get; }

    public ReadOnlySpan<double> Row(int k) => Rows.AsSpan(k * Dimension, Dimension);

    /// <summary>The points column-major: coordinate j of position k at [j·Count + k].</summary>
    public double[] ColumnMajor => Columns;

    /// <summary>Σ of the coordinates of leaf l's points (in position order).</summary>
    public ReadOnlySpan<double> LeafSum(int l) => Sum.AsSpan(l * Dimension, Dimension);

    public int LeafSizeOf(int l) => LeafStart[l + 1] - LeafStart[l];

    /// <summary>Can leaf l hold a point with squared distance ≤ r2 from c? (false only when provably not)</summary>
    public bool MayReach(int l, ReadOnlySpan<double> c, double r2) =>
        BoxDistance(Lo.AsSpan(l * Dimension, Dimension), Hi.AsSpan(l * Dimension, Dimension), c) <= r2 * (1 + Slack);

    /// <summary>Is every point of leaf l provably within squared distance r2 of c?</summary>
    public bool Contains(int l, ReadOnlySpan<double> c, double r2)
    {
        var lo = Lo.AsSpan(l * Dimension, Dimension);
        var hi = Hi.AsSpan(l * Dimension, Dimension);
        // A bound compared with a relative slack of 1e-9: the order of the sum does not matter.
        double s = 0;
        int j = 0;
        if (Vector256.IsHardwareAccelerated && c.Length >= 4)
        {
            var acc = Vector256<double>.Zero;
            for (; j + 4 <= c.Length; j += 4)
            {
                var cv = Vector256.Create(c.Slice(j, 4));
                var t = Vector256.Max(Vector256.Abs(cv - Vector256.Create(lo.Slice(j, 4))), Vector256.Abs(cv - Vector256.Create(hi.Slice(j, 4))));
                acc += t * t;
            }
            s = Vector256.Sum(acc);
        }
        for (; j < c.Length; j++)
        {
            double t = Math.Max(Math.Abs(c[j] - lo[j]), Math.Abs(c[j] - hi[j]));
            s += t * t;
        }
        return s <= r2 * (1 - Slack);
    }

    /// <summary>d2[k − from] = Σ_j (x_kj − c_j)², index order, for positions k in [from, to).</summary>
    public void SquaredDistances(ReadOnlySpan<double> c, int from, int to, Span<double> d2)
    {
        int n = Count, d = Dimension, k = from;
        var cols = Columns;
        if (Vector256.IsHardwareAccelerated)
        {
            ref double col0 = ref cols[0];
            // Eight points per step in two independent chains (the add latency, not the loads, limits one chain).
            for (; k + 8 <= to; k += 8)
            {
                Vector256<double> a0 = Vector256<double>.Zero, a1 = Vector256<double>.Zero;
                for (int j = 0; j < d; j++)
                {
                    var cj = Vector256.Create(c[j]);
                    var t0 = Vector256.LoadUnsafe(ref col0, (nuint)((long)j * n + k)) - cj;
                    var t1 = Vector256.LoadUnsafe(ref col0, (nuint)((long)j * n + k + 4)) - cj;
                    a0 += t0 * t0;
                    a1 += t1 * t1;
                }
                a0.StoreUnsafe(ref d2[k - from]);
                a1.StoreUnsafe(ref d2[k - from + 4]);
            }
            for (; k + 4 <= to; k += 4)
            {
                var acc = Vector256<double>.Zero;
                for (int j = 0; j < d; j++)
                {
                    var x = Vector256.LoadUnsafe(ref col0, (nuint)((long)j * n + k));
                    var t = x - Vector256.Create(c[j]);
                    acc += t * t; // separate multiply and add: the scalar reference's rounding, lane by lane
                }
                acc.StoreUnsafe(ref d2[k - from]);
            }
        }
        for (; k < to; k++)
        {
            double s = 0;
            for (int j = 0; j < d; j++)
            {
                double t = cols[(long)j * n + k] - c[j];
                s += t * t;
            }
            d2[k - from] = s;
        }
    }

    private void Split(Matrix points, int from, int to, List<int> starts)
    {
        if (to - from <= MaxLeafSize)
        {
            starts.Add(from);
            return;
        }
        int d = points.Columns, axis = 0;
        double widest = -1;
        for (int j = 0; j < d; j++)
        {
            double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
            for (int k = from; k < to; k++)
            {
                double v = points[Order[k], j];
                if (v < lo) lo = v;
                if (v > hi) hi = v;
            }
            if (hi - lo > widest) { widest = hi - lo; axis = j; }
        }
        // Ties keep the original index order, so the partition is a function of the data alone.
        Array.Sort(Order, from, to - from, Comparer<int>.Create((a, b) =>
        {
            double va = points[a, axis], vb = points[b, axis];
            return va < vb ? -1 : va > vb ? 1 : a.CompareTo(b);
        }));
        // Split near the median at a multiple of 8 points from the left, so leaves are whole vector steps (8 points)
        // except where the count does not allow it.
        int half = (to - from) / 2;
        int mid = from + Math.Max(8, (half + 4) / 8 * 8);
        if (mid >= to) mid = (from + to) >>> 1;
        Split(points, from, mid, starts);
        Split(points, mid, to, starts);
    }
}
