namespace DenseAm.Kernels;

/// <summary>
/// A kernel profile K(u) ≥ 0 of the DenseAM energy family E(x) = −(1/β)·log(ε + Σ_μ K(u_μ(x)))
/// with u_μ(x) = (β/2)·‖x − ξ_μ‖² (SPEC §1). A new kernel is one small type implementing this.
/// </summary>
public interface IKernel
{
    /// <summary>Lower-case name used on the command line and in results (e.g. "epanechnikov").</summary>
    string Name { get; }

    /// <summary>
    /// True when K(u) = 0 for every u ≥ 1, i.e. pattern ξ_μ acts only inside the open ball
    /// ‖x − ξ_μ‖² &lt; 2/β. Such kernels make the energy +∞ (unsupported) outside every ball when ε = 0.
    /// </summary>
    bool HasCompactSupport { get; }

    /// <summary>
    /// True when K(u + s) = K(u)·K(s) (the exponential, LSE). The energy then shifts u by its minimum
    /// before exponentiating, a stable log-sum-exp, so no β underflows to an empty sum.
    /// </summary>
    bool IsExponential => false;

    /// <summary>The profile K(u) for u ∈ [0, 1) (compact kernels) or u ≥ 0 (others).</summary>
    double Profile(double u);

    /// <summary>
    /// The slope −K'(u) ≥ 0, so that ∇E(x) = Σ_μ Slope(u_μ)·(x − ξ_μ) / (ε + Σ_ν K(u_ν)).
    /// At a non-differentiable point the value of a subgradient is returned (documented per kernel).
    /// </summary>
    double Slope(double u);
}
