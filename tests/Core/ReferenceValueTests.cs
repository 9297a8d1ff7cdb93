using DenseAm.Experiments;
using DenseAm.Kernels;
using DenseAm.Retrieval;

namespace DenseAm.Tests.Core;

/// <summary>SPEC §7's hand-checkable values: 1D LSR with ξ = ±1.</summary>
public class ReferenceValueTests
{
    [Theory]
    [InlineData(0.4, new[] { 0.0 })]
    [InlineData(0.9, new[] { -1.0, 0.0, 1.0 })]
    [InlineData(2.1, new[] { -1.0, 1.0 })]
    public void One_dimensional_minima_are_where_the_spec_says(double beta, double[] expected)
    {
        var e = new Energy(Fig1Experiment.Patterns1D(), Kernel.Epanechnikov, beta);
        var starts = new Matrix(601, 1);
        for (int i = 0; i < 601; i++) starts[i, 0] = -3 + 6.0 * i / 600;
        var batch = Retriever.Retrieve(e, starts);
        var found = Enumerable.Range(0, 601).Where(i => batch.Outcomes[i].Converged)
            .Select(i => batch.Points[i, 0]).Distinct().Order().ToArray();
        Assert.Equal(expected, found);
        foreach (double x in found)
        {
            var g = new double[1];
            e.Gradient([x], g);
            Assert.Equal(0.0, g[0]);
            Assert.True(e.Hessian([x])[0, 0] > 0);
        }
    }

    [Fact]
    public void Fig1_reports_the_reference_counts()
    {
        var all = Fig1Experiment.Run(gridPerAxis: 61);
        foreach (var (beta, expected) in Fig1Experiment.Reference1D)
        {
            var l = all.Single(x => x.Name == "1d" && x.Energy == "lsr" && x.Beta == beta);
            Assert.Equal(expected, l.Minima.Select(m => m[0]));
        }
        // β = 1.1 on the triangle: three patterns, three pair midpoints and the centroid (r ≈ 1.348 > 2/√3).
        Assert.Equal(7, all.Single(x => x.Name == "2d" && x.Beta == 1.1).Minima.Count);
    }
}
