using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DenseAm.Retrieval;

/// <summary>
/// Gradient descent on the LSE energy (ε = 0 or &gt; 0) for many starts at once when d is small: one start per SIMD
/// lane, the whole descent of a lane run inside the kernel (no per-step pass over the batch), and a lane that
/// finishes is refilled at once with the next start, so the cost is the sum of the steps taken, not the slowest
/// start's steps times the batch. Each start's trajectory is computed by the same lane arithmetic whatever lane,
/// thread or neighbours it has, so results do not depend on the thread count or the batch.
/// </summary>
/// <remarks>
/// <para>Coordinates are shifted by the patterns' centroid c (the gradient is translation-equivariant), so the
/// scores s_μ = ‖ξ_μ − c‖²/2 − ⟨x − c, ξ_μ − c⟩ = (‖x − ξ_μ‖² − ‖x − c‖²)/2 are sums of small terms: one FMA per
/// (pattern, coordinate). One step at x: w_μ = exp(−β(s_μ − min s)), m = Σ w_μ ξ_μ / Σ w_μ,
/// ∇E(x) = (x − m)/(1 + ε·e^{−lse}) with lse = log Σ exp(−(β/2)‖x − ξ_μ‖²); then the stop rules of one-query
/// descent (‖∇E‖ &lt; tol, or the cap), else x ← x − α_t ∇E(x).</para>
/// <para>With <see cref="RetrievalOptions.NewtonBelow"/> = s &gt; 0 (and ε = 0), a start first descends in float32 —
/// the precision the authors' own runs used throughout — while ‖∇E‖ ≥ s, where float32's rounding is far below the
/// gradient; then Newton's method (float64) solves ∇E = 0 from there, but only when the descent provably would
/// have converged to that same minimum before the cap: the Hessian I − β·Cov_w is ⪰ μI at the hand-over point and at
/// the minimum, with μ large enough that the remaining steps contract the distance below tol/10
/// (exp(−μ·Σ_{t' ≥ t} α_t')·‖x_t − x*‖ &lt; tol/10). Otherwise the start continues with the float64 trajectory of
/// plain descent, computed in float32 lanes about float64 anchors (<see cref="Tail"/>; it agrees with float64 lanes
/// to about 1e-10 per step).</para>
/// </remarks>
internal static class LseDescent
{
    /// <summary>Dimensions up to this use the lane kernel; above it the GEMM-tiled fused softmax mean is faster.</summary>
    public const int MaxDimension = 64;

    /// <summary>Steps up to this have their rates tabulated once instead of recomputing the schedule per lane and step.</summary>
    private const int MaxTabulatedSteps = 1 << 20;

    /// <summary>2^−23, the spacing of float32 numbers in [1, 2).</summary>
    private const double Float32Epsilon = 1.0 / (1 << 23);

    private const byte Running = 0, Converged = 1, Capped = 2, Handoff = 3;

    public static void Run(Energy energy, Matrix queries, Matrix points, RetrievalOutcome[] outcomes, RetrievalOptions o) =>
        Run(energy, queries, points, outcomes, o, anchoredTail: true);

    /// <summary>As <see cref="Run(Energy, Matrix, Matrix, RetrievalOutcome[], RetrievalOptions)"/>; <paramref name="anchoredTail"/> = false runs the float64 tail in float64 lanes (the definition the anchored tail is tested against).</summary>
    internal static void Run(Energy energy, Matrix queries, Matrix points, RetrievalOutcome[] outcomes, RetrievalOptions o, bool anchoredTail)
    {
        int q = queries.Rows;
        if (q == 0) return;
        var model = new Model(energy, o);
        int d = model.D;
        var x = new double[q * d];
        double scale = model.Scale;
        for (int i = 0; i < q; i++)
            for (int k = 0; k < d; k++)
            {
                double v = queries[i, k] - model.Centre[k];
                x[i * d + k] = v;
                scale = Math.Max(scale, Math.Abs(v));
            }
        var steps = new int[q];
        var norms = new double[q];
        var state = new byte[q];
        var all = Enumerable.Range(0, q).ToArray();
        double newton = energy.Epsilon == 0 ? o.NewtonBelow : 0;
        if (newton > 0)
        {
            // float32 only while its rounding (a few ulps of the coordinates' scale) is far below the gradient.
            if (newton >= 256 * scale * Float32Epsilon)
                Lanes<float>(model, o, x, steps, norms, state, all, newton);
            else
                Lanes<double>(model, o, x, steps, norms, state, all, newton);
            var handed = all.Where(i => state[i] == Handoff).ToArray();
            Parallel.For(0, handed.Length, Energy.Options(o.MaxThreads), () => new NewtonWork(model), (h, _, work) =>
            {
                int i = handed[h];
                if (work.Solve(x.AsSpan(i * d, d), steps[i], out double norm))
                {
                    state[i] = Converged;
                    norms[i] = norm;
                }
                else state[i] = Running;
                return work;
            }, _ => { });
            var rest = all.Where(i => state[i] == Running).ToArray();
            if (anchoredTail) Tail(model, o, x, steps, norms, state, rest);
            else Lanes<double>(model, o, x, steps, norms, state, rest, 0);
        }
        else Lanes<double>(model, o, x, steps, norms, state, all, 0);
        for (int i = 0; i < q; i++)
        {
            outcomes[i] = new RetrievalOutcome(state[i] == Converged ? RetrievalStatus.Converged : RetrievalStatus.NotConverged,
                steps[i], model.M, norms[i]);
            var row = points.Row(i);
            for (int k = 0; k < d; k++) row[k] = x[i * d + k] + model.Centre[k];
        }
    }

