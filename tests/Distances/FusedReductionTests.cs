using DenseAm.Distances;
using DenseAm.Native;
using DenseAm.Tests.Native;
using Xunit;

namespace DenseAm.Tests.Distances;

/// <summary>
/// Fused reductions against plain float64 loops over all pairs. Epanechnikov sums: each term is within
/// (2d + 6)·u_T·(‖x‖² + ‖ξ‖²)/h² of its reference (GEMM form) or (d + 2)·u_T·d²/h² (direct form), and the kernel
/// is 1-Lipschitz in d²/h², so the sum is within M times that; the tests allow twice the larger bound plus the
/// float64 summation error. LSE means: relative 1e-4 (float32) or 1e-10 (float64) of the mean's scale.
/// </summary>
public sealed class FusedReductionTests
{
    [Theory]
    [InlineData(4, 1)]
    [InlineData(4, 1000)]
    [InlineData(40, 1)]
    [InlineData(40, 1000)]
    public void EpanechnikovSumsMatchPairLoop(int d, int cutover)
    {
        var rng = new TestRng((ulong)d);
        int m = 500, q = 60;
        var p = new PointSet<float>(rng.Floats(m * d), m, d);
        var x = new PointSet<float>(rng.Floats(q * d), q, d);
        double h = 0.6 * Math.Sqrt(d);
        var got = FusedReductions.EpanechnikovSums(p, x, h, new DistanceEngineOptions { GemmCutoverDimension = cutover, QueryTile = 16, PatternTile = 128 });
        for (int i = 0; i < q; i++)
        {
            double s = 0, scale = 0;
            for (int mu = 0; mu < m; mu++)
            {
                double d2 = SimdDistance.Reference(x.Row(i), p.Row(mu));
                s += Math.Max(0, 1 - d2 / (h * h));
                scale += (SimdDistance.Reference(x.Row(i), new float[d]) + SimdDistance.Reference(p.Row(mu), new float[d]) + d2) / (h * h);
            }
            double tol = 2 * (2 * d + 6) * Math.Pow(2, -24) * scale + 1e-9 * (s + 1);
            Assert.True(Math.Abs(got[i] - s) <= tol, $"query {i}: {got[i]} vs {s} (tol {tol})");
        }
    }

    /// <summary>
    /// The leaf-pruned path against the plain float64 loop over all pairs: awkward sizes (one pattern, fewer than a
    /// vector, just past a leaf), clustered and uniform data, bandwidths reaching nothing, a few leaves, or all, and
    /// patterns exactly at distance h from a query (shifted by h along an axis on a grid of quarters, so the
    /// distance is exact: the kernel is 0 there and the pruning must agree). Identical for 1 and 2 threads.
    /// </summary>
    /// <summary>
    /// The block path's vectorised reach tests (eight candidate leaves per instruction) give the same sums, bit for
    /// bit, as the scalar tests: where their rounding differs the leaf holds only zero terms.
    /// </summary>
    [Theory]
    [InlineData(3000, 16, 0.75)]
    [InlineData(2000, 5, 0.25)]
    [InlineData(1500, 9, 2.0)]
    public void VectorisedReachTestsGiveTheScalarSums(int m, int d, double h)
    {
        if (!System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated) return;
        var rng = new TestRng((ulong)(m * 17 + d));
        var pts = new double[m * d];
        for (int i = 0; i < pts.Length; i++) pts[i] = 8 * Math.Round(4 * rng.Uniform() * (1 + i % 3)) / 4 + Math.Round(rng.Uniform() * 4) / 4;
        var leaves = new LeafBalls<double>(new PointSet<double>(pts, m, d));
        var thr = leaves.Thresholds(h);
        var all = Enumerable.Range(0, leaves.LeafCount).ToArray();
        int stride = (all.Length + 7) / 8 * 8;
        var centres = new double[stride * d];
        var thresholds = new double[stride];
        leaves.TransposeCandidates(all, thr, centres, thresholds, stride);
        var x = new double[d];
        for (int q = 0; q < 300; q++)
        {
            for (int k = 0; k < d; k++) x[k] = pts[(q * 7919 % m) * d + k];
            if (q % 2 == 1) x[q % d] += h;
            double scalar = leaves.EpanechnikovSumOver(x, x, all, thr, 1 / (h * h));
            double block = leaves.EpanechnikovSumOverBlock(x, x, all, centres, thresholds, stride, 1 / (h * h));
            Assert.Equal(scalar, block);
        }
    }

