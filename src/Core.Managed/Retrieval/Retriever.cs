namespace DenseAm.Retrieval;

/// <summary>
/// Memory retrieval on an <see cref="Energy"/> (SPEC §3): Algorithm 1 (exact LSR fixed point),
/// gradient descent, and Theorem 1's single step; one query at a time or batched in parallel with
/// results that do not depend on the thread count (each query is independent).
/// </summary>
public static class Retriever
{
    /// <summary>Retrieves every row of <paramref name="queries"/> with the method in <paramref name="options"/>.</summary>
    public static RetrievalBatch Retrieve(Energy energy, Matrix queries, RetrievalOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(energy);
        options ??= new RetrievalOptions();
        options.Validate();
        energy.CheckBatch(queries, nameof(queries));
        RequireKernelFor(energy, options.Method);
        var points = new Matrix(queries.Rows, queries.Columns);
        var outcomes = new RetrievalOutcome[queries.Rows];
        // Batched routes through the distance engine; each gives every query exactly the one-query result.
        if (options.Method == RetrievalMethod.FixedPoint && energy.Index.Method != "kd-tree")
        {
            FixedPointLockstep(energy, queries, points, outcomes, options);
            return new RetrievalBatch(points, outcomes);
        }
        if (options.Method == RetrievalMethod.GradientDescent && energy.IsLse)
        {
            LseGradientDescentLockstep(energy, queries, points, outcomes, options);
            return new RetrievalBatch(points, outcomes);
        }
        Parallel.For(0, queries.Rows, Energy.Options(options.MaxThreads),
            () => new Workspace(energy),
            (i, _, ws) =>
            {
                outcomes[i] = RetrieveOne(energy, queries.Row(i), points.Row(i), options, ws);
                return ws;
            },
            ws => ws.Dispose());
        return new RetrievalBatch(points, outcomes);
    }

    /// <summary>Retrieves one query <paramref name="x0"/> into <paramref name="result"/>.</summary>
    public static RetrievalOutcome Retrieve(Energy energy, ReadOnlySpan<double> x0, Span<double> result, RetrievalOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(energy);
        options ??= new RetrievalOptions();
        options.Validate();
        energy.CheckPoint(x0, nameof(x0));
        Guard.SameDimension(energy.Dimension, result.Length, nameof(result));
        RequireKernelFor(energy, options.Method);
        if (options.Method == RetrievalMethod.GradientDescent && energy.IsLse)
        {
            // The same fused steps as a batch, so one query and a batch row retrieve bitwise the same point.
            var one = Retrieve(energy, new Matrix(1, x0.Length, x0.ToArray()), options);
            one.Points.Row(0).CopyTo(result);
            return one.Outcomes[0];
        }
        using var ws = new Workspace(energy);
        return RetrieveOne(energy, x0, result, options, ws);
    }

    /// <summary>
    /// Algorithm 1: S ← B(z); z ← mean(S); repeat until S repeats, at most <paramref name="maxIterations"/> updates.
    /// On convergence z = c_S with B(c_S) = S, so ∇E(z) is exactly zero; an empty S is reported as unsupported.
    /// </summary>
    public static RetrievalOutcome FixedPoint(Energy energy, ReadOnlySpan<double> x0, Span<double> result, int maxIterations = 1000) =>
        Retrieve(energy, x0, result, new RetrievalOptions { Method = RetrievalMethod.FixedPoint, MaxIterations = maxIterations });

    /// <summary>Theorem 1's single step x − η∇E(x) with η = Z(x); lands exactly on ξ_μ when B(x) = {μ}.</summary>
    public static RetrievalOutcome SingleStep(Energy energy, ReadOnlySpan<double> x0, Span<double> result) =>
        Retrieve(energy, x0, result, new RetrievalOptions { Method = RetrievalMethod.SingleStep });

    private static void RequireKernelFor(Energy energy, RetrievalMethod method)
    {
        if (method != RetrievalMethod.GradientDescent && !energy.IsLsr)
            throw new ArgumentException(
                $"method {method} is exact only for the LSR (epanechnikov) energy; this energy's kernel is '{energy.Kernel.Name}'. Use gradient descent.",
                nameof(method));
    }

