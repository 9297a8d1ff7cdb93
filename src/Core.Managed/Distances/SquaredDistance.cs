using System.Runtime.CompilerServices;

namespace DenseAm.Distances;

/// <summary>
/// Squared Euclidean distances ‖a − b‖² in float64, and the exact support test ‖a − b‖² &lt; r².
/// The <see cref="Reference"/> sum (index order, one accumulator) is the toolkit's definition of the
/// distance; faster paths are used only where they provably give the same support decision.
/// </summary>
public static class SquaredDistance
{
    private const double UnitRoundoff = 1.0 / (1L << 53);

    /// <summary>The reference value: Σ_i (a_i − b_i)² summed in index order with one float64 accumulator.</summary>
    public static double Reference(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != b.Length) ThrowLength(a.Length, b.Length);
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double t = a[i] - b[i];
            s += t * t;
        }
        return s;
    }

    /// <summary>‖a − b‖² with SIMD accumulators; within <see cref="ErrorBound"/> of <see cref="Reference"/>.</summary>
    /// <remarks>
    /// The widest accelerated width (Vector512 → Vector256 → Vector128 → scalar) via <see cref="SimdDistance.SquaredEuclidean{T}"/>,
    /// whose bound 2(d + 2)u·S is inside <see cref="ErrorBound"/>'s 2(d + 4)u·S.
    /// </remarks>
    public static double Fast(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != b.Length) ThrowLength(a.Length, b.Length);
        return SimdDistance.SquaredEuclidean(a, b);
    }

    /// <summary>
    /// A bound on |computed − exact| for a float64 sum of <paramref name="dimension"/> squared
    /// differences whose exact value is near <paramref name="magnitude"/>: each difference and square
    /// adds at most 3 unit roundoffs and the summation at most d − 1 more, in any order, so
    /// (d + 4)·u·magnitude, doubled for safety of the higher-order terms.
    /// </summary>
    public static double ErrorBound(double magnitude, int dimension) => 2.0 * (dimension + 4) * UnitRoundoff * magnitude;

    /// <summary>
    /// Exact support decision: is ‖a − b‖² &lt; <paramref name="radiusSquared"/> by the <see cref="Reference"/> sum?
    /// Uses the SIMD value and recomputes the reference only when the SIMD value lies within twice the
    /// rounding bound of the threshold. Returns the squared distance used through <paramref name="squaredDistance"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsWithin(ReadOnlySpan<double> a, ReadOnlySpan<double> b, double radiusSquared, out double squaredDistance)
    {
        double fast = Fast(a, b);
        if (Math.Abs(fast - radiusSquared) <= 2 * ErrorBound(Math.Max(fast, radiusSquared), a.Length))
            fast = Reference(a, b);
        squaredDistance = fast;
        return fast < radiusSquared;
    }

    private static void ThrowLength(int a, int b) =>
        throw new ArgumentException($"vectors have different dimensions: {a} and {b}.");
}
