using DenseAm.Distances;

namespace DenseAm.Interop.Estimators;

/// <summary>
/// Points sorted along their widest coordinate, for ball queries: a point whose coordinate on that axis differs
/// from the centre's by more than r·(1 + 1e-12) has a computed squared distance above r² (every term of the sum
/// is non-negative and float64 addition is monotone), so the scan over the sorted window is exact.
/// </summary>
internal sealed class AxisIndex
{
    public AxisIndex(Matrix points)
    {
        Count = points.Rows;
        Dimension = points.Columns;
        int n = Count, d = Dimension;
        Axis = WidestAxis(points);
        Order = new int[n];
        Keys = new double[n];
        for (int i = 0; i < n; i++) Order[i] = i;
        // Ties in the key keep the original index order, so the scan (and every sum over it) is deterministic.
        int axis = Axis;
        Array.Sort(Order, (a, b) => points[a, axis] != points[b, axis] ? points[a, axis].CompareTo(points[b, axis]) : a.CompareTo(b));
        for (int k = 0; k < n; k++) Keys[k] = points[Order[k], axis];
        Sorted = new double[(long)n * d];
        for (int k = 0; k < n; k++) points.Row(Order[k]).CopyTo(Sorted.AsSpan(k * d, d));
    }

    public int Count { get; }
    public int Dimension { get; }
    public int Axis { get; }

    /// <summary>Original row index of sorted position k.</summary>
    public int[] Order { get; }

    /// <summary>Coordinate <see cref="Axis"/> of sorted position k, ascending.</summary>
    public double[] Keys { get; }

    /// <summary>The points in sorted order, row-major.</summary>
    public double[] Sorted { get; }

    public ReadOnlySpan<double> Row(int k) => Sorted.AsSpan(k * Dimension, Dimension);

    /// <summary>The sorted positions [from, to) whose axis coordinate can be within <paramref name="radius"/> of <paramref name="centre"/>'s.</summary>
    public (int From, int To) Window(ReadOnlySpan<double> centre, double radius)
    {
        double slack = radius * (1 + 1e-12);
        double c = centre[Axis];
        return (LowerBound(c - slack), UpperBound(c + slack));
    }

    /// <summary>Exact closed-ball test: is the index-order float64 sum Σ(a_i − b_i)² ≤ r²?</summary>
    public static bool InClosedBall(ReadOnlySpan<double> a, ReadOnlySpan<double> b, double r2)
    {
        double fast = SquaredDistance.Fast(a, b);
        if (Math.Abs(fast - r2) <= 2 * SquaredDistance.ErrorBound(Math.Max(fast, r2), a.Length))
            fast = SquaredDistance.Reference(a, b);
        return fast <= r2;
    }

    private int LowerBound(double v)
    {
        int lo = 0, hi = Keys.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (Keys[mid] < v) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    private int UpperBound(double v)
    {
        int lo = 0, hi = Keys.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (Keys[mid] <= v) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    private static int WidestAxis(Matrix points)
    {
        int best = 0;
        double bestVar = -1;
        for (int j = 0; j < points.Columns; j++)
        {
            double mean = 0;
            for (int i = 0; i < points.Rows; i++) mean += points[i, j];
            mean /= points.Rows;
            double v = 0;
            for (int i = 0; i < points.Rows; i++)
            {
                double t = points[i, j] - mean;
                v += t * t;
            }
            if (v > bestVar) { bestVar = v; best = j; }
        }
        return best;
    }
}