    private static RetrievalOutcome RetrieveOne(Energy energy, ReadOnlySpan<double> x0, Span<double> x, RetrievalOptions o, Workspace ws) =>
        o.Method switch
        {
            RetrievalMethod.FixedPoint => FixedPointCore(energy, x0, x, o.MaxIterations, ws),
            RetrievalMethod.GradientDescent => GradientDescentCore(energy, x0, x, o, ws),
            _ => SingleStepCore(energy, x0, x, o, ws),
        };

    private static RetrievalOutcome FixedPointCore(Energy energy, ReadOnlySpan<double> x0, Span<double> x, int maxIterations, Workspace ws)
    {
        x0.CopyTo(x);
        var current = ws.SupportA;
        var previous = ws.SupportB;
        previous.Clear();
        for (int it = 0; it <= maxIterations; it++)
        {
            energy.SupportCore(x, current);
            if (current.Count == 0)
                return new RetrievalOutcome(RetrievalStatus.Unsupported, it, 0, null);
            if (it > 0 && SameMembers(current, previous))
                return new RetrievalOutcome(RetrievalStatus.Converged, it, current.Count, 0.0);
            if (it == maxIterations) break;
            Centroid(energy.Patterns, current, x);
            (current, previous) = (previous, current);
        }
        var g = energy.GradientCore(x, ws.Gradient, ws.Scratch);
        return new RetrievalOutcome(RetrievalStatus.NotConverged, maxIterations, g.SupportSize, g.IsSupported ? g.Norm : null);
    }

    private static RetrievalOutcome GradientDescentCore(Energy energy, ReadOnlySpan<double> x0, Span<double> x, RetrievalOptions o, Workspace ws)
    {
        x0.CopyTo(x);
        var grad = ws.Gradient;
        for (int t = 0; ; t++)
        {
            var g = energy.GradientCore(x, grad, ws.Scratch);
            if (!g.IsSupported)
                return new RetrievalOutcome(RetrievalStatus.Unsupported, t, 0, null);
            bool small = g.Norm < o.Tolerance;
            if ((small && o.EarlyStop) || t == o.MaxIterations)
                return new RetrievalOutcome(small ? RetrievalStatus.Converged : RetrievalStatus.NotConverged, t, g.SupportSize, g.Norm);
            double alpha = o.Schedule.Rate(t);
            for (int i = 0; i < x.Length; i++) x[i] -= alpha * grad[i];
        }
    }

    private static RetrievalOutcome SingleStepCore(Energy energy, ReadOnlySpan<double> x0, Span<double> x, RetrievalOptions o, Workspace ws)
    {
        x0.CopyTo(x);
        var sums = energy.Accumulate(x0, ws.Scratch, withGradient: true);
        if (!sums.Supported || sums.W == 0)
            return new RetrievalOutcome(RetrievalStatus.Unsupported, 0, sums.Count, null);
        // x − η∇E(x) = x − (η/Z)·W·(x − m) = m + (1 − k)(x − m) with k = W·η/Z and η = Z: when |B(x)| = 1,
        // k is exactly 1 and the step lands on m = ξ_μ bitwise, as Theorem 1 states.
        double eta = sums.Z;
        double k = sums.W * (eta / sums.Z);
        var acc = ws.Scratch.WeightedSum;
        for (int i = 0; i < x.Length; i++)
        {
            double m = acc[i] / sums.W;
            x[i] = m + (1 - k) * (x0[i] - m);
        }
        var g = energy.GradientCore(x, ws.Gradient, ws.Scratch);
        if (!g.IsSupported)
            return new RetrievalOutcome(RetrievalStatus.Unsupported, 1, 0, null);
        return new RetrievalOutcome(g.Norm <= o.Tolerance ? RetrievalStatus.Converged : RetrievalStatus.NotConverged, 1, g.SupportSize, g.Norm);
    }

