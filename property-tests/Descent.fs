/// The energy never increases along gradient descent with a step that is provably small enough.
namespace DenseAm.PropertyTests

open System
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open DenseAm
open DenseAm.Kernels
open DenseAm.PropertyTests.Generators
open DenseAm.PropertyTests.Checks

module Descent =

    let private steps = 30

    /// LSR. Let n = |B(x)|, Z = Z(x) and g = ∇E(x) = −∇Z/(βZ). For every y,
    ///   Z(y) ≥ Q(y) := ε + Σ_{μ∈B(x)} (1 − (β/2)‖y − ξ_μ‖²)
    /// (ReLU(t) ≥ t for the members of B(x), ReLU ≥ 0 for the others), with equality at y = x. Q is a
    /// quadratic with Hessian −βn·I, so Q(x − αg) = Z + αβ‖g‖²·(Z − nα/2). Hence for α ≤ 2Z/n,
    /// Z(x − αg) ≥ Z(x) > 0: the energy −(1/β)·log Z does not increase and the point stays supported.
    /// The steps here are α_t = f_t·2Z(x_t)/|B(x_t)| with f_t ∈ [0.05, 0.95].
    ///
    /// Tolerance: E = −log(Z)/β is computed from a Z whose absolute error is below δZ (lsrZTolerance plus the
    /// rounding of Z itself), so |ΔE| ≤ δZ/(βZ) + a few ulps of |E|, for each of the two energies compared.
    [<Property(MaxTest = 300)>]
    let ``LSR energy never increases along gradient descent with steps below 2Z over the support size`` () =
        Prop.forAll (arb (descentCase steps)) (fun c ->
            let e = energyOf c.P Kernel.Epanechnikov c.Beta c.Eps
            let r2 = e.RadiusSquared
            let mutable x = Array.copy c.Start
            let mutable t = 0
            let mutable stop = false
            while not stop && t < steps do
                let ev = e.Evaluate(ReadOnlySpan<float>(x))
                require ev.IsSupported (fun () -> sprintf "step %d: x = %s unsupported" t (show x))
                let g, info = gradientOf e x
                let n = info.SupportSize
                if info.Norm = 0.0 || n = 0 then
                    stop <- true
                else
                    let z = lsrZ c.P r2 c.Eps x
                    let alpha = c.Fractions.[t] * 2.0 * z / float n
                    let x' = Array.init x.Length (fun i -> x.[i] - alpha * g.[i])
                    let ev' = e.Evaluate(ReadOnlySpan<float>(x'))
                    require ev'.IsSupported (fun () -> sprintf "step %d: x' = %s left every support" t (show x'))
                    let z' = lsrZ c.P r2 c.Eps x'
                    let n' = (supportOf c.P r2 x').Length
                    let dz = lsrZTolerance n c.P.D c.Eps + 4.0 * unitRoundoff * z
                    let dz' = lsrZTolerance n' c.P.D c.Eps + 4.0 * unitRoundoff * z'
                    let tol = 8.0 * unitRoundoff * (abs ev.Value + abs ev'.Value) + (dz / z + dz' / z') / c.Beta
                    require (ev'.Value <= ev.Value + tol) (fun () ->
                        sprintf "step %d (alpha = %g, |B| = %d, Z = %g): E rose from %s to %s (by %g, tolerance %g)" t alpha n z
                            (string ev.Value) (string ev'.Value) (ev'.Value - ev.Value) tol)
                    x <- x'
                    t <- t + 1)

    /// LSE (Gaussian kernel), any ε ≥ 0. With F = ε + Σ_μ e^{−u_μ}, the Hessian of E = −(1/β)·log F is
    ///   (S/F)·I − β·Σ_μ w_μ a_μ a_μᵀ/F + β·(Σ_μ w_μ a_μ)(Σ_μ w_μ a_μ)ᵀ/F²,   a_μ = x − ξ_μ, w_μ = e^{−u_μ}, S = Σ w_μ,
    /// and by Cauchy–Schwarz (Σ w a)(Σ w a)ᵀ ≼ S·Σ w a aᵀ ≼ F·Σ w a aᵀ, so ∇²E ≼ I everywhere. The descent
    /// lemma then gives E(x − αg) ≤ E(x) − α(1 − α/2)‖g‖² for every α ∈ (0, 2). The steps here are α_t = 2·f_t.
    ///
    /// Tolerance: E = (u_min − log Σ e^{−(u_μ − u_min)})/β with each u_μ from a SIMD distance (relative error
    /// 2(d + 4)·u), a log of a sum of M terms and, for ε > 0, one log-add-exp: |ΔE| ≤ 4u·(2(d + 4)(u_max + 1) + M + 2)/β
    /// plus a few ulps of |E|, for each of the two energies compared.
    [<Property(MaxTest = 300)>]
    let ``LSE energy never increases along gradient descent with steps below 2`` () =
        Prop.forAll (arb (descentCase steps)) (fun c ->
            let e = energyOf c.P Kernel.Gaussian c.Beta c.Eps
            let energyTolerance (x: float[]) (value: float) =
                let umax = [| 0 .. c.P.M - 1 |] |> Array.map (fun mu -> c.Beta / 2.0 * sqDist x (c.P.Row mu)) |> Array.max
                4.0 * unitRoundoff * (abs value + (2.0 * float (c.P.D + 4) * (umax + 1.0) + float c.P.M + 2.0) / c.Beta)
            let mutable x = Array.copy c.Start
            for t in 0 .. steps - 1 do
                let ev = e.Evaluate(ReadOnlySpan<float>(x))
                let g, info = gradientOf e x
                require (ev.IsSupported && info.IsSupported && ev.SupportSize = c.P.M) (fun () ->
                    sprintf "LSE reported %A / %A" ev info)
                let alpha = 2.0 * c.Fractions.[t]
                let x' = Array.init x.Length (fun i -> x.[i] - alpha * g.[i])
                let ev' = e.Evaluate(ReadOnlySpan<float>(x'))
                let tol = energyTolerance x ev.Value + energyTolerance x' ev'.Value
                require (ev'.Value <= ev.Value + tol) (fun () ->
                    sprintf "step %d (alpha = %g, |grad| = %g): E rose from %s to %s (by %g, tolerance %g)" t alpha info.Norm
                        (string ev.Value) (string ev'.Value) (ev'.Value - ev.Value) tol)
                x <- x')
