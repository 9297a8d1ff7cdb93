using DenseAm.Distances;
using DenseAm.Kernels;
using DenseAm.Retrieval;
using DenseAm.Tests.Native;
using Xunit;

namespace DenseAm.Tests.Distances;

/// <summary>
/// The energy and retrieval routes through the distance engine keep the core guarantees: supports equal the
/// float64 reference scan, batched retrieval equals one-query retrieval bit for bit and does not depend on
/// the thread count, the LSR gradient is exactly zero at Algorithm 1's fixed points, and the fused LSE
/// gradient equals x − softmax mean computed directly.
/// </summary>
public sealed class EngineRoutingTests
{
    private static Matrix Mixture(int n, int d, int centres, double spread, ulong seed)
    {
        var centreRng = new TestRng(1234);
        var rng = new TestRng(seed);
        var c = new double[centres * d];
        for (int i = 0; i < c.Length; i++) c[i] = 4 * centreRng.Uniform();
        var m = new Matrix(n, d);
        for (int i = 0; i < n; i++)
            for (int k = 0; k < d; k++) m[i, k] = c[(i % centres) * d + k] + spread * rng.Uniform();
        return m;
    }

    [Theory]
    [InlineData(3)]
    [InlineData(40)]
    public void SupportEqualsReferenceScan(int d)
    {
        var p = new StoredPatterns(Mixture(400, d, 5, 0.5, (ulong)d));
        var e = new Energy(p, Kernel.Epanechnikov, beta: 2.0 / (0.4 * d));
        var q = Mixture(50, d, 5, 0.8, 99);
        var members = new List<int>();
        for (int i = 0; i < q.Rows; i++)
        {
            e.Support(q.Row(i), members);
            var expected = Enumerable.Range(0, p.Count).Where(mu => SquaredDistance.Reference(q.Row(i), p[mu]) < e.RadiusSquared).ToList();
            Assert.Equal(expected, members);
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(40)]
    public void FixedPointBatchEqualsOneQueryAndThreadCountDoesNotMatter(int d)
    {
        var p = new StoredPatterns(Mixture(300, d, 6, 0.6, 5));
        var e = new Energy(p, Kernel.Epanechnikov, beta: 2.0 / (0.5 * d));
        var q = Mixture(60, d, 6, 0.9, 6);
        var one = Retriever.Retrieve(e, q, new RetrievalOptions { MaxThreads = 1 });
        var many = Retriever.Retrieve(e, q, new RetrievalOptions { MaxThreads = 3 });
        Assert.Equal(one.Points.Data, many.Points.Data);
        Assert.Equal(one.Outcomes, many.Outcomes);
        var x = new double[d];
        var g = new double[d];
        for (int i = 0; i < q.Rows; i++)
        {
            var o = Retriever.Retrieve(e, q.Row(i), x, new RetrievalOptions());
            Assert.Equal(o, one.Outcomes[i]);
            Assert.Equal(x, one.Points.Row(i).ToArray());
            if (o.Converged)
            {
                e.Gradient(x, g);
                Assert.All(g, v => Assert.Equal(0.0, v));
            }
        }
        Assert.True(one.ConvergedCount > 0, $"converged {one.ConvergedCount}, not {one.NotConvergedCount}, unsupported {one.UnsupportedCount}; first {one.Outcomes[0]}");
    }

    /// <summary>
    /// Enough patterns for the cell partition (the fused support sums visit cells out of index order), every
    /// pattern a seed as in mean shift: batch = one query, bitwise, for 1 and 2 threads, and the same points and
    /// outcomes as the set-comparing CSR route (the d-dimensional data embedded in d = 40 coordinates, zero-padded,
    /// which takes the GEMM path and compares supports as sets, with the same sums).
    /// </summary>
    [Fact]
    public void FixedPointWithCellsEqualsOneQueryAndTheCsrRoute()
    {
        int d = 3, m = 4200;
        var p = new StoredPatterns(Mixture(m, d, 7, 0.5, 12));
        var e = new Energy(p, Kernel.Epanechnikov, beta: 2.0 / 0.5);
        Assert.Equal("cells-exact-simd", e.Index.Method);
        var q = new Matrix(120, d, p.Data[..(120 * d)].ToArray());
        var one = Retriever.Retrieve(e, q, new RetrievalOptions { MaxThreads = 1 });
        var two = Retriever.Retrieve(e, q, new RetrievalOptions { MaxThreads = 2 });
        Assert.Equal(one.Points.Data, two.Points.Data);
        Assert.Equal(one.Outcomes, two.Outcomes);
        Assert.True(one.ConvergedCount == q.Rows, $"converged {one.ConvergedCount} of {q.Rows}");
        var x = new double[d];
        for (int i = 0; i < q.Rows; i += 7)
        {
            var o = Retriever.Retrieve(e, q.Row(i), x, new RetrievalOptions());
            Assert.Equal(o, one.Outcomes[i]);
            Assert.Equal(x, one.Points.Row(i).ToArray());
        }
        // Zero padding leaves every reference distance and every coordinate sum unchanged.
        int wide = 40;
        var pw = new Matrix(m, wide);
        for (int mu = 0; mu < m; mu++) p[mu].CopyTo(pw.Row(mu));
        var qw = new Matrix(q.Rows, wide);
        for (int i = 0; i < q.Rows; i++) q.Row(i).CopyTo(qw.Row(i));
        var ew = new Energy(new StoredPatterns(pw), Kernel.Epanechnikov, beta: 2.0 / 0.5);
        Assert.False(ew.Index.HasSupportSums);
        var csrRoute = Retriever.Retrieve(ew, qw, new RetrievalOptions { MaxThreads = 2 });
        Assert.Equal(one.Outcomes, csrRoute.Outcomes);
        for (int i = 0; i < q.Rows; i++) Assert.Equal(one.Points.Row(i).ToArray(), csrRoute.Points.Row(i)[..d].ToArray());
    }

    [Fact]
    public void LseGradientDescentBatchEqualsOneQueryAndThreadCountDoesNotMatter()
    {
        int d = 20;
        var p = new StoredPatterns(Mixture(500, d, 4, 0.5, 8));
        var e = new Energy(p, Kernel.Gaussian, beta: 0.5, epsilon: 0.01);
        var q = Mixture(30, d, 4, 1.0, 9);
        var opts = new RetrievalOptions { Method = RetrievalMethod.GradientDescent, MaxIterations = 25, Schedule = StepSchedule.Constant(0.5), MaxThreads = 1 };
        var one = Retriever.Retrieve(e, q, opts);
        var many = Retriever.Retrieve(e, q, opts with { MaxThreads = 4 });
        Assert.Equal(one.Points.Data, many.Points.Data);
        Assert.Equal(one.Outcomes, many.Outcomes);
        var x = new double[d];
        for (int i = 0; i < q.Rows; i++)
        {
            var o = Retriever.Retrieve(e, q.Row(i), x, opts);
            Assert.Equal(o, one.Outcomes[i]);
            Assert.Equal(x, one.Points.Row(i).ToArray());
        }
    }

    [Fact]
    public void FusedLseGradientEqualsDirectSoftmaxFormula()
    {
        int d = 12;
        var p = new StoredPatterns(Mixture(200, d, 3, 0.7, 10));
        double beta = 1.3, eps = 0.05;
        var e = new Energy(p, Kernel.Gaussian, beta, eps);
        var q = Mixture(10, d, 3, 1.0, 11);
        var grads = new Matrix(q.Rows, d);
        var info = e.GradientBatch(q, grads);
        var values = e.EvaluateBatch(q);
        for (int i = 0; i < q.Rows; i++)
        {
            var x = q.Row(i).ToArray();
            var u = Enumerable.Range(0, p.Count).Select(mu => 0.5 * beta * SquaredDistance.Reference(x, p[mu])).ToArray();
            double umin = u.Min();
            double z = 0;
            var num = new double[d];
            for (int mu = 0; mu < p.Count; mu++)
            {
                double w = Math.Exp(-(u[mu] - umin));
                z += w;
                for (int k = 0; k < d; k++) num[k] += w * (x[k] - p[mu][k]);
            }
            double zFull = z + eps * Math.Exp(umin);
            for (int k = 0; k < d; k++) Assert.Equal(num[k] / zFull, grads[i, k], 1e-10);
            double energy = -(Math.Log(z) - umin + Math.Log(1 + eps * Math.Exp(umin) / z)) / beta;
            Assert.Equal(energy, values[i].Value, 1e-10);
            Assert.True(info[i].IsSupported);
            var single = new double[d];
            e.Gradient(x, single);
            Assert.Equal(grads.Row(i).ToArray(), single);
        }
    }

    [Fact]
    public void SingleStepStillLandsExactlyOnAnIsolatedPattern()
    {
        var p = StoredPatterns.FromRows([0.1, 0.2, 0.3], [5.0, 5.0, 5.0], [-3.0, 1.0, 2.0]);
        var e = new Energy(p, Kernel.Epanechnikov, beta: 2.0 / 1.0);
        var x = new double[3];
        var o = Retriever.SingleStep(e, [0.3, 0.1, 0.4], x);
        Assert.Equal(p[0].ToArray(), x);
        Assert.True(o.Iterations == 1);
    }
}
