using DenseAm.Randomness;
using DenseAm.Enumeration;
using DenseAm.Kernels;
using DenseAm.Retrieval;
using DenseAm.Selection;
using Xunit;

namespace DenseAm.Tests.Enumeration;

public class MemoryEnumeratorTests
{
    private static StoredPatterns OneD() => StoredPatterns.FromRows([-1.0], [1.0]);

    private static StoredPatterns Triangle() =>
        StoredPatterns.FromRows([-1.0, 0.0], [1.0, 0.0], [0.0, -2 * Math.Cos(Math.PI / 6)]);

    private static string Sets(EnumerationResult r) => BruteForceMemories.Show(r.Memories.Select(m => m.Members));

    // SPEC §7 reference values: ξ = ±1 has one minimum (0) at β = 0.4, three (−1, 0, 1) at 0.9, two (±1) at 2.1.
    [Theory]
    [InlineData(0.4, "{0,1}")]
    [InlineData(0.9, "{0,1} {0} {1}")]
    [InlineData(2.1, "{0} {1}")]
    public void OneDimensionalPairMatchesHandCount(double beta, string expected)
    {
        var r = new MemoryEnumerator(OneD(), beta).Collect();
        Assert.True(r.Complete);
        Assert.Equal(expected, Sets(r));
        Assert.Equal(r.Memories.Count, r.Count);
    }

    [Fact]
    public void OneDimensionalMarginsAndBasinByHand()
    {
        // β = 0.9: r² = 2/0.9. {0,1} sits at 0 with both members at distance² 1; {0} at −1 with ξ_1 at distance² 4.
        double r2 = 2 / 0.9;
        var r = new MemoryEnumerator(OneD(), 0.9).Collect();
        var pair = r.Memories[0];
        Assert.Equal([0.0], pair.Point!);
        Assert.Equal(r2 - 1, pair.DeltaMin, 12);
        Assert.Equal(double.PositiveInfinity, pair.GammaMin);
        Assert.Equal(Math.Sqrt(1 + (r2 - 1)) - 1, pair.BasinRadius, 12);
        Assert.True(pair.IsNovel);
        var single = r.Memories[1];
        Assert.Equal([-1.0], single.Point!);
        Assert.Equal(r2, single.DeltaMin, 12);
        Assert.Equal(4 - r2, single.GammaMin, 12);
        Assert.Equal(Math.Sqrt(4 - r2), single.BasinRadius, 12); // D_max = 0
        Assert.True(single.IsStored);
        Assert.False(single.IsMarginal);
        Assert.Equal(2, r.StoredCount);
        Assert.Equal(1, r.NovelCount);
    }

    // Equilateral triangle of side 2: the centroid is at distance² 4/3 from each vertex, a pair's midpoint at 1 from its
    // members and 3 from the third vertex. r² = 2/β: 6.67 → {all}; 3.33 → {all} + 3 singles; 1.82 → all 7; 0.95 → 3 singles.
    [Theory]
    [InlineData(0.3, "{0,1,2}")]
    [InlineData(0.6, "{0,1,2} {0} {1} {2}")]
    [InlineData(1.1, "{0,1,2} {0,1} {0,2} {0} {1,2} {1} {2}")]
    [InlineData(2.1, "{0} {1} {2}")]
    public void TriangleMatchesHandCount(double beta, string expected)
    {
        var r = new MemoryEnumerator(Triangle(), beta).Collect();
        Assert.Equal(expected, Sets(r));
        Assert.Equal(expected, BruteForceMemories.Show(BruteForceMemories.All(Triangle(), beta)));
    }

    public static TheoryData<int, int, ulong> RandomCases => new()
    {
        { 10, 1, 1 }, { 12, 2, 2 }, { 12, 3, 3 }, { 13, 5, 4 }, { 14, 8, 5 }, { 14, 2, 6 }, { 9, 16, 7 },
    };