    /// <summary>Runs the starts <paramref name="work"/> from (x, steps) in element type <typeparamref name="T"/> until each converges, hits the cap, or (handoff &gt; 0) has ‖∇E‖ &lt; handoff.</summary>
    private static void Lanes<T>(Model model, RetrievalOptions o, double[] x, int[] steps, double[] norms, byte[] state, int[] work, double handoff)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var job = new Job(model, o, x, steps, norms, state, work, handoff);
        Spread<T>(job, take =>
        {
            if (typeof(T) == typeof(float))
            {
                if (Vector512.IsHardwareAccelerated) Worker<float, Pair<Vector512<float>>, PairLanes<Vector512<float>, float, Lanes512<float>>>(job, model.Single, take);
                else if (Vector256.IsHardwareAccelerated) Worker<float, Vector256<float>, Lanes256<float>>(job, model.Single, take);
                else Worker<float, Vector128<float>, Lanes128<float>>(job, model.Single, take);
            }
            else
            {
                if (Vector512.IsHardwareAccelerated) Worker<double, Pair<Vector512<double>>, PairLanes<Vector512<double>, double, Lanes512<double>>>(job, model.Double, take);
                else if (Vector256.IsHardwareAccelerated) Worker<double, Vector256<double>, Lanes256<double>>(job, model.Double, take);
                else Worker<double, Vector128<double>, Lanes128<double>>(job, model.Double, take);
            }
        });
    }

    /// <summary>
    /// Runs <paramref name="worker"/> on as many threads as the job's starts can fill (one lane group of
    /// <typeparamref name="T"/> each), handing starts out one at a time from a shared counter: which worker or lane
    /// takes a start changes nothing in its result.
    /// </summary>
    private static void Spread<T>(Job job, Action<Func<int>> worker) where T : unmanaged
    {
        if (job.Work.Length == 0) return;
        int next = -1;
        int width = (Vector512.IsHardwareAccelerated ? 128 : Vector256.IsHardwareAccelerated ? 32 : 16) / Unsafe.SizeOf<T>();
        int threads = job.O.MaxThreads > 0 ? job.O.MaxThreads : Environment.ProcessorCount;
        int workers = Math.Max(1, Math.Min(threads, (job.Work.Length + width - 1) / width));
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, _ => worker(() => Interlocked.Increment(ref next)));
    }

    /// <summary>The patterns centred on their centroid, with half squared norms, in one element type.</summary>
    private sealed class Typed<T>(T[] patterns, T[] halfNorms, T[] rates)
    {
        public T[] Patterns { get; } = patterns;
        public T[] HalfNorms { get; } = halfNorms;
        public T[] Rates { get; } = rates;
    }

    private sealed class Model
    {
        public Model(Energy energy, RetrievalOptions o)
        {
            M = energy.Patterns.Count;
            D = energy.Dimension;
            Beta = energy.Beta;
            Epsilon = energy.Epsilon;
            Options = o;
            Centre = new double[D];
            var raw = energy.Patterns.Data;
            for (int j = 0; j < M; j++)
                for (int k = 0; k < D; k++) Centre[k] += raw[j * D + k];
            for (int k = 0; k < D; k++) Centre[k] /= M;
            Patterns = new double[M * D];
            var half = new double[M];
            for (int j = 0; j < M; j++)
            {
                double n2 = 0;
                for (int k = 0; k < D; k++)
                {
                    double v = raw[j * D + k] - Centre[k];
                    Patterns[j * D + k] = v;
                    Scale = Math.Max(Scale, Math.Abs(v));
                    n2 += v * v;
                }
                half[j] = 0.5 * n2;
            }
            int tab = Math.Min(o.MaxIterations, MaxTabulatedSteps);
            var rates = new double[tab];
            for (int t = 0; t < tab; t++) rates[t] = o.Schedule.Rate(t);
            // Σ_{t' < t} α_t' for the Newton hand-over's contraction bound (only with a tabulated schedule).
            RateSums = new double[tab + 1];
            for (int t = 0; t < tab; t++) RateSums[t + 1] = RateSums[t] + rates[t];
            Double = new Typed<double>(Patterns, half, rates);
            Single = new Typed<float>(Array.ConvertAll(Patterns, v => (float)v), Array.ConvertAll(half, v => (float)v), Array.ConvertAll(rates, v => (float)v));
        }

        public int M { get; }
        public int D { get; }
        public double Beta { get; }
        public double Epsilon { get; }
        public RetrievalOptions Options { get; }
        public double[] Centre { get; }
        public double[] Patterns { get; }
        public double Scale { get; }
        public double[] RateSums { get; }
        public Typed<double> Double { get; }
        public Typed<float> Single { get; }
    }

    private sealed record Job(Model Model, RetrievalOptions O, double[] X, int[] Steps, double[] Norms, byte[] State, int[] Work, double Handoff);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Worker<T, TV, TL>(Job job, Typed<T> typed, Func<int> take)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : unmanaged where TL : ILanes<TV, T>
    {
        var model = job.Model;
        var o = job.O;
        int w = TL.Count, d = model.D, m = model.M;
        // Lane-major state: element k·w + lane holds coordinate k (centred) of the start in that lane.
        var x = new T[d * w];
        var g = new T[d * w];
        var u = new T[m * w];
        var norms = new T[w];
        var alphas = new T[w];
        var zs = new T[w];
        var lanes = new int[w];
        var steps = new int[w];
        var rates = typed.Rates;
        int live = 0;
        for (int l = 0; l < w; l++)
        {
            lanes[l] = Load(job, x, steps, w, l, take());
            if (lanes[l] >= 0) live++;
        }
        double tol = o.Tolerance;
        while (live > 0)
        {
            GradientLanes<T, TV, TL>(model, typed, x, g, u, zs);
            ScaledNorms<T, TV, TL>(g, d, norms);
            for (int l = 0; l < w; l++)
            {
                alphas[l] = T.Zero;
                int i = lanes[l];
                if (i < 0) continue;
                int t = steps[l];
                double norm = double.CreateTruncating(norms[l]);
                bool small = norm < tol;
                byte end = small && o.EarlyStop ? Converged : t == o.MaxIterations ? Capped : norm < job.Handoff ? Handoff : Running;
                if (end != Running)
                {
                    job.State[i] = end;
                    job.Steps[i] = t;
                    job.Norms[i] = norm;
                    for (int k = 0; k < d; k++) job.X[i * d + k] = double.CreateTruncating(x[k * w + l]);
                    lanes[l] = Load(job, x, steps, w, l, take());
                    for (int k = 0; k < d; k++) g[k * w + l] = T.Zero;
                    if (lanes[l] < 0) live--;
                    continue;
                }
                alphas[l] = t < rates.Length ? rates[t] : T.CreateTruncating(o.Schedule.Rate(t));
                steps[l] = t + 1;
            }
            // x ← x − α∇E(x) lane by lane (α = 0 leaves a refilled or idle lane unchanged).
            var a = TL.Load(alphas, 0);
            var xs = System.Runtime.InteropServices.MemoryMarshal.Cast<T, TV>(x.AsSpan());
            var gs = System.Runtime.InteropServices.MemoryMarshal.Cast<T, TV>(g.AsSpan());
            for (int k = 0; k < d; k++) xs[k] = TL.Sub(xs[k], TL.Mul(a, gs[k]));
        }
    }

    /// <summary>
    /// The float64 tail (starts Newton did not finish), run in float32 lanes about an anchor: each lane keeps a float64
    /// anchor a with g(a), m(a) and the softmax p(a) computed in float64, and steps δ = x − a in float32. Since the
    /// scores are linear in x, the weights at x are p_μ·e^{β⟨δ, ξ_μ − m(a)⟩} up to a common factor, so
    /// ∇E(x) = g(a) + δ − N/(1 + Q) with q_μ = p_μ·expm1(β⟨δ, ξ_μ − m(a)⟩), Q = Σ q_μ, N = Σ q_μ (ξ_μ − m(a)):
    /// every float32 term is proportional to δ or to g(a), so its rounding is about 2^−24 of those (about 1e-10 here),
    /// not of the coordinates; δ is summed with compensation, and the lane re-anchors (in float64) before ‖δ‖ exceeds
    /// <see cref="TailDelta"/> or β‖δ‖·max‖ξ − m(a)‖ exceeds 1/4. Twice the lanes of float64 for the same trajectory.
    /// </summary>
    private static void Tail(Model model, RetrievalOptions o, double[] x, int[] steps, double[] norms, byte[] state, int[] work)
    {
        var job = new Job(model, o, x, steps, norms, state, work, 0);
        Spread<float>(job, take =>
        {
            if (Vector512.IsHardwareAccelerated) TailWorker<Pair<Vector512<float>>, PairLanes<Vector512<float>, float, Lanes512<float>>>(job, take);
            else if (Vector256.IsHardwareAccelerated) TailWorker<Vector256<float>, Lanes256<float>>(job, take);
            else TailWorker<Vector128<float>, Lanes128<float>>(job, take);
        });
    }

    /// <summary>Largest ‖δ‖ between re-anchorings of the tail: float32 rounding of δ-sized terms stays near 1e-10.</summary>
    private const double TailDelta = 1e-3;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void TailWorker<TV, TL>(Job job, Func<int> take) where TV : unmanaged where TL : ILanes<TV, float>
    {
        var model = job.Model;
        var o = job.O;
        int w = TL.Count, d = model.D, m = model.M;
        var tail = new TailLanes(model, w);
        var g = new float[d * w];
        var u = new float[m * w];
        var norms = new float[w];
        var spread = new float[w];
        var alphas = new float[w];
        var lanes = new int[w];
        var steps = new int[w];
        var rates = model.Single.Rates;
        int live = 0;
        for (int l = 0; l < w; l++)
        {
            lanes[l] = tail.Load(job, steps, l, take());
            if (lanes[l] >= 0) live++;
        }
        double tol = o.Tolerance;
        fixed (float* xi = model.Single.Patterns, pd = tail.Delta, pc = tail.Carry, pga = tail.GradientAt, pma = tail.MeanAt, pp = tail.Weights, pg = g, pu = u)
        {
            TV* ds = (TV*)pd, cs = (TV*)pc, gas = (TV*)pga, mas = (TV*)pma, ps = (TV*)pp, gs = (TV*)pg, us = (TV*)pu;
            var beta = TL.Splat((float)model.Beta);
            while (live > 0)
            {
                // ∇E at a + δ: c = ⟨δ, m(a)⟩, z_μ = β(⟨δ, ξ_μ⟩ − c), q_μ = p_μ·expm1(z_μ).
                TV c = default;
                for (int k = 0; k < d; k++) c = TL.Fma(ds[k], mas[k], c);
                var bc = TL.Mul(beta, c);
                Dots<float, TV, TL>(xi, m, d, ds, us);
                TV q = default;
                for (int j = 0; j < m; j++)
                {
                    var qj = TL.Mul(ps[j], LaneExp.Expm1<TV, TL>(TL.Sub(TL.Mul(beta, us[j]), bc)));
                    us[j] = qj;
                    q = TL.Add(q, qj);
                }
                Sums<float, TV, TL>(xi, m, d, us, gs);
                var den = TL.Add(TL.Splat(1f), q);
                for (int k = 0; k < d; k++) gs[k] = TL.Add(gas[k], TL.Sub(ds[k], TL.Div(TL.Sub(gs[k], TL.Mul(mas[k], q)), den)));
                ScaledNorms<float, TV, TL>(g, d, norms);
                for (int l = 0; l < w; l++)
                {
                    alphas[l] = 0;
                    int i = lanes[l];
                    if (i < 0) continue;
                    int t = steps[l];
                    double norm = norms[l];
                    byte end = norm < tol && o.EarlyStop ? Converged : t == o.MaxIterations ? Capped : Running;
                    if (end != Running)
                    {
                        job.State[i] = end;
                        job.Steps[i] = t;
                        job.Norms[i] = norm;
                        tail.Store(job, l, i);
                        lanes[l] = tail.Load(job, steps, l, take());
                        if (lanes[l] < 0) live--;
                        continue;
                    }
                    alphas[l] = t < rates.Length ? rates[t] : (float)o.Schedule.Rate(t);
                    steps[l] = t + 1;
                }
                // δ ← δ − α∇E, summed with compensation (Kahan): the carry holds what float32 δ lost.
                var a = TL.Load(alphas, 0);
                TV n2 = default;
                for (int k = 0; k < d; k++)
                {
                    var y = TL.Sub(TL.Mul(TL.Sub(default, a), gs[k]), cs[k]);
                    var sum = TL.Add(ds[k], y);
                    cs[k] = TL.Sub(TL.Sub(sum, ds[k]), y);
                    ds[k] = sum;
                    n2 = TL.Fma(sum, sum, n2);
                }
                TL.Store(n2, spread);
                for (int l = 0; l < w; l++)
                    if (lanes[l] >= 0 && spread[l] > tail.Limit[l]) tail.Anchor(l);
            }
        }
    }

    /// <summary>The per-lane anchors of the tail kernel, lane-major like the kernel's state.</summary>
    private sealed class TailLanes
    {
        private readonly Model _model;
        private readonly int _w;
        private readonly double[] _scores;
        private readonly double[] _mean;

        public TailLanes(Model model, int w)
        {
            _model = model;
            _w = w;
            int d = model.D, m = model.M;
            At = new double[d * w];
            Delta = new float[d * w];
            Carry = new float[d * w];
            GradientAt = new float[d * w];
            MeanAt = new float[d * w];
            Weights = new float[m * w];
            Limit = new float[w];
            _scores = new double[m];
            _mean = new double[d];
        }

        public double[] At { get; }
        public float[] Delta { get; }
        public float[] Carry { get; }
        public float[] GradientAt { get; }
        public float[] MeanAt { get; }
        public float[] Weights { get; }
        public float[] Limit { get; }

        /// <summary>Puts the next start into lane <paramref name="l"/> and anchors it there, or parks the lane at the centre.</summary>
        public int Load(Job job, int[] steps, int l, int n)
        {
            bool real = n < job.Work.Length;
            int i = real ? job.Work[n] : -1;
            int d = _model.D;
            for (int k = 0; k < d; k++)
            {
                At[k * _w + l] = real ? job.X[i * d + k] : 0;
                Delta[k * _w + l] = 0;
                Carry[k * _w + l] = 0;
            }
            steps[l] = real ? job.Steps[i] : 0;
            Anchor(l);
            return i;
        }

        /// <summary>Writes lane <paramref name="l"/>'s point a + δ back as start <paramref name="i"/>.</summary>
        public void Store(Job job, int l, int i)
        {
            int d = _model.D;
            for (int k = 0; k < d; k++) job.X[i * d + k] = At[k * _w + l] + ((double)Delta[k * _w + l] - Carry[k * _w + l]);
        }

        /// <summary>Moves lane <paramref name="l"/>'s anchor to a + δ and recomputes p, m and g there in float64.</summary>
        public void Anchor(int l)
        {
            int d = _model.D, m = _model.M, w = _w;
            var xi = _model.Patterns;
            double beta = _model.Beta;
            for (int k = 0; k < d; k++)
            {
                At[k * w + l] += (double)Delta[k * w + l] - Carry[k * w + l];
                Delta[k * w + l] = 0;
                Carry[k * w + l] = 0;
            }
            double smin = double.PositiveInfinity;
            var half = _model.Double.HalfNorms;
            for (int j = 0; j < m; j++)
            {
                double dot = 0;
                for (int k = 0; k < d; k++) dot += At[k * w + l] * xi[j * d + k];
                _scores[j] = half[j] - dot;
                smin = Math.Min(smin, _scores[j]);
            }
            double z = 0;
            for (int j = 0; j < m; j++) z += _scores[j] = Math.Exp(-beta * (_scores[j] - smin));
            Array.Clear(_mean);
            for (int j = 0; j < m; j++)
            {
                double p = _scores[j] / z;
                // Weights below 2^−100 of the total are set to 0 rather than stored as float32 subnormals (slow to
                // compute with); with |z_μ| ≤ 1/4 they stay below 1e-30 of the sum, invisible either way.
                Weights[j * w + l] = p < 7.9e-31 ? 0f : (float)p;
                for (int k = 0; k < d; k++) _mean[k] += p * xi[j * d + k];
            }
            double spread = 0;
            for (int j = 0; j < m; j++)
            {
                double r2 = 0;
                for (int k = 0; k < d; k++) r2 += (xi[j * d + k] - _mean[k]) * (xi[j * d + k] - _mean[k]);
                spread = Math.Max(spread, r2);
            }
            for (int k = 0; k < d; k++)
            {
                MeanAt[k * w + l] = (float)_mean[k];
                GradientAt[k * w + l] = (float)(At[k * w + l] - _mean[k]);
            }
            // |z_μ| ≤ β‖δ‖·‖ξ_μ − m(a)‖ ≤ 1/4 keeps every e^{z} in [0.77, 1.3]: no weight can grow past its float32 rounding.
            double limit = Math.Min(TailDelta, 0.25 / (beta * Math.Sqrt(spread) + 1e-300));
            Limit[l] = (float)(limit * limit);
        }
    }

    /// <summary>Puts the next start of the job (its point and step count) into lane <paramref name="l"/>, or the centre as an idle lane when none is left.</summary>
    private static int Load<T>(Job job, T[] x, int[] steps, int w, int l, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool real = n < job.Work.Length;
        int i = real ? job.Work[n] : -1;
        int d = job.Model.D;
        for (int k = 0; k < d; k++) x[k * w + l] = real ? T.CreateTruncating(job.X[i * d + k]) : T.Zero;
        steps[l] = real ? job.Steps[i] : 0;
        return i;
    }

    /// <summary>∇E at every lane's point, written lane-major to <paramref name="g"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void GradientLanes<T, TV, TL>(Model s, Typed<T> typed, T[] x, T[] g, T[] u, T[] zs)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : unmanaged where TL : ILanes<TV, T>
    {
        int m = s.M, d = s.D;
        fixed (T* xi = typed.Patterns, hn = typed.HalfNorms, px = x, pg = g, pu = u)
        {
            TV* xs = (TV*)px, gs = (TV*)pg, us = (TV*)pu;
            Dots<T, TV, TL>(xi, m, d, xs, us);
            var smin = TL.Splat(T.PositiveInfinity);
            for (int j = 0; j < m; j++)
            {
                var a = us[j] = TL.Sub(TL.Splat(hn[j]), us[j]);
                smin = TL.Min(smin, a);
            }
            // The softmax weights, shifted by min s so the largest is exactly 1: Σ w ≥ 1, no overflow or 0/0.
            var nb = TL.Splat(T.CreateTruncating(-s.Beta));
            TV z = default;
            for (int j = 0; j < m; j++)
            {
                var wj = LaneExp.Exp<T, TV, TL>(TL.Mul(TL.Sub(us[j], smin), nb));
                us[j] = wj;
                z = TL.Add(z, wj);
            }
            Sums<T, TV, TL>(xi, m, d, us, gs);
            if (s.Epsilon > 0)
            {
                // 1 + ε·e^{−lse} per lane, lse = −β·min s − ‖x − c‖²β/2 + log Σ w.
                for (int l = 0; l < TL.Count; l++)
                {
                    double xn = 0;
                    for (int k = 0; k < d; k++) xn += double.CreateTruncating(x[k * TL.Count + l]) * double.CreateTruncating(x[k * TL.Count + l]);
                    zs[l] = T.CreateTruncating(1 + s.Epsilon * (Math.Exp(s.Beta * (double.CreateTruncating(TL.Get(smin, l)) + 0.5 * xn)) / double.CreateTruncating(TL.Get(z, l))));
                }
                var scale = TL.Load(zs, 0);
                for (int k = 0; k < d; k++) gs[k] = TL.Div(TL.Sub(xs[k], TL.Div(gs[k], z)), scale);
            }
            else
            {
                for (int k = 0; k < d; k++) gs[k] = TL.Sub(xs[k], TL.Div(gs[k], z));
            }
        }
    }

    /// <summary>us[j] = ⟨x, ξ_j⟩ per lane for every pattern j (x lane-major in <paramref name="xs"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Dots<T, TV, TL>(T* xi, int m, int d, TV* xs, TV* us)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : unmanaged where TL : ILanes<TV, T>
    {
        int j = 0;
        // Eight patterns at a time: eight independent accumulation chains keep the FMA units busy.
        for (; j + 8 <= m; j += 8)
        {
            TV a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            T* r = xi + j * d;
            for (int k = 0; k < d; k++, r++)
            {
                var xk = xs[k];
                a0 = TL.Fma(xk, TL.Splat(r[0]), a0);
                a1 = TL.Fma(xk, TL.Splat(r[d]), a1);
                a2 = TL.Fma(xk, TL.Splat(r[2 * d]), a2);
                a3 = TL.Fma(xk, TL.Splat(r[3 * d]), a3);
                a4 = TL.Fma(xk, TL.Splat(r[4 * d]), a4);
                a5 = TL.Fma(xk, TL.Splat(r[5 * d]), a5);
                a6 = TL.Fma(xk, TL.Splat(r[6 * d]), a6);
                a7 = TL.Fma(xk, TL.Splat(r[7 * d]), a7);
            }
            us[j] = a0; us[j + 1] = a1; us[j + 2] = a2; us[j + 3] = a3;
            us[j + 4] = a4; us[j + 5] = a5; us[j + 6] = a6; us[j + 7] = a7;
        }
        for (; j < m; j++)
        {
            TV a0 = default;
            T* r0 = xi + j * d;
            for (int k = 0; k < d; k++) a0 = TL.Fma(xs[k], TL.Splat(r0[k]), a0);
            us[j] = a0;
        }
    }

    /// <summary>gs[k] = Σ_j us[j]·ξ_jk per lane, eight coordinates at a time (eight independent chains), then the rest one by one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Sums<T, TV, TL>(T* xi, int m, int d, TV* us, TV* gs)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : unmanaged where TL : ILanes<TV, T>
    {
        int k0 = 0;
        for (; k0 + 8 <= d; k0 += 8)
        {
            TV c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
            T* r = xi + k0;
            for (int j = 0; j < m; j++, r += d)
            {
                var wj = us[j];
                c0 = TL.Fma(wj, TL.Splat(r[0]), c0);
                c1 = TL.Fma(wj, TL.Splat(r[1]), c1);
                c2 = TL.Fma(wj, TL.Splat(r[2]), c2);
                c3 = TL.Fma(wj, TL.Splat(r[3]), c3);
                c4 = TL.Fma(wj, TL.Splat(r[4]), c4);
                c5 = TL.Fma(wj, TL.Splat(r[5]), c5);
                c6 = TL.Fma(wj, TL.Splat(r[6]), c6);
                c7 = TL.Fma(wj, TL.Splat(r[7]), c7);
            }
            gs[k0] = c0; gs[k0 + 1] = c1; gs[k0 + 2] = c2; gs[k0 + 3] = c3;
            gs[k0 + 4] = c4; gs[k0 + 5] = c5; gs[k0 + 6] = c6; gs[k0 + 7] = c7;
        }
        for (; k0 < d; k0++)
        {
            TV c0 = default;
            T* r = xi + k0;
            for (int j = 0; j < m; j++, r += d) c0 = TL.Fma(us[j], TL.Splat(r[0]), c0);
            gs[k0] = c0;
        }
    }

    /// <summary>‖g‖ per lane, scaled by max |g_k| so tiny gradients do not underflow to a norm of 0.</summary>
    private static void ScaledNorms<T, TV, TL>(T[] g, int d, T[] norms) where T : unmanaged, IFloatingPointIeee754<T> where TV : unmanaged where TL : ILanes<TV, T>
    {
        var gs = System.Runtime.InteropServices.MemoryMarshal.Cast<T, TV>(g.AsSpan());
        TV scale = default;
        for (int k = 0; k < d; k++) scale = TL.Max(scale, TL.Abs(gs[k]));
        var safe = TL.ZeroToOne(scale);
        TV sum = default;
        for (int k = 0; k < d; k++)
        {
            var t = TL.Div(gs[k], safe);
            sum = TL.Fma(t, t, sum);
        }
        TL.Store(TL.Mul(scale, TL.Sqrt(sum)), norms);
    }

    /// <summary>
    /// Newton's method on ∇E = 0 (LSE, ε = 0) from a hand-over point x_t, accepted only under the checks in the class
    /// remarks; each iteration refactors the Hessian (quadratic convergence in a few iterations).
    /// </summary>
    private sealed class NewtonWork(Model model)
    {
        private readonly double[] _u = new double[model.M];
        private readonly double[] _y = new double[model.D];
        private readonly double[] _g = new double[model.D];
        private readonly double[] _mean = new double[model.D];
        private readonly double[] _h = new double[model.D * model.D];
        private readonly double[] _l = new double[model.D * model.D];
        private readonly double[] _shifted = new double[model.D * model.D];
        private readonly double[] _delta = new double[model.D];
        private readonly double[] _x = new double[model.D];
        private readonly double[] _best = new double[model.D];

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public bool Solve(Span<double> x, int step, out double norm)
        {
            norm = 0;
            var o = model.Options;
            int d = model.D;
            if (!o.EarlyStop || step >= model.RateSums.Length - 1) return false;
            // Σ of the rates still to come (a schedule longer than the table only adds contraction, so this is safe).
            double remaining = model.RateSums[^1] - model.RateSums[step];
            x.CopyTo(_x);
            double g0 = Gradient(_x, true);
            if (!Cholesky(_h, _l, 0)) return false;
            Substitute(_l, _g, _delta);
            double step0 = Energy.ScaledNorm(_delta);
            // The descent contracts ‖x − x*‖ ≤ 2‖δ_0‖ by at least exp(−μ·Σα) when H ⪰ μI along the way (and H ⪯ I for ε = 0).
            double mu = Math.Max(1e-3, Math.Log(20 * step0 / o.Tolerance) / remaining);
            if (!(mu < 1) || !ShiftedPositiveDefinite(mu)) return false;
            double best = g0;
            _x.CopyTo(_best, 0);
            // Newton iterations, the Hessian refactored at each iterate: a chord (H(x_t) kept) converges only linearly, at a
            // rate ~ β²·‖x_t − x*‖ that is slow at large β, and a d×d factorisation costs less than the steps it saves.
            for (int it = 0; it < 30 && best > 1e-6 * o.Tolerance; it++)
            {
                for (int k = 0; k < d; k++) _x[k] -= _delta[k];
                double gn = Gradient(_x, true);
                if (!(gn < best)) break;
                best = gn;
                _x.CopyTo(_best, 0);
                if (!Cholesky(_h, _l, 0)) break;
                Substitute(_l, _g, _delta);
            }
            // Accept only a point far below the tolerance, close to the first Newton estimate, with H(x*) ⪰ μI too.
            if (!(best < 1e-3 * o.Tolerance)) return false;
            double moved = 0;
            for (int k = 0; k < d; k++) moved += (_best[k] - x[k]) * (_best[k] - x[k]);
            if (!(Math.Sqrt(moved) <= 2 * step0)) return false;
            Gradient(_best, true);
            if (!ShiftedPositiveDefinite(mu)) return false;
            _best.CopyTo(x);
            norm = best;
            return true;
        }

        /// <summary>∇E(x) = x − m(x) into _g (direct differences, float64), optionally H = I − β·Cov_w into _h; returns ‖∇E‖.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private double Gradient(double[] x, bool hessian)
        {
            int m = model.M, d = model.D;
            var xi = model.Patterns;
            double umin = double.PositiveInfinity;
            for (int j = 0; j < m; j++)
            {
                double s = 0;
                for (int k = 0; k < d; k++)
                {
                    double t = x[k] - xi[j * d + k];
                    s += t * t;
                }
                _u[j] = s;
                umin = Math.Min(umin, s);
            }
            double z = 0;
            Array.Clear(_mean);
            for (int j = 0; j < m; j++)
            {
                double w = Math.Exp(-0.5 * model.Beta * (_u[j] - umin));
                _u[j] = w;
                z += w;
                for (int k = 0; k < d; k++) _mean[k] += w * xi[j * d + k];
            }
            for (int k = 0; k < d; k++)
            {
                _mean[k] /= z;
                _g[k] = x[k] - _mean[k];
            }
            if (hessian)
            {
                // H = I − β·Σ_j p_j (ξ_j − m)(ξ_j − m)ᵀ as rank-one row updates, vectorised along each row.
                Array.Clear(_h);
                RankOneSum(xi, m, d, z);
                for (int a = 0; a < d; a++)
                {
                    var row = _h.AsSpan(a * d, d);
                    for (int b = 0; b < d; b++) row[b] = -model.Beta * row[b];
                    row[a] += 1;
                }
                // Symmetrise exactly (the rank-one sums are symmetric up to rounding order only).
                for (int a = 0; a < d; a++)
                    for (int b = 0; b < a; b++) _h[b * d + a] = _h[a * d + b];
            }
            return Energy.ScaledNorm(_g);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private unsafe void RankOneSum(double[] xi, int m, int d, double z)
        {
            int vw = Vector<double>.Count, full = d - d % vw;
            fixed (double* ph = _h, py = _y, pm = _mean, px = xi, pu = _u)
            {
                for (int j = 0; j < m; j++)
                {
                    double p = pu[j] / z;
                    double* r = px + j * d;
                    for (int a = 0; a < d; a++) py[a] = r[a] - pm[a];
                    for (int a = 0; a < d; a++)
                    {
                        double c = p * py[a];
                        var cv = new Vector<double>(c);
                        double* row = ph + a * d;
                        int b = 0;
                        for (; b < full; b += vw)
                            Vector.Store(Vector.FusedMultiplyAdd(cv, Vector.Load(py + b), Vector.Load(row + b)), row + b);
                        for (; b < d; b++) row[b] = Math.FusedMultiplyAdd(c, py[b], row[b]);
                    }
                }
            }
        }

        /// <summary>H ⪰ μI: the Cholesky factorisation of H − μI (into scratch) succeeds.</summary>
        private bool ShiftedPositiveDefinite(double mu) => Cholesky(_h, _shifted, mu);

        /// <summary>Lower Cholesky factor of the symmetric <paramref name="a"/> (in place allowed); false unless positive definite.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private bool Cholesky(double[] a, double[] l, double shift)
        {
            int d = model.D;
            if (!ReferenceEquals(a, l)) a.CopyTo(l, 0);
            for (int i = 0; i < d; i++)
            {
                for (int j = 0; j <= i; j++)
                {
                    double s = l[i * d + j] - (i == j ? shift : 0);
                    for (int k = 0; k < j; k++) s -= l[i * d + k] * l[j * d + k];
                    if (i == j)
                    {
                        if (!(s > 0)) return false;
                        l[i * d + i] = Math.Sqrt(s);
                    }
                    else l[i * d + j] = s / l[j * d + j];
                }
            }
            return true;
        }

        /// <summary>δ = (L Lᵀ)⁻¹ g.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Substitute(double[] l, double[] g, double[] delta)
        {
            int d = model.D;
            for (int i = 0; i < d; i++)
            {
                double s = g[i];
                for (int k = 0; k < i; k++) s -= l[i * d + k] * delta[k];
                delta[i] = s / l[i * d + i];
            }
            for (int i = d - 1; i >= 0; i--)
            {
                double s = delta[i];
                for (int k = i + 1; k < d; k++) s -= l[k * d + i] * delta[k];
                delta[i] = s / l[i * d + i];
            }
        }

    }
}

