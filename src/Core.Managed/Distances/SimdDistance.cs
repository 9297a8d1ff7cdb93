using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DenseAm.Distances;

/// <summary>
/// SIMD kernels for one pair of vectors, float32 or float64, in the TensorPrimitives style: one driver that
/// takes the widest accelerated width (Vector512 → Vector256 → Vector128 → scalar), each width guarded
/// where it is used by <c>IsHardwareAccelerated &amp;&amp; IsSupported &amp;&amp; length ≥ Count</c>; the tail is
/// handled by re-reading the last full vector and masking off the lanes already summed (masked overlap).
/// Sums are in the element type; <see cref="ErrorBound{T}"/> bounds their distance from the exact value.
/// </summary>
public static class SimdDistance
{
    /// <summary>‖a − b‖² = Σ_i (a_i − b_i)² with vector accumulators of the widest accelerated width.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static T SquaredEuclidean<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a.Length != b.Length) ThrowLength(a.Length, b.Length);
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported && a.Length >= Vector512<T>.Count) return Squared512(a, b);
        if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported && a.Length >= Vector256<T>.Count) return Squared256(a, b);
        if (Vector128.IsHardwareAccelerated && Vector128<T>.IsSupported && a.Length >= Vector128<T>.Count) return Squared128(a, b);
        return SquaredScalar(a, b);
    }

    /// <summary>⟨a, b⟩ = Σ_i a_i·b_i with vector accumulators of the widest accelerated width.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static T Dot<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a.Length != b.Length) ThrowLength(a.Length, b.Length);
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported && a.Length >= Vector512<T>.Count) return Dot512(a, b);
        if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported && a.Length >= Vector256<T>.Count) return Dot256(a, b);
        if (Vector128.IsHardwareAccelerated && Vector128<T>.IsSupported && a.Length >= Vector128<T>.Count) return Dot128(a, b);
        T s = T.Zero;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    /// <summary>
    /// The float64 reference ‖a − b‖²: each coordinate widened to double, differences squared and summed in
    /// index order with one accumulator (no fused multiply-add). This is the value exact decisions follow.
    /// </summary>
    public static double Reference<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a.Length != b.Length) ThrowLength(a.Length, b.Length);
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double t = double.CreateTruncating(a[i]) - double.CreateTruncating(b[i]);
            s += t * t;
        }
        return s;
    }

    /// <summary>
    /// Bound on |computed − exact| for a sum of d non-negative terms of total near <paramref name="magnitude"/>
    /// computed in T: each difference and square adds at most 2 unit roundoffs, the summation at most d − 1,
    /// in any order; doubled to cover second-order terms: 2·(d + 2)·u_T·magnitude.
    /// </summary>
    public static double ErrorBound<T>(double magnitude, int dimension) where T : unmanaged, IFloatingPointIeee754<T> =>
        2.0 * (dimension + 2) * UnitRoundoff<T>() * magnitude;

    /// <summary>u_T: 2⁻²⁴ for float32, 2⁻⁵³ for float64.</summary>
    public static double UnitRoundoff<T>() where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? 1.0 / (1 << 24) : typeof(T) == typeof(double) ? 1.0 / (1L << 53) : double.CreateTruncating(T.Epsilon);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<T> Fma<T>(Vector512<T> a, Vector512<T> b, Vector512<T> c) where T : unmanaged
    {
        if (typeof(T) == typeof(float)) return Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double)) return Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        return a * b + c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<T> Fma<T>(Vector256<T> a, Vector256<T> b, Vector256<T> c) where T : unmanaged
    {
        if (typeof(T) == typeof(float)) return Vector256.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double)) return Vector256.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        return a * b + c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<T> Fma<T>(Vector128<T> a, Vector128<T> b, Vector128<T> c) where T : unmanaged
    {
        if (typeof(T) == typeof(float)) return Vector128.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double)) return Vector128.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        return a * b + c;
    }

    internal static T SquaredScalar<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T s = T.Zero;
        for (int i = 0; i < a.Length; i++)
        {
            T t = a[i] - b[i];
            s += t * t;
        }
        return s;
    }

    /// <summary>Vector512 path; requires a.Length ≥ Vector512&lt;T&gt;.Count.</summary>
    internal static T Squared512<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T pa = ref MemoryMarshal.GetReference(a);
        ref T pb = ref MemoryMarshal.GetReference(b);
        int n = a.Length, w = Vector512<T>.Count, i = 0;
        Vector512<T> acc0 = Vector512<T>.Zero, acc1 = Vector512<T>.Zero;
        for (; i <= n - 2 * w; i += 2 * w)
        {
            var d0 = Vector512.LoadUnsafe(ref pa, (nuint)i) - Vector512.LoadUnsafe(ref pb, (nuint)i);
            var d1 = Vector512.LoadUnsafe(ref pa, (nuint)(i + w)) - Vector512.LoadUnsafe(ref pb, (nuint)(i + w));
            acc0 = Fma(d0, d0, acc0);
            acc1 = Fma(d1, d1, acc1);
        }
        if (i <= n - w)
        {
            var d = Vector512.LoadUnsafe(ref pa, (nuint)i) - Vector512.LoadUnsafe(ref pb, (nuint)i);
            acc0 = Fma(d, d, acc0);
            i += w;
        }
        if (i < n)
        {
            // Masked overlap: the last full vector ends at n; its first w − (n − i) lanes were already summed.
            var d = Vector512.LoadUnsafe(ref pa, (nuint)(n - w)) - Vector512.LoadUnsafe(ref pb, (nuint)(n - w));
            var keep = Vector512.GreaterThanOrEqual(Vector512<T>.Indices, Vector512.Create(T.CreateTruncating(w - (n - i))));
            d = Vector512.ConditionalSelect(keep, d, Vector512<T>.Zero);
            acc1 = Fma(d, d, acc1);
        }
        return Vector512.Sum(acc0 + acc1);
    }

    /// <summary>Vector256 path; requires a.Length ≥ Vector256&lt;T&gt;.Count.</summary>
    internal static T Squared256<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T pa = ref MemoryMarshal.GetReference(a);
        ref T pb = ref MemoryMarshal.GetReference(b);
        int n = a.Length, w = Vector256<T>.Count, i = 0;
        Vector256<T> acc0 = Vector256<T>.Zero, acc1 = Vector256<T>.Zero;
        for (; i <= n - 2 * w; i += 2 * w)
        {
            var d0 = Vector256.LoadUnsafe(ref pa, (nuint)i) - Vector256.LoadUnsafe(ref pb, (nuint)i);
            var d1 = Vector256.LoadUnsafe(ref pa, (nuint)(i + w)) - Vector256.LoadUnsafe(ref pb, (nuint)(i + w));
            acc0 = Fma(d0, d0, acc0);
            acc1 = Fma(d1, d1, acc1);
        }
        if (i <= n - w)
        {
            var d = Vector256.LoadUnsafe(ref pa, (nuint)i) - Vector256.LoadUnsafe(ref pb, (nuint)i);
            acc0 = Fma(d, d, acc0);
            i += w;
        }
        if (i < n)
        {
            var d = Vector256.LoadUnsafe(ref pa, (nuint)(n - w)) - Vector256.LoadUnsafe(ref pb, (nuint)(n - w));
            var keep = Vector256.GreaterThanOrEqual(Vector256<T>.Indices, Vector256.Create(T.CreateTruncating(w - (n - i))));
            d = Vector256.ConditionalSelect(keep, d, Vector256<T>.Zero);
            acc1 = Fma(d, d, acc1);
        }
        return Vector256.Sum(acc0 + acc1);
    }

    /// <summary>Vector128 path; requires a.Length ≥ Vector128&lt;T&gt;.Count.</summary>
    internal static T Squared128<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T pa = ref MemoryMarshal.GetReference(a);
        ref T pb = ref MemoryMarshal.GetReference(b);
        int n = a.Length, w = Vector128<T>.Count, i = 0;
        Vector128<T> acc0 = Vector128<T>.Zero, acc1 = Vector128<T>.Zero;
        for (; i <= n - 2 * w; i += 2 * w)
        {
            var d0 = Vector128.LoadUnsafe(ref pa, (nuint)i) - Vector128.LoadUnsafe(ref pb, (nuint)i);
            var d1 = Vector128.LoadUnsafe(ref pa, (nuint)(i + w)) - Vector128.LoadUnsafe(ref pb, (nuint)(i + w));
            acc0 = Fma(d0, d0, acc0);
            acc1 = Fma(d1, d1, acc1);
        }
        if (i <= n - w)
        {
            var d = Vector128.LoadUnsafe(ref pa, (nuint)i) - Vector128.LoadUnsafe(ref pb, (nuint)i);
            acc0 = Fma(d, d, acc0);
            i += w;
        }
        if (i < n)
        {
            var d = Vector128.LoadUnsafe(ref pa, (nuint)(n - w)) - Vector128.LoadUnsafe(ref pb, (nuint)(n - w));
            var keep = Vector128.GreaterThanOrEqual(Vector128<T>.Indices, Vector128.Create(T.CreateTruncating(w - (n - i))));
            d = Vector128.ConditionalSelect(keep, d, Vector128<T>.Zero);
            acc1 = Fma(d, d, acc1);
        }
        return Vector128.Sum(acc0 + acc1);
    }

    internal static T Dot512<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T pa = ref MemoryMarshal.GetReference(a);
        ref T pb = ref MemoryMarshal.GetReference(b);
        int n = a.Length, w = Vector512<T>.Count, i = 0;
        Vector512<T> acc = Vector512<T>.Zero;
        for (; i <= n - w; i += w)
            acc = Fma(Vector512.LoadUnsafe(ref pa, (nuint)i), Vector512.LoadUnsafe(ref pb, (nuint)i), acc);
        if (i < n)
        {
            var keep = Vector512.GreaterThanOrEqual(Vector512<T>.Indices, Vector512.Create(T.CreateTruncating(w - (n - i))));
            var x = Vector512.ConditionalSelect(keep, Vector512.LoadUnsafe(ref pa, (nuint)(n - w)), Vector512<T>.Zero);
            acc = Fma(x, Vector512.LoadUnsafe(ref pb, (nuint)(n - w)), acc);
        }
        return Vector512.Sum(acc);
    }

    internal static T Dot256<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T pa = ref MemoryMarshal.GetReference(a);
        ref T pb = ref MemoryMarshal.GetReference(b);
        int n = a.Length, w = Vector256<T>.Count, i = 0;
        Vector256<T> acc = Vector256<T>.Zero;
        for (; i <= n - w; i += w)
            acc = Fma(Vector256.LoadUnsafe(ref pa, (nuint)i), Vector256.LoadUnsafe(ref pb, (nuint)i), acc);
        if (i < n)
        {
            var keep = Vector256.GreaterThanOrEqual(Vector256<T>.Indices, Vector256.Create(T.CreateTruncating(w - (n - i))));
            var x = Vector256.ConditionalSelect(keep, Vector256.LoadUnsafe(ref pa, (nuint)(n - w)), Vector256<T>.Zero);
            acc = Fma(x, Vector256.LoadUnsafe(ref pb, (nuint)(n - w)), acc);
        }
        return Vector256.Sum(acc);
    }

    internal static T Dot128<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T pa = ref MemoryMarshal.GetReference(a);
        ref T pb = ref MemoryMarshal.GetReference(b);
        int n = a.Length, w = Vector128<T>.Count, i = 0;
        Vector128<T> acc = Vector128<T>.Zero;
        for (; i <= n - w; i += w)
            acc = Fma(Vector128.LoadUnsafe(ref pa, (nuint)i), Vector128.LoadUnsafe(ref pb, (nuint)i), acc);
        if (i < n)
        {
            var keep = Vector128.GreaterThanOrEqual(Vector128<T>.Indices, Vector128.Create(T.CreateTruncating(w - (n - i))));
            var x = Vector128.ConditionalSelect(keep, Vector128.LoadUnsafe(ref pa, (nuint)(n - w)), Vector128<T>.Zero);
            acc = Fma(x, Vector128.LoadUnsafe(ref pb, (nuint)(n - w)), acc);
        }
        return Vector128.Sum(acc);
    }

    private static void ThrowLength(int a, int b) =>
        throw new ArgumentException($"vectors have different dimensions: {a} and {b}.");
}
