using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DenseAm.Distances;

/// <summary>Receives squared distances from <see cref="TransposedPanel{T}"/>, one vector of consecutive patterns at a time.</summary>
internal interface IPanelSink<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    void Put512(int j, Vector512<T> d2);
    void Put256(int j, Vector256<T> d2);
    void PutScalar(int j, T d2);
}

/// <summary>
/// The small-d direct kernel: patterns transposed (d rows of M values, padded to a multiple of 64 lanes with
/// +∞ so padded lanes are infinitely far), and for one query the differences x_i − ξ_μ,i of many
/// patterns at once, one pattern per vector lane. Results go to a struct sink (no delegate per row).
/// </summary>
internal sealed class TransposedPanel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int Pad = 64;
    private readonly T[] _t;

    public TransposedPanel(PointSet<T> patterns)
    {
        Count = patterns.Rows;
        Dimension = patterns.Columns;
        Stride = (Count + Pad - 1) / Pad * Pad;
        _t = GC.AllocateUninitializedArray<T>(Stride * Dimension);
        var src = patterns.Data;
        for (int i = 0; i < Dimension; i++)
        {
            var row = _t.AsSpan(i * Stride, Stride);
            for (int j = 0; j < Count; j++) row[j] = src[j * Dimension + i];
            row[Count..].Fill(T.PositiveInfinity);
        }
    }

    public int Count { get; }
    public int Dimension { get; }
    public int Stride { get; }

    /// <summary>Feeds ‖x − ξ_j‖² for j in [from, to) (from a multiple of 64) to the sink; lanes past M carry +∞.</summary>
    public unsafe void Scan<TSink>(ReadOnlySpan<T> x, int from, int to, ref TSink sink) where TSink : struct, IPanelSink<T>
    {
        int d = Dimension, stride = Stride;
        fixed (T* baseT = _t)
        fixed (T* px = x)
        {
            if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
            {
                int w = Vector512<T>.Count;
                for (int j = from; j < to; j += 4 * w)
                {
                    Vector512<T> a0 = default, a1 = default, a2 = default, a3 = default;
                    T* col = baseT + j;
                    for (int i = 0; i < d; i++, col += stride)
                    {
                        var xb = Vector512.Create(px[i]);
                        var t0 = xb - Vector512.Load(col);
                        var t1 = xb - Vector512.Load(col + w);
                        var t2 = xb - Vector512.Load(col + 2 * w);
                        var t3 = xb - Vector512.Load(col + 3 * w);
                        a0 = SimdDistance.Fma(t0, t0, a0);
                        a1 = SimdDistance.Fma(t1, t1, a1);
                        a2 = SimdDistance.Fma(t2, t2, a2);
                        a3 = SimdDistance.Fma(t3, t3, a3);
                    }
                    sink.Put512(j, a0); sink.Put512(j + w, a1); sink.Put512(j + 2 * w, a2); sink.Put512(j + 3 * w, a3);
                }
            }
            else if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
            {
                int w = Vector256<T>.Count;
                for (int j = from; j < to; j += 4 * w)
                {
                    Vector256<T> a0 = default, a1 = default, a2 = default, a3 = default;
                    T* col = baseT + j;
                    for (int i = 0; i < d; i++, col += stride)
                    {
                        var xb = Vector256.Create(px[i]);
                        var t0 = xb - Vector256.Load(col);
                        var t1 = xb - Vector256.Load(col + w);
                        var t2 = xb - Vector256.Load(col + 2 * w);
                        var t3 = xb - Vector256.Load(col + 3 * w);
                        a0 = SimdDistance.Fma(t0, t0, a0);
                        a1 = SimdDistance.Fma(t1, t1, a1);
                        a2 = SimdDistance.Fma(t2, t2, a2);
                        a3 = SimdDistance.Fma(t3, t3, a3);
                    }
                    sink.Put256(j, a0); sink.Put256(j + w, a1); sink.Put256(j + 2 * w, a2); sink.Put256(j + 3 * w, a3);
                }
            }
            else
            {
                for (int j = from; j < to; j++)
                {
                    T acc = T.Zero;
                    T* col = baseT + j;
                    for (int i = 0; i < d; i++, col += stride)
                    {
                        T t = px[i] - *col;
                        acc += t * t;
                    }
                    sink.PutScalar(j, acc);
                }
            }
        }
    }
}

/// <summary>Receives exact (reference-order) squared distances from <see cref="ExactPanel"/>.</summary>
internal interface IExactSink
{
    void Put512(int j, Vector512<double> d2);
    void Put256(int j, Vector256<double> d2);
    void PutScalar(int j, double d2);
}

/// <summary>
/// Exact direct kernel for small d: patterns widened to float64 and transposed, and for one query each lane's
/// sum Σ_i (x_i − ξ_i)² accumulated in index order with a separate multiply and add (no fused multiply-add),
/// which is bit for bit the reference sum <see cref="SimdDistance.Reference{T}"/>. Lanes past M carry +∞.
/// </summary>
internal sealed class ExactPanel
{
    private const int Pad = 32;
    private readonly double[] _t;

