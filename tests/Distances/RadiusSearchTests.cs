using DenseAm.Distances;
using DenseAm.Native;
using DenseAm.Tests.Native;
using Xunit;
using Xunit.Abstractions;

namespace DenseAm.Tests.Distances;

/// <summary>
/// Radius search must equal a scalar scan with the float64 reference sum exactly (same ids, same distances),
/// for the k-d tree and for the GEMM-screened brute force under every provider, including patterns placed
/// exactly on the sphere ‖x − ξ‖² = r² (excluded: the ball is open) and one or a few ulps inside and outside.
/// </summary>
public sealed class RadiusSearchTests(ITestOutputHelper output)
{
    public static TheoryData<string, string, int> Cases()
    {
        var t = new TheoryData<string, string, int>();
        foreach (var p in Blas.Available())
            foreach (int d in new[] { 2, 8, 40 })
            {
                t.Add(p.Kind.ToString(), "brute", d);
                t.Add(p.Kind.ToString(), "cells", d);
                if (p.Kind == BlasKind.Managed)
                {
                    t.Add(p.Kind.ToString(), "kd", d);
                    t.Add(p.Kind.ToString(), "exact", d);
                    t.Add(p.Kind.ToString(), "cells-exact", d);
                }
            }
        return t;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BoundaryCasesMatchReferenceFloat32(string kind, string method, int d) => Check<float>(kind, method, d);

    [Theory]
    [MemberData(nameof(Cases))]
    public void BoundaryCasesMatchReferenceFloat64(string kind, string method, int d) => Check<double>(kind, method, d);

    private void Check<T>(string kind, string method, int d) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var provider = Blas.TryGet(Enum.Parse<BlasKind>(kind))!;
        var opts = new DistanceEngineOptions
        {
            Provider = provider, KdTreeMaxDimension = method == "kd" ? 64 : 0, ExactDirectMaxDimension = method is "exact" or "cells-exact" ? 64 : 0,
            QueryTile = 7, PatternTile = 50, CellMinPatterns = method is "cells" or "cells-exact" ? 1 : int.MaxValue,
        };
        var (patterns, queries, r2) = BoundaryData<T>(d, 40 + d);
        var index = RadiusIndex<T>.Build(patterns, opts);
        string line = $"{typeof(T).Name} d={d} {index.Method} provider: {provider.Describe()}";
        output.WriteLine(line);
        Console.WriteLine($"[RadiusSearchTests] {line}");
        Assert.Equal(method switch { "kd" => "kd-tree", "exact" => "brute-exact-simd", "cells" => "cells-gemm", "cells-exact" => "cells-exact-simd", _ => "brute-gemm" }, index.Method);
        var result = index.Search(queries, r2);
        var counts = index.CountWithin(queries, r2);
        int onBoundary = 0, total = 0;
        var ids = new List<int>();
        var ds = new List<double>();
        for (int i = 0; i < queries.Rows; i++)
        {
            var expectedIds = new List<int>();
            var expectedD = new List<double>();
            for (int mu = 0; mu < patterns.Rows; mu++)
            {
                double ref2 = SimdDistance.Reference(queries.Row(i), patterns.Row(mu));
                if (ref2 == r2) onBoundary++;
                if (ref2 < r2) { expectedIds.Add(mu); expectedD.Add(ref2); }
            }
            Assert.Equal(expectedIds, result.Neighbors(i).ToArray());
            Assert.Equal(expectedD, result.Distances(i).ToArray());
            Assert.Equal(expectedIds.Count, counts[i]);
            index.Query(queries.Row(i), r2, ids, ds);
            Assert.Equal(expectedIds, ids);
            Assert.Equal(expectedD, ds);
            total += expectedIds.Count;
        }
        Assert.True(onBoundary > 0, "the data must include patterns exactly on the sphere");
        Assert.True(total > queries.Rows, "the data must include patterns inside the ball");
        Assert.Equal(method is "exact" or "cells-exact", index.HasSupportSums);
        if (index.HasSupportSums) CheckSupportSums(index, patterns, queries, r2, result);
    }

