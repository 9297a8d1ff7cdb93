using BenchmarkDotNet.Attributes;
using DenseAm.Bench;
using DenseAm.Distances;
using DenseAm.Kernels;
using DenseAm.Retrieval;

namespace DenseAm.BenchSuites;

/// <summary>All-pairs squared distances, float32, Q = M = 2048: the direct SIMD kernel at small d, GEMM with norms at large d.</summary>
[MemoryDiagnoser]
public class DistanceSuite
{
    private PointSet<float> _q = null!, _p = null!;
    private float[] _out = [];

    /// <summary>The dimension d.</summary>
    [Params(8, 32, 784)]
    public int Dim { get; set; }

    /// <summary>Uniform data in [−1, 1)^d, the same as `denseam bench distances`.</summary>
    [GlobalSetup]
    public void Setup()
    {
        const int n = 2048;
        _q = new PointSet<float>(BenchData.ToSingle(BenchData.Uniform(n * Dim, 1, -1, 1)), n, Dim);
        _p = new PointSet<float>(BenchData.ToSingle(BenchData.Uniform(n * Dim, 2, -1, 1)), n, Dim);
        _out = new float[n * n];
    }

    /// <summary>‖x_i − ξ_j‖² for every pair.</summary>
    [Benchmark]
    public void AllPairs() => PairwiseDistances.Compute(_q, _p, _out);
}

/// <summary>Exact radius search (‖x − ξ‖² &lt; r², decided against the float64 reference), mixture data, about 5 neighbours per query.</summary>
[MemoryDiagnoser]
public class RadiusSuite
{
    private PointSet<double> _q = null!, _p = null!;
    private double _r2;

    /// <summary>The dimension d.</summary>
    [Params(8, 64)]
    public int Dim { get; set; }

    /// <summary>20 000 patterns and 2 000 queries from 100 Gaussian clusters (the `denseam bench radius` data, smaller).</summary>
    [GlobalSetup]
    public void Setup()
    {
        const int m = 20000, q = 2000;
        _p = new PointSet<double>(BenchData.Mixture(m, Dim, 100, 10, 1, 1, 2), m, Dim);
        _q = new PointSet<double>(BenchData.Mixture(q, Dim, 100, 10, 1, 8, 2), q, Dim);
        double r = Benchmarks.DefaultRadius(Dim, m);
        _r2 = r * r;
    }

    /// <summary>Index build plus one batched search, as CSR.</summary>
    [Benchmark]
    public int BuildAndSearch() => RadiusIndex<double>.Build(_p, null, _r2).Search(_q, _r2).TotalCount;
}

/// <summary>Epanechnikov kernel density (scikit-learn's normalisation), d = 16, 4 000 × 4 000, float64.</summary>
[MemoryDiagnoser]
public class KdeSuite
{
    private PointSet<double> _q = null!, _p = null!;
    private double _h;

    /// <summary>Mixture data (the `denseam bench kde` data, smaller).</summary>
    [GlobalSetup]
    public void Setup()
    {
        const int n = 4000, d = 16;
        _p = new PointSet<double>(BenchData.Mixture(n, d, 100, 10, 1, 1, 2), n, d);
        _q = new PointSet<double>(BenchData.Mixture(n, d, 100, 10, 1, 8, 2), n, d);
        _h = Benchmarks.DefaultRadius(d, n / 4);
    }

    /// <summary>log p̂(x) for every query.</summary>
    [Benchmark]
    public double[] LogDensity() => FusedReductions.EpanechnikovLogDensity(_p, _q, _h);
}

/// <summary>Retrieval: Algorithm 1 (flat-kernel mean shift) and LOGL0's LSE descent (lane kernel, with and without the Newton finish).</summary>
[MemoryDiagnoser]
public class RetrievalSuite
{
    private Energy _lsr = null!, _lse = null!;
    private Matrix _seeds = null!, _starts = null!;

    /// <summary>Algorithm 1: 2 000 mixture points in d = 8 as patterns and seeds, r = 4. LSE: M = 100, d = 16, β = 5, 4 shell starts per pattern.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var data = BenchData.Mixture(2000, 8, 10, 10, 1, 1, 2);
        var patterns = new StoredPatterns(new Matrix(2000, 8, data));
        _lsr = new Energy(patterns, Kernel.Epanechnikov, 2.0 / 16);
        _seeds = new Matrix(2000, 8, (double[])data.Clone());
        var rng = new Randomness.SeededRandom(3);
        var small = new StoredPatterns(new Matrix(100, 16, BenchData.Uniform(1600, 4, 0, 1)));
        _lse = new Energy(small, Kernel.Gaussian, 5);
        _starts = Data.Synthetic.ShellStarts(rng, small, 4, Math.Sqrt(2 / 5.0));
    }

    /// <summary>Algorithm 1 from every point.</summary>
    [Benchmark]
    public int MeanShift() => Retriever.Retrieve(_lsr, _seeds, new RetrievalOptions { MaxIterations = 300 }).ConvergedCount;

    /// <summary>13 000-step cosine-decayed LSE descent with early stop at ‖∇E‖ &lt; 1e-6, float64 throughout.</summary>
    [Benchmark]
    public int LseDescent() => Retriever.Retrieve(_lse, _starts, Options(0)).ConvergedCount;

    /// <summary>The same with float32 steps and the guarded Newton finish below ‖∇E‖ = 1e-3 (LOGL0's default).</summary>
    [Benchmark]
    public int LseDescentNewton() => Retriever.Retrieve(_lse, _starts, Options(1e-3)).ConvergedCount;

    private static RetrievalOptions Options(double newton) => new()
    {
        Method = RetrievalMethod.GradientDescent,
        Schedule = StepSchedule.CosineDecay(0.01, 0.001, 13000),
        MaxIterations = 13000,
        Tolerance = 1e-6,
        NewtonBelow = newton,
    };
}
