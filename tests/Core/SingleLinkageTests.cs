using DenseAm.Distances;

namespace DenseAm.Tests.Core;

/// <summary>The cell-bucketed single linkage against all-pairs union–find (same partition, any row order).</summary>
public class SingleLinkageTests
{
    private static int[] Naive(Matrix p, double t)
    {
        int n = p.Rows;
        var parent = Enumerable.Range(0, n).ToArray();
        int Find(int i) { while (parent[i] != i) i = parent[i] = parent[parent[i]]; return i; }
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                if (SquaredDistance.Reference(p.Row(i), p.Row(j)) < t * t) parent[Find(i)] = Find(j);
        return Enumerable.Range(0, n).Select(Find).ToArray();
    }

    private static bool SamePartition(int[] a, int[] b) =>
        Enumerable.Range(0, a.Length).All(i => Enumerable.Range(0, a.Length).All(j => (a[i] == a[j]) == (b[i] == b[j])));

    [Theory]
    [InlineData(1, 0.05)]
    [InlineData(2, 0.1)]
    [InlineData(5, 0.3)]
    [InlineData(16, 0.5)]
    public void Matches_all_pairs_union_find(int d, double t)
    {
        var rng = new Random(d);
        for (int trial = 0; trial < 20; trial++)
        {
            // Clumps of near-identical points (converged descents) plus scattered ones, some pairs near the threshold.
            var rows = new List<double[]>();
            for (int c = 0; c < 6; c++)
            {
                var centre = Enumerable.Range(0, d).Select(_ => rng.NextDouble()).ToArray();
                int k = 1 + rng.Next(15);
                for (int i = 0; i < k; i++) rows.Add(centre.Select(v => v + (rng.NextDouble() - 0.5) * t * (i % 3 == 0 ? 1.2 : 1e-6)).ToArray());
            }
            var m = Matrix.FromRows(rows);
            Assert.True(SamePartition(Naive(m, t), SingleLinkage.Labels(m, t)), $"trial {trial}");
            var reversed = Matrix.FromRows(Enumerable.Reverse(rows).ToList());
            Assert.Equal(SingleLinkage.Count(m, t), SingleLinkage.Count(reversed, t));
        }
    }
}
