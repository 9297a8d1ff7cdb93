using DenseAm.Kernels;

namespace DenseAm.Tests.Core;

/// <summary>
/// Every kernel's analytic gradient against central finite differences of its energy.
/// Tolerance: the central difference has truncation error O(h²·|E'''|) and rounding error
/// O(u·|E|/h); with h = 1e-5 on energies of order 1–10 both are below ~1e-6, so we allow
/// 1e-5 absolute + 1e-5 relative. Points are drawn away from every support boundary (|u − 1| &gt; 0.02)
/// and from the triangle kernel's cone tips, where the energy is not differentiable.
/// </summary>
public class KernelGradientTests
{
    public static TheoryData<string> KernelNames()
    {
        var data = new TheoryData<string>();
        foreach (var k in Kernel.All) data.Add(k.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(KernelNames))]
    public void Gradient_matches_central_differences(string name)
    {
        var kernel = Kernel.FromName(name);
        var rng = new Random(12345);
        int checkedPoints = 0;
        for (int trial = 0; trial < 400 && checkedPoints < 60; trial++)
        {
            int d = 1 + rng.Next(4), m = 1 + rng.Next(6);
            var rows = Enumerable.Range(0, m).Select(_ => Enumerable.Range(0, d).Select(_ => rng.NextDouble() * 2 - 1).ToArray()).ToArray();
            var patterns = StoredPatterns.FromRows(rows);
            double beta = 0.5 + rng.NextDouble() * 4;
            double eps = trial % 2 == 0 ? 0 : 0.05;
            var energy = new Energy(patterns, kernel, beta, eps);
            var x = Enumerable.Range(0, d).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
            bool nearEdge = false;
            for (int mu = 0; mu < m; mu++)
            {
                double u = DenseAm.Distances.SquaredDistance.Reference(x, patterns[mu]) / energy.RadiusSquared;
                if (Math.Abs(u - 1) < 0.02 || u < 1e-4) nearEdge = true;
            }
            if (nearEdge) continue;
            var ev = energy.Evaluate(x);
            if (!ev.IsSupported || (kernel.HasCompactSupport && ev.SupportSize == 0 && eps == 0)) continue;
            var g = new double[d];
            var info = energy.Gradient(x, g);
            Assert.True(info.IsSupported);
            const double h = 1e-5;
            for (int i = 0; i < d; i++)
            {
                var xp = (double[])x.Clone();
                var xm = (double[])x.Clone();
                xp[i] += h;
                xm[i] -= h;
                double fd = (energy.Evaluate(xp).Value - energy.Evaluate(xm).Value) / (2 * h);
                Assert.True(Math.Abs(fd - g[i]) <= 1e-5 + 1e-5 * Math.Abs(fd),
                    $"{name}: ∂E/∂x_{i} analytic {g[i]} vs central difference {fd} at trial {trial} (β={beta}, ε={eps}).");
            }
            checkedPoints++;
        }
        Assert.True(checkedPoints >= 30, $"{name}: only {checkedPoints} usable points were drawn.");
    }

    [Fact]
    public void Lse_is_stable_where_plain_exponentials_underflow()
    {
        // β·‖x − ξ‖²/2 ≈ 5·10^4: exp(−u) underflows to 0 for every pattern, the shifted log-sum-exp does not.
        var p = StoredPatterns.FromRows([0.0], [1.0]);
        var e = new Energy(p, Kernel.Gaussian, 1e4);
        double[] x = [3.0];
        var v = e.Evaluate(x);
        Assert.True(v.IsSupported);
        Assert.Equal(4.0 / 2 * 1e4 / 1e4 * 1.0, v.Value, 6); // E ≈ u_min/β = ‖x − ξ_2‖²/2 = 2
        var g = new double[1];
        e.Gradient(x, g);
        Assert.Equal(2.0, g[0], 9); // ∇E = x − softmax mean ≈ 3 − 1
    }

    [Fact]
    public void Lse_gradient_at_a_stored_pattern_keeps_the_far_patterns_pull()
    {
        // Prop. 1: at ξ_1 = (1, 0) the other pattern's weight is e^{−40}/(1 + e^{−40}); x − m would round it away.
        var e = new Energy(StoredPatterns.FromRows([1.0, 0.0], [2.0, 0.0]), Kernel.Gaussian, 80);
        var g = new double[2];
        e.Gradient([1.0, 0.0], g);
        double expected = -Math.Exp(-40) / (1 + Math.Exp(-40));
        Assert.Equal(expected, g[0], expected * -1e-12);
        Assert.Equal(0.0, g[1]);
    }

    [Fact]
    public void Lsr_outside_every_support_is_unsupported_not_nan()
    {
        var p = StoredPatterns.FromRows([0.0, 0.0], [1.0, 0.0]);
        var e = new Energy(p, Kernel.Epanechnikov, 2.0); // r = 1
        double[] x = [5.0, 5.0];
        var v = e.Evaluate(x);
        Assert.False(v.IsSupported);
        Assert.Equal(double.PositiveInfinity, v.Value);
        var g = new double[2];
        var info = e.Gradient(x, g);
        Assert.False(info.IsSupported);
        Assert.All(g, c => Assert.Equal(0.0, c));
        // With ε > 0 the same point has finite energy −log(ε)/β and zero gradient.
        var e2 = new Energy(p, Kernel.Epanechnikov, 2.0, 1e-3);
        Assert.Equal(-Math.Log(1e-3) / 2.0, e2.Evaluate(x).Value, 12);
    }

    [Fact]
    public void Lsr_energy_matches_the_formula()
    {
        var p = StoredPatterns.FromRows([0.0], [1.0], [5.0]);
        var e = new Energy(p, Kernel.Epanechnikov, 1.0, 0.25); // r² = 2
        double[] x = [0.5];
        // u = 0.125 for both near patterns, the third is outside: Z = 0.25 + 2·0.875.
        Assert.Equal(-Math.Log(0.25 + 1.75), e.Evaluate(x).Value, 14);
        Assert.Equal(2, e.Evaluate(x).SupportSize);
    }

    [Fact]
    public void Hessian_at_a_fixed_point_is_scaled_identity()
    {
        var p = StoredPatterns.FromRows([0.0, 0.0], [1.0, 0.0], [0.5, 0.8]);
        var e = new Energy(p, Kernel.Epanechnikov, 1.0);
        double[] c = [0.5, 0.8 / 3];
        var members = new List<int>();
        e.Support(c, members);
        Assert.Equal([0, 1, 2], members);
        var h = e.Hessian(c);
        double z = 0;
        for (int mu = 0; mu < 3; mu++) z += 1 - DenseAm.Distances.SquaredDistance.Reference(c, p[mu]) / 2.0;
        Assert.Equal(3 / z, h[0, 0], 12);
        Assert.Equal(3 / z, h[1, 1], 12);
        Assert.Equal(0.0, h[0, 1]);
    }
}
