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
        Index = new LeafIndex(centred);
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
    /// The epanechnikov kernel for queries [from, to): leaf by leaf, four queries at a time against four points at a
    /// time (register blocking of the inner products), skipping leaves out of every query's reach. Each query's sum
    /// is kept in four vector lanes plus a scalar tail, added in a fixed order at the end.
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
        Span<double> d2s = stackalloc double[4];
        acc.Clear();
        tail.Clear();
        var h2v = Vector256.Create(h2);
        var inv2v = Vector256.Create(inv2);
        var one = Vector256.Create(1.0);
        var two = Vector256.Create(2.0);
        var zero = Vector256<double>.Zero;
        var cols = index.ColumnMajor;
        var norms = Norms;
        ref double col0 = ref cols[0];
        Span<bool> reach = stackalloc bool[4];
        for (int l = 0; l < index.LeafCount; l++)
        {
            int start = index.LeafStart[l], end = index.LeafStart[l + 1];
            for (int g = 0; g < padded; g += 4)
            {
                bool any = false;
                for (int t = 0; t < 4; t++)
                {
                    reach[t] = g + t < nb && index.MayReach(l, qc.Slice((g + t) * d, d), h2);
                    any |= reach[t];
                }
                if (!any) continue;
                var q0 = qc.Slice(g * d, d);
                var q1 = qc.Slice((g + 1) * d, d);
                var q2 = qc.Slice((g + 2) * d, d);
                var q3 = qc.Slice((g + 3) * d, d);
                int k = start;
                for (; k + 4 <= end; k += 4)
                {
                    Vector256<double> a0 = zero, a1 = zero, a2 = zero, a3 = zero;
                    for (int j = 0; j < d; j++)
                    {
                        var x = Vector256.LoadUnsafe(ref col0, (nuint)((long)j * n + k));
                        a0 = Vector256.FusedMultiplyAdd(x, Vector256.Create(q0[j]), a0);
                        a1 = Vector256.FusedMultiplyAdd(x, Vector256.Create(q1[j]), a1);
                        a2 = Vector256.FusedMultiplyAdd(x, Vector256.Create(q2[j]), a2);
                        a3 = Vector256.FusedMultiplyAdd(x, Vector256.Create(q3[j]), a3);
                    }
                    var xn = Vector256.LoadUnsafe(ref norms[0], (nuint)k);
                    for (int t = 0; t < 4; t++)
                    {
                        if (!reach[t]) continue;
                        var a = t == 0 ? a0 : t == 1 ? a1 : t == 2 ? a2 : a3;
                        var dist2 = Vector256.Max(zero, Vector256.Create(qn[g + t]) + xn - two * a);
                        var inside = Vector256.LessThan(dist2, h2v);
                        acc[g + t] += Vector256.BitwiseAnd(one - dist2 * inv2v, inside);
                    }
                }
                for (; k < end; k++)
                {
                    for (int t = 0; t < 4; t++)
                    {
                        if (!reach[t]) continue;
                        var q = qc.Slice((g + t) * d, d);
                        double dot = 0;
                        for (int j = 0; j < d; j++) dot += cols[(long)j * n + k] * q[j];
                        d2s[0] = Math.Max(0, qn[g + t] + norms[k] - 2 * dot);
                        tail[g + t] += Accumulate(d2s[..1], h, h2, inv2);
                    }
                }
            }
        }
        for (int qi = 0; qi < nb; qi++) output[from + qi] = Math.Log(Vector256.Sum(acc[qi]) + tail[qi]) + offset;
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
