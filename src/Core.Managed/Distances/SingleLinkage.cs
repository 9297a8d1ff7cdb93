namespace DenseAm.Distances;

/// <summary>Single-linkage merging: points closer than a threshold (transitively) form one cluster.</summary>
public static class SingleLinkage
{
    /// <summary>
    /// Cluster labels 0…k−1 of the rows of <paramref name="points"/> joined when ‖x_i − x_j‖ &lt; <paramref name="threshold"/>
    /// (transitively), numbered by first appearance. Exact single linkage, independent of row order: points are
    /// bucketed into cells of side t/(2√d) (any two points of a cell are closer than t, so a cell is one cluster);
    /// cell pairs whose boxes are at least t apart cannot link, pairs whose boxes are entirely within t link, and
    /// only the remaining pairs are checked point by point.
    /// </summary>
    public static int[] Labels(Matrix points, double threshold)
    {
        ArgumentNullException.ThrowIfNull(points);
        Guard.Positive(threshold);
        int n = points.Rows, d = points.Columns;
        if (n == 0) return [];
        double side = threshold / (2 * Math.Sqrt(Math.Max(1, d)));
        var cellOf = new Dictionary<string, int>();
        var members = new List<List<int>>();
        var key = new long[d];
        var keyBytes = new byte[d * 8];
        for (int i = 0; i < n; i++)
        {
            var row = points.Row(i);
            for (int c = 0; c < d; c++) key[c] = (long)Math.Floor(row[c] / side);
            Buffer.BlockCopy(key, 0, keyBytes, 0, keyBytes.Length);
            string k = Convert.ToBase64String(keyBytes);
            if (!cellOf.TryGetValue(k, out int cell))
            {
                cellOf[k] = cell = members.Count;
                members.Add([]);
            }
            members[cell].Add(i);
        }
        int cells = members.Count;
        var lo = new double[cells * d];
        var hi = new double[cells * d];
        for (int cell = 0; cell < cells; cell++)
        {
            for (int c = 0; c < d; c++) { lo[cell * d + c] = double.PositiveInfinity; hi[cell * d + c] = double.NegativeInfinity; }
            foreach (int i in members[cell])
                for (int c = 0; c < d; c++)
                {
                    double v = points[i, c];
                    if (v < lo[cell * d + c]) lo[cell * d + c] = v;
                    if (v > hi[cell * d + c]) hi[cell * d + c] = v;
                }
        }
        var parent = new int[cells];
        for (int i = 0; i < cells; i++) parent[i] = i;
        int Find(int i)
        {
            while (parent[i] != i) { parent[i] = parent[parent[i]]; i = parent[i]; }
            return i;
        }
        double t2 = threshold * threshold;
        for (int a = 0; a < cells; a++)
            for (int b = a + 1; b < cells; b++)
            {
                int ra = Find(a), rb = Find(b);
                if (ra == rb) continue;
                double minD2 = 0, maxD2 = 0;
                for (int c = 0; c < d; c++)
                {
                    double gap = Math.Max(0, Math.Max(lo[a * d + c] - hi[b * d + c], lo[b * d + c] - hi[a * d + c]));
                    double span = Math.Max(hi[a * d + c] - lo[b * d + c], hi[b * d + c] - lo[a * d + c]);
                    minD2 += gap * gap;
                    maxD2 += span * span;
                }
                if (minD2 >= t2) continue;
                bool link = maxD2 < t2;
                if (!link)
                {
                    foreach (int i in members[a])
                    {
                        foreach (int j in members[b])
                            if (SquaredDistance.Reference(points.Row(i), points.Row(j)) < t2) { link = true; break; }
                        if (link) break;
                    }
                }
                if (link) parent[Math.Max(ra, rb)] = Math.Min(ra, rb);
            }
        var labels = new int[n];
        var map = new Dictionary<int, int>();
        for (int cell = 0; cell < cells; cell++)
        {
            int root = Find(cell);
            if (!map.TryGetValue(root, out int l)) map[root] = l = map.Count;
            foreach (int i in members[cell]) labels[i] = l;
        }
        return labels;
    }

    /// <summary>The number of single-linkage clusters at <paramref name="threshold"/>.</summary>
    public static int Count(Matrix points, double threshold) => points.Rows == 0 ? 0 : Labels(points, threshold).Max() + 1;
}
