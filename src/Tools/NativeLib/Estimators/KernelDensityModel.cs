using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DenseAm.Interop.Estimators;

/// <summary>The kernels of scikit-learn's <c>KernelDensity</c> that the ABI offers.</summary>
internal enum DensityKernel
{
    Gaussian,
    Tophat,
    Epanechnikov,
    Exponential,
    Linear,
}

/// <summary>
/// Kernel density estimation with scikit-learn's <c>KernelDensity</c> conventions (every sample summed, as with its
/// rtol = atol = 0; squared distances from the Gram identity on mean-centred data for the compact kernels):
/// log p(q) = log Σ_i K(‖q − x_i‖; h) − log n + log C(h, d), with K(t) = 1 − t²/h² (epanechnikov), 1 (tophat),
/// 1 − t/h (linear) for t &lt; h, e^{−t²/2h²} (gaussian), e^{−t/h} (exponential), and the normalisation
/// log C = −F − d·log h, F = log V_d + log(2/(d + 2)) for epanechnikov (V_d the unit-ball volume),
/// log V_d for tophat, log V_d − log(d + 1) for linear, (d/2)·log 2π for gaussian and log S_{d−1} + log Γ(d)
/// for exponential (S_{d−1} the unit-sphere area).
/// </summary>
internal sealed class KernelDensityModel
{
    public KernelDensityModel(Matrix data, DensityKernel kernel, double bandwidth)
    {
        Kernel = kernel;
        Bandwidth = bandwidth;
        Dimension = data.Columns;
        Count = data.Rows;
        // Distances for the compact kernels come from the Gram identity ‖q − x‖² = ‖q‖² + ‖x‖² − 2⟨q, x⟩ on data
        // centred at its mean, which keeps the cancellation small (relative error ~ d·u·(‖q‖² + ‖x‖²)/h²).
        // Only the epanechnikov kernel, linear in ‖q − x‖², uses it: an error of a few ulps there moves the sum by as
        // little; the other kernels (a threshold, a square root, an exponential) take the exact index-order
        // distance of the raw coordinates (the mean stays zero, and subtracting 0 is exact).
        Mean = new double[Dimension];
        if (kernel == DensityKernel.Epanechnikov)
        {
            for (int i = 0; i < Count; i++)
                for (int j = 0; j < Dimension; j++) Mean[j] += data[i, j];
            for (int j = 0; j < Dimension; j++) Mean[j] /= Count;
        }
        var centred = new Matrix(Count, Dimension);
        for (int i = 0; i < Count; i++)
            for (int j = 0; j < Dimension; j++) centred[i, j] = data[i, j] - Mean[j];
        // In higher dimensions bounding boxes prune little, so fewer, larger leaves cost less per query.
        Index = new LeafIndex(centred, Dimension >= 8 ? 96 : LeafIndex.LeafSize);
        Norms = new double[Count + 4];
        for (int k = 0; k < Count; k++)
        {
            double s = 0;
            foreach (double v in Index.Row(k)) s += v * v;
            Norms[k] = s;
        }
        LogNorm = -LogKernelFactor(kernel, Dimension) - Dimension * Math.Log(bandwidth);
    }

    public DensityKernel Kernel { get; }
    public double Bandwidth { get; }
    public int Dimension { get; }
    public int Count { get; }
    public double LogNorm { get; }
    private LeafIndex Index { get; }
    private double[] Mean { get; }
    private double[] Norms { get; }