/// <summary>The lane arithmetic <see cref="LseDescent"/> needs, for one vector width and element type (the JIT specialises each).</summary>
internal interface ILanes<TV, T> where TV : unmanaged where T : unmanaged
{
    static abstract int Count { get; }
    static abstract TV Splat(T v);
    static abstract TV Load(T[] a, int at);
    static abstract void Store(TV v, Span<T> a);
    static abstract T Get(TV v, int lane);
    static abstract TV Add(TV a, TV b);
    static abstract TV Sub(TV a, TV b);
    static abstract TV Mul(TV a, TV b);
    static abstract TV Div(TV a, TV b);
    static abstract TV Fma(TV a, TV b, TV c);
    static abstract TV Min(TV a, TV b);
    static abstract TV Max(TV a, TV b);
    static abstract TV Abs(TV a);
    static abstract TV Sqrt(TV a);
    /// <summary>Lanes equal to 0 become 1, the others stay.</summary>
    static abstract TV ZeroToOne(TV a);

    /// <summary>p·2^n, where the low bits of <paramref name="shifted"/> hold the integer n (round-to-integer by a magic constant).</summary>
    static abstract TV ScaleByShifted(TV p, TV shifted);

    /// <summary><paramref name="value"/>, with lanes where <paramref name="t"/> &lt; <paramref name="limit"/> set to 0.</summary>
    static abstract TV ZeroBelow(TV value, TV t, TV limit);
}

