using DenseAm.Kernels;
using DenseAm.Retrieval;
using DenseAm.Selection;

namespace DenseAm.Tests.Core;

/// <summary>Each bad input is rejected with an ArgumentException whose message names the argument and the value.</summary>
public class BadInputTests
{
    private static readonly StoredPatterns Two = StoredPatterns.FromRows([0.0, 0.0], [1.0, 0.0]);

    private static void Rejects(Action action, params string[] fragments)
    {
        var e = Assert.ThrowsAny<ArgumentException>(action);
        foreach (var f in fragments) Assert.Contains(f, e.Message);
    }

    [Fact]
    public void Patterns() 
    {
        Rejects(() => new StoredPatterns(new Matrix(0, 3)), "patterns", "M = 0");
        Rejects(() => new StoredPatterns(new Matrix(2, 0)), "patterns", "d = 0");
        Rejects(() => StoredPatterns.FromRows([0.0, double.NaN]), "patterns", "row 0, column 1", "NaN");
        Rejects(() => StoredPatterns.FromRows([0.0, 1.0], [double.PositiveInfinity, 0.0]), "patterns", "row 1, column 0", "Infinity");
        Rejects(() => Matrix.FromRows([[1.0, 2.0], [1.0]]), "row 1 has 1 values");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Beta(double beta) => Rejects(() => new Energy(Two, Kernel.Epanechnikov, beta), "beta");

    [Theory]
    [InlineData(-1e-9)]
    [InlineData(double.NaN)]
    public void Epsilon(double eps) => Rejects(() => new Energy(Two, Kernel.Epanechnikov, 1, eps), "epsilon");

    [Fact]
    public void Queries_and_kernels()
    {
        var e = new Energy(Two, Kernel.Epanechnikov, 1);
        Rejects(() => e.Evaluate([1.0]), "x", "dimension 1", "d = 2");
        Rejects(() => e.Evaluate([1.0, double.NaN]), "x", "NaN");
        Rejects(() => Retriever.Retrieve(e, new Matrix(3, 5)), "queries", "dimension 5");
        Rejects(() => Kernel.FromName("gauss-ish"), "gauss-ish", "epanechnikov");
        var lse = new Energy(Two, Kernel.Gaussian, 1);
        Rejects(() => Retriever.Retrieve(lse, new Matrix(1, 2), new RetrievalOptions { Method = RetrievalMethod.FixedPoint }), "gaussian");
        Rejects(() => lse.Hessian([0.0, 0.0]), "gaussian");
        Rejects(() => Retriever.Retrieve(e, new Matrix(1, 2), new RetrievalOptions { MaxIterations = 0 }), "MaxIterations");
        Rejects(() => Retriever.Retrieve(lse, new Matrix(1, 2), new RetrievalOptions { Method = RetrievalMethod.GradientDescent, NewtonBelow = -1e-3 }), "NewtonBelow", "-0.001");
        Rejects(() => Retriever.Retrieve(lse, new Matrix(1, 2), new RetrievalOptions { Method = RetrievalMethod.GradientDescent, NewtonBelow = double.NaN }), "NewtonBelow", "NaN");
        Rejects(() => StepSchedule.CosineDecay(0.01, 2, 10), "finalFraction", "2");
        Rejects(() => StepSchedule.Constant(-1), "rate", "-1");
    }

    [Fact]
    public void Beta_selection()
    {
        Rejects(() => BetaSearch.MinPairwiseDistance(StoredPatterns.FromRows([1.0])), "patterns", "M = 1");
        Rejects(() => BetaSearch.MinPairwiseDistance(StoredPatterns.FromRows([1.0], [2.0], [1.0])), "duplicate rows 0 and 2");
        Rejects(() => BetaSearch.ForBasin(Two, 0), "delta", "(0, 0.5)");
        Rejects(() => BetaSearch.ForBasin(Two, 0.5), "delta", "r_min/2");
        Rejects(() => BetaSearch.ForNeighbours(Two, 5), "target", "M = 2");
        Rejects(() => BetaSearch.ForNeighbours(Two, double.NaN), "target", "NaN");
        Rejects(() => BetaSearch.Grid(Two, GridSpacing.Linear, 1), "steps", "1");
        // d = 1 with far-apart patterns: β_max = 8/100 < β_min = 2.
        Rejects(() => BetaSearch.Grid(StoredPatterns.FromRows([0.0], [10.0]), GridSpacing.Linear, 5), "beta_max", "beta_min");
    }
}
