using DenseAm.Distances;

namespace DenseAm.Tests.Enumeration;

/// <summary>
/// The oracle: every non-empty subset S of [M] (M ≤ 20), its centroid summed in increasing index order and
/// divided by |S| (the point Algorithm 1 stops on), and the exact support test B(c_S) against every pattern;
/// S is a memory iff B(c_S) = S. Exponential, deliberately naive, shares no code with the enumerator's search.
/// </summary>
public static class BruteForceMemories
{
    public static List<int[]> All(StoredPatterns patterns, double beta)
    {
        int m = patterns.Count, d = patterns.Dimension;
        if (m > 20) throw new ArgumentOutOfRangeException(nameof(patterns), m, "brute force is for M <= 20");
        double r2 = 2.0 / beta;
        var result = new List<int[]>();
        var c = new double[d];
        for (long mask = 1; mask < 1L << m; mask++)
        {
            Array.Clear(c);
            int n = 0;
            for (int k = 0; k < m; k++)
            {
                if ((mask >> k & 1) == 0) continue;
                n++;
                var xi = patterns[k];
                for (int i = 0; i < d; i++) c[i] += xi[i];
            }
            for (int i = 0; i < d; i++) c[i] /= n;
            bool memory = true;
            for (int k = 0; k < m && memory; k++)
            {
                bool inS = (mask >> k & 1) != 0;
                bool within = SquaredDistance.Reference(c, patterns[k]) < r2;
                memory = inS == within;
            }
            if (!memory) continue;
            var members = new int[n];
            for (int k = 0, t = 0; k < m; k++) if ((mask >> k & 1) != 0) members[t++] = k;
            result.Add(members);
        }
        result.Sort(Lexicographic);
        return result;
    }

    /// <summary>The enumerator's documented order (see MemoryEnumerator).</summary>
    public static int Lexicographic(int[] x, int[] y)
    {
        for (int i = 0; i < Math.Min(x.Length, y.Length); i++)
            if (x[i] != y[i]) return x[i].CompareTo(y[i]);
        // The enumerator's order: by indicator vector with "member" before "not a member", so an extension
        // of a member list sorts before the list itself.
        return y.Length.CompareTo(x.Length);
    }

    public static string Show(IEnumerable<int[]> sets) => string.Join(" ", sets.Select(s => "{" + string.Join(",", s) + "}"));
}