/// <summary>
/// exp(t) for the softmax weights (t ≤ 0): t = n·ln2 + r with |r| ≤ ln2/2 (n rounded by the 1.5·2^p magic constant,
/// ln2 split in two for an exact reduction), e^r by its Taylor polynomial (degree 12 in float64, 7 in float32:
/// truncation below one ulp), then 2^n added to the exponent bits. Weights below e^−708 (float32: e^−87) are set to 0
/// rather than made subnormal; next to Σw ≥ 1 they are invisible either way. Inlined, unlike the library's Exp.
/// </summary>
internal static class LaneExp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Exp<T, TV, TL>(TV t) where T : unmanaged, IFloatingPointIeee754<T> where TV : unmanaged where TL : ILanes<TV, T>
    {
        if (typeof(T) == typeof(double))
        {
            var magic = TL.Splat(T.CreateTruncating(6755399441055744.0));
            var kb = TL.Fma(t, TL.Splat(T.CreateTruncating(1.4426950408889634)), magic);
            var n = TL.Sub(kb, magic);
            var r = TL.Fma(n, TL.Splat(T.CreateTruncating(-6.93147180369123816490e-01)), t);
            r = TL.Fma(n, TL.Splat(T.CreateTruncating(-1.90821492927058770002e-10)), r);
            var p = TL.Splat(T.CreateTruncating(1.0 / 479001600));
            p = TL.Fma(p, r, TL.Splat(T.CreateTruncating(1.0 / 39916800)));
            p = TL.Fma(p, r, TL.Splat(T.CreateTruncating(1.0 / 3628800)));
            p = TL.Fma(p, r, TL.Splat(T.CreateTruncating(1.0 / 362880)));
            p = TL.Fma(p, r, TL.Splat(T.CreateTruncating(1.0 / 40320)));
            p = TL.Fma(p, r, TL.Splat(T.CreateTruncating(1.0 / 5040)));
            p = TL.Fma(p, r, TL.Splat(T.CreateTruncating(1.0 / 720)));
            p = TL.Fma(p, r, TL.Splat(T.CreateTruncating(1.0 / 120)));
            p = TL.Fma(p, r, TL.Splat(T.CreateTruncating(1.0 / 24)));
            p = TL.Fma(p, r, TL.Splat(T.CreateTruncating(1.0 / 6)));
            p = TL.Fma(p, r, TL.Splat(T.CreateTruncating(0.5)));
            p = TL.Fma(p, r, TL.Splat(T.One));
            p = TL.Fma(p, r, TL.Splat(T.One));
            return TL.ZeroBelow(TL.ScaleByShifted(p, kb), t, TL.Splat(T.CreateTruncating(-708.0)));
        }
        else
        {
            var magic = TL.Splat(T.CreateTruncating(12582912.0f));
            var kb = TL.Fma(t, TL.Splat(T.CreateTruncating(1.44269504f)), magic);
            var n = TL.Sub(kb, magic);
            var r = TL.Fma(n, TL.Splat(T.CreateTruncating(-0.693359375f)), t);
            r = TL.Fma(n, TL.Splat(T.CreateTruncating(2.12194440e-4f)), r);
            var p = TL.Splat(T.CreateTruncating(1.0f / 5040));
            p = TL.Fma(p, r, TL.Splat(T.CreateTruncating(1.0f / 720)));
            p = TL.Fma(p, r, TL.Splat(T.CreateTruncating(1.0f / 120)));
            p = TL.Fma(p, r, TL.Splat(T.CreateTruncating(1.0f / 24)));
            p = TL.Fma(p, r, TL.Splat(T.CreateTruncating(1.0f / 6)));
            p = TL.Fma(p, r, TL.Splat(T.CreateTruncating(0.5f)));
            p = TL.Fma(p, r, TL.Splat(T.One));
            p = TL.Fma(p, r, TL.Splat(T.One));
            return TL.ZeroBelow(TL.ScaleByShifted(p, kb), t, TL.Splat(T.CreateTruncating(-87.0f)));
        }
    }
    /// <summary>
    /// e^t − 1 in float32 lanes, accurate relative to the result also for small |t| (where exp(t) − 1 would cancel):
    /// t = n·ln2 + r as in <see cref="Exp{T, TV, TL}"/>, expm1(r) by its Taylor polynomial (degree 8), then
    /// 2^n·expm1(r) + (2^n − 1), which is expm1(r) itself when n = 0. t is clamped to [−87, 88].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Expm1<TV, TL>(TV t) where TV : unmanaged where TL : ILanes<TV, float>
    {
        t = TL.Min(TL.Max(t, TL.Splat(-87f)), TL.Splat(88f));
        var magic = TL.Splat(12582912.0f);
        var kb = TL.Fma(t, TL.Splat(1.44269504f), magic);
        var n = TL.Sub(kb, magic);
        var r = TL.Fma(n, TL.Splat(-0.693359375f), t);
        r = TL.Fma(n, TL.Splat(2.12194440e-4f), r);
        var p = TL.Splat(1.0f / 40320);
        p = TL.Fma(p, r, TL.Splat(1.0f / 5040));
        p = TL.Fma(p, r, TL.Splat(1.0f / 720));
        p = TL.Fma(p, r, TL.Splat(1.0f / 120));
        p = TL.Fma(p, r, TL.Splat(1.0f / 24));
        p = TL.Fma(p, r, TL.Splat(1.0f / 6));
        p = TL.Fma(p, r, TL.Splat(0.5f));
        p = TL.Fma(TL.Mul(p, r), r, r);
        var s = TL.ScaleByShifted(TL.Splat(1f), kb);
        return TL.Fma(s, p, TL.Sub(s, TL.Splat(1f)));
    }
}

