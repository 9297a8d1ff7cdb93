using System.Buffers;
using DenseAm.Distances;
using DenseAm.Kernels;
using DenseAm.Native;

namespace DenseAm;

/// <summary>The energy at one point: E(x), whether it is finite, and |B(x)|.</summary>
/// <param name="Value">E(x) = −(1/β)·log(ε + Σ_μ K(u_μ(x))); +∞ when <paramref name="IsSupported"/> is false.</param>
/// <param name="IsSupported">False exactly when ε = 0 and no pattern's kernel is positive at x (energy +∞, no gradient).</param>
/// <param name="SupportSize">|B(x)|: patterns with ‖x − ξ_μ‖² &lt; 2/β (all M for the Gaussian kernel).</param>
public readonly record struct EnergyValue(double Value, bool IsSupported, int SupportSize);

/// <summary>What accompanies a gradient ∇E(x).</summary>
/// <param name="IsSupported">False when the energy is +∞ at x (ε = 0, outside every support); the gradient is then undefined and written as zeros.</param>
/// <param name="SupportSize">|B(x)|.</param>
/// <param name="Norm">‖∇E(x)‖ (0 when unsupported).</param>
public readonly record struct GradientInfo(bool IsSupported, int SupportSize, double Norm);

/// <summary>
/// A Dense Associative Memory energy E(x) = −(1/β)·log(ε + Σ_μ K((β/2)‖x − ξ_μ‖²)) over stored
/// patterns Ξ (SPEC §1): with <see cref="Kernel.Epanechnikov"/> the paper's LSR energy, with
/// <see cref="Kernel.Gaussian"/> the LSE energy. Immutable and safe to share across threads.
/// </summary>
public sealed class Energy
{
    /// <summary>Creates the energy of <paramref name="patterns"/> with the given kernel, inverse temperature and ε.</summary>
    /// <param name="patterns">Stored patterns Ξ.</param>
    /// <param name="kernel">Kernel profile (see <see cref="Kernel"/>).</param>
    /// <param name="beta">Inverse temperature β &gt; 0; the support radius is r = √(2/β).</param>
    /// <param name="epsilon">ε ≥ 0 inside the logarithm; ε &gt; 0 makes the energy finite everywhere.</param>
    public Energy(StoredPatterns patterns, IKernel kernel, double beta, double epsilon = 0)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        ArgumentNullException.ThrowIfNull(kernel);
        Patterns = patterns;
        Kernel = kernel;
        Beta = Guard.Positive(beta);
        Epsilon = Guard.NonNegative(epsilon);
        RadiusSquared = 2.0 / beta;
        if (!double.IsFinite(RadiusSquared) || RadiusSquared == 0)
            throw new ArgumentOutOfRangeException(nameof(beta), beta, $"beta = {Guard.Fmt(beta)} gives a support radius² 2/β that is not a positive finite number.");
        _points = new Lazy<PointSet<double>>(() => Distances.PointSet.From(Patterns));
        _index = new Lazy<RadiusIndex<double>>(() => RadiusIndex<double>.Build(_points.Value, null, RadiusSquared));
    }

    // The distance engine: exact radius search for supports (k-d tree in low d, screened GEMM tiles above),
    // and the fused LSE softmax mean for the Gaussian kernel with the managed GEMM, whose sums do not depend
    // on the thread count (native BLAS libraries do not promise that).
    private readonly Lazy<PointSet<double>> _points;
    private readonly Lazy<RadiusIndex<double>> _index;

    internal RadiusIndex<double> Index => _index.Value;

    internal PointSet<double> Points => _points.Value;

    internal static DistanceEngineOptions LseOptions(int maxThreads) =>
        new() { Provider = Blas.CreateManaged(maxThreads), MaxThreads = maxThreads };

    /// <summary>True when the kernel is the Gaussian e^{−u}, whose sums go through the fused softmax mean.</summary>
    internal bool IsLse => ReferenceEquals(Kernel, Kernels.Kernel.Gaussian);

    /// <summary>The stored patterns Ξ.</summary>
    public StoredPatterns Patterns { get; }

    /// <summary>The kernel profile K.</summary>
    public IKernel Kernel { get; }

    /// <summary>Inverse temperature β.</summary>
    public double Beta { get; }

    /// <summary>The constant ε ≥ 0 inside the logarithm.</summary>
    public double Epsilon { get; }

    /// <summary>r² = 2/β: ξ_μ is in the support B(x) iff ‖x − ξ_μ‖² &lt; r² (open ball).</summary>
    public double RadiusSquared { get; }

    /// <summary>Support radius r = √(2/β).</summary>
    public double Radius => Math.Sqrt(RadiusSquared);

    /// <summary>Dimension d.</summary>
    public int Dimension => Patterns.Dimension;

    /// <summary>True for the paper's LSR energy (Epanechnikov kernel).</summary>
    public bool IsLsr => ReferenceEquals(Kernel, Kernels.Kernel.Epanechnikov);

    /// <summary>
    /// The support B(x) = {μ : ‖x − ξ_μ‖² &lt; 2/β} in increasing μ, decided exactly (the float64 reference
    /// distance; see <see cref="SquaredDistance.IsWithin"/>). Clears and fills <paramref name="members"/>.
    /// </summary>
    public int Support(ReadOnlySpan<double> x, List<int> members)
    {
        CheckPoint(x, nameof(x));
        ArgumentNullException.ThrowIfNull(members);
        return SupportCore(x, members);
    }

    internal int SupportCore(ReadOnlySpan<double> x, List<int> members)
    {
        Index.Query(x, RadiusSquared, members);
        return members.Count;
    }

    /// <summary>E(x) for one point.</summary>
    public EnergyValue Evaluate(ReadOnlySpan<double> x)
    {
        CheckPoint(x, nameof(x));
        using var scratch = new Scratch(Patterns.Count, Dimension);
        var s = Accumulate(x, scratch, withGradient: false);
        return new EnergyValue(s.Supported ? -s.LogZ / Beta : double.PositiveInfinity, s.Supported, s.Count);
    }

    /// <summary>
    /// ∇E(x) = Σ_μ w_μ·(x − ξ_μ) / Z(x) with w_μ = −K'(u_μ) and Z = ε + Σ_μ K(u_μ), written into
    /// <paramref name="gradient"/>. It is evaluated as W·(x − m)/Z with W = Σ w_μ and m = Σ w_μ ξ_μ / W, so for
    /// LSR at a fixed point x = c_B (the centroid of B(x), summed in index order) it is exactly zero.
    /// </summary>
    public GradientInfo Gradient(ReadOnlySpan<double> x, Span<double> gradient)
    {
        CheckPoint(x, nameof(x));
        Guard.SameDimension(Dimension, gradient.Length, nameof(gradient));
        using var scratch = new Scratch(Patterns.Count, Dimension);
        return GradientCore(x, gradient, scratch);
    }

    /// <summary>E(x) for every row of <paramref name="queries"/>, in parallel over rows; identical for any thread count.</summary>
    public EnergyValue[] EvaluateBatch(Matrix queries, int maxThreads = -1)
    {
        CheckBatch(queries, nameof(queries));
        var results = new EnergyValue[queries.Rows];
        var sums = AccumulateBatch(queries, null, maxThreads);
        for (int i = 0; i < results.Length; i++)
            results[i] = new EnergyValue(sums[i].Supported ? -sums[i].LogZ / Beta : double.PositiveInfinity, sums[i].Supported, sums[i].Count);
        return results;
    }

    /// <summary>∇E for every row of <paramref name="queries"/> into the rows of <paramref name="gradients"/>; parallel, deterministic.</summary>
    public GradientInfo[] GradientBatch(Matrix queries, Matrix gradients, int maxThreads = -1)
    {
        CheckBatch(queries, nameof(queries));
        ArgumentNullException.ThrowIfNull(gradients);
        if (gradients.Rows != queries.Rows || gradients.Columns != Dimension)
            throw new ArgumentException($"gradients is {gradients.Rows}×{gradients.Columns}; expected {queries.Rows}×{Dimension}.", nameof(gradients));
        var info = new GradientInfo[queries.Rows];
        var weighted = new Matrix(queries.Rows, Dimension);
        var sums = AccumulateBatch(queries, weighted, maxThreads);
        Parallel.For(0, queries.Rows, Options(maxThreads), i =>
        {
            var g = gradients.Row(i);
            info[i] = sums[i].Supported
                ? new GradientInfo(true, sums[i].Count, WriteGradient(queries.Row(i), g, weighted.Row(i), sums[i]))
                : Unsupported(g, sums[i].Count);
        });
        return info;
    }

    /// <summary>
    /// Batched LSE gradients through the fused softmax mean (blocked GEMM with online softmax): ∇E(x) = (x − m(x))/Z with
    /// m the softmax-weighted mean and Z = 1 + ε·e^{−L}, L = log Σ_μ e^{−u_μ}. Much faster than <see cref="GradientBatch"/>
    /// for many queries; the GEMM distance form and x − m give up the last digits (pulls below ~1e-16·‖x‖ vanish), which
    /// gradient descent, stopping at a tolerance far above that, does not notice.
    /// </summary>
    internal GradientInfo[] LseGradientBatchFused(Matrix queries, Matrix gradients, int maxThreads)
    {
        int q = queries.Rows, d = Dimension;
        var info = new GradientInfo[q];
        if (q == 0) return info;
        var means = new double[q * d];
        var lse = new double[q];
        FusedReductions.LseSoftmaxMean(Points, Distances.PointSet.From(queries), Beta, means, lse, LseOptions(maxThreads));
        Parallel.For(0, q, Options(maxThreads), i =>
        {
            double z = Epsilon > 0 ? 1 + Epsilon * Math.Exp(-lse[i]) : 1;
            var sums = new Sums(true, Patterns.Count, z, 0, 1);
            info[i] = new GradientInfo(true, Patterns.Count, WriteCentroidGradient(queries.Row(i), gradients.Row(i), means.AsSpan(i * d, d), sums));
        });
        return info;
    }

    private static double WriteCentroidGradient(ReadOnlySpan<double> x, Span<double> gradient, ReadOnlySpan<double> mean, in Sums s)
    {
        for (int i = 0; i < x.Length; i++) gradient[i] = (x[i] - mean[i]) / s.Z;
        return ScaledNorm(gradient);
    }

    /// <summary>‖g‖ scaled by max |g_i|, so a gradient of 1e-247 does not report norm 0 through underflow of its squares.</summary>
    internal static double ScaledNorm(ReadOnlySpan<double> g)
    {
        double scale = 0;
        foreach (double v in g) scale = Math.Max(scale, Math.Abs(v));
        if (scale == 0) return 0;
        double norm2 = 0;
        foreach (double v in g)
        {
            double t = v / scale;
            norm2 += t * t;
        }
        return scale * Math.Sqrt(norm2);
    }

    private static GradientInfo Unsupported(Span<double> gradient, int count)
    {
        gradient.Clear();
        return new GradientInfo(false, count, 0);
    }

    /// <summary>
    /// The sums of <see cref="Accumulate"/> for every query at once: supports by one batched exact radius
    /// search (CSR) for compact kernels; exponential kernels query by query. Each query's sums are bitwise those of the one-query path.
    /// </summary>
    internal Sums[] AccumulateBatch(Matrix queries, Matrix? weightedSums, int maxThreads)
    {
        int q = queries.Rows, d = Dimension;
        var sums = new Sums[q];
        if (q == 0) return sums;
        var po = Options(maxThreads);
        if (Kernel.HasCompactSupport)
        {
            var csr = Index.Search(Distances.PointSet.From(queries), RadiusSquared);
            Parallel.For(0, q, po, i =>
            {
                var ws = weightedSums is null ? Span<double>.Empty : weightedSums.Row(i);
                sums[i] = FromNeighbors(queries.Row(i), csr.Neighbors(i), csr.Distances(i), ws, weightedSums is not null);
            });
            return sums;
        }
        Parallel.For(0, q, po, () => new Scratch(Patterns.Count, d), (i, _, scratch) =>
        {
            sums[i] = Accumulate(queries.Row(i), scratch, weightedSums is not null);
            if (weightedSums is not null) scratch.WeightedSum.CopyTo(weightedSums.Row(i));
            return scratch;
        }, scratch => scratch.Dispose());
        return sums;
    }

    /// <summary>
    /// The LSR Hessian ∇²E(x) = (|B|/Z)·I + β·∇E ∇Eᵀ (valid off support boundaries); at a fixed point
    /// x* = c_B it is (|B|/Z(x*))·I, positive definite (SPEC §1, Prop. 2). Only for the Epanechnikov kernel.
    /// </summary>
    /// <exception cref="ArgumentException">The kernel is not Epanechnikov, or x is unsupported (E = +∞).</exception>
    public Matrix Hessian(ReadOnlySpan<double> x)
    {
        if (!IsLsr)
            throw new ArgumentException($"the Hessian is implemented for the LSR (epanechnikov) energy; this energy's kernel is '{Kernel.Name}'.", nameof(x));
        CheckPoint(x, nameof(x));
        int d = Dimension;
        using var scratch = new Scratch(Patterns.Count, d);
        var g = new double[d];
        var s = Accumulate(x, scratch, withGradient: true);
        if (!s.Supported)
            throw new ArgumentException("x lies outside every support with ε = 0: the energy is +∞ there and has no Hessian.", nameof(x));
        WriteGradient(x, g, scratch.WeightedSum, s);
        var h = new Matrix(d, d);
        double diag = s.Z > 0 ? s.Count / s.Z : 0;
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
                h[i, j] = (i == j ? diag : 0) + Beta * g[i] * g[j];
        return h;
    }

    internal GradientInfo GradientCore(ReadOnlySpan<double> x, Span<double> gradient, Scratch scratch)
    {
        var s = Accumulate(x, scratch, withGradient: true);
        if (!s.Supported)
        {
            gradient.Clear();
            return new GradientInfo(false, s.Count, 0);
        }
        return new GradientInfo(true, s.Count, WriteGradient(x, gradient, scratch.WeightedSum, s));
    }

    private double WriteGradient(ReadOnlySpan<double> x, Span<double> gradient, ReadOnlySpan<double> weightedSum, in Sums s)
    {
        if (s.W == 0 || double.IsPositiveInfinity(s.Z))
        {
            gradient.Clear();
            return 0;
        }
        bool centroidForm = IsLsr;
        for (int i = 0; i < x.Length; i++)
        {
            // LSR: W·(x − m)/Z, exactly zero at a fixed point. Other kernels: Σ w_μ(x − ξ_μ)/Z, which keeps the
            // tiny but nonzero pull of far patterns (e.g. LSE at a stored pattern, Prop. 1) that x − m would round away.
            gradient[i] = centroidForm ? s.W * (x[i] - weightedSum[i] / s.W) / s.Z : weightedSum[i] / s.Z;
        }
        return ScaledNorm(gradient[..x.Length]);
    }

    /// <summary>
    /// The sums at x: Z (scaled by e^{shift} for exponential kernels), log Z, W = Σ w_μ and Σ w_μ ξ_μ (index
    /// order, into scratch.WeightedSum). Compact kernels: only patterns in the open ball B(x), found by the
    /// exact radius search with their reference squared distances. Gaussian: the fused softmax mean, with
    /// weights normalised so W = 1 and Σ w_μ ξ_μ is the softmax-weighted mean.
    /// </summary>
    internal Sums Accumulate(ReadOnlySpan<double> x, Scratch scratch, bool withGradient)
    {
        var weightedSum = scratch.WeightedSum;
        if (Kernel.HasCompactSupport)
        {
            Index.Query(x, RadiusSquared, scratch.Ids, scratch.SquaredDistances);
            return FromNeighbors(x, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(scratch.Ids),
                System.Runtime.InteropServices.CollectionsMarshal.AsSpan(scratch.SquaredDistances), weightedSum, withGradient);
        }
        // Exponential kernels: log-sum-exp shifted by the smallest u, so no β makes the sum underflow, with the gradient's
        // numerator Σ w_μ(x − ξ_μ) summed directly. Direct differences, not the GEMM form ‖x‖² + ‖ξ‖² − 2⟨x, ξ⟩: far from
        // the origin at large β that form loses the energy's last digits (the fused softmax mean serves batched descent).
        var data = Patterns.Data;
        int d = Dimension, m = Patterns.Count;
        double r2 = RadiusSquared;
        var d2 = scratch.Distances;
        if (withGradient) weightedSum.Clear();
        double z = 0, w = 0;
        double umin = double.PositiveInfinity;
        for (int mu = 0; mu < m; mu++)
        {
            double u = SquaredDistance.Fast(x, data.Slice(mu * d, d)) / r2;
            d2[mu] = u;
            if (u < umin) umin = u;
        }
        for (int mu = 0; mu < m; mu++)
        {
            double k = Kernel.Profile(d2[mu] - umin);
            z += k;
            if (withGradient)
            {
                double wt = Kernel.Slope(d2[mu] - umin);
                w += wt;
                Add(weightedSum, x, data.Slice(mu * d, d), wt);
            }
        }
        double logZ = -umin + Math.Log(z);
        if (Epsilon > 0) logZ = LogAddExp(Math.Log(Epsilon), logZ);
        double zScaled = Epsilon > 0 ? z + Epsilon * Math.Exp(umin) : z;
        return new Sums(true, m, zScaled, logZ, w);
    }

    /// <summary>Compact-kernel sums over the support B(x) given as increasing ids with reference squared distances.</summary>
    private Sums FromNeighbors(ReadOnlySpan<double> x, ReadOnlySpan<int> ids, ReadOnlySpan<double> dist2, Span<double> weightedSum, bool withGradient)
    {
        var data = Patterns.Data;
        int d = Dimension;
        double r2 = RadiusSquared;
        if (withGradient) weightedSum.Clear();
        double z = 0, w = 0;
        for (int k = 0; k < ids.Length; k++)
        {
            double u = dist2[k] / r2; // < 1 whenever dist2 < r2 (correct rounding), so B(x) and K > 0 agree
            z += Kernel.Profile(u);
            if (withGradient)
            {
                double wt = Kernel.Slope(u);
                if (wt != 0)
                {
                    w += wt;
                    Add(weightedSum, x, data.Slice(ids[k] * d, d), wt);
                }
            }
        }
        z += Epsilon;
        bool supported = z > 0;
        return new Sums(supported, ids.Length, z, supported ? Math.Log(z) : double.NegativeInfinity, w);
    }


    private void Add(Span<double> acc, ReadOnlySpan<double> x, ReadOnlySpan<double> xi, double a)
    {
        if (IsLsr)
        {
            // LSR weights are all 1: a plain sum keeps Σ ξ_μ bitwise equal to the centroid's numerator.
            for (int i = 0; i < xi.Length; i++) acc[i] += xi[i];
        }
        else
        {
            for (int i = 0; i < xi.Length; i++) acc[i] += a * (x[i] - xi[i]);
        }
    }

    private static double LogAddExp(double a, double b)
    {
        double hi = Math.Max(a, b), lo = Math.Min(a, b);
        return hi + Math.Log(1 + Math.Exp(lo - hi));
    }

    internal void CheckPoint(ReadOnlySpan<double> x, string name)
    {
        Guard.SameDimension(Dimension, x.Length, name);
        Guard.Finite(x, Math.Max(1, x.Length), name);
    }

    internal void CheckBatch(Matrix queries, string name)
    {
        ArgumentNullException.ThrowIfNull(queries, name);
        Guard.SameDimension(Dimension, queries.Columns, name);
        Guard.Finite(queries.Data, Math.Max(1, queries.Columns), name);
    }

    internal static ParallelOptions Options(int maxThreads) =>
        new() { MaxDegreeOfParallelism = maxThreads <= 0 ? Environment.ProcessorCount : maxThreads };

    internal readonly record struct Sums(bool Supported, int Count, double Z, double LogZ, double W);

    /// <summary>Pooled per-thread scratch: M squared distances and a d-vector.</summary>
    internal sealed class Scratch : IDisposable
    {
        private readonly double[] _distances;
        private readonly double[] _sum;
        private readonly int _m, _d;

        public List<int> Ids { get; } = new();
        public List<double> SquaredDistances { get; } = new();

        public Scratch(int m, int d)
        {
            _m = m;
            _d = d;
            _distances = ArrayPool<double>.Shared.Rent(Math.Max(1, m));
            _sum = ArrayPool<double>.Shared.Rent(Math.Max(1, d));
        }

        public Span<double> Distances => _distances.AsSpan(0, _m);
        public Span<double> WeightedSum => _sum.AsSpan(0, _d);

        public void Dispose()
        {
            ArrayPool<double>.Shared.Return(_distances);
            ArrayPool<double>.Shared.Return(_sum);
        }
    }
}