    [Theory]
    [MemberData(nameof(RandomCases))]
    public void EqualsBruteForceAcrossTheBetaGrid(int m, int d, ulong seed)
    {
        var p = new StoredPatterns(SeededRandom.UniformCube(m, d, seed));
        var grid = BetaSearch.Grid(p, GridSpacing.Linear, 12);
        foreach (double beta in grid.Concat(BoundaryBetas(p)))
        {
            var expected = BruteForceMemories.All(p, beta);
            var r = new MemoryEnumerator(p, beta).Collect();
            Assert.True(r.Complete);
            Assert.Equal(BruteForceMemories.Show(expected), Sets(r));
        }
    }

    /// <summary>β that put a pair exactly at D = 2r, and a pattern exactly on the support boundary of a centroid.</summary>
    private static IEnumerable<double> BoundaryBetas(StoredPatterns p)
    {
        var e = new MemoryEnumerator(p, 1.0);
        yield return 8 / e.SquaredDistanceAt(0, 1);
        yield return 8 / e.SquaredDistanceAt(1, 2);
        var c = new double[p.Dimension];
        for (int i = 0; i < p.Dimension; i++) c[i] = (p[0][i] + p[1][i] + p[2][i]) / 3;
        yield return 2 / Distances.SquaredDistance.Reference(c, p[3]);
        yield return 2 / Distances.SquaredDistance.Reference(c, p[0]);
        for (int i = 0; i < p.Dimension; i++) c[i] = (p[0][i] + p[1][i]) / 2;
        yield return 2 / Distances.SquaredDistance.Reference(c, p[0]);
    }

    [Fact]
    public void EveryMemoryIsAFixedPointOfAlgorithm1()
    {
        var p = new StoredPatterns(SeededRandom.UniformCube(14, 4, 11));
        double beta = BetaSearch.Grid(p, GridSpacing.Linear, 10)[3];
        var energy = new Energy(p, Kernel.Epanechnikov, beta);
        var r = new MemoryEnumerator(p, beta).Collect();
        Assert.True(r.Count > 3);
        var x = new double[p.Dimension];
        var support = new List<int>();
        foreach (var mem in r.Memories)
        {
            var outcome = Retriever.FixedPoint(energy, mem.Point, x);
            Assert.True(outcome.Converged);
            Assert.Equal(mem.Point, x); // bitwise: c_S is exactly where Algorithm 1 stops
            energy.Support(mem.Point!, support);
            Assert.Equal(mem.Members, support);
            Assert.True(mem.DeltaMin > 0 && mem.GammaMin >= 0 && mem.BasinRadius > 0);
        }
    }

    [Fact]
    public void ThreadCountDoesNotChangeTheResultOrOrder()
    {
        var p = new StoredPatterns(SeededRandom.UniformCube(20, 8, 21));
        foreach (double beta in BetaSearch.Grid(p, GridSpacing.Linear, 8))
        {
            var e = new MemoryEnumerator(p, beta);
            var one = e.Collect(new MemoryEnumerationOptions { MaxThreads = 1 });
            var two = e.Collect(new MemoryEnumerationOptions { MaxThreads = 2 });
            var four = e.Collect(new MemoryEnumerationOptions { MaxThreads = 4 });
            Assert.Equal(Sets(one), Sets(two));
            Assert.Equal(Sets(one), Sets(four));
            Assert.Equal(one.NodesVisited, two.NodesVisited);
            Assert.Equal(one.Memories.Select(m => m.Point), two.Memories.Select(m => m.Point));
            var sorted = one.Memories.Select(m => m.Members).ToList();
            sorted.Sort(BruteForceMemories.Lexicographic);
            Assert.Equal(BruteForceMemories.Show(sorted), Sets(one));
        }
    }

