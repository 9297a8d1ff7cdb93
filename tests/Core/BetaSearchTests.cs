using DenseAm.Selection;

namespace DenseAm.Tests.Core;

public class BetaSearchTests
{
    private static readonly StoredPatterns Line = StoredPatterns.FromRows([0.0], [1.0], [3.0], [7.0]);

    [Fact]
    public void Algorithm2_hand_worked_case()
    {
        // Pair distances 1, 2, 3, 4, 6, 7; K' = 2·#{D < 2r}/4. Bisection from (r_min/2, 4·max D) = (0.5, 28):
        // r = 14.25 → K' = 3; 7.375 → 3; 3.9375 → 3; 2.21875 → 2·4/4 = 2; 1.359375 → 2·2/4 = 1 = K: stop.
        var b = BetaSearch.ForNeighbours(Line, 1.0);
        Assert.Equal(1.359375, b.Radius);
        Assert.Equal(2 / (1.359375 * 1.359375), b.Beta);
        Assert.Equal(1.0, b.AverageNeighbours);
        Assert.Equal(5, b.Iterations);
        Assert.Equal(1.0, b.MinPairwiseDistance);
        // Counting self adds 1 to every pattern's count: target 2 lands on the same radius.
        var s = BetaSearch.ForNeighbours(Line, 2.0, countSelf: true);
        Assert.Equal(1.359375, s.Radius);
        Assert.True(s.CountSelf);
    }

    [Fact]
    public void Algorithm2_uses_strict_inequality()
    {
        // r = 1 puts the pair at D = 2 = 2r exactly: the supports touch but do not overlap.
        var p = StoredPatterns.FromRows([0.0], [2.0]);
        Assert.Equal(0.0, BetaSearch.AverageNeighbours(p, 1.0));
        Assert.Equal(1.0, BetaSearch.AverageNeighbours(p, 1.0, countSelf: true));
        Assert.Equal(1.0, BetaSearch.AverageNeighbours(p, 1.0000001));
    }

    [Fact]
    public void Theorem1_beta()
    {
        Assert.Equal(2 / (0.75 * 0.75), BetaSearch.ForBasin(Line, 0.25));
        Assert.Throws<ArgumentOutOfRangeException>(() => BetaSearch.ForBasin(Line, 0.5));
    }

    [Fact]
    public void Grids_run_from_two_over_d_to_eight_over_rmin_squared()
    {
        var p = StoredPatterns.FromRows([0.0, 0.0], [0.5, 0.0], [0.0, 2.0]);
        var lin = BetaSearch.Grid(p, GridSpacing.Linear, 5);
        Assert.Equal([1.0, 8.75, 16.5, 24.25, 32.0], lin);
        var geo = BetaSearch.Grid(p, GridSpacing.Geometric, 3);
        Assert.Equal(1.0, geo[0]);
        Assert.Equal(Math.Sqrt(32), geo[1], 12);
        Assert.Equal(32.0, geo[2]);
        var paper = BetaSearch.Grid(p, GridSpacing.Linear, 2, BetaUpperBound.PaperText);
        Assert.Equal(8.0, paper[1]);
    }
}
