using DenseAm.Distances;
using DenseAm.Native;
using DenseAm.Tests.Native;
using Xunit;
using Xunit.Abstractions;

namespace DenseAm.Tests.Distances;

/// <summary>
/// All-pairs distances (direct SIMD below the cut-over, GEMM with norms above) against the float64 reference,
/// once per available BLAS provider. Direct path: per-pair error ≤ (d + 2)·u_T·S as in <see cref="SimdDistanceTests"/>.
/// GEMM path: ‖x‖² + ‖ξ‖² − 2⟨x, ξ⟩ cancels, so its error scales with the norms, not the distance:
/// ≤ (2d + 6)·u_T·(‖x‖² + ‖ξ‖²); the tests allow twice that.
/// </summary>
public sealed class PairwiseDistanceTests(ITestOutputHelper output)
{
    public static TheoryData<string, int> Cases()
    {
        var t = new TheoryData<string, int>();
        foreach (var p in Blas.Available())
            foreach (int d in new[] { 1, 3, 8, 17, 33, 64, 784 })
                t.Add(p.Kind.ToString(), d);
        return t;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float32BothPathsMatchReference(string kind, int d) => Check<float>(kind, d);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float64BothPathsMatchReference(string kind, int d) => Check<double>(kind, d);

    private void Check<T>(string kind, int d) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var provider = Blas.TryGet(Enum.Parse<BlasKind>(kind))!;
        string line = $"{typeof(T).Name} d={d} provider: {provider.Describe()}";
        output.WriteLine(line);
        Console.WriteLine($"[PairwiseDistanceTests] {line}");
        var rng = new TestRng((ulong)(d * 31 + kind.Length));
        int q = 37, m = 133;
        var x = new PointSet<T>(Enumerable.Range(0, q * d).Select(_ => T.CreateTruncating(rng.Uniform())).ToArray(), q, d);
        var y = new PointSet<T>(Enumerable.Range(0, m * d).Select(_ => T.CreateTruncating(rng.Uniform())).ToArray(), m, d);
        foreach (int cut in new[] { 1, 100_000 })
        {
            var opts = new DistanceEngineOptions { Provider = provider, GemmCutoverDimension = cut, AllPairsQueryTile = 16 };
            var r = PairwiseDistances.Compute(x, y, opts);
            double u = SimdDistance.UnitRoundoff<T>();
            for (int i = 0; i < q; i++)
            for (int j = 0; j < m; j++)
            {
                double reference = SimdDistance.Reference(x.Row(i), y.Row(j));
                double got = double.CreateTruncating(r[i * m + j]);
                double nx = SimdDistance.Reference(x.Row(i), new T[d]), ny = SimdDistance.Reference(y.Row(j), new T[d]);
                double tol = cut == 1 ? 2 * (2 * d + 6) * u * (nx + ny) + 1e-300 : SimdDistance.ErrorBound<T>(reference, d) + 1e-300;
                Assert.True(got >= 0, "distances are clamped at 0");
                Assert.True(Math.Abs(got - reference) <= tol, $"{kind} {typeof(T).Name} d={d} cut={cut} ({i},{j}): {got} vs {reference} tol {tol}");
            }
        }
    }

    [Fact]
    public void IdenticalRowsGiveZeroNotNegative()
    {
        var rng = new TestRng(1);
        var data = rng.Floats(50 * 784);
        var p = new PointSet<float>(data, 50, 784);
        var r = PairwiseDistances.Compute(p, p, new DistanceEngineOptions { GemmCutoverDimension = 1 });
        for (int i = 0; i < 50; i++) Assert.True(r[i * 50 + i] >= 0 && r[i * 50 + i] < 1e-2f);
    }

    [Fact]
    public void MismatchedDimensionsAreRejected()
    {
        var a = new PointSet<float>(new float[6], 2, 3);
        var b = new PointSet<float>(new float[8], 2, 4);
        var e = Assert.Throws<ArgumentException>(() => PairwiseDistances.Compute(a, b));
        Assert.Equal("queries", e.ParamName);
    }
}
