using System.Runtime.Intrinsics;
using DenseAm.Data;
using DenseAm.Kernels;
using DenseAm.Randomness;
using DenseAm.Retrieval;

namespace DenseAm.Tests.Core;

/// <summary>The lane kernel for small-d LSE descent, its inlined exp, and the float32-then-Newton finish.</summary>
public class LseDescentTests
{
    private static StoredPatterns Mixture(int m, int d, ulong seed)
    {
        var rng = new SeededRandom(seed);
        var mixture = Synthetic.Mixture(rng, 3, d, 0.1);
        return new StoredPatterns(mixture.Sample(rng, m));
    }

    /// <summary>One-query descent written out with the energy's own (direct-difference) gradient: the definition.</summary>
    private static double[] ReferenceDescent(Energy e, ReadOnlySpan<double> x0, StepSchedule schedule, int steps)
    {
        var x = x0.ToArray();
        var g = new double[x.Length];
        for (int t = 0; t < steps; t++)
        {
            e.Gradient(x, g);
            double a = schedule.Rate(t);
            for (int k = 0; k < x.Length; k++) x[k] -= a * g[k];
        }
        return x;
    }

    [Theory]
    [InlineData(0.0, 3)]
    [InlineData(0.0, 17)]
    [InlineData(0.3, 5)]
    public void Lane_kernel_follows_the_reference_descent(double epsilon, int d)
    {
        var p = Mixture(37, d, 3);
        var e = new Energy(p, Kernel.Gaussian, beta: 6, epsilon);
        var q = Synthetic.ShellStarts(new SeededRandom(4), p, 2, 0.5);
        var schedule = StepSchedule.Constant(0.05);
        var run = Retriever.Retrieve(e, q, new RetrievalOptions
        {
            Method = RetrievalMethod.GradientDescent, Schedule = schedule, MaxIterations = 300, EarlyStop = false, Tolerance = 0,
        });
        for (int i = 0; i < q.Rows; i++)
        {
            var want = ReferenceDescent(e, q.Row(i), schedule, 300);
            var got = run.Points.Row(i);
            Assert.Equal(300, run.Outcomes[i].Iterations);
            // Same map, different rounding (centred scores, inlined exp): the gaps contract along a descent to a minimum.
            for (int k = 0; k < d; k++) Assert.True(Math.Abs(got[k] - want[k]) < 1e-10, $"query {i} coordinate {k}: {got[k]} vs {want[k]}");
        }
    }

    [Fact]
    public void Lane_exp_is_accurate_at_every_width()
    {
        var ts = new List<double>();
        for (double t = -745; t <= 0; t += 0.37) ts.Add(t);
        ts.AddRange([0.0, -1e-300, -1e-17, -0.5 * Math.Log(2), -Math.Log(2), -707.9, -708.1, -86.9, -87.1]);
        CheckDouble<Vector128<double>, Lanes128<double>>(ts);
        CheckDouble<Vector256<double>, Lanes256<double>>(ts);
        CheckDouble<Vector512<double>, Lanes512<double>>(ts);
        CheckSingle<Vector128<float>, Lanes128<float>>(ts);
        CheckSingle<Vector256<float>, Lanes256<float>>(ts);
        CheckSingle<Vector512<float>, Lanes512<float>>(ts);
        CheckSingle<Pair<Vector512<float>>, PairLanes<Vector512<float>, float, Lanes512<float>>>(ts);
        CheckDouble<Pair<Vector512<double>>, PairLanes<Vector512<double>, double, Lanes512<double>>>(ts);
    }

    [Fact]
    public void Lane_expm1_is_accurate_relative_to_its_result()
    {
        var ts = new List<double>();
        for (double t = -90; t <= 12; t += 0.173) ts.Add(t);
        foreach (double t in new[] { 1e-30, 1e-10, 3e-8, 1e-4, 0.1, 0.3465, 0.3467, 0.5, 0.7 }) { ts.Add(t); ts.Add(-t); }
        ts.AddRange([0.0, -86.9, -87.1, 87.9]);
        ExpM1<Vector128<float>, Lanes128<float>>(ts);
        ExpM1<Vector256<float>, Lanes256<float>>(ts);
        ExpM1<Vector512<float>, Lanes512<float>>(ts);
        ExpM1<Pair<Vector256<float>>, PairLanes<Vector256<float>, float, Lanes256<float>>>(ts);
    }

