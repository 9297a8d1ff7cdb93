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
/// Kernel density estimation with scikit-learn's <c>KernelDensity</c> conventions (exact sums, rtol = atol = 0):
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
        Index = new LeafIndex(data);
        LogNorm = -LogKernelFactor(kernel, Dimension) - Dimension * Math.Log(bandwidth);
    }

    public DensityKernel Kernel { get; }
    public double Bandwidth { get; }
    public int Dimension { get; }
    public int Count { get; }
    public double LogNorm { get; }
    private LeafIndex Index { get; }

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
                else
                    CompactBlock(queries, from, to, buf, output, LogNorm - logN);
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
        Index.SquaredDistances(q, 0, n, buf);
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
    /// The compact kernels for queries [from, to): leaf by leaf (skipping leaves out of reach of a query), each
    /// query's sum kept in four vector lanes plus a scalar tail, added in a fixed order at the end.
    /// </summary>
    private void CompactBlock(Matrix queries, int from, int to, double[] buf, double[] output, double offset)
    {
        double h = Bandwidth, h2 = h * h, inv2 = 1 / h2;
        var index = Index;
        int nb = to - from;
        Span<Vector256<double>> acc = stackalloc Vector256<double>[QueryBlock];
        Span<double> tail = stackalloc double[QueryBlock];
        acc.Clear();
        tail.Clear();
        var h2v = Vector256.Create(h2);
        var inv2v = Vector256.Create(inv2);
        var one = Vector256.Create(1.0);
        bool vector = Kernel == DensityKernel.Epanechnikov && Vector256.IsHardwareAccelerated;
        for (int l = 0; l < index.LeafCount; l++)
        {
            int start = index.LeafStart[l], end = index.LeafStart[l + 1], m = end - start;
            var d2 = buf.AsSpan(0, m);
            for (int qi = 0; qi < nb; qi++)
            {
                var q = queries.Row(from + qi);
                if (!index.MayReach(l, q, h2)) continue;
                index.SquaredDistances(q, start, end, d2);
                int k = 0;
                if (vector)
                {
                    var a = acc[qi];
                    for (; k + 4 <= m; k += 4)
                    {
                        var t = Vector256.Create((ReadOnlySpan<double>)d2.Slice(k, 4));
                        a += Vector256.BitwiseAnd(one - t * inv2v, Vector256.LessThan(t, h2v));
                    }
                    acc[qi] = a;
                }
                double s = tail[qi];
                for (; k < m; k++)
                {
                    double t2 = d2[k];
                    if (!(t2 < h2)) continue;
                    s += Kernel switch
                    {
                        DensityKernel.Epanechnikov => 1 - t2 * inv2,
                        DensityKernel.Tophat => 1,
                        _ => 1 - Math.Sqrt(t2) / h,
                    };
                }
                tail[qi] = s;
            }
        }
        for (int qi = 0; qi < nb; qi++) output[from + qi] = Math.Log(Vector256.Sum(acc[qi]) + tail[qi]) + offset;
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
