using DenseAm.Kernels;
using DenseAm.Retrieval;
using DenseAm.Selection;

namespace DenseAm.Tests.Core;

public class RetrievalTests
{
    private static Matrix RandomMatrix(Random rng, int rows, int cols, double scale = 1)
    {
        var m = new Matrix(rows, cols);
        for (int i = 0; i < m.Data.Length; i++) m.Data[i] = (rng.NextDouble() * 2 - 1) * scale;
        return m;
    }

    [Fact]
    public void Algorithm1_converges_to_exact_fixed_points_and_is_thread_invariant()
    {
        var rng = new Random(7);
        var patterns = new StoredPatterns(RandomMatrix(rng, 60, 5));
        var e = new Energy(patterns, Kernel.Epanechnikov, 2.5);
        var q = RandomMatrix(rng, 400, 5);
        var one = Retriever.Retrieve(e, q, new RetrievalOptions { MaxThreads = 1 });
        var two = Retriever.Retrieve(e, q, new RetrievalOptions { MaxThreads = 2 });
        Assert.Equal(one.Points.Data, two.Points.Data);
        Assert.Equal(one.Outcomes, two.Outcomes);
        Assert.Equal(400, one.ConvergedCount + one.UnsupportedCount);
        Assert.True(one.ConvergedCount > 100);
        var g = new double[5];
        var members = new List<int>();
        for (int i = 0; i < 400; i++)
        {
            if (!one.Outcomes[i].Converged) continue;
            var x = one.Points.Row(i);
            var info = e.Gradient(x, g);
            Assert.Equal(0.0, info.Norm);
            Assert.Equal(one.Outcomes[i].SupportSize, e.Support(x, members));
        }
    }

    [Fact]
    public void Algorithm1_reports_unsupported_and_the_iteration_cap()
    {
        var e = new Energy(StoredPatterns.FromRows([0.0], [1.0], [2.0], [3.0]), Kernel.Epanechnikov, 0.5); // r = 2
        var x = new double[1];
        var far = Retriever.FixedPoint(e, [100.0], x);
        Assert.Equal(RetrievalStatus.Unsupported, far.Status);
        Assert.Null(far.GradientNorm);
        Assert.Equal(100.0, x[0]);
        // From 3.9: B = {2, 3} → 2.5 → B = {1, 2, 3} → 2 → B = {1, 2, 3} again: ξ = 0 sits exactly at distance
        // r = 2, on the boundary of the open ball, so it stays out. Two updates.
        var capped = Retriever.FixedPoint(e, [3.9], x, maxIterations: 1);
        Assert.Equal(RetrievalStatus.NotConverged, capped.Status);
        var full = Retriever.FixedPoint(e, [3.9], x);
        Assert.Equal(RetrievalStatus.Converged, full.Status);
        Assert.Equal(2, full.Iterations);
        Assert.Equal(3, full.SupportSize);
        Assert.Equal(2.0, x[0]);
    }

    [Fact]
    public void Single_step_is_exact_inside_theorem1_basins()
    {
        var rng = new Random(11);
        var patterns = new StoredPatterns(RandomMatrix(rng, 20, 6));
        double rMin = BetaSearch.MinPairwiseDistance(patterns);
        double delta = 0.4 * rMin;
        var e = new Energy(patterns, Kernel.Epanechnikov, BetaSearch.ForBasin(patterns, delta), 0.01);
        var x = new double[6];
        for (int t = 0; t < 200; t++)
        {
            int mu = rng.Next(20);
            var dir = Enumerable.Range(0, 6).Select(_ => rng.NextDouble() - 0.5).ToArray();
            double norm = Math.Sqrt(dir.Sum(v => v * v));
            var q = patterns[mu].ToArray();
            double rad = delta * rng.NextDouble();
            for (int i = 0; i < 6; i++) q[i] += dir[i] / norm * rad;
            var o = Retriever.SingleStep(e, q, x);
            Assert.Equal(RetrievalStatus.Converged, o.Status);
            Assert.Equal(patterns[mu].ToArray(), x);
        }
    }

    [Fact]
    public void Gradient_descent_with_cosine_schedule_reaches_stored_patterns_of_lse()
    {
        var p = StoredPatterns.FromRows([-1.0], [1.0]);
        var e = new Energy(p, Kernel.Gaussian, 8);
        var x = new double[1];
        var o = Retriever.Retrieve(e, [0.7], x, new RetrievalOptions
        {
            Method = RetrievalMethod.GradientDescent,
            Schedule = StepSchedule.CosineDecay(0.5, 0.001, 2000),
            MaxIterations = 2000,
            Tolerance = 1e-10,
        });
        Assert.Equal(RetrievalStatus.Converged, o.Status);
        Assert.True(o.Iterations < 2000);
        // LSE's minimum sits near, not at, the stored pattern (Prop. 1): x = tanh(βx)-like balance.
        Assert.InRange(x[0], 0.999, 1.0);
        Assert.NotEqual(1.0, x[0]);
        var noStop = Retriever.Retrieve(e, [0.7], x, new RetrievalOptions
        {
            Method = RetrievalMethod.GradientDescent, Schedule = StepSchedule.Constant(0.5), MaxIterations = 50, EarlyStop = false,
        });
        Assert.Equal(50, noStop.Iterations);
    }

    [Fact]
    public void Cosine_schedule_endpoints()
    {
        var s = StepSchedule.CosineDecay(0.01, 0.001, 13000);
        Assert.Equal(0.01, s.Rate(0), 15);
        Assert.Equal(1e-5, s.Rate(13000), 15);
        Assert.Equal(1e-5, s.Rate(20000), 15);
        Assert.Equal(0.01 * (0.001 + 0.999 * 0.5), s.Rate(6500), 15);
    }
}
