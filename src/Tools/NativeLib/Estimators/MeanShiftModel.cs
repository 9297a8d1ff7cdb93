using System.Runtime.Intrinsics;
namespace DenseAm.Interop.Estimators;

/// <summary>
/// Flat-kernel mean shift with scikit-learn's conventions (its <c>MeanShift</c> with <c>bin_seeding=False</c>,
/// <c>cluster_all=True</c>): each seed moves to the mean of the points in the closed ball ‖x − c‖ ≤ bandwidth
/// until the mean repeats exactly (the flat-kernel fixed point, where scikit-learn stops once a step is below
/// 1e-3·bandwidth) or max_iter is reached; seeds whose ball is empty are dropped; the modes are sorted by the
/// number of points in their ball (then by coordinates, both descending), a mode within bandwidth of a stronger
/// kept one is removed, and every point is labelled with its nearest remaining centre (ties: the lower label).
/// </summary>
internal sealed class MeanShiftModel
{
    private MeanShiftModel(double[] centers, int k, int d, long[] labels, int iterations, int[] intensities)
    {
        Centers = centers;
        ClusterCount = k;
        Dimension = d;
        Labels = labels;
        Iterations = iterations;
        Intensities = intensities;
    }

    /// <summary>The cluster centres, k×d row-major.</summary>
    public double[] Centers { get; }

    public int ClusterCount { get; }
    public int Dimension { get; }

    /// <summary>The label (index into <see cref="Centers"/>) of every point.</summary>
    public long[] Labels { get; }

    /// <summary>The largest number of mean updates any seed took (scikit-learn's n_iter_).</summary>
    public int Iterations { get; }

    /// <summary>Points in each kept centre's ball.</summary>
    public int[] Intensities { get; }

    /// <summary>Leaf size of the index (leaves wholly inside a ball add their precomputed sums).</summary>
    private const int MeanShiftLeafSize = 32;

    public static MeanShiftModel Fit(Matrix x, Matrix seeds, double bandwidth, int maxIterations, int maxThreads)
    {
        int d = x.Columns, ns = seeds.Rows;
        double r2 = bandwidth * bandwidth;
        var index = new LeafIndex(x, MeanShiftLeafSize);
        var modes = new double[(long)ns * d];
        var intensity = new int[ns];
        var iterations = new int[ns];
        // The trajectory from a point is a function of that point alone, so a seed that reaches a point another seed
        // already passed through (bitwise) takes that seed's outcome: its mode, intensity and remaining updates.
        // Hits give exactly what the iteration would have computed, so results do not depend on thread timing.
        var known = new System.Collections.Concurrent.ConcurrentDictionary<ModeKey, Outcome>();
        Parallel.For(0, ns, new ParallelOptions { MaxDegreeOfParallelism = maxThreads <= 0 ? Environment.ProcessorCount : maxThreads },
            () => new Workspace(d),
            (s, _, ws) =>
            {
                var mean = modes.AsSpan(s * d, d);
                seeds.Row(s).CopyTo(mean);
                var path = ws.Path;
                path.Clear();
                int completed = 0, inBall;
                while (true)
                {
                    var here = new ModeKey(mean.ToArray(), 0, d);
                    if (known.TryGetValue(here, out var o) && completed + o.Remaining <= maxIterations)
                    {
                        o.Mode.CopyTo(mean);
                        inBall = o.Intensity;
                        completed += o.Remaining;
                        break;
                    }
                    path.Add((here, completed));
                    inBall = BallSum(index, mean, r2, ws.Sum, ws.Partial, ws.Distances);
                    if (inBall == 0) break;
                    mean.CopyTo(ws.Old);
                    for (int i = 0; i < d; i++) mean[i] = ws.Sum[i] / inBall;
                    if (mean.SequenceEqual(ws.Old) || completed == maxIterations) break;
                    completed++;
                }
                intensity[s] = inBall;
                iterations[s] = completed;
                if (inBall > 0 && completed < maxIterations)
                {
                    // Converged (not capped): every point on the path leads to this mode.
                    var mode = mean.ToArray();
                    foreach (var (point, at) in path) known.TryAdd(point, new Outcome(mode, inBall, completed - at));
                }
                return ws;
            },
            _ => { });

        // Modes reached by several seeds coincide bitwise (the fixed point is exact): keep one entry per mode.
        var unique = new Dictionary<ModeKey, int>();
        for (int s = 0; s < ns; s++)
        {
            if (intensity[s] == 0) continue;
            unique[new ModeKey(modes, s * d, d)] = intensity[s];
        }
        if (unique.Count == 0)
            throw new InvalidOperationException(
                $"no point was within bandwidth = {Inputs.Fmt(bandwidth)} of any seed; try other seeds or a larger bandwidth.");
        var sorted = unique.ToList();
        sorted.Sort((a, b) =>
        {
            int c = b.Value.CompareTo(a.Value);
            return c != 0 ? c : b.Key.CompareTo(a.Key);
        });
        int m = sorted.Count;
        var keep = new bool[m];
        Array.Fill(keep, true);
        for (int i = 0; i < m; i++)
        {
            if (!keep[i]) continue;
            var ci = sorted[i].Key.Span;
            for (int j = 0; j < m; j++)
                if (j != i && keep[j] && DenseAm.Distances.SquaredDistance.Reference(ci, sorted[j].Key.Span) <= r2) keep[j] = false;
        }
        var kept = new List<KeyValuePair<ModeKey, int>>();
        for (int i = 0; i < m; i++) if (keep[i]) kept.Add(sorted[i]);
        int k = kept.Count;
        var centers = new double[(long)k * d];
        var strengths = new int[k];
        for (int c = 0; c < k; c++)
        {
            kept[c].Key.Span.CopyTo(centers.AsSpan(c * d, d));
            strengths[c] = kept[c].Value;
        }

        var labels = new long[x.Rows];
        Parallel.For(0, x.Rows, new ParallelOptions { MaxDegreeOfParallelism = maxThreads <= 0 ? Environment.ProcessorCount : maxThreads }, i =>
        {
            var p = x.Row(i);
            double best = double.PositiveInfinity;
            int arg = 0;
            for (int c = 0; c < k; c++)
            {
                double d2 = DenseAm.Distances.SquaredDistance.Reference(p, centers.AsSpan(c * d, d));
                if (d2 < best) { best = d2; arg = c; }
            }
            labels[i] = arg;
        });
        return new MeanShiftModel(centers, k, d, labels, iterations.Max(), strengths);
    }

