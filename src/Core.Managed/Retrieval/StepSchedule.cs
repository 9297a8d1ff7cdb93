namespace DenseAm.Retrieval;

/// <summary>A learning-rate schedule α_t for gradient descent x ← x − α_t ∇E(x) (SPEC §3).</summary>
public abstract record StepSchedule
{
    /// <summary>The rate α_t at step t (0-based).</summary>
    public abstract double Rate(int step);

    /// <summary>A constant rate α.</summary>
    public static StepSchedule Constant(double rate) => new ConstantSchedule(Guard.Positive(rate));

    /// <summary>
    /// Cosine decay from α_0 to α_0·<paramref name="finalFraction"/> over <paramref name="steps"/> steps:
    /// α_t = α_0·(a + (1 − a)·½(1 + cos(π·min(t, T)/T))). The authors' LOGL0 run uses α_0 = 0.01, a = 0.001, T = 13 000.
    /// </summary>
    public static StepSchedule CosineDecay(double initialRate, double finalFraction, int steps)
    {
        Guard.Positive(initialRate);
        if (!(finalFraction >= 0 && finalFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(finalFraction), finalFraction, $"finalFraction must lie in [0, 1]; got {Guard.Fmt(finalFraction)}.");
        Guard.PositiveInt(steps);
        return new CosineDecaySchedule(initialRate, finalFraction, steps);
    }

    private sealed record ConstantSchedule(double Alpha) : StepSchedule
    {
        public override double Rate(int step) => Alpha;
    }

    private sealed record CosineDecaySchedule(double Alpha0, double FinalFraction, int Steps) : StepSchedule
    {
        public override double Rate(int step)
        {
            double t = Math.Min(step, Steps) / (double)Steps;
            return Alpha0 * (FinalFraction + (1 - FinalFraction) * 0.5 * (1 + Math.Cos(Math.PI * t)));
        }
    }
}