    [Theory]
    [InlineData(1, 1, 0.75)]
    [InlineData(7, 3, 0.75)]
    [InlineData(129, 3, 0.75)]
    [InlineData(1000, 16, 0.75)]
    [InlineData(3000, 16, 2.0)]
    [InlineData(3000, 5, 0.25)]
    [InlineData(3000, 5, 40.0)]
    [InlineData(600, 23, 1.5)]
    public void LeafPrunedEpanechnikovSumsMatchPairLoop(int m, int d, double h)
    {
        var rng = new TestRng((ulong)(m * 31 + d));
        var pts = new double[m * d];
        int clusters = Math.Max(1, m / 100);
        for (int i = 0; i < m; i++)
            for (int k = 0; k < d; k++)
            {
                // Cluster centres on a grid of quarters far apart; members on the grid too, so shifts by h are exact.
                double centre = 8 * Math.Round(4 * ((i % clusters) * 0.37 * (k + 1) % 1.0)) / 4;
                pts[i * d + k] = centre + Math.Round(rng.Uniform() * 4) / 4;
            }
        int q = 40;
        var qs = new double[q * d];
        for (int i = 0; i < q; i++)
        {
            int mu = (i * 7919) % m;
            for (int k = 0; k < d; k++) qs[i * d + k] = pts[mu * d + k];
            // Every other query sits exactly h from pattern mu (and on the grid when h is a multiple of 1/4).
            if (i % 2 == 1) qs[i * d + i % d] += h;
        }
        var p = new PointSet<double>(pts, m, d);
        var x = new PointSet<double>(qs, q, d);
        var one = FusedReductions.EpanechnikovSums(p, x, h, new DistanceEngineOptions { MaxThreads = 1 });
        var two = FusedReductions.EpanechnikovSums(p, x, h, new DistanceEngineOptions { MaxThreads = 2 });
        Assert.Equal(one, two);
        var pf = new PointSet<float>(pts.Select(v => (float)v).ToArray(), m, d);
        var xf = new PointSet<float>(qs.Select(v => (float)v).ToArray(), q, d);
        var single = FusedReductions.EpanechnikovSums(pf, xf, h);
        int exactlyAtH = 0;
        for (int i = 0; i < q; i++)
        {
            double s = 0, scale = 0;
            for (int mu = 0; mu < m; mu++)
            {
                double d2 = SimdDistance.Reference(x.Row(i), p.Row(mu));
                if (d2 == h * h) exactlyAtH++;
                s += Math.Max(0, 1 - d2 / (h * h));
                scale += d2 < h * h ? 1 : 0;
            }
            // Direct form: each term within (d + 2)·u·d²/h² ≤ (d + 2)·u of its reference, doubled.
            double tol64 = 2 * (d + 2) * Math.Pow(2, -53) * (scale + 1) + 1e-15 * s;
            double tol32 = 2 * (d + 2) * Math.Pow(2, -24) * (scale + 1) * 4 + 1e-9 * s;
            Assert.True(Math.Abs(one[i] - s) <= tol64, $"query {i}: {one[i]} vs {s} (tol {tol64})");
            Assert.True(Math.Abs(single[i] - s) <= tol32, $"float32 query {i}: {single[i]} vs {s} (tol {tol32})");
            if (s == 0) Assert.Equal(0.0, one[i]);
        }
        if (h % 0.25 == 0) Assert.True(exactlyAtH > 0, "the data must include patterns exactly at distance h");
    }

