using System.Diagnostics;
using System.Globalization;
using System.Text;
using DenseAm.Distances;
using DenseAm.Kernels;
using DenseAm.Native;
using DenseAm.Retrieval;

namespace DenseAm.Bench;

/// <summary>Element type of a benchmark.</summary>
public enum BenchDType
{
    /// <summary>float32.</summary>
    Float32,

    /// <summary>float64.</summary>
    Float64,
}

/// <summary>Sizes and settings of one benchmark run (the CLI's <c>denseam bench</c> flags).</summary>
public sealed record BenchSettings
{
    /// <summary>Q: number of queries (or seeds).</summary>
    public int Queries { get; init; } = 4096;

    /// <summary>M: number of stored patterns (data points).</summary>
    public int Patterns { get; init; } = 4096;

    /// <summary>d: dimension.</summary>
    public int Dim { get; init; } = 784;

    /// <summary>Element type; radius, KDE and fixed-point data are always compared in float64 decisions.</summary>
    public BenchDType DType { get; init; } = BenchDType.Float32;

    /// <summary>Radius r (radius search, fixed point's support radius, KDE bandwidth); null picks the workload's default.</summary>
    public double? Radius { get; init; }

    /// <summary>β of the LSE step; null picks 1/d.</summary>
    public double? Beta { get; init; }

    /// <summary>Timed repetitions (after one warm-up); the median is reported.</summary>
    public int Repeat { get; init; } = 5;

    /// <summary>Threads (engine loops and BLAS); ≤ 0 means all cores.</summary>
    public int Threads { get; init; } = -1;

    /// <summary>BLAS provider name (mkl, openblas, managed); null means the process default (DENSEAM_BLAS or best found).</summary>
    public string? Provider { get; init; }

    /// <summary>Data seed (see <see cref="BenchData"/>).</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Checks the sizes; throws ArgumentException naming the bad one.</summary>
    public void Validate()
    {
        if (Queries < 1) throw new ArgumentOutOfRangeException(nameof(Queries), Queries, $"queries must be >= 1; got {Queries}.");
        if (Patterns < 1) throw new ArgumentOutOfRangeException(nameof(Patterns), Patterns, $"patterns must be >= 1; got {Patterns}.");
        if (Dim < 1) throw new ArgumentOutOfRangeException(nameof(Dim), Dim, $"dim must be >= 1; got {Dim}.");
        if (Repeat < 1) throw new ArgumentOutOfRangeException(nameof(Repeat), Repeat, $"repeat must be >= 1; got {Repeat}.");
        if (Radius is { } r && !(r > 0 && double.IsFinite(r))) throw new ArgumentOutOfRangeException(nameof(Radius), r, $"radius must be a finite number > 0; got {r}.");
        if (Beta is { } b && !(b > 0 && double.IsFinite(b))) throw new ArgumentOutOfRangeException(nameof(Beta), b, $"beta must be a finite number > 0; got {b}.");
    }
}

