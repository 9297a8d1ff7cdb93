/// Worked counterexamples to two statements of the paper (and SPEC), pinned as facts so they stay visible:
/// the properties in PaperClaims.fs check the corrected statements.
module DenseAm.PropertyTests.Errata

open System
open Xunit
open DenseAm
open DenseAm.Kernels
open DenseAm.Retrieval
open DenseAm.Selection
open DenseAm.PropertyTests.Checks

/// Theorem 1 claims every x with ‖x − ξ_μ‖ ≤ Δ is retrieved for any Δ ∈ (0, r_min). With ξ = 0 and 1 in one
/// dimension (r_min = 1) and Δ = 0.75, β = 2/(1 − 0.75)² = 32 and r = 0.25. The midpoint 0.5 is within Δ of
/// both patterns, so it cannot be retrieved as both; in fact it lies outside every support (B = ∅).
[<Fact>]
let ``Theorem 1 with Delta above r_min over 2: the midpoint is in both basins and in no support`` () =
    let p = StoredPatterns.FromRows([| [| 0.0 |]; [| 1.0 |] |])
    // The toolkit's ForBasin refuses Δ ≥ r_min/2 for this reason; the paper's formula by hand:
    Assert.Throws<ArgumentOutOfRangeException>(fun () -> BetaSearch.ForBasin(p, 0.75) |> ignore) |> ignore
    let beta = 2.0 / ((1.0 - 0.75) * (1.0 - 0.75))
    Assert.Equal(32.0, beta)
    let e = Energy(p, Kernel.Epanechnikov, beta, 0.0)
    let x = [| 0.5 |]
    Assert.Empty(librarySupport e x)
    let outcome, _ = singleStep e x
    Assert.Equal(RetrievalStatus.Unsupported, outcome.Status)

/// Theorem 2(b)'s radius r* = √(D_max² + min(δ_min, γ_min)) − D_max. With ξ = 0 and 1.5 in one dimension and
/// β = 2 (r = 1), S = {0} is a memory (c_S = 0, D_max = 0, δ_min = 1, γ_min = 1.25), so r* = 1. But x = 0.99,
/// within r* of c_S, has B(x) = {0, 1}, and Algorithm 1 goes to the novel memory 0.75, not to 0.
/// The radius that holds is min(r − D_max, G_min − r) = min(1, 0.5) = 0.5.
[<Fact>]
let ``Theorem 2b radius is too large: a point within r* of a stored pattern goes to a novel memory`` () =
    let p = StoredPatterns.FromRows([| [| 0.0 |]; [| 1.5 |] |])
    let e = Energy(p, Kernel.Epanechnikov, 2.0, 0.0)
    let dMax, deltaMin, gammaMin = 0.0, 1.0, 1.5 * 1.5 - 1.0
    let rStar = sqrt (dMax * dMax + min deltaMin gammaMin) - dMax
    Assert.Equal(1.0, rStar)
    Assert.Equal<int[]>([| 0 |], librarySupport e [| 0.0 |])
    let outcome, y = fixedPoint e [| 0.99 |] 1000
    Assert.Equal(RetrievalStatus.Converged, outcome.Status)
    Assert.Equal(0.75, y.[0])
    // Within the corrected radius 0.5 the memory 0 is retrieved.
    let outcome2, y2 = fixedPoint e [| 0.49 |] 1000
    Assert.Equal(RetrievalStatus.Converged, outcome2.Status)
    Assert.Equal(0.0, y2.[0])