    public static DensityKernel Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "gaussian" => DensityKernel.Gaussian,
        "tophat" => DensityKernel.Tophat,
        "epanechnikov" => DensityKernel.Epanechnikov,
        "exponential" => DensityKernel.Exponential,
        "linear" => DensityKernel.Linear,
        _ => throw new DamException(DamStatus.InvalidArgument,
            $"kernel '{name}' is unknown for kernel density estimation; known: gaussian, tophat, epanechnikov, exponential, linear."),
    };

    /// <summary>Queries handled together against each leaf, so a leaf's points are read from memory once per block.</summary>
    private const int QueryBlock = 32;

    /// <summary>log p(q) for every row of <paramref name="queries"/>; parallel over blocks of rows, identical for any thread count.</summary>
    public void ScoreSamples(Matrix queries, Span<double> result, int maxThreads)
    {
        var output = new double[queries.Rows];
        double logN = Math.Log(Count);
        int blocks = (queries.Rows + QueryBlock - 1) / QueryBlock;
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = maxThreads <= 0 ? Environment.ProcessorCount : maxThreads },
            () => new double[Math.Max(Count, LeafIndex.LeafSize)],
            (b, _, buf) =>
            {
                int from = b * QueryBlock, to = Math.Min(queries.Rows, from + QueryBlock);
                if (Kernel is DensityKernel.Gaussian or DensityKernel.Exponential)
                    for (int i = from; i < to; i++) output[i] = LogSumExp(queries.Row(i), buf) - logN + LogNorm;
                else if (Kernel == DensityKernel.Epanechnikov)
                    CompactBlock(queries, from, to, buf, output, LogNorm - logN);
                else
                    for (int i = from; i < to; i++) output[i] = ExactCompact(queries.Row(i), buf) - logN + LogNorm;
                return buf;
            },
            _ => { });
        output.CopyTo(result);
    }

    /// <summary>log Σ_k K for the gaussian and exponential kernels: log-sum-exp shifted by the largest term, so no bandwidth underflows.</summary>
    private double LogSumExp(ReadOnlySpan<double> q, double[] buf)
    {
        double h = Bandwidth, inv2 = 1 / (h * h);
        int n = Count;
        Span<double> qc = Dimension <= 512 ? stackalloc double[Dimension] : new double[Dimension];
        for (int j = 0; j < Dimension; j++) qc[j] = q[j] - Mean[j];
        Index.SquaredDistances(qc, 0, n, buf);
        double max = double.NegativeInfinity;
        for (int k = 0; k < n; k++)
        {
            double lk = Kernel == DensityKernel.Gaussian ? -0.5 * buf[k] * inv2 : -Math.Sqrt(buf[k]) / h;
            buf[k] = lk;
            if (lk > max) max = lk;
        }
        double s = 0;
        for (int k = 0; k < n; k++) s += Math.Exp(buf[k] - max);
        return max + Math.Log(s);
    }

    /// <summary>
    /// The epanechnikov kernel for queries [from, to): leaf by leaf, four queries against eight points at a time
    /// (a register-blocked inner-product kernel with eight independent accumulators), skipping leaves out of every
    /// query's reach. A term of a query that cannot reach the leaf is zero anyway (its distance is past h² by more
    /// than any rounding), so the four are always computed together. Each query's sum is kept in four vector lanes
    /// plus a scalar tail, added in a fixed order at the end, so the result does not depend on threads.
    /// </summary>
    private void CompactBlock(Matrix queries, int from, int to, double[] buf, double[] output, double offset)
    {
        double h = Bandwidth, h2 = h * h, inv2 = 1 / h2;
        var index = Index;
        int nb = to - from, d = Dimension, n = Count;
        int padded = (nb + 3) & ~3;
        Span<double> qc = padded * d <= 2048 ? stackalloc double[padded * d] : new double[padded * d];
        Span<double> qn = stackalloc double[padded];
        qc.Clear();
        qn.Clear();
        for (int i = 0; i < nb; i++)
        {
            var q = queries.Row(from + i);
            double s = 0;
            for (int j = 0; j < d; j++)
            {
                double v = q[j] - Mean[j];
                qc[i * d + j] = v;
                s += v * v;
            }
            qn[i] = s;
        }
        Span<Vector256<double>> acc = stackalloc Vector256<double>[padded];
        Span<double> tail = stackalloc double[padded];
        acc.Clear();
        tail.Clear();
        var k2 = new Terms(h2, inv2);
        ref double col0 = ref index.ColumnMajor[0];
        ref double nrm = ref Norms[0];
        ref double qb = ref MemoryMarshal.GetReference(qc);
        nint stride = n, d2q = 2 * d, d3q = 3 * d;
        for (int l = 0; l < index.LeafCount; l++)
        {
            int start = index.LeafStart[l], end = index.LeafStart[l + 1];
            for (int g = 0; g < padded; g += 4)
            {
                bool any = false;
                for (int t = 0; t < 4 && !any; t++)
                    any = g + t < nb && index.MayReach(l, qc.Slice((g + t) * d, d), h2);
                if (!any) continue;
                ref double q0 = ref Unsafe.Add(ref qb, g * d);
                ref double q1 = ref Unsafe.Add(ref q0, d);
                ref double q2 = ref Unsafe.Add(ref q1, d);
                ref double q3 = ref Unsafe.Add(ref q2, d);
                var n0 = Vector256.Create(qn[g]);
                var n1 = Vector256.Create(qn[g + 1]);
                var n2 = Vector256.Create(qn[g + 2]);
                var n3 = Vector256.Create(qn[g + 3]);
                Vector256<double> s0 = acc[g], s1 = acc[g + 1], s2 = acc[g + 2], s3 = acc[g + 3];
                int k = start;
                for (; k + 8 <= end; k += 8)
                {
                    Vector256<double> a0 = default, b0 = default, a1 = default, b1 = default,
                        a2 = default, b2 = default, a3 = default, b3 = default;
                    // Pointers advanced by a stride rather than recomputed (j·n) each step, and the four queries read
                    // at offsets d, 2d, 3d from one pointer: fewer live registers in the hot loop; the same operations.
                    ref double cj = ref Unsafe.Add(ref col0, k);
                    ref double qj = ref q0;
                    for (int j = 0; j < d; j++, cj = ref Unsafe.Add(ref cj, stride), qj = ref Unsafe.Add(ref qj, 1))
                    {
                        var x0 = Vector256.LoadUnsafe(ref cj);
                        var x1 = Vector256.LoadUnsafe(ref cj, 4);
                        var w = Vector256.Create(qj);
                        a0 = Vector256.FusedMultiplyAdd(x0, w, a0);
                        b0 = Vector256.FusedMultiplyAdd(x1, w, b0);
                        w = Vector256.Create(Unsafe.Add(ref qj, d));
                        a1 = Vector256.FusedMultiplyAdd(x0, w, a1);
                        b1 = Vector256.FusedMultiplyAdd(x1, w, b1);
                        w = Vector256.Create(Unsafe.Add(ref qj, d2q));
                        a2 = Vector256.FusedMultiplyAdd(x0, w, a2);
                        b2 = Vector256.FusedMultiplyAdd(x1, w, b2);
                        w = Vector256.Create(Unsafe.Add(ref qj, d3q));
                        a3 = Vector256.FusedMultiplyAdd(x0, w, a3);
                        b3 = Vector256.FusedMultiplyAdd(x1, w, b3);
                    }
                    var m0 = Vector256.LoadUnsafe(ref nrm, (nuint)k);
                    var m1 = Vector256.LoadUnsafe(ref nrm, (nuint)(k + 4));
                    s0 += k2.Of(n0 + m0, a0) + k2.Of(n0 + m1, b0);
                    s1 += k2.Of(n1 + m0, a1) + k2.Of(n1 + m1, b1);
                    s2 += k2.Of(n2 + m0, a2) + k2.Of(n2 + m1, b2);
                    s3 += k2.Of(n3 + m0, a3) + k2.Of(n3 + m1, b3);
                }
                acc[g] = s0;
                acc[g + 1] = s1;
                acc[g + 2] = s2;
                acc[g + 3] = s3;
                for (; k < end; k++)
                {
                    for (int t = 0; t < 4; t++)
                    {
                        double dot = 0;
                        for (int j = 0; j < d; j++) dot += Unsafe.Add(ref col0, (nint)j * n + k) * qc[(g + t) * d + j];
                        double d2 = Math.Max(0, qn[g + t] + Norms[k] - 2 * dot);
                        if (d2 < h2) tail[g + t] += 1 - d2 * inv2;
                    }
                }
            }
        }
        for (int qi = 0; qi < nb; qi++) output[from + qi] = Math.Log(Vector256.Sum(acc[qi]) + tail[qi]) + offset;
    }

    /// <summary>The epanechnikov terms max(0, 1 − ‖q − x‖²/h²) of four pairs from ‖q‖² + ‖x‖² and ⟨q, x⟩.</summary>
    private readonly struct Terms(double h2, double inv2)
    {
        private readonly Vector256<double> _h2 = Vector256.Create(h2);
        private readonly Vector256<double> _inv2 = Vector256.Create(inv2);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<double> Of(Vector256<double> norms, Vector256<double> dot)
        {
            // MaxNative (one vmaxpd) rather than Max's IEEE −0/NaN handling: the difference is finite, never −0 (x − x is +0).
            var d2 = Vector256.MaxNative(Vector256<double>.Zero, norms - (dot + dot));
            return Vector256.BitwiseAnd(Vector256<double>.One - d2 * _inv2, Vector256.LessThan(d2, _h2));
        }
    }

    /// <summary>log Σ_k K for tophat and linear: exact index-order distances, leaves out of reach skipped.</summary>
    private double ExactCompact(ReadOnlySpan<double> q, double[] buf)
    {
        double h = Bandwidth, h2 = h * h;
        var index = Index;
        double s = 0;
        for (int l = 0; l < index.LeafCount; l++)
        {
            if (!index.MayReach(l, q, h2)) continue;
            int start = index.LeafStart[l], end = index.LeafStart[l + 1];
            var d2 = buf.AsSpan(0, end - start);
            index.SquaredDistances(q, start, end, d2);
            s += Accumulate(d2, h, h2, 1 / h2);
        }
        return Math.Log(s);
    }

    private double Accumulate(ReadOnlySpan<double> d2, double h, double h2, double inv2)
    {
        double s = 0;
        foreach (double t2 in d2)
        {
            if (!(t2 < h2)) continue;
            s += Kernel switch
            {
                DensityKernel.Epanechnikov => 1 - t2 * inv2,
                DensityKernel.Tophat => 1,
                _ => 1 - Math.Sqrt(t2) / h,
            };
        }
        return s;
    }

    /// <summary>F(d) with log C(h, d) = −F − d·log h (scikit-learn's kernel normalisation).</summary>
    public static double LogKernelFactor(DensityKernel kernel, int d) => kernel switch
    {
        DensityKernel.Gaussian => 0.5 * d * Math.Log(2 * Math.PI),
        DensityKernel.Tophat => LogUnitBallVolume(d),
        DensityKernel.Epanechnikov => LogUnitBallVolume(d) + Math.Log(2.0 / (d + 2.0)),
        DensityKernel.Exponential => LogUnitSphereArea(d - 1) + LogGamma(d),
        _ => LogUnitBallVolume(d) - Math.Log(d + 1.0),
    };

    /// <summary>log V_n = (n/2)·log π − log Γ(n/2 + 1).</summary>
    private static double LogUnitBallVolume(int n) => 0.5 * n * Math.Log(Math.PI) - LogGamma(0.5 * n + 1);

    /// <summary>log S_n = log 2π + log V_{n−1}: the area of the unit n-sphere in R^{n+1}.</summary>
    private static double LogUnitSphereArea(int n) => Math.Log(2 * Math.PI) + LogUnitBallVolume(n - 1);

    /// <summary>
    /// log Γ(x) for x &gt; 0 and x a multiple of ½ (all the normalisations need): exact products reduced to
    /// Γ(1) = 1 or Γ(½) = √π, summed as logarithms.
    /// </summary>
    private static double LogGamma(double x)
    {
        double twice = 2 * x;
        if (twice != Math.Floor(twice) || x <= 0)
            throw new ArgumentOutOfRangeException(nameof(x), x, "LogGamma is implemented for positive multiples of 1/2.");
        double s = 0;
        while (x > 1.0) { x -= 1.0; s += Math.Log(x); }
        if (x == 0.5) s += 0.5 * Math.Log(Math.PI);
        return s;
    }
}