/// <summary>The outcome of one benchmark: timings, throughput and what ran.</summary>
/// <param name="Workload">distances, radius, kde, fixed-point, lse-step or gemm.</param>
/// <param name="Settings">The sizes used (radius filled in when it was chosen automatically).</param>
/// <param name="MedianSeconds">Median wall time of the timed repetitions.</param>
/// <param name="MinSeconds">Fastest repetition.</param>
/// <param name="Throughput">Work per second in <paramref name="ThroughputUnit"/>.</param>
/// <param name="ThroughputUnit">pairs/s or queries/s.</param>
/// <param name="Gflops">GFLOP/s for GEMM-shaped work (2·Q·M·d per product), else null.</param>
/// <param name="GemmGflops">The same run's sgemm/dgemm throughput for the matching Q×M×d product, when measured.</param>
/// <param name="Method">The engine path (e.g. gemm-norms, direct-simd, kd-tree, brute-gemm).</param>
/// <param name="Provider">The BLAS provider's one-line description.</param>
/// <param name="Checks">Workload checks (neighbour totals and id checksums, modes found, etc.).</param>
/// <param name="Modes">Distinct modes (fixed point only): rows of d values, most supported first.</param>
public sealed record BenchResult(string Workload, BenchSettings Settings, double MedianSeconds, double MinSeconds, double Throughput,
    string ThroughputUnit, double? Gflops, double? GemmGflops, string Method, string Provider,
    IReadOnlyDictionary<string, double> Checks, IReadOnlyList<double[]>? Modes = null)
{
    /// <summary>Fraction of the same run's GEMM throughput (Gflops / GemmGflops), when both are known.</summary>
    public double? FractionOfGemm => Gflops is { } g && GemmGflops is { } s && s > 0 ? g / s : null;

    /// <summary>The result as one JSON object on one line.</summary>
    public string ToJson()
    {
        var sb = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        string N(double? v) => v is { } x && double.IsFinite(x) ? x.ToString("R", c) : "null";
        string S(string v) => "\"" + v.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
        sb.Append('{');
        sb.Append($"\"workload\":{S(Workload)},\"queries\":{Settings.Queries},\"patterns\":{Settings.Patterns},\"dim\":{Settings.Dim},");
        sb.Append($"\"dtype\":{S(Settings.DType == BenchDType.Float32 ? "float32" : "float64")},\"radius\":{N(Settings.Radius)},\"beta\":{N(Settings.Beta)},");
        sb.Append($"\"repeat\":{Settings.Repeat},\"threads\":{(Settings.Threads <= 0 ? Environment.ProcessorCount : Settings.Threads)},");
        sb.Append($"\"median_seconds\":{N(MedianSeconds)},\"min_seconds\":{N(MinSeconds)},\"throughput\":{N(Throughput)},\"throughput_unit\":{S(ThroughputUnit)},");
        sb.Append($"\"gflops\":{N(Gflops)},\"gemm_gflops\":{N(GemmGflops)},\"fraction_of_gemm\":{N(FractionOfGemm)},");
        sb.Append($"\"method\":{S(Method)},\"provider\":{S(Provider)},\"checks\":{{");
        sb.Append(string.Join(",", Checks.Select(kv => $"{S(kv.Key)}:{N(kv.Value)}")));
        sb.Append('}');
        if (Modes is not null)
            sb.Append(",\"modes\":[" + string.Join(",", Modes.Select(m => "[" + string.Join(",", m.Select(v => v.ToString("R", c))) + "]")) + "]");
        sb.Append('}');
        return sb.ToString();
    }
}

/// <summary>
/// The distance engine's benchmark workloads, one method each, for <c>denseam bench</c> and the comparison
/// scripts in bench/python (which generate the same data with <see cref="BenchData"/>'s recipe):
/// distances, radius, kde, fixed-point, lse-step, and gemm (the provider's raw throughput for reference).
/// </summary>
public static class Benchmarks
{
    /// <summary>The workload names accepted by <see cref="Run"/>.</summary>
    public static IReadOnlyList<string> Workloads { get; } = ["distances", "radius", "kde", "fixed-point", "lse-step", "gemm"];

    /// <summary>Runs the named workload.</summary>
    /// <exception cref="ArgumentException">Unknown workload name.</exception>
    public static BenchResult Run(string workload, BenchSettings settings) => workload switch
    {
        _ when !Workloads.Contains(workload) => throw new ArgumentException($"unknown workload '{workload}'; expected one of {string.Join(", ", Workloads)}.", nameof(workload)),
        "distances" => Distances(settings),
        "radius" => Radius(settings),
        "kde" => Kde(settings),
        "fixed-point" => FixedPoint(settings),
        "lse-step" => LseStep(settings),
        "gemm" => Gemm(settings),
        _ => throw new ArgumentException($"unknown workload '{workload}'; expected one of {string.Join(", ", Workloads)}.", nameof(workload)),
    };

    /// <summary>
    /// All-pairs squared distances, Q×M, uniform data in [−1, 1)^d (seeds 1, 2); reports GFLOP/s (2·Q·M·d) and the
    /// same run's GEMM throughput for Q×M×d.
    /// </summary>
    public static BenchResult Distances(BenchSettings s)
    {
        s.Validate();
        var (opts, provider) = Options(s);
        if (s.DType == BenchDType.Float32) return DistancesT(s, opts, provider, BenchData.ToSingle(BenchData.Uniform(s.Queries * s.Dim, s.Seed, -1, 1)), BenchData.ToSingle(BenchData.Uniform(s.Patterns * s.Dim, s.Seed + 1, -1, 1)));
        return DistancesT(s, opts, provider, BenchData.Uniform(s.Queries * s.Dim, s.Seed, -1, 1), BenchData.Uniform(s.Patterns * s.Dim, s.Seed + 1, -1, 1));
    }

