using DenseAm.Native;
using Xunit;
using Xunit.Abstractions;

namespace DenseAm.Tests.Native;

/// <summary>
/// Every BLAS provider that loads here (managed always; OpenBLAS and MKL when installed) against a float64
/// triple loop. GEMM sums k products in an order each library chooses, so results differ from the loop by at
/// most γ_k·Σ|a||b| ≤ k·u·Σ|a||b| (u the unit roundoff); tests allow 4× that, per element.
/// </summary>
public sealed class BlasProviderTests(ITestOutputHelper output)
{
    public static TheoryData<string> Providers()
    {
        var data = new TheoryData<string>();
        foreach (var p in Blas.Available()) data.Add(p.Kind.ToString());
        return data;
    }

    private BlasProvider Get(string kind)
    {
        var p = Blas.TryGet(Enum.Parse<BlasKind>(kind))!;
        output.WriteLine($"provider: {p.Describe()}");
        Console.WriteLine($"[BlasProviderTests] provider: {p.Describe()}");
        return p;
    }

    [Fact]
    public void DescribeNamesTheChosenProvider()
    {
        string line = Blas.Describe();
        output.WriteLine(line);
        Console.WriteLine($"[BlasProviderTests] default: {line}");
        Assert.Contains(Blas.Default.Kind switch { BlasKind.Managed => "managed", BlasKind.OpenBlas => "openblas", _ => "mkl" }, line);
        Assert.DoesNotContain('\n', line);
        Assert.Contains(Blas.Managed, Blas.Available());
    }

    [Fact]
    public void ParseKindAcceptsTheThreeNamesAndRejectsOthers()
    {
        Assert.Equal(BlasKind.Mkl, Blas.ParseKind("MKL"));
        Assert.Equal(BlasKind.OpenBlas, Blas.ParseKind(" openblas "));
        Assert.Equal(BlasKind.Managed, Blas.ParseKind("managed"));
        var e = Assert.Throws<ArgumentException>(() => Blas.ParseKind("atlas"));
        Assert.Contains("atlas", e.Message);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void SgemmMatchesTripleLoopForEveryTransposeAndAwkwardShape(string kind)
    {
        var p = Get(kind);
        var rng = new TestRng(11);
        foreach (var (m, n, k) in new[] { (1, 1, 1), (7, 5, 3), (13, 37, 64), (70, 33, 300), (6, 32, 257), (100, 90, 784) })
        foreach (bool ta in new[] { false, true })
        foreach (bool tb in new[] { false, true })
        {
            var a = rng.Floats(m * k);
            var b = rng.Floats(k * n);
            var c0 = rng.Floats(m * n);
            var c = (float[])c0.Clone();
            int lda = ta ? m : k, ldb = tb ? k : n;
            p.Sgemm(ta, tb, m, n, k, 1.5f, a, lda, b, ldb, 0.5f, c, n);
            for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0, abs = 0;
                for (int q = 0; q < k; q++)
                {
                    double av = ta ? a[q * lda + i] : a[i * lda + q];
                    double bv = tb ? b[j * ldb + q] : b[q * ldb + j];
                    s += av * bv;
                    abs += Math.Abs(av * bv);
                }
                double expected = 1.5 * s + 0.5 * c0[i * n + j];
                double tol = 4 * (k + 4) * Math.Pow(2, -24) * (1.5 * abs + 0.5 * Math.Abs(c0[i * n + j])) + 1e-30;
                Assert.True(Math.Abs(c[i * n + j] - expected) <= tol,
                    $"{kind} m={m} n={n} k={k} ta={ta} tb={tb} ({i},{j}): {c[i * n + j]} vs {expected} (tol {tol})");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void DgemmMatchesTripleLoopAndBetaZeroIgnoresNaNInC(string kind)
    {
        var p = Get(kind);
        var rng = new TestRng(5);
        int m = 29, n = 41, k = 130;
        var a = rng.Doubles(m * k);
        var b = rng.Doubles(n * k);
        var c = new double[m * n];
        Array.Fill(c, double.NaN);
        p.Dgemm(false, true, m, n, k, 1.0, a, k, b, k, 0.0, c, n);
        for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
        {
            double s = 0, abs = 0;
            for (int q = 0; q < k; q++) { s += a[i * k + q] * b[j * k + q]; abs += Math.Abs(a[i * k + q] * b[j * k + q]); }
            Assert.True(Math.Abs(c[i * n + j] - s) <= 4 * (k + 4) * Math.Pow(2, -53) * abs, $"{kind} ({i},{j}): {c[i * n + j]} vs {s}");
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void EveryProviderAgreesWithManaged(string kind)
    {
        var p = Get(kind);
        var rng = new TestRng(3);
        int m = 64, n = 96, k = 200;
        var a = rng.Floats(m * k);
        var b = rng.Floats(n * k);
        var c1 = new float[m * n];
        var c2 = new float[m * n];
        p.Sgemm(false, true, m, n, k, 1f, a, k, b, k, 0f, c1, n);
        Blas.Managed.Sgemm(false, true, m, n, k, 1f, a, k, b, k, 0f, c2, n);
        for (int i = 0; i < c1.Length; i++)
            Assert.True(Math.Abs(c1[i] - c2[i]) <= 8 * (k + 4) * Math.Pow(2, -24) * k, $"{kind} element {i}: {c1[i]} vs managed {c2[i]}");
    }

    [Fact]
    public void ManagedGemmIsIdenticalForAnyThreadCount()
    {
        var rng = new TestRng(9);
        int m = 300, n = 200, k = 520;
        var a = rng.Floats(m * k);
        var b = rng.Floats(n * k);
        var one = new float[m * n];
        var two = new float[m * n];
        var p = Blas.Managed;
        int before = p.Threads;
        try
        {
            p.SetThreads(1);
            p.Sgemm(false, true, m, n, k, 1f, a, k, b, k, 0f, one, n);
            p.SetThreads(3);
            p.Sgemm(false, true, m, n, k, 1f, a, k, b, k, 0f, two, n);
        }
        finally { p.SetThreads(before); }
        Assert.Equal(one, two);
    }

    [Fact]
    public void BadShapesAreRejectedWithTheArgumentNamed()
    {
        var p = Blas.Managed;
        var e = Assert.Throws<ArgumentException>(() => p.Sgemm(false, false, 2, 2, 2, 1f, new float[3], 2, new float[4], 2, 0f, new float[4], 2));
        Assert.Equal("a", e.ParamName);
        var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => p.Dgemm(false, false, 2, 2, 2, 1, new double[4], 1, new double[4], 2, 0, new double[4], 2));
        Assert.Equal("lda", e2.ParamName);
    }
}

/// <summary>SplitMix64: the tests' own seeded generator (values in [−1, 1)).</summary>
internal sealed class TestRng(ulong seed)
{
    private ulong _s = seed;

    public ulong Next()
    {
        ulong z = _s += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public double Uniform() => (Next() >> 11) * (1.0 / (1UL << 53)) * 2 - 1;

    public float[] Floats(int n) { var r = new float[n]; for (int i = 0; i < n; i++) r[i] = (float)Uniform(); return r; }

    public double[] Doubles(int n) { var r = new double[n]; for (int i = 0; i < n; i++) r[i] = Uniform(); return r; }
}
