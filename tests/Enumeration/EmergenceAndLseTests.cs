using DenseAm.Randomness;
using DenseAm.Enumeration;
using DenseAm.Retrieval;
using Xunit;

namespace DenseAm.Tests.Enumeration;

public class EmergenceAndLseTests
{
    private static StoredPatterns OneD() => StoredPatterns.FromRows([-1.0], [1.0]);

    private static readonly EmergenceOptions Quick = new() { MonteCarloPoints = 20_000 };

    [Fact]
    public void OneDimensionalEmergenceByHand()
    {
        // β = 0.9: both patterns preserved and {0,1} at 0 is 1 away from each: global, local and strong emergence.
        var r = EmergenceReport.Compute(OneD(), 0.9, Quick);
        Assert.Equal(2, r.StoredPreserved);
        Assert.Equal(1.0, r.FractionPreserved);
        Assert.Equal(1, r.Novel);
        Assert.True(r.GlobalEmergence);
        Assert.Equal([0], r.LocallyEmergent);
        Assert.Equal([0], r.StronglyEmergent);
        Assert.Equal([0], r.FarNovel);
        // β = 0.4: the single memory is {0,1}; no pattern is preserved, so no emergence of any kind.
        r = EmergenceReport.Compute(OneD(), 0.4, Quick);
        Assert.Equal(0, r.StoredPreserved);
        Assert.False(r.GlobalEmergence);
        Assert.Empty(r.LocallyEmergent);
        // ε_novel larger than the memory's distance to the patterns: no global emergence.
        r = EmergenceReport.Compute(OneD(), 0.9, Quick with { NovelDistance = 1.5 });
        Assert.False(r.GlobalEmergence);
    }

    [Fact]
    public void TriangleNovelMemoriesAreStronglyEmergent()
    {
        var p = StoredPatterns.FromRows([-1.0, 0.0], [1.0, 0.0], [0.0, -2 * Math.Cos(Math.PI / 6)]);
        var r = EmergenceReport.Compute(p, 1.1, Quick);
        Assert.Equal(3, r.StoredPreserved);
        Assert.Equal(4, r.Novel);
        Assert.Equal(4, r.StronglyEmergent.Count);
        Assert.True(r.GlobalEmergence);
    }

    [Fact]
    public void SupportedFractionMatchesGeometryAndIgnoresThreads()
    {
        // ξ = ±1 in 1D, β = 8: r = 0.5, so the points of [0,1] supported are those above 0.5.
        var one = EmergenceReport.SupportedFractionOfCube(OneD(), 2 / 8.0, 200_000, 7, maxThreads: 1);
        var two = EmergenceReport.SupportedFractionOfCube(OneD(), 2 / 8.0, 200_000, 7, maxThreads: 2);
        Assert.Equal(one, two);
        Assert.InRange(one.Fraction, 0.5 - 5 * one.StandardError, 0.5 + 5 * one.StandardError);
        // A pattern at the centre of the square with r larger than the half-diagonal supports everything.
        var centre = StoredPatterns.FromRows([0.5, 0.5], [10.0, 10.0]);
        Assert.Equal(1.0, EmergenceReport.SupportedFractionOfCube(centre, 0.6, 10_000, 3).Fraction);
    }

    [Fact]
    public void BoundsUseTheUnitBallVolume()
    {
        Assert.Equal(Math.Log(2), EmergenceReport.LogUnitBallVolume(1), 12);
        Assert.Equal(Math.Log(Math.PI), EmergenceReport.LogUnitBallVolume(2), 12);
        Assert.Equal(Math.Log(4 * Math.PI / 3), EmergenceReport.LogUnitBallVolume(3), 12);
        Assert.Equal(Math.Log(Math.PI * Math.PI / 2), EmergenceReport.LogUnitBallVolume(4), 12);
        var p = new StoredPatterns(SeededRandom.UniformCube(10, 2, 5));
        double beta = 200;
        var r = EmergenceReport.Compute(p, beta, Quick);
        double lambda = 10 * Math.PI * (2 / beta);
        Assert.Equal(Math.Log(lambda), r.LogLambda, 12);
        Assert.Equal(lambda * Math.Log(Math.E * 10 / lambda), r.LogTheorem2Bound, 10);
        double base3 = Math.Sqrt(10) - Math.Sqrt(10 * 8 / beta) + 1;
        Assert.Equal(2 * Math.Log(base3), r.LogProposition3, 10);
    }

    [Theory]
    [InlineData(0.4, 1)]
    [InlineData(4.11, 2)]
    public void LseMemoriesOfTheOneDimensionalPair(double beta, int expected)
    {
        var r = LseMemories.Find(OneD(), beta);
        Assert.Equal(expected, r.Count);
        Assert.Equal(0, r.NotConverged);
        foreach (var m in r.Memories)
        {
            // For ξ = ±1 the LSE fixed points solve x = tanh(βx).
            Assert.Equal(Math.Tanh(beta * m.Point[0]), m.Point[0], 7);
        }
        if (expected == 2) Assert.True(r.Memories[0].Point[0] < -0.99 && r.Memories[1].Point[0] > 0.99);
    }

    [Fact]
    public void SingleLinkageIsOrderIndependent()
    {
        // A chain 0 – 0.9 – 1.8 links with distance 1 although the ends are 1.8 apart; 5.0 stays alone.
        var a = Matrix.FromRows([[0.0], [0.9], [5.0], [1.8]]);
        var b = Matrix.FromRows([[1.8], [5.0], [0.9], [0.0]]);
        var ca = LseMemories.Merge(a, 1.0);
        var cb = LseMemories.Merge(b, 1.0);
        Assert.Equal(2, ca.Count);
        Assert.Equal(2, cb.Count);
        Assert.Equal(new[] { 0, 1, 3 }, ca[0].Starts);
        Assert.Equal(new[] { 0, 2, 3 }, cb[0].Starts);
        Assert.Throws<ArgumentException>(() => LseMemories.Find(OneD(), 1.0, new RetrievalOptions { Method = RetrievalMethod.FixedPoint }));
    }
}
