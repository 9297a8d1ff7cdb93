namespace DenseAm.Retrieval;

/// <summary>How a query is moved to a memory (SPEC §3).</summary>
public enum RetrievalMethod
{
    /// <summary>Algorithm 1: S ← B(z); z ← mean(S) until S repeats. Exact LSR fixed point (flat-kernel mean shift).</summary>
    FixedPoint,

    /// <summary>Gradient descent x ← x − α_t ∇E(x) with a <see cref="StepSchedule"/> and optional early stop.</summary>
    GradientDescent,

    /// <summary>Theorem 1: one step x − η∇E(x) with η = Z(x) = ε + Σ_{μ∈B(x)}(1 − u_μ(x)).</summary>
    SingleStep,
}

/// <summary>How one retrieval ended.</summary>
public enum RetrievalStatus
{
    /// <summary>Reached a fixed point (Algorithm 1: the support repeated; otherwise ‖∇E‖ below the tolerance).</summary>
    Converged,

    /// <summary>Hit the iteration cap before converging.</summary>
    NotConverged,

    /// <summary>
    /// The point lies in no support: B(x) = ∅ (energy +∞ with ε = 0; flat −log(ε)/β with ε &gt; 0), so no step leads to a
    /// memory. The point where it stopped is reported.
    /// </summary>
    Unsupported,
}

/// <summary>The outcome of retrieving one query.</summary>
/// <param name="Status">Converged, not converged, or unsupported.</param>
/// <param name="Iterations">Updates applied (Algorithm 1: centroid updates; gradient descent: steps; single step: 1).</param>
/// <param name="SupportSize">|B(x)| at the returned point.</param>
/// <param name="GradientNorm">‖∇E‖ at the returned point; null when unsupported.</param>
public readonly record struct RetrievalOutcome(RetrievalStatus Status, int Iterations, int SupportSize, double? GradientNorm)
{
    /// <summary>True when <see cref="Status"/> is <see cref="RetrievalStatus.Converged"/>.</summary>
    public bool Converged => Status == RetrievalStatus.Converged;
}

/// <summary>Settings of a retrieval run.</summary>
public sealed record RetrievalOptions
{
    /// <summary>The method; Algorithm 1 by default.</summary>
    public RetrievalMethod Method { get; init; } = RetrievalMethod.FixedPoint;

    /// <summary>Iteration cap (Algorithm 1 updates or gradient steps). Default 1000.</summary>
    public int MaxIterations { get; init; } = 1000;

    /// <summary>Gradient-descent schedule; default constant α = 0.01.</summary>
    public StepSchedule Schedule { get; init; } = StepSchedule.Constant(0.01);

    /// <summary>‖∇E‖ below which gradient descent and single step count as converged. Default 1e-8.</summary>
    public double Tolerance { get; init; } = 1e-8;

    /// <summary>Stop gradient descent as soon as ‖∇E‖ &lt; <see cref="Tolerance"/>. Default true.</summary>
    public bool EarlyStop { get; init; } = true;

    /// <summary>
    /// LSE gradient descent with ε = 0 and d ≤ 64 only (0, the default, turns it off): while ‖∇E‖ ≥ this, steps run in
    /// float32 (the precision of the authors' runs; its rounding is far below such gradients); below it, Newton's
    /// method solves ∇E = 0, accepted only where the remaining descent provably converges to that minimum before
    /// the cap (Hessian ⪰ μI at both ends, exp(−μ·Σα_remaining)·‖x − x*‖ &lt; tolerance/10); elsewhere the descent
    /// continues on the float64 trajectory it would follow without the option (computed in float32 lanes about float64
    /// anchors, gradient rounding about 1e-10). Needs <see cref="EarlyStop"/>; the point returned is the minimum.
    /// </summary>
    public double NewtonBelow { get; init; }

    /// <summary>Worker threads; ≤ 0 means all cores. Results do not depend on it.</summary>
    public int MaxThreads { get; init; } = -1;

    internal void Validate()
    {
        Guard.PositiveInt(MaxIterations);
        Guard.NonNegative(Tolerance);
        Guard.NonNegative(NewtonBelow);
        ArgumentNullException.ThrowIfNull(Schedule);
    }
}

/// <summary>Retrieved points (one row per query) with per-query outcomes and totals.</summary>
public sealed class RetrievalBatch
{
    internal RetrievalBatch(Matrix points, RetrievalOutcome[] outcomes)
    {
        Points = points;
        Outcomes = outcomes;
        foreach (var o in outcomes)
        {
            switch (o.Status)
            {
                case RetrievalStatus.Converged: ConvergedCount++; break;
                case RetrievalStatus.NotConverged: NotConvergedCount++; break;
                default: UnsupportedCount++; break;
            }
        }
    }

    /// <summary>The retrieved point of each query (row i for query i).</summary>
    public Matrix Points { get; }

    /// <summary>The outcome of each query.</summary>
    public IReadOnlyList<RetrievalOutcome> Outcomes { get; }

    /// <summary>Queries that converged.</summary>
    public int ConvergedCount { get; }

    /// <summary>Queries that hit the iteration cap.</summary>
    public int NotConvergedCount { get; }

    /// <summary>Queries that ended outside every support.</summary>
    public int UnsupportedCount { get; }
}