    [Fact]
    public async Task CountStreamAndAsyncStreamAgreeWithCollect()
    {
        var p = new StoredPatterns(SeededRandom.UniformCube(18, 6, 31));
        foreach (double beta in BetaSearch.Grid(p, GridSpacing.Linear, 6))
        {
            var e = new MemoryEnumerator(p, beta);
            var collect = e.Collect();
            var count = e.Count();
            var nearOnly = e.Count(new MemoryEnumerationOptions { Confirmation = CoordinateConfirmation.WhenNearBoundary });
            Assert.Equal(collect.Count, count.Count);
            Assert.Equal(collect.StoredCount, count.StoredCount);
            Assert.Equal(collect.Count, nearOnly.Count);
            Assert.Empty(count.Memories);
            var streamed = new List<LsrMemory>();
            var sr = e.Stream(streamed.Add, new MemoryEnumerationOptions { MaxThreads = 2 });
            Assert.True(sr.Complete);
            Assert.Equal(Sets(collect), BruteForceMemories.Show(streamed.Select(m => m.Members)));
            var asyncList = new List<LsrMemory>();
            EnumerationResult? finished = null;
            await foreach (var mem in e.StreamAsync(onFinished: x => finished = x)) asyncList.Add(mem);
            Assert.Equal(Sets(collect), BruteForceMemories.Show(asyncList.Select(m => m.Members)));
            Assert.NotNull(finished);
            Assert.True(finished!.Complete);
        }
    }

    [Fact]
    public void NodeBudgetEndsIncompleteAndSaysWhatWasCovered()
    {
        var p = new StoredPatterns(SeededRandom.UniformCube(25, 32, 41));
        // The β of the grid with the most search nodes.
        var e = BetaSearch.Grid(p, GridSpacing.Linear, 50).Select(b => new MemoryEnumerator(p, b))
            .MaxBy(x => x.Count().NodesVisited)!;
        var full = e.Count();
        Assert.True(full.Complete);
        Assert.True(full.NodesVisited > 12000, $"nodes {full.NodesVisited}");
        var cut = e.Count(new MemoryEnumerationOptions { MaxNodes = 4096, MaxThreads = 1 });
        Assert.False(cut.Complete);
        Assert.Equal(EnumerationStop.NodeBudget, cut.Stop);
        Assert.True(cut.Count <= full.Count);
        Assert.True(cut.CompletedRoots.Count < 25);
        Assert.Contains("incomplete", cut.Coverage);
        Assert.Contains("lower bound", cut.Coverage);
        var capped = e.Collect(new MemoryEnumerationOptions { MaxMemories = 2 });
        Assert.False(capped.Complete);
        Assert.Equal(EnumerationStop.MemoryBudget, capped.Stop);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var cancelled = e.Count(new MemoryEnumerationOptions { Cancellation = cts.Token, MaxThreads = 1 });
        Assert.False(cancelled.Complete);
    }

    [Fact]
    public void BadInputIsRejectedNamingTheArgument()
    {
        var dup = StoredPatterns.FromRows([0.0, 1.0], [2.0, 3.0], [0.0, 1.0]);
        var ex = Assert.Throws<ArgumentException>(() => new MemoryEnumerator(dup, 1.0));
        Assert.Equal("patterns", ex.ParamName);
        Assert.Contains("duplicate rows 0 and 2", ex.Message);
        var one = StoredPatterns.FromRows([0.5, 0.5]);
        ex = Assert.Throws<ArgumentException>(() => new MemoryEnumerator(one, 1.0));
        Assert.Contains("M = 1", ex.Message);
        foreach (double beta in new[] { 0.0, -1.0, double.NaN, double.PositiveInfinity, 1e-320 })
        {
            var bex = Assert.ThrowsAny<ArgumentException>(() => new MemoryEnumerator(OneD(), beta));
            Assert.Equal("beta", bex.ParamName);
        }
        var nan = Matrix.FromRows([[0.0, 1.0], [double.NaN, 2.0]]);
        var nex = Assert.Throws<ArgumentException>(() => new MemoryEnumerator(new StoredPatterns(nan), 1.0));
        Assert.Contains("NaN", nex.Message);
        Assert.ThrowsAny<ArgumentException>(() => new MemoryEnumerator(new StoredPatterns(new Matrix(0, 3)), 1.0));
        Assert.ThrowsAny<ArgumentException>(() => new MemoryEnumerator(OneD(), 1.0).Count(new MemoryEnumerationOptions { MaxNodes = 0 }));
        Assert.ThrowsAny<ArgumentException>(() =>
            new MemoryEnumerator(OneD(), 1.0).Collect(new MemoryEnumerationOptions { Confirmation = CoordinateConfirmation.WhenNearBoundary }));
    }
}
