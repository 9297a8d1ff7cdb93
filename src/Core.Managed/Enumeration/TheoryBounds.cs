namespace DenseAm.Enumeration;

/// <summary>The paper's count bounds (SPEC §6), in natural logarithms, to set beside a measured memory count.</summary>
/// <param name="LogLambda">log λ, λ = M·V_d·(2/β)^{d/2}: the expected number of patterns in one support on the unit cube.</param>
/// <param name="LogTheorem2">Thm 2: log Q ≤ λ·log(e·M/λ).</param>
/// <param name="LogProposition3">Prop. 3: d·log(M^{1/d} − λ'^{1/d} + 1) with λ' = M·(8/β)^{d/2} (Θ constant dropped); NaN when the base is not positive.</param>
public readonly record struct TheoryBounds(double LogLambda, double LogTheorem2, double LogProposition3)
{
    /// <summary>The bounds for M patterns in [0,1]^d at β.</summary>
    public static TheoryBounds Compute(int patternCount, int dimension, double beta)
    {
        Guard.PositiveInt(patternCount);
        Guard.PositiveInt(dimension);
        Guard.Positive(beta);
        double logLambda = Math.Log(patternCount) + EmergenceReport.LogUnitBallVolume(dimension) + 0.5 * dimension * Math.Log(2 / beta);
        double lambda = Math.Exp(logLambda);
        double logThm2 = lambda * (1 + Math.Log(patternCount) - logLambda);
        double rootLambda3 = Math.Exp((Math.Log(patternCount) + 0.5 * dimension * Math.Log(8 / beta)) / dimension);
        double base3 = Math.Pow(patternCount, 1.0 / dimension) - rootLambda3 + 1;
        return new TheoryBounds(logLambda, logThm2, base3 > 0 ? dimension * Math.Log(base3) : double.NaN);
    }
}