    private static BenchResult DistancesT<T>(BenchSettings s, DistanceEngineOptions opts, BlasProvider provider, T[] xq, T[] xp)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var q = new PointSet<T>(xq, s.Queries, s.Dim);
        var p = new PointSet<T>(xp, s.Patterns, s.Dim);
        var result = GC.AllocateUninitializedArray<T>(s.Queries * s.Patterns);
        var (med, min) = Time(s.Repeat, () => PairwiseDistances.Compute(q, p, result, opts));
        double cpu = _lastCpuMedian;
        double flops = 2.0 * s.Queries * s.Patterns * s.Dim;
        double gemm = GemmGflops<T>(provider, s.Queries, s.Patterns, s.Dim, s.Repeat, xq, xp);
        double sum = 0;
        for (int i = 0; i < result.Length; i += 997) sum += double.CreateTruncating(result[i]);
        return new BenchResult("distances", s, med, min, (double)s.Queries * s.Patterns / med, "pairs/s", flops / med / 1e9, gemm,
            PairwiseDistances.MethodFor(s.Dim, opts), provider.Describe(), new Dictionary<string, double> { ["sample_sum"] = sum, ["cpu_seconds"] = cpu });
    }

    /// <summary>
    /// Exact radius search: Gaussian mixture (100 centres in [−10, 10]^d, σ = 1; queries from the same centres with noise seed + 7), r given or
    /// picked for about 5 neighbours per query; reports queries/s and the neighbour total with id checksums.
    /// </summary>
    public static BenchResult Radius(BenchSettings s)
    {
        s.Validate();
        var (opts, provider) = Options(s);
        var pd = BenchData.Mixture(s.Patterns, s.Dim, 100, 10, 1, s.Seed, s.Seed + 1);
        var qd = BenchData.Mixture(s.Queries, s.Dim, 100, 10, 1, s.Seed + 7, s.Seed + 1);
        double r = s.Radius ?? DefaultRadius(s.Dim, s.Patterns);
        s = s with { Radius = r };
        return s.DType == BenchDType.Float32
            ? RadiusT(s, opts, provider, BenchData.ToSingle(pd), BenchData.ToSingle(qd), r)
            : RadiusT(s, opts, provider, pd, qd, r);
    }

    private static BenchResult RadiusT<T>(BenchSettings s, DistanceEngineOptions opts, BlasProvider provider, T[] pd, T[] qd, double r)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var p = new PointSet<T>(pd, s.Patterns, s.Dim);
        var q = new PointSet<T>(qd, s.Queries, s.Dim);
        RadiusNeighbors? res = null;
        string method = "";
        var (med, min) = Time(s.Repeat, () =>
        {
            var index = RadiusIndex<T>.Build(p, opts);
            method = index.Method;
            res = index.Search(q, r * r);
        });
        return WithCpu(new BenchResult("radius", s, med, min, s.Queries / med, "queries/s", null, null, method, provider.Describe(), NeighbourChecks(res!, s.Patterns)));
    }

    /// <summary>Neighbour total and order-free id checksums Σ(i·M + μ), Σ(i·M + μ)² mod 2⁶⁴ (as doubles of the low 52 bits).</summary>
    public static Dictionary<string, double> NeighbourChecks(RadiusNeighbors res, int m)
    {
        ulong s1 = 0, s2 = 0;
        for (int i = 0; i < res.QueryCount; i++)
            foreach (int mu in res.Neighbors(i))
            {
                ulong key = (ulong)i * (ulong)m + (ulong)mu;
                s1 = unchecked(s1 + key);
                s2 = unchecked(s2 + key * key);
            }
        return new Dictionary<string, double>
        {
            ["pairs"] = res.TotalCount,
            ["mean_neighbours"] = (double)res.TotalCount / Math.Max(1, res.QueryCount),
            ["id_sum_low52"] = s1 & ((1UL << 52) - 1),
            ["id_sq_sum_low52"] = s2 & ((1UL << 52) - 1),
        };
    }

    /// <summary>
    /// The radius giving roughly 5 neighbours per query for the benchmark mixture (100 unit-variance clusters,
    /// M/100 points each, queries drawn the same way): the difference of a query and a same-cluster point has
    /// variance 2 per coordinate, so r² is 2× the 5·100/M quantile of χ²_d (Wilson–Hilferty approximation).
    /// </summary>
    public static double DefaultRadius(int d, int m)
    {
        double p = Math.Min(0.99, 5.0 * 100 / m);
        double z = InverseNormal(p);
        double a = 2.0 / (9 * d);
        double chi = d * Math.Pow(1 - a + z * Math.Sqrt(a), 3);
        return Math.Sqrt(Math.Max(2 * chi, 1e-6));
    }

    private static double InverseNormal(double p)
    {
        // Acklam's rational approximation (relative error < 1.2e-9); enough for choosing a radius.
        double[] a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        double[] b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        double[] c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        double[] dd = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        if (p < 0.02425)
        {
            double q = Math.Sqrt(-2 * Math.Log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((dd[0] * q + dd[1]) * q + dd[2]) * q + dd[3]) * q + 1);
        }
        if (p > 1 - 0.02425) return -InverseNormal(1 - p);
        double qq = p - 0.5, rr = qq * qq;
        return (((((a[0] * rr + a[1]) * rr + a[2]) * rr + a[3]) * rr + a[4]) * rr + a[5]) * qq / (((((b[0] * rr + b[1]) * rr + b[2]) * rr + b[3]) * rr + b[4]) * rr + 1);
    }

    /// <summary>
    /// Epanechnikov KDE log-densities (scikit-learn's normalisation) of Q queries against M points, mixture data
    /// as for <see cref="Radius"/>; bandwidth h = radius (default: the radius for about 5·4 = 20 neighbours).
    /// </summary>
    public static BenchResult Kde(BenchSettings s)
    {
        s.Validate();
        var (opts, provider) = Options(s);
        var pd = BenchData.Mixture(s.Patterns, s.Dim, 100, 10, 1, s.Seed, s.Seed + 1);
        var qd = BenchData.Mixture(s.Queries, s.Dim, 100, 10, 1, s.Seed + 7, s.Seed + 1);
        double h = s.Radius ?? DefaultRadius(s.Dim, s.Patterns / 4);
        s = s with { Radius = h };
        double[] logd = [];
        string method = FusedReductions.EpanechnikovMethod(new PointSet<double>(pd, s.Patterns, s.Dim), new PointSet<double>(qd, s.Queries, s.Dim), h, opts);
        (double med, double min) t;
        if (s.DType == BenchDType.Float32)
        {
            var p = new PointSet<float>(BenchData.ToSingle(pd), s.Patterns, s.Dim);
            var q = new PointSet<float>(BenchData.ToSingle(qd), s.Queries, s.Dim);
            t = Time(s.Repeat, () => logd = FusedReductions.EpanechnikovLogDensity(p, q, h, opts));
        }
        else
        {
            var p = new PointSet<double>(pd, s.Patterns, s.Dim);
            var q = new PointSet<double>(qd, s.Queries, s.Dim);
            t = Time(s.Repeat, () => logd = FusedReductions.EpanechnikovLogDensity(p, q, h, opts));
        }
        var finite = logd.Where(double.IsFinite).ToArray();
        double meanDensity = logd.Average(v => double.IsFinite(v) ? Math.Exp(v) : 0);
        return WithCpu(new BenchResult("kde", s, t.med, t.min, (double)s.Queries * s.Patterns / t.med, "pairs/s", null, null, method, provider.Describe(),
            new Dictionary<string, double> { ["finite"] = finite.Length, ["mean_density"] = meanDensity }));
    }

    /// <summary>
    /// Algorithm 1 (exact LSR fixed points, i.e. flat-kernel mean shift) on M mixture points (10 centres in
    /// [−10, 10]^d, σ = 1) from Q seeds (the first Q points), support radius r (default 4); reports queries/s
    /// and the distinct modes (suppressing modes within r of a better-supported one, as scikit-learn does).
    /// </summary>
    public static BenchResult FixedPoint(BenchSettings s)
    {
        s.Validate();
        var (opts, provider) = Options(s);
        double r = s.Radius ?? 4.0;
        s = s with { Radius = r, DType = BenchDType.Float64 };
        var data = BenchData.Mixture(s.Patterns, s.Dim, 10, 10, 1, s.Seed, s.Seed + 1);
        var patterns = new StoredPatterns(new Matrix(s.Patterns, s.Dim, data));
        int qn = Math.Min(s.Queries, s.Patterns);
        var seeds = new Matrix(qn, s.Dim, data.AsSpan(0, qn * s.Dim).ToArray());
        RetrievalBatch? batch = null;
        var options = new RetrievalOptions { Method = RetrievalMethod.FixedPoint, MaxIterations = 300, MaxThreads = s.Threads };
        var (med, min) = Time(s.Repeat, () =>
        {
            var energy = new Energy(patterns, Kernel.Epanechnikov, 2.0 / (r * r));
            batch = Retriever.Retrieve(energy, seeds, options);
        });
        double cpuFp = _lastCpuMedian;
        var modes = DistinctModes(batch!, r);
        var energyForMethod = new Energy(patterns, Kernel.Epanechnikov, 2.0 / (r * r));
        return new BenchResult("fixed-point", s, med, min, qn / med, "queries/s", null, null,
            $"algorithm-1 via {RadiusIndex<double>.Build(PointSet.From(patterns), DistanceEngineOptions.Default, r * r).Method}", provider.Describe(),
            new Dictionary<string, double>
            {
                ["converged"] = batch!.ConvergedCount, ["not_converged"] = batch.NotConvergedCount, ["unsupported"] = batch.UnsupportedCount,
                ["modes"] = modes.Count, ["mean_iterations"] = batch.Outcomes.Average(o => o.Iterations), ["cpu_seconds"] = cpuFp,
            }, modes);
    }

    /// <summary>Unique converged points, most supported first, dropping any within r of one already kept.</summary>
    public static List<double[]> DistinctModes(RetrievalBatch batch, double r)
    {
        var byPoint = new Dictionary<string, (double[] x, int support)>();
        for (int i = 0; i < batch.Outcomes.Count; i++)
        {
            if (!batch.Outcomes[i].Converged) continue;
            var x = batch.Points.Row(i).ToArray();
            string key = string.Join(",", x.Select(v => BitConverter.DoubleToInt64Bits(v)));
            byPoint.TryAdd(key, (x, batch.Outcomes[i].SupportSize));
        }
        var kept = new List<double[]>();
        foreach (var (x, _) in byPoint.Values.OrderByDescending(v => v.support).ThenBy(v => string.Join(",", v.x)))
        {
            if (kept.Any(k => SquaredDistance.Reference(k, x) < r * r)) continue;
            kept.Add(x);
        }
        return kept;
    }

    /// <summary>
    /// One LSE gradient step's fused softmax-weighted mean for Q queries over M patterns (uniform [0, 1)^d,
    /// seeds 1, 2), β = 1/d by default; GFLOP/s counts both products (4·Q·M·d) against the same run's GEMM.
    /// </summary>
    public static BenchResult LseStep(BenchSettings s)
    {
        s.Validate();
        var (opts, provider) = Options(s);
        double beta = s.Beta ?? 1.0 / s.Dim;
        s = s with { Beta = beta };
        var qd = BenchData.Uniform(s.Queries * s.Dim, s.Seed, 0, 1);
        var pd = BenchData.Uniform(s.Patterns * s.Dim, s.Seed + 1, 0, 1);
        double med, min, gemm, check, cpuL;
        if (s.DType == BenchDType.Float32)
        {
            var (qf, pf) = (BenchData.ToSingle(qd), BenchData.ToSingle(pd));
            var q = new PointSet<float>(qf, s.Queries, s.Dim);
            var p = new PointSet<float>(pf, s.Patterns, s.Dim);
            var means = new float[s.Queries * s.Dim];
            var lse = new double[s.Queries];
            (med, min) = Time(s.Repeat, () => FusedReductions.LseSoftmaxMean(p, q, beta, means, lse, opts));
            cpuL = _lastCpuMedian;
            gemm = GemmGflops(provider, s.Queries, s.Patterns, s.Dim, s.Repeat, qf, pf);
            check = lse.Average();
        }
        else
        {
            var q = new PointSet<double>(qd, s.Queries, s.Dim);
            var p = new PointSet<double>(pd, s.Patterns, s.Dim);
            var means = new double[s.Queries * s.Dim];
            var lse = new double[s.Queries];
            (med, min) = Time(s.Repeat, () => FusedReductions.LseSoftmaxMean(p, q, beta, means, lse, opts));
            cpuL = _lastCpuMedian;
            gemm = GemmGflops(provider, s.Queries, s.Patterns, s.Dim, s.Repeat, qd, pd);
            check = lse.Average();
        }
        double flops = 4.0 * s.Queries * s.Patterns * s.Dim;
        return new BenchResult("lse-step", s, med, min, s.Queries / med, "queries/s", flops / med / 1e9, gemm, "gemm-online-softmax",
            provider.Describe(), new Dictionary<string, double> { ["mean_log_sum_exp"] = check, ["cpu_seconds"] = cpuL });
    }

    /// <summary>The provider's GEMM alone for a Q×M×d product (op(B) transposed, as distances use it).</summary>
    public static BenchResult Gemm(BenchSettings s)
    {
        s.Validate();
        var (_, provider) = Options(s);
        double g = s.DType == BenchDType.Float32
            ? GemmGflops(provider, s.Queries, s.Patterns, s.Dim, s.Repeat, BenchData.ToSingle(BenchData.Uniform(s.Queries * s.Dim, s.Seed, -1, 1)), BenchData.ToSingle(BenchData.Uniform(s.Patterns * s.Dim, s.Seed + 1, -1, 1)))
            : GemmGflops(provider, s.Queries, s.Patterns, s.Dim, s.Repeat, BenchData.Uniform(s.Queries * s.Dim, s.Seed, -1, 1), BenchData.Uniform(s.Patterns * s.Dim, s.Seed + 1, -1, 1));
        double flops = 2.0 * s.Queries * s.Patterns * s.Dim;
        double sec = flops / (g * 1e9);
        return new BenchResult("gemm", s, sec, sec, (double)s.Queries * s.Patterns / sec, "pairs/s", g, g, s.DType == BenchDType.Float32 ? "sgemm" : "dgemm",
            provider.Describe(), new Dictionary<string, double>());
    }

    private static double GemmGflops<T>(BlasProvider provider, int q, int m, int d, int repeat, T[] a, T[] b)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var c = GC.AllocateUninitializedArray<T>(q * m);
        var (med, _) = Time(repeat, () =>
        {
            if (typeof(T) == typeof(float))
                provider.Sgemm(false, true, q, m, d, 1f, (float[])(object)a, d, (float[])(object)b, d, 0f, (float[])(object)c, m);
            else
                provider.Dgemm(false, true, q, m, d, 1.0, (double[])(object)a, d, (double[])(object)b, d, 0.0, (double[])(object)c, m);
        });
        return 2.0 * q * m * d / med / 1e9;
    }

    private static (DistanceEngineOptions, BlasProvider) Options(BenchSettings s)
    {
        var provider = s.Provider is null ? Blas.Default : Blas.TryGet(Blas.ParseKind(s.Provider))
            ?? throw new ArgumentException($"BLAS provider '{s.Provider}' is not available here.", nameof(s));
        provider.SetThreads(s.Threads);
        return (new DistanceEngineOptions { Provider = provider, MaxThreads = s.Threads }, provider);
    }

    [ThreadStatic] private static double _lastCpuMedian;

    private static (double median, double min) Time(int repeat, Action action)
    {
        // Warm-up twice: JIT tiering (tier-1 code replaces tier-0 after a few calls), page faults, BLAS threads.
        action();
        action();
        var t = new double[repeat];
        var cpu = new double[repeat];
        for (int i = 0; i < repeat; i++)
        {
            double c0 = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
            var sw = Stopwatch.StartNew();
            action();
            t[i] = sw.Elapsed.TotalSeconds;
            cpu[i] = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - c0;
        }
        _lastCpuMedian = Median(cpu);
        return (Median(t), t.Min());
    }

    private static double Median(double[] v)
    {
        var t = (double[])v.Clone();
        Array.Sort(t);
        int n = t.Length;
        return n % 2 == 1 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
    }

    /// <summary>Adds the median CPU seconds (all threads) of the last timed workload to the checks.</summary>
    private static BenchResult WithCpu(BenchResult r)
    {
        var checks = new Dictionary<string, double>(r.Checks) { ["cpu_seconds"] = _lastCpuMedian };
        return r with { Checks = checks };
    }
}