    /// <summary>The fused support sums equal |B(x)| and Σ ξ_μ over the CSR neighbours in increasing μ, bit for bit, for 1 and 2 threads.</summary>
    private static void CheckSupportSums<T>(RadiusIndex<T> index, PointSet<T> patterns, PointSet<T> queries, double r2, RadiusNeighbors csr)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        int d = patterns.Columns;
        foreach (int threads in new[] { 1, 2 })
        {
            var sums = new double[queries.Rows * d];
            var counts = new int[queries.Rows];
            index.SupportSums(queries, r2, sums, counts, new ParallelOptions { MaxDegreeOfParallelism = threads });
            for (int i = 0; i < queries.Rows; i++)
            {
                Assert.Equal(csr.Count(i), counts[i]);
                var expected = new double[d];
                foreach (int mu in csr.Neighbors(i))
                    for (int j = 0; j < d; j++) expected[j] += double.CreateTruncating(patterns.Row(mu)[j]);
                Assert.Equal(expected, sums.AsSpan(i * d, d).ToArray());
            }
        }
    }

    /// <summary>
    /// Queries on a grid; for each, patterns at the same point shifted along one or two axes by exactly r (on the
    /// sphere when r is representable and the shift exact) and by r nudged a few ulps either way, plus random points.
    /// </summary>
    private static (PointSet<T> patterns, PointSet<T> queries, double r2) BoundaryData<T>(int d, int q)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var rng = new TestRng((ulong)(d * 1000 + q));
        T r = T.CreateTruncating(0.75);
        double r2 = 0.5625; // 0.75² exactly
        var qs = new List<T>();
        var ps = new List<T>();
        for (int i = 0; i < q; i++)
        {
            var x = new T[d];
            for (int k = 0; k < d; k++) x[k] = T.CreateTruncating(Math.Round(rng.Uniform() * 8) / 4); // exact quarters
            qs.AddRange(x);
            int axis = i % d;
            foreach (int ulps in new[] { 0, -1, 1, -3, 3 })
            {
                var p = (T[])x.Clone();
                T shift = r;
                for (int u = 0; u < Math.Abs(ulps); u++) shift = ulps > 0 ? T.BitIncrement(shift) : T.BitDecrement(shift);
                p[axis] += shift;
                ps.AddRange(p);
            }
            if (d >= 2)
            {
                // (0.45, 0.6) has squared length 0.5625 in exact arithmetic but not in binary: a near-boundary pair.
                var p = (T[])x.Clone();
                p[axis] += T.CreateTruncating(0.45);
                p[(axis + 1) % d] += T.CreateTruncating(0.6);
                ps.AddRange(p);
            }
            var near = new T[d];
            for (int k = 0; k < d; k++) near[k] = x[k] + T.CreateTruncating(rng.Uniform() * 0.3 / Math.Sqrt(d));
            ps.AddRange(near);
            var far = new T[d];
            for (int k = 0; k < d; k++) far[k] = T.CreateTruncating(rng.Uniform() * 4);
            ps.AddRange(far);
        }
        return (new PointSet<T>(ps.ToArray(), ps.Count / d, d), new PointSet<T>(qs.ToArray(), q, d), r2);
    }

    [Fact]
    public void KdTreeOnHeavilyTiedLargeDataMatchesTheExactScan()
    {
        // 40 000 points on the integer grid {0..5}³ (every point repeated ~185 times): the median selection sees long
        // runs of equal keys at every level, large nodes take the sampled (Floyd–Rivest) path and are split in parallel,
        // and r² = 1 puts the grid neighbours exactly on the (open) boundary.
        var rng = new TestRng(91);
        int m = 40_000, q = 500, d = 3;
        var data = new double[m * d];
        for (int i = 0; i < data.Length; i++) data[i] = Math.Floor(6 * rng.Uniform());
        var qd = new double[q * d];
        for (int i = 0; i < qd.Length; i++) qd[i] = i % 2 == 0 ? Math.Floor(6 * rng.Uniform()) : 6 * rng.Uniform();
        var p = new PointSet<double>(data, m, d);
        var queries = new PointSet<double>(qd, q, d);
        foreach (double r2 in new[] { 1.0, 1.0000000000000002, 2.5 })
        {
            var kdIndex = RadiusIndex<double>.Build(p, new DistanceEngineOptions { KdTreeMaxDimension = 16, KdTreeMaxSelectivity = 1 });
            Assert.Equal("kd-tree", kdIndex.Method);
            var kd = kdIndex.Search(queries, r2);
            var ex = RadiusIndex<double>.Build(p, new DistanceEngineOptions { KdTreeMaxDimension = 0 }).Search(queries, r2);
            Assert.Equal(ex.Offsets, kd.Offsets);
            Assert.Equal(ex.Ids, kd.Ids);
            Assert.Equal(ex.SquaredDistances, kd.SquaredDistances);
            Assert.Equal(ex.Offsets.Zip(ex.Offsets.Skip(1), (a, b) => b - a), kdIndex.CountWithin(queries, r2));
            Assert.True(kd.TotalCount > 0);
        }
    }

    [Fact]
    public void KdTreeAndBruteForceAgreeOnClusteredData()
    {
        var rng = new TestRng(77);
        int m = 3000, q = 200, d = 5;
        var data = new double[m * d];
        for (int i = 0; i < m; i++)
        {
            int c = i % 7;
            for (int k = 0; k < d; k++) data[i * d + k] = c + 0.3 * rng.Uniform();
        }
        var p = new PointSet<double>(data, m, d);
        var qd = new double[q * d];
        for (int i = 0; i < qd.Length; i++) qd[i] = 3.5 + 4 * rng.Uniform();
        var queries = new PointSet<double>(qd, q, d);
        var kd = RadiusIndex<double>.Build(p, new DistanceEngineOptions { KdTreeMaxDimension = 16 }).Search(queries, 0.2);
        var bf = RadiusIndex<double>.Build(p, new DistanceEngineOptions { KdTreeMaxDimension = 0, ExactDirectMaxDimension = 0, PatternTile = 512 }).Search(queries, 0.2);
        var ex = RadiusIndex<double>.Build(p, new DistanceEngineOptions { KdTreeMaxDimension = 0 }).Search(queries, 0.2);
        var cells = RadiusIndex<double>.Build(p, new DistanceEngineOptions { KdTreeMaxDimension = 0, ExactDirectMaxDimension = 0, CellMinPatterns = 100, PatternTile = 256 });
        Assert.Equal("cells-gemm", cells.Method);
        var cr = cells.Search(queries, 0.2);
        Assert.Equal(kd.Offsets, cr.Offsets);
        Assert.Equal(kd.Ids, cr.Ids);
        Assert.Equal(kd.SquaredDistances, cr.SquaredDistances);
        Assert.Equal(kd.Offsets.Zip(kd.Offsets.Skip(1), (a, b) => b - a), cells.CountWithin(queries, 0.2));
        Assert.Equal(kd.Offsets, bf.Offsets);
        Assert.Equal(kd.Ids, bf.Ids);
        Assert.Equal(kd.SquaredDistances, bf.SquaredDistances);
        Assert.Equal(kd.Ids, ex.Ids);
        Assert.Equal(kd.SquaredDistances, ex.SquaredDistances);
        Assert.True(kd.TotalCount > 0);
    }

    [Fact]
    public void ResultsDoNotDependOnThreadCount()
    {
        var rng = new TestRng(8);
        int m = 2000, q = 300, d = 24;
        var p = new PointSet<float>(rng.Floats(m * d), m, d);
        var queries = new PointSet<float>(rng.Floats(q * d), q, d);
        var one = RadiusIndex<float>.Build(p, new DistanceEngineOptions { MaxThreads = 1 }).Search(queries, 3.0);
        var many = RadiusIndex<float>.Build(p, new DistanceEngineOptions { MaxThreads = 4 }).Search(queries, 3.0);
        Assert.Equal(one.Ids, many.Ids);
        Assert.Equal(one.Offsets, many.Offsets);
    }

    [Fact]
    public void WideRadiusHintChoosesBruteForceOverTheTree()
    {
        var rng = new TestRng(4);
        var p = new PointSet<double>(rng.Doubles(2000 * 3), 2000, 3);
        Assert.Equal("kd-tree", RadiusIndex<double>.Build(p, null, 1e-4).Method);
        Assert.Equal("brute-exact-simd", RadiusIndex<double>.Build(p, null, 1.0).Method);
    }

    [Fact]
    public void NegativeRadiusIsRejected()
    {
        var p = new PointSet<double>(new double[4], 2, 2);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => RadiusIndex<double>.Build(p).Search(p, -1));
        Assert.Equal("radiusSquared", e.ParamName);
    }
}