    /// <summary>
    /// Algorithm 1 for all queries in step: each round one batched exact support pass for the distinct points still
    /// moving (queries whose points coincide bit for bit share one pass and one centroid: the next point is a
    /// function of the current one), then the per-query rules of <see cref="FixedPointCore"/>, so every query gets
    /// exactly its one-query result. On the small-d exact paths the pass gives each point's |B(z)| and Σ_{μ∈B(z)} ξ_μ
    /// (in increasing μ) directly, without neighbour lists; elsewhere it sums the CSR lists of a radius search.
    /// </summary>
    /// <remarks>
    /// "S repeats" is tested as "the new centroid equals the current point bitwise": z_t = mean(S_{t−1}), so
    /// S_t = S_{t−1} gives mean(S_t) = z_t, and mean(S_t) = z_t gives S_{t+1} = B(z_t) = S_t. The two tests differ
    /// only if two different sets S_t ≠ S_{t−1} have bitwise the same float mean; z_t is then a fixed point all the
    /// same (the point is unchanged), and this reports convergence one round earlier than the set comparison would.
    /// </remarks>
    private static void FixedPointLockstep(Energy energy, Matrix queries, Matrix points, RetrievalOutcome[] outcomes, RetrievalOptions o)
    {
        int q = queries.Rows, d = queries.Columns;
        Array.Copy(queries.Data, points.Data, queries.Data.Length);
        var active = Enumerable.Range(0, q).ToList();
        var po = Energy.Options(o.MaxThreads);
        var index = energy.Index;
        for (int it = 0; it <= o.MaxIterations && active.Count > 0; it++)
        {
            var (rowOf, reps) = DistinctRows(points, active);
            var batch = new double[reps.Count * d];
            for (int k = 0; k < reps.Count; k++) points.Row(reps[k]).CopyTo(batch.AsSpan(k * d, d));
            var reps64 = new Distances.PointSet<double>(batch, reps.Count, d);
            // Centroid numerators Σ_{μ∈S} ξ_μ (increasing μ) and |S| of every distinct point.
            var sums = new double[reps.Count * d];
            var counts = new int[reps.Count];
            if (index.HasSupportSums) index.SupportSums(reps64, energy.RadiusSquared, sums, counts, po);
            else
            {
                var csr = index.Search(reps64, energy.RadiusSquared);
                Parallel.For(0, reps.Count, po, k =>
                {
                    var c = sums.AsSpan(k * d, d);
                    foreach (int mu in csr.Neighbors(k))
                    {
                        var xi = energy.Patterns[mu];
                        for (int j = 0; j < d; j++) c[j] += xi[j];
                    }
                    counts[k] = csr.Count(k);
                });
            }
            // The centroid and whether it repeats the current point, once per distinct point.
            var same = new bool[reps.Count];
            Parallel.For(0, reps.Count, po, k =>
            {
                if (counts[k] == 0) return;
                var c = sums.AsSpan(k * d, d);
                double n = counts[k];
                for (int j = 0; j < d; j++) c[j] /= n;
                same[k] = c.SequenceEqual(batch.AsSpan(k * d, d));
            });
            var done = new bool[active.Count];
            int iteration = it;
            Parallel.For(0, active.Count, po, a =>
            {
                int i = active[a], k = rowOf[a];
                if (counts[k] == 0)
                {
                    outcomes[i] = new RetrievalOutcome(RetrievalStatus.Unsupported, iteration, 0, null);
                    done[a] = true;
                    return;
                }
                if (iteration > 0 && same[k])
                {
                    outcomes[i] = new RetrievalOutcome(RetrievalStatus.Converged, iteration, counts[k], 0.0);
                    done[a] = true;
                    return;
                }
                if (iteration == o.MaxIterations) return;
                sums.AsSpan(k * d, d).CopyTo(points.Row(i));
            });
            if (it == o.MaxIterations)
            {
                var left = active.Where((_, a) => !done[a]).ToArray();
                Parallel.For(0, left.Length, po, () => new Workspace(energy), (k, _, ws) =>
                {
                    int i = left[k];
                    var g = energy.GradientCore(points.Row(i), ws.Gradient, ws.Scratch);
                    outcomes[i] = new RetrievalOutcome(RetrievalStatus.NotConverged, o.MaxIterations, g.SupportSize, g.IsSupported ? g.Norm : null);
                    return ws;
                }, ws => ws.Dispose());
                break;
            }
            active = active.Where((_, a) => !done[a]).ToList();
        }
    }

