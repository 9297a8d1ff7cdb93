/// Small helpers shared by the properties: calling the core through spans, and failing with a message
/// that says what was expected and what came out (the case itself is printed by FsCheck).
module DenseAm.PropertyTests.Checks

open System
open DenseAm
open DenseAm.Kernels
open DenseAm.Retrieval
open DenseAm.PropertyTests.Generators

/// Fails the property with a formatted message unless the condition holds.
let require cond (message: unit -> string) = if not cond then failwith (message ())

let energyOf (p: PatternSet) (kernel: IKernel) beta eps = Energy(p.Stored, kernel, beta, eps)

/// ∇E(x) and its GradientInfo.
let gradientOf (e: Energy) (x: float[]) =
    let g = Array.zeroCreate x.Length
    let info = e.Gradient(ReadOnlySpan<float>(x), Span<float>(g))
    g, info

/// B(x) as the library computes it.
let librarySupport (e: Energy) (x: float[]) =
    let members = Collections.Generic.List<int>()
    e.Support(ReadOnlySpan<float>(x), members) |> ignore
    members.ToArray()

/// Algorithm 1 from x0: (outcome, end point).
let fixedPoint (e: Energy) (x0: float[]) maxIterations =
    let result = Array.zeroCreate x0.Length
    let outcome = Retriever.FixedPoint(e, ReadOnlySpan<float>(x0), Span<float>(result), maxIterations)
    outcome, result

/// Theorem 1's single step from x0: (outcome, end point).
let singleStep (e: Energy) (x0: float[]) =
    let result = Array.zeroCreate x0.Length
    let outcome = Retriever.SingleStep(e, ReadOnlySpan<float>(x0), Span<float>(result))
    outcome, result

/// Bitwise equality of two vectors (distinguishes −0.0 from 0.0; no generator here produces −0.0).
let bitwiseEqual (a: float[]) (b: float[]) =
    a.Length = b.Length
    && Array.forall2 (fun (x: float) (y: float) -> BitConverter.DoubleToInt64Bits x = BitConverter.DoubleToInt64Bits y) a b

/// The LSR normaliser Z(x) = ε + Σ_{μ∈B(x)} (1 − ‖x − ξ_μ‖²/r²), computed here in index order with ε added last.
let lsrZ (p: PatternSet) (r2: float) (eps: float) (x: float[]) =
    let mutable z = 0.0
    for mu in supportOf p r2 x do
        z <- z + (1.0 - sqDist x (p.Row mu) / r2)
    z + eps

/// A bound on |Z_library − Z_here| for n support members in dimension d: each u_μ may come from the SIMD
/// distance (within ErrorBound = 2(d+4)·u·r² of the reference, so 2(d+4)·u in u) plus a rounding of the
/// division, and the sum of n + 1 terms of size ≤ max(1, ε) adds (n + 1)·u·(n + ε). A factor 4 covers
/// second-order terms. Of order 1e-14 for the sizes here: a tight tolerance.
let lsrZTolerance n d eps =
    let n, d = float n, float d
    4.0 * unitRoundoff * (n * (2.0 * (d + 4.0) + 2.0) + (n + 1.0) * (n + eps) + eps)

/// Human-readable vectors for messages.
let show (v: float[]) = showVector v