    /// <summary>
    /// Sums the points in the closed ball ‖x − c‖² ≤ r² (the reference squared distance) and returns how many there
    /// are: leaves provably outside are skipped, leaves provably inside add their precomputed sums. Each leaf's part is
    /// summed from zero in position order (exactly the precomputed sum when the whole leaf is inside) and the parts
    /// are added in leaf order, so the sum, and the mean, depend only on the set of points in the ball.
    /// </summary>
    private static int BallSum(LeafIndex index, ReadOnlySpan<double> centre, double r2, Span<double> sum, Span<double> partial, Span<double> d2)
    {
        sum.Clear();
        int n = 0;
        for (int l = 0; l < index.LeafCount; l++)
        {
            if (l % LeafIndex.GroupSize == 0 && !index.GroupMayReach(l / LeafIndex.GroupSize, centre, r2))
            {
                l += LeafIndex.GroupSize - 1; // the loop's l++ moves to the next group
                continue;
            }
            if (!index.MayReach(l, centre, r2)) continue;
            if (index.Contains(l, centre, r2))
            {
                AddTo(sum, index.LeafSum(l));
                n += index.LeafSizeOf(l);
                continue;
            }
            int from = index.LeafStart[l], to = index.LeafStart[l + 1], inLeaf = 0;
            index.SquaredDistances(centre, from, to, d2);
            partial.Clear();
            for (int k = from; k < to; k++)
            {
                if (!(d2[k - from] <= r2)) continue;
                inLeaf++;
                AddTo(partial, index.Row(k));
            }
            if (inLeaf == 0) continue;
            n += inLeaf;
            AddTo(sum, partial);
        }
        return n;
    }

    /// <summary>acc += v, coordinate by coordinate (four at a time where possible: the same additions, so the same bits).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void AddTo(Span<double> acc, ReadOnlySpan<double> v)
    {
        int i = 0, n = Math.Min(acc.Length, v.Length);
        if (System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)
        {
            // Unchecked loads and stores (i + 4 ≤ n ≤ both lengths): this runs once per point in a ball.
            ref double a = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(acc);
            ref double b = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(v);
            for (; i + 4 <= n; i += 4)
                (System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref a, (nuint)i) + System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref b, (nuint)i))
                    .StoreUnsafe(ref a, (nuint)i);
        }
        for (; i < n; i++) acc[i] += v[i];
    }

    /// <summary>Where the trajectory from a point ends: the mode, its ball's size, and the updates still to come.</summary>
    private sealed record Outcome(double[] Mode, int Intensity, int Remaining);

    /// <summary>Per-thread scratch of the seed loop.</summary>
    private sealed class Workspace(int d)
    {
        public double[] Sum { get; } = new double[d];
        public double[] Partial { get; } = new double[d];
        public double[] Old { get; } = new double[d];
        public double[] Distances { get; } = new double[MeanShiftLeafSize];
        public List<(ModeKey Point, int Completed)> Path { get; } = [];
    }

    /// <summary>A mode's coordinates as a dictionary key: equal when every coordinate compares equal, ordered like a Python tuple.</summary>
    private readonly struct ModeKey(double[] data, int offset, int length) : IEquatable<ModeKey>, IComparable<ModeKey>
    {
        public ReadOnlySpan<double> Span => data.AsSpan(offset, length);

        public bool Equals(ModeKey other)
        {
            var a = Span;
            var b = other.Span;
            for (int i = 0; i < a.Length; i++) if (a[i] != b[i]) return false;
            return true;
        }

        public override bool Equals(object? obj) => obj is ModeKey k && Equals(k);

        public override int GetHashCode()
        {
            var h = new HashCode();
            foreach (double v in Span) h.Add(v == 0 ? 0.0 : v); // -0.0 and 0.0 are the same coordinate
            return h.ToHashCode();
        }

        public int CompareTo(ModeKey other)
        {
            var a = Span;
            var b = other.Span;
            for (int i = 0; i < a.Length; i++)
            {
                if (a[i] < b[i]) return -1;
                if (a[i] > b[i]) return 1;
            }
            return 0;
        }
    }
}