    [Fact]
    public void SelectiveBandwidthTakesTheLeafPathAndWideOneTheScan()
    {
        int m = 4000, d = 8;
        var rng = new TestRng(5);
        var pts = new double[m * d];
        for (int i = 0; i < m; i++)
            for (int k = 0; k < d; k++) pts[i * d + k] = 20 * ((i % 40) * 0.618 * (k + 1) % 1.0) + 0.5 * rng.Uniform();
        var p = new PointSet<double>(pts, m, d);
        Assert.Equal("leaf-balls-simd", FusedReductions.EpanechnikovMethod(p, p, 1.0));
        Assert.Equal("direct-simd", FusedReductions.EpanechnikovMethod(p, p, 1000.0));
        Assert.Equal("gemm", FusedReductions.EpanechnikovMethod(p, p, 1.0, new DistanceEngineOptions { GemmCutoverDimension = 4 }));
    }

    [Fact]
    public void LogDensityUsesScikitLearnNormalisation()
    {
        // One pattern at the origin, query at the origin, d = 1, h = 2: p̂(0) = K(0)/(M·∫K) with ∫(1 − x²/h²)₊dx = 4h/3.
        var p = new PointSet<double>([0.0], 1, 1);
        var ld = FusedReductions.EpanechnikovLogDensity(p, p, 2.0);
        Assert.Equal(Math.Log(1 / (4 * 2.0 / 3)), ld[0], 12);
        // d = 2: ∫(1 − ‖x‖²/h²)₊ = πh²/2.
        var p2 = new PointSet<double>([0.0, 0.0], 1, 2);
        Assert.Equal(Math.Log(1 / (Math.PI * 9 / 2)), FusedReductions.EpanechnikovLogDensity(p2, p2, 3.0)[0], 12);
    }

    public static TheoryData<string> Providers()
    {
        var t = new TheoryData<string>();
        foreach (var b in Blas.Available()) t.Add(b.Kind.ToString());
        return t;
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void LseSoftmaxMeanMatchesTwoPassReference(string kind)
    {
        var provider = Blas.TryGet(Enum.Parse<BlasKind>(kind))!;
        var rng = new TestRng(21);
        int m = 700, q = 45, d = 30;
        var p = new PointSet<double>(rng.Doubles(m * d), m, d);
        var x = new PointSet<double>(rng.Doubles(q * d), q, d);
        double beta = 3.0;
        var means = new double[q * d];
        var lse = new double[q];
        FusedReductions.LseSoftmaxMean(p, x, beta, means, lse, new DistanceEngineOptions { Provider = provider, QueryTile = 8, PatternTile = 100 });
        var fm = new float[q * d];
        var flse = new double[q];
        var pf = new PointSet<float>(p.Data.Select(v => (float)v).ToArray(), m, d);
        var xf = new PointSet<float>(x.Data.Select(v => (float)v).ToArray(), q, d);
        FusedReductions.LseSoftmaxMean(pf, xf, beta, fm, flse, new DistanceEngineOptions { Provider = provider, QueryTile = 16, PatternTile = 64 });
        for (int i = 0; i < q; i++)
        {
            var u = new double[m];
            double umin = double.PositiveInfinity;
            for (int mu = 0; mu < m; mu++) { u[mu] = 0.5 * beta * SimdDistance.Reference(x.Row(i), p.Row(mu)); umin = Math.Min(umin, u[mu]); }
            double z = 0;
            var mean = new double[d];
            for (int mu = 0; mu < m; mu++)
            {
                double w = Math.Exp(-(u[mu] - umin));
                z += w;
                for (int k = 0; k < d; k++) mean[k] += w * p.Row(mu)[k];
            }
            for (int k = 0; k < d; k++)
            {
                Assert.Equal(mean[k] / z, means[i * d + k], 1e-10);
                Assert.Equal(mean[k] / z, fm[i * d + k], 1e-4);
            }
            Assert.Equal(-umin + Math.Log(z), lse[i], 1e-9);
            Assert.Equal(-umin + Math.Log(z), flse[i], 1e-2);
        }
    }
}