    private static void ExpM1<TV, TL>(List<double> ts) where TV : unmanaged where TL : ILanes<TV, float>
    {
        var buf = new float[TL.Count];
        foreach (double t in ts)
        {
            float tf = (float)t;
            TL.Store(LaneExp.Expm1<TV, TL>(TL.Splat(tf)), buf);
            // The reference in float64 (exp(t) − 1 loses nothing there at float32's precision, except near 0: Taylor).
            double want = Math.Abs(tf) < 1e-5 ? tf + 0.5 * (double)tf * tf : Math.Exp(Math.Min(tf, 88.0)) - 1;
            Assert.True(Math.Abs(buf[0] - want) <= 3e-7 * Math.Abs(want), $"expm1({tf:R}) = {buf[0]:R}, want {want:R}");
            for (int l = 1; l < TL.Count; l++) Assert.Equal(buf[0], buf[l]);
        }
    }

    [Fact]
    public void Anchored_float32_tail_follows_the_float64_tail()
    {
        // A LOGL0-like set across its β grid: flat minima near the splits leave many starts to the tail.
        var p = Mixture(25, 8, 11);
        var grid = DenseAm.Selection.BetaSearch.Grid(p, DenseAm.Selection.GridSpacing.Geometric, 8);
        int tail = 0, capped = 0, moved = 0;
        double worst = 0;
        foreach (double beta in grid)
        {
            var e = new Energy(p, Kernel.Gaussian, beta);
            var q = Synthetic.ShellStarts(new SeededRandom(12), p, 4, Math.Sqrt(2 / beta));
            var o = Logl0Descent(1e-3) with { MaxThreads = 1 };
            var (f64, f64Points) = Run(e, q, o, anchoredTail: false);
            var (f32, f32Points) = Run(e, q, o, anchoredTail: true);
            var g = new double[p.Dimension];
            for (int i = 0; i < q.Rows; i++)
            {
                // Where ‖∇E‖ creeps past the tolerance (by ~1e-12 per late step at a flat minimum), a gradient rounding of
                // ~1e-10 moves the crossing by a few steps; elsewhere the counts agree exactly.
                Assert.True(Math.Abs(f64[i].Iterations - f32[i].Iterations) <= 0.01 * f64[i].Iterations,
                    $"β={beta} start {i}: {f64[i].Iterations} vs {f32[i].Iterations} steps");
                if (f64[i].Iterations != f32[i].Iterations) moved++;
                double gap = Distance(f64Points.Row(i), f32Points.Row(i));
                // Newton's finishes are shared; a tail's gap is the float32 rounding of δ-sized terms (~1e-10 per step),
                // contracted along the descent.
                Assert.True(gap < 1e-8, $"β={beta} start {i}: endpoints {gap:E2} apart");
                worst = Math.Max(worst, gap);
                if (e.Gradient(f64Points.Row(i), g).Norm >= 1e-9) tail++;
                if (!f64[i].Converged) capped++;
            }
        }
        Assert.True(tail >= 20 && capped >= 1, $"tail starts {tail}, capped {capped}: the case no longer exercises the tail");
        Assert.True(moved <= tail / 10, $"{moved} of {tail} tail starts stopped at another step (worst gap {worst:E2})");
    }

    private static (RetrievalOutcome[] Outcomes, Matrix Points) Run(Energy e, Matrix q, RetrievalOptions o, bool anchoredTail)
    {
        var outcomes = new RetrievalOutcome[q.Rows];
        var points = new Matrix(q.Rows, q.Columns);
        LseDescent.Run(e, q, points, outcomes, o, anchoredTail);
        return (outcomes, points);
    }

    private static void CheckDouble<TV, TL>(List<double> ts) where TV : unmanaged where TL : ILanes<TV, double>
    {
        var buf = new double[TL.Count];
        foreach (double t in ts)
        {
            TL.Store(LaneExp.Exp<double, TV, TL>(TL.Splat(t)), buf);
            double want = Math.Exp(t);
            if (t < -708) Assert.Equal(0.0, buf[0]);
            else Assert.True(Math.Abs(buf[0] - want) <= 4e-16 * want, $"exp({t}) = {buf[0]:R}, want {want:R}");
        }
    }

    private static void CheckSingle<TV, TL>(List<double> ts) where TV : unmanaged where TL : ILanes<TV, float>
    {
        var buf = new float[TL.Count];
        foreach (double t in ts)
        {
            float tf = (float)t;
            TL.Store(LaneExp.Exp<float, TV, TL>(TL.Splat(tf)), buf);
            double want = Math.Exp(tf);
            if (tf < -87) Assert.Equal(0f, buf[0]);
            else Assert.True(Math.Abs(buf[0] - want) <= 3e-7 * want, $"exp({tf}) = {buf[0]:R}, want {want:R}");
        }
    }