    public ExactPanel(double[] rowMajor, int count, int d)
    {
        Count = count;
        Dimension = d;
        Stride = (count + Pad - 1) / Pad * Pad;
        _t = GC.AllocateUninitializedArray<double>(Stride * d);
        for (int i = 0; i < d; i++)
        {
            var row = _t.AsSpan(i * Stride, Stride);
            for (int j = 0; j < count; j++) row[j] = rowMajor[(long)j * d + i];
            row[count..].Fill(double.PositiveInfinity);
        }
    }

    public int Count { get; }
    public int Dimension { get; }
    public int Stride { get; }

    public unsafe void Scan<TSink>(ReadOnlySpan<double> x, int from, int to, ref TSink sink) where TSink : struct, IExactSink
    {
        int d = Dimension, stride = Stride;
        fixed (double* baseT = _t)
        fixed (double* px = x)
        {
            if (Vector512.IsHardwareAccelerated)
            {
                for (int j = from; j < to; j += 32)
                {
                    Vector512<double> a0 = default, a1 = default, a2 = default, a3 = default;
                    double* col = baseT + j;
                    for (int i = 0; i < d; i++, col += stride)
                    {
                        var xb = Vector512.Create(px[i]);
                        var t0 = xb - Vector512.Load(col);
                        var t1 = xb - Vector512.Load(col + 8);
                        var t2 = xb - Vector512.Load(col + 16);
                        var t3 = xb - Vector512.Load(col + 24);
                        a0 += t0 * t0;
                        a1 += t1 * t1;
                        a2 += t2 * t2;
                        a3 += t3 * t3;
                    }
                    sink.Put512(j, a0); sink.Put512(j + 8, a1); sink.Put512(j + 16, a2); sink.Put512(j + 24, a3);
                }
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                for (int j = from; j < to; j += 16)
                {
                    Vector256<double> a0 = default, a1 = default, a2 = default, a3 = default;
                    double* col = baseT + j;
                    for (int i = 0; i < d; i++, col += stride)
                    {
                        var xb = Vector256.Create(px[i]);
                        var t0 = xb - Vector256.Load(col);
                        var t1 = xb - Vector256.Load(col + 4);
                        var t2 = xb - Vector256.Load(col + 8);
                        var t3 = xb - Vector256.Load(col + 12);
                        a0 += t0 * t0;
                        a1 += t1 * t1;
                        a2 += t2 * t2;
                        a3 += t3 * t3;
                    }
                    sink.Put256(j, a0); sink.Put256(j + 4, a1); sink.Put256(j + 8, a2); sink.Put256(j + 12, a3);
                }
            }
            else
            {
                for (int j = from; j < to; j++)
                {
                    double acc = 0;
                    double* col = baseT + j;
                    for (int i = 0; i < d; i++, col += stride)
                    {
                        double t = px[i] - *col;
                        acc += t * t;
                    }
                    sink.PutScalar(j, acc);
                }
            }
        }
    }
}

/// <summary>Writes squared distances into one output row of length M (lanes past M are dropped).</summary>
internal unsafe struct RowSink<T> : IPanelSink<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T* Row;
    public int Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Put512(int j, Vector512<T> d2)
    {
        if (j + Vector512<T>.Count <= Count) Vector512.Store(d2, Row + j);
        else for (int q = 0; j + q < Count; q++) Row[j + q] = d2[q];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Put256(int j, Vector256<T> d2)
    {
        if (j + Vector256<T>.Count <= Count) Vector256.Store(d2, Row + j);
        else for (int q = 0; j + q < Count; q++) Row[j + q] = d2[q];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PutScalar(int j, T d2)
    {
        if (j < Count) Row[j] = d2;
    }
}

/// <summary>
/// Accumulates the Epanechnikov profile max(0, 1 − d²/h²) over patterns (padded lanes give 0). MaxNative (one vmax)
/// suffices: 1 − d²/h² is never −0, and only NaN data would make it NaN.
/// </summary>
internal struct EpanechnikovSink<T> : IPanelSink<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T InverseH2;
    public Vector512<T> Acc512;
    public Vector256<T> Acc256;
    public T AccScalar;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Put512(int j, Vector512<T> d2) =>
        Acc512 += Vector512.MaxNative(Vector512<T>.Zero, Vector512<T>.One - d2 * InverseH2);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Put256(int j, Vector256<T> d2) =>
        Acc256 += Vector256.MaxNative(Vector256<T>.Zero, Vector256<T>.One - d2 * InverseH2);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PutScalar(int j, T d2)
    {
        T k = T.One - d2 * InverseH2;
        if (k > T.Zero) AccScalar += k;
    }

    /// <summary>Moves the vector accumulators into a float64 total and clears them.</summary>
    public double Flush()
    {
        double s = double.CreateTruncating(AccScalar);
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
            for (int q = 0; q < Vector512<T>.Count; q++) s += double.CreateTruncating(Acc512[q]);
        for (int q = 0; q < Vector256<T>.Count; q++) s += double.CreateTruncating(Acc256[q]);
        Acc512 = default;
        Acc256 = default;
        AccScalar = T.Zero;
        return s;
    }
}