    /// <summary>Groups the active rows of <paramref name="points"/> by bitwise equality: row index per active query, one representative query per group.</summary>
    private static (int[] rowOf, List<int> reps) DistinctRows(Matrix points, List<int> active)
    {
        var rowOf = new int[active.Count];
        var reps = new List<int>();
        var byHash = new Dictionary<ulong, List<int>>();
        for (int a = 0; a < active.Count; a++)
        {
            var x = points.Row(active[a]);
            ulong h = 14695981039346656037UL;
            foreach (double v in x) h = unchecked((h ^ (ulong)BitConverter.DoubleToInt64Bits(v)) * 1099511628211UL);
            if (!byHash.TryGetValue(h, out var group)) byHash[h] = group = new List<int>();
            int found = -1;
            foreach (int k in group)
            {
                if (points.Row(reps[k]).SequenceEqual(x)) { found = k; break; }
            }
            if (found < 0)
            {
                found = reps.Count;
                reps.Add(active[a]);
                group.Add(found);
            }
            rowOf[a] = found;
        }
        return (rowOf, reps);
    }

    /// <summary>
    /// LSE gradient descent for all queries in step: each step one fused softmax-mean pass (GEMM tiles, online
    /// softmax) for the points still moving, then the same per-query rules as <see cref="GradientDescentCore"/>.
    /// </summary>
    private static void LseGradientDescentLockstep(Energy energy, Matrix queries, Matrix points, RetrievalOutcome[] outcomes, RetrievalOptions o)
    {
        int q = queries.Rows, d = queries.Columns;
        if (d <= LseDescent.MaxDimension)
        {
            LseDescent.Run(energy, queries, points, outcomes, o);
            return;
        }
        Array.Copy(queries.Data, points.Data, queries.Data.Length);
        var active = Enumerable.Range(0, q).ToArray();
        var po = Energy.Options(o.MaxThreads);
        Matrix batch = new(0, d), grads = new(0, d);
        for (int t = 0; active.Length > 0; t++)
        {
            // Buffers are reallocated only when queries drop out, not every step.
            if (batch.Rows != active.Length)
            {
                batch = new Matrix(active.Length, d);
                grads = new Matrix(active.Length, d);
            }
            for (int a = 0; a < active.Length; a++) points.Row(active[a]).CopyTo(batch.Row(a));
            var info = energy.LseGradientBatchFused(batch, grads, o.MaxThreads);
            var done = new bool[active.Length];
            double alpha = o.Schedule.Rate(t);
            int step = t;
            Parallel.For(0, active.Length, po, a =>
            {
                int i = active[a];
                var g = info[a];
                if (!g.IsSupported)
                {
                    outcomes[i] = new RetrievalOutcome(RetrievalStatus.Unsupported, step, 0, null);
                    done[a] = true;
                    return;
                }
                bool small = g.Norm < o.Tolerance;
                if ((small && o.EarlyStop) || step == o.MaxIterations)
                {
                    outcomes[i] = new RetrievalOutcome(small ? RetrievalStatus.Converged : RetrievalStatus.NotConverged, step, g.SupportSize, g.Norm);
                    done[a] = true;
                    return;
                }
                var x = points.Row(i);
                var gr = grads.Row(a);
                for (int k = 0; k < d; k++) x[k] -= alpha * gr[k];
            });
            active = active.Where((_, a) => !done[a]).ToArray();
        }
    }

    /// <summary>c_S = (Σ_{μ∈S} ξ_μ)/|S|, summed in increasing μ: the same numerator the gradient uses.</summary>
    internal static void Centroid(StoredPatterns patterns, List<int> members, Span<double> c)
    {
        c.Clear();
        foreach (int mu in members)
        {
            var xi = patterns[mu];
            for (int i = 0; i < c.Length; i++) c[i] += xi[i];
        }
        double n = members.Count;
        for (int i = 0; i < c.Length; i++) c[i] /= n;
    }

    private static bool SameMembers(List<int> a, List<int> b)
    {
        if (a.Count != b.Count) return false;
        for (int i = 0; i < a.Count; i++) if (a[i] != b[i]) return false;
        return true;
    }

    private sealed class Workspace : IDisposable
    {
        public Workspace(Energy e)
        {
            Scratch = new Energy.Scratch(e.Patterns.Count, e.Dimension);
            Gradient = new double[e.Dimension];
        }

        public Energy.Scratch Scratch { get; }
        public double[] Gradient { get; }
        public List<int> SupportA { get; } = new();
        public List<int> SupportB { get; } = new();
        public void Dispose() => Scratch.Dispose();
    }
}