    private static RetrievalOptions Logl0Descent(double newtonBelow, int cap = 13000, bool earlyStop = true) => new()
    {
        Method = RetrievalMethod.GradientDescent,
        Schedule = StepSchedule.CosineDecay(0.01, 0.001, 13000),
        MaxIterations = cap,
        Tolerance = earlyStop ? 1e-6 : 0,
        EarlyStop = earlyStop,
        NewtonBelow = newtonBelow,
    };

    [Fact]
    public void Newton_finish_lands_on_the_minimum_the_full_descent_reaches()
    {
        var p = Mixture(12, 4, 5);
        foreach (double beta in new[] { 0.5, 8.0, 60.0 })
        {
            var e = new Energy(p, Kernel.Gaussian, beta);
            var q = Synthetic.ShellStarts(new SeededRandom(6), p, 3, Math.Sqrt(2 / beta));
            var plain = Retriever.Retrieve(e, q, Logl0Descent(0));
            var fast = Retriever.Retrieve(e, q, Logl0Descent(1e-3));
            var full = Retriever.Retrieve(e, q, Logl0Descent(0, earlyStop: false));
            var g = new double[p.Dimension];
            int newton = 0, converged = 0;
            for (int i = 0; i < q.Rows; i++)
            {
                Assert.Equal(plain.Outcomes[i].Status, fast.Outcomes[i].Status);
                if (!fast.Outcomes[i].Converged) continue;
                converged++;
                var x = fast.Points.Row(i);
                double norm = e.Gradient(x, g).Norm;
                Assert.True(norm < 1e-6, $"β={beta} start {i}: ‖∇E‖ = {norm}");
                // Where Newton was refused, float64 descent finished the start, stopping just under the tolerance.
                if (norm >= 1e-9) continue;
                newton++;
                Assert.True(fast.Outcomes[i].Iterations <= plain.Outcomes[i].Iterations);
                // Closer to the authors' 13 000-step endpoint than the early-stopped descent is.
                double toFull = Distance(x, full.Points.Row(i)), plainToFull = Distance(plain.Points.Row(i), full.Points.Row(i));
                Assert.True(toFull <= Math.Max(plainToFull, 1e-9), $"β={beta} start {i}: {toFull} vs {plainToFull}");
            }
            Assert.True(newton >= 0.8 * converged, $"β={beta}: Newton finished {newton} of {converged} converged starts");
        }
    }

    [Fact]
    public void Newton_finish_is_refused_when_the_cap_would_come_first()
    {
        var p = Mixture(12, 4, 7);
        var e = new Energy(p, Kernel.Gaussian, 8.0);
        var q = Synthetic.ShellStarts(new SeededRandom(8), p, 3, Math.Sqrt(2 / 8.0));
        // 700 steps of the 13 000-step schedule take ‖∇E‖ below 1e-3 but not below 1e-6.
        var plain = Retriever.Retrieve(e, q, Logl0Descent(0, cap: 700));
        var fast = Retriever.Retrieve(e, q, Logl0Descent(1e-3, cap: 700));
        Assert.True(plain.NotConvergedCount > 0);
        for (int i = 0; i < q.Rows; i++) Assert.Equal(plain.Outcomes[i].Status, fast.Outcomes[i].Status);
    }

    [Fact]
    public void Newton_finish_is_thread_and_batch_invariant()
    {
        var p = Mixture(30, 6, 9);
        var e = new Energy(p, Kernel.Gaussian, 4.0);
        var q = Synthetic.ShellStarts(new SeededRandom(10), p, 2, Math.Sqrt(2 / 4.0));
        var one = Retriever.Retrieve(e, q, Logl0Descent(1e-3) with { MaxThreads = 1 });
        var two = Retriever.Retrieve(e, q, Logl0Descent(1e-3) with { MaxThreads = 2 });
        Assert.Equal(one.Points.Data, two.Points.Data);
        Assert.Equal(one.Outcomes, two.Outcomes);
        var x = new double[p.Dimension];
        foreach (int i in new[] { 0, 7, q.Rows - 1 })
        {
            Assert.Equal(one.Outcomes[i], Retriever.Retrieve(e, q.Row(i), x, Logl0Descent(1e-3)));
            Assert.Equal(one.Points.Row(i).ToArray(), x);
        }
    }

    private static double Distance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int k = 0; k < a.Length; k++) s += (a[k] - b[k]) * (a[k] - b[k]);
        return Math.Sqrt(s);
    }
}