/// <summary>The lane arithmetic at 512 bits for float32 or float64 (the JIT specialises each; the float/double choices fold away).</summary>
internal readonly struct Lanes512<T> : ILanes<Vector512<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Count => Vector512<T>.Count;
    public static Vector512<T> Splat(T v) => Vector512.Create(v);
    public static Vector512<T> Load(T[] a, int at) => Vector512.Create<T>(a.AsSpan(at, Vector512<T>.Count));
    public static void Store(Vector512<T> v, Span<T> a) => v.CopyTo(a);
    public static T Get(Vector512<T> v, int lane) => v.GetElement(lane);
    public static Vector512<T> Add(Vector512<T> a, Vector512<T> b) => a + b;
    public static Vector512<T> Sub(Vector512<T> a, Vector512<T> b) => a - b;
    public static Vector512<T> Mul(Vector512<T> a, Vector512<T> b) => a * b;
    public static Vector512<T> Div(Vector512<T> a, Vector512<T> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Fma(Vector512<T> a, Vector512<T> b, Vector512<T> c) => typeof(T) == typeof(double)
        ? Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>()
        : Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
    public static Vector512<T> Min(Vector512<T> a, Vector512<T> b) => Vector512.Min(a, b);
    public static Vector512<T> Max(Vector512<T> a, Vector512<T> b) => Vector512.Max(a, b);
    public static Vector512<T> Abs(Vector512<T> a) => Vector512.Abs(a);
    public static Vector512<T> Sqrt(Vector512<T> a) => Vector512.Sqrt(a);
    public static Vector512<T> ZeroToOne(Vector512<T> a) => Vector512.ConditionalSelect(Vector512.Equals(a, Vector512<T>.Zero), Vector512<T>.One, a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> ScaleByShifted(Vector512<T> p, Vector512<T> shifted) => typeof(T) == typeof(double)
        ? (p.AsInt64() + Vector512.ShiftLeft(shifted.AsInt64(), 52)).As<long, T>()
        : (p.AsInt32() + Vector512.ShiftLeft(shifted.AsInt32(), 23)).As<int, T>();
    public static Vector512<T> ZeroBelow(Vector512<T> value, Vector512<T> t, Vector512<T> limit) =>
        Vector512.ConditionalSelect(Vector512.LessThan(t, limit), Vector512<T>.Zero, value);
}

/// <summary>The lane arithmetic at 256 bits for float32 or float64 (the JIT specialises each; the float/double choices fold away).</summary>
internal readonly struct Lanes256<T> : ILanes<Vector256<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Count => Vector256<T>.Count;
    public static Vector256<T> Splat(T v) => Vector256.Create(v);
    public static Vector256<T> Load(T[] a, int at) => Vector256.Create<T>(a.AsSpan(at, Vector256<T>.Count));
    public static void Store(Vector256<T> v, Span<T> a) => v.CopyTo(a);
    public static T Get(Vector256<T> v, int lane) => v.GetElement(lane);
    public static Vector256<T> Add(Vector256<T> a, Vector256<T> b) => a + b;
    public static Vector256<T> Sub(Vector256<T> a, Vector256<T> b) => a - b;
    public static Vector256<T> Mul(Vector256<T> a, Vector256<T> b) => a * b;
    public static Vector256<T> Div(Vector256<T> a, Vector256<T> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Fma(Vector256<T> a, Vector256<T> b, Vector256<T> c) => typeof(T) == typeof(double)
        ? Vector256.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>()
        : Vector256.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
    public static Vector256<T> Min(Vector256<T> a, Vector256<T> b) => Vector256.Min(a, b);
    public static Vector256<T> Max(Vector256<T> a, Vector256<T> b) => Vector256.Max(a, b);
    public static Vector256<T> Abs(Vector256<T> a) => Vector256.Abs(a);
    public static Vector256<T> Sqrt(Vector256<T> a) => Vector256.Sqrt(a);
    public static Vector256<T> ZeroToOne(Vector256<T> a) => Vector256.ConditionalSelect(Vector256.Equals(a, Vector256<T>.Zero), Vector256<T>.One, a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> ScaleByShifted(Vector256<T> p, Vector256<T> shifted) => typeof(T) == typeof(double)
        ? (p.AsInt64() + Vector256.ShiftLeft(shifted.AsInt64(), 52)).As<long, T>()
        : (p.AsInt32() + Vector256.ShiftLeft(shifted.AsInt32(), 23)).As<int, T>();
    public static Vector256<T> ZeroBelow(Vector256<T> value, Vector256<T> t, Vector256<T> limit) =>
        Vector256.ConditionalSelect(Vector256.LessThan(t, limit), Vector256<T>.Zero, value);
}

/// <summary>The lane arithmetic at 128 bits for float32 or float64 (the JIT specialises each; the float/double choices fold away).</summary>
internal readonly struct Lanes128<T> : ILanes<Vector128<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Count => Vector128<T>.Count;
    public static Vector128<T> Splat(T v) => Vector128.Create(v);
    public static Vector128<T> Load(T[] a, int at) => Vector128.Create<T>(a.AsSpan(at, Vector128<T>.Count));
    public static void Store(Vector128<T> v, Span<T> a) => v.CopyTo(a);
    public static T Get(Vector128<T> v, int lane) => v.GetElement(lane);
    public static Vector128<T> Add(Vector128<T> a, Vector128<T> b) => a + b;
    public static Vector128<T> Sub(Vector128<T> a, Vector128<T> b) => a - b;
    public static Vector128<T> Mul(Vector128<T> a, Vector128<T> b) => a * b;
    public static Vector128<T> Div(Vector128<T> a, Vector128<T> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Fma(Vector128<T> a, Vector128<T> b, Vector128<T> c) => typeof(T) == typeof(double)
        ? Vector128.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>()
        : Vector128.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
    public static Vector128<T> Min(Vector128<T> a, Vector128<T> b) => Vector128.Min(a, b);
    public static Vector128<T> Max(Vector128<T> a, Vector128<T> b) => Vector128.Max(a, b);
    public static Vector128<T> Abs(Vector128<T> a) => Vector128.Abs(a);
    public static Vector128<T> Sqrt(Vector128<T> a) => Vector128.Sqrt(a);
    public static Vector128<T> ZeroToOne(Vector128<T> a) => Vector128.ConditionalSelect(Vector128.Equals(a, Vector128<T>.Zero), Vector128<T>.One, a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> ScaleByShifted(Vector128<T> p, Vector128<T> shifted) => typeof(T) == typeof(double)
        ? (p.AsInt64() + Vector128.ShiftLeft(shifted.AsInt64(), 52)).As<long, T>()
        : (p.AsInt32() + Vector128.ShiftLeft(shifted.AsInt32(), 23)).As<int, T>();
    public static Vector128<T> ZeroBelow(Vector128<T> value, Vector128<T> t, Vector128<T> limit) =>
        Vector128.ConditionalSelect(Vector128.LessThan(t, limit), Vector128<T>.Zero, value);
}

/// <summary>
/// Two vectors of lanes as one: every broadcast pattern coordinate feeds two FMAs instead of one. The lane kernels do
/// one broadcast load per FMA, and two loads per cycle cap them at the same speed at 256 and 512 bits; pairs lift
/// that cap. Lane l is lane l of <see cref="A"/> for l &lt; Count/2, else of <see cref="B"/>.
/// </summary>
internal readonly struct Pair<TV>(TV a, TV b) where TV : unmanaged
{
    public readonly TV A = a;
    public readonly TV B = b;
}

internal readonly struct PairLanes<TV, T, TL> : ILanes<Pair<TV>, T> where TV : unmanaged where T : unmanaged where TL : ILanes<TV, T>
{
    public static int Count => 2 * TL.Count;
    public static Pair<TV> Splat(T v) { var x = TL.Splat(v); return new(x, x); }
    public static Pair<TV> Load(T[] a, int at) => new(TL.Load(a, at), TL.Load(a, at + TL.Count));
    public static void Store(Pair<TV> v, Span<T> a) { TL.Store(v.A, a); TL.Store(v.B, a[TL.Count..]); }
    public static T Get(Pair<TV> v, int lane) => lane < TL.Count ? TL.Get(v.A, lane) : TL.Get(v.B, lane - TL.Count);
    public static Pair<TV> Add(Pair<TV> a, Pair<TV> b) => new(TL.Add(a.A, b.A), TL.Add(a.B, b.B));
    public static Pair<TV> Sub(Pair<TV> a, Pair<TV> b) => new(TL.Sub(a.A, b.A), TL.Sub(a.B, b.B));
    public static Pair<TV> Mul(Pair<TV> a, Pair<TV> b) => new(TL.Mul(a.A, b.A), TL.Mul(a.B, b.B));
    public static Pair<TV> Div(Pair<TV> a, Pair<TV> b) => new(TL.Div(a.A, b.A), TL.Div(a.B, b.B));
    public static Pair<TV> Fma(Pair<TV> a, Pair<TV> b, Pair<TV> c) => new(TL.Fma(a.A, b.A, c.A), TL.Fma(a.B, b.B, c.B));
    public static Pair<TV> Min(Pair<TV> a, Pair<TV> b) => new(TL.Min(a.A, b.A), TL.Min(a.B, b.B));
    public static Pair<TV> Max(Pair<TV> a, Pair<TV> b) => new(TL.Max(a.A, b.A), TL.Max(a.B, b.B));
    public static Pair<TV> Abs(Pair<TV> a) => new(TL.Abs(a.A), TL.Abs(a.B));
    public static Pair<TV> Sqrt(Pair<TV> a) => new(TL.Sqrt(a.A), TL.Sqrt(a.B));
    public static Pair<TV> ZeroToOne(Pair<TV> a) => new(TL.ZeroToOne(a.A), TL.ZeroToOne(a.B));
    public static Pair<TV> ScaleByShifted(Pair<TV> p, Pair<TV> shifted) => new(TL.ScaleByShifted(p.A, shifted.A), TL.ScaleByShifted(p.B, shifted.B));
    public static Pair<TV> ZeroBelow(Pair<TV> value, Pair<TV> t, Pair<TV> limit) => new(TL.ZeroBelow(value.A, t.A, limit.A), TL.ZeroBelow(value.B, t.B, limit.B));
}
