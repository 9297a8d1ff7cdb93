/// FsCheck generators for the property tests of the paper's claims: pattern sets of several shapes
/// (uniform in a box, well separated, integer lattice, clustered, linearly independent), β across the
/// range that matters for a given set, ε, points in balls and on spheres, and subsets. Every random
/// draw comes from FsCheck's own seeded generator, so a failure is replayed from the seed it prints.
module DenseAm.PropertyTests.Generators

open System
open System.Globalization
open FsCheck
open FsCheck.FSharp
open DenseAm

/// Unit roundoff of float64 (2^-53).
let unitRoundoff = Math.Pow(2.0, -53.0)

let private fmt (x: float) = x.ToString("R", CultureInfo.InvariantCulture)

/// A vector printed so that it can be pasted into a C# or F# reproduction (round-trip digits).
let showVector (v: float[]) = "[" + String.Join("; ", v |> Array.map fmt) + "]"

// ---------------------------------------------------------------------------------------------
// Plain float64 helpers, written here (not taken from the library) so the tests check it.
// ---------------------------------------------------------------------------------------------

/// ‖a − b‖² summed in index order with one accumulator: the toolkit's definition of the distance.
let sqDist (a: float[]) (b: float[]) =
    let mutable s = 0.0
    for i in 0 .. a.Length - 1 do
        let t = a.[i] - b.[i]
        s <- s + t * t
    s

let norm (v: float[]) = sqrt (Array.sumBy (fun x -> x * x) v)

/// A set of stored patterns ξ_1 … ξ_M in R^d (row-major), with the scale it was drawn at.
[<StructuredFormatDisplay("{Show}")>]
type PatternSet =
    { Kind: string
      M: int
      D: int
      Data: float[]
      /// The side of the box the patterns were drawn in: the length scale of the set.
      Scale: float }

    member p.Row(mu: int) = Array.sub p.Data (mu * p.D) p.D
    member p.Rows = Array.init p.M p.Row
    member p.Stored = StoredPatterns(Matrix(p.M, p.D, Array.copy p.Data))

    /// Smallest pairwise distance (∞ for one pattern).
    member p.MinDistance =
        let mutable best = Double.PositiveInfinity
        for i in 0 .. p.M - 1 do
            for j in i + 1 .. p.M - 1 do
                best <- min best (sqDist (p.Row i) (p.Row j))
        sqrt best

    /// Largest pairwise distance (0 for one pattern).
    member p.Diameter =
        let mutable best = 0.0
        for i in 0 .. p.M - 1 do
            for j in i + 1 .. p.M - 1 do
                best <- max best (sqDist (p.Row i) (p.Row j))
        sqrt best

    /// Largest absolute coordinate.
    member p.Magnitude = p.Data |> Array.fold (fun a x -> max a (abs x)) 0.0

    member p.Show =
        let rows = p.Rows |> Array.map showVector
        sprintf "%s M=%d d=%d scale=%s patterns=[%s]" p.Kind p.M p.D (fmt p.Scale) (String.Join("; ", rows))

/// c_S = (Σ_{μ∈S} ξ_μ)/|S|: summed in increasing μ starting from 0, then divided, as SPEC §1 fixes it.
let centroid (p: PatternSet) (s: int[]) =
    let c = Array.zeroCreate p.D
    for mu in s do
        for i in 0 .. p.D - 1 do
            c.[i] <- c.[i] + p.Data.[mu * p.D + i]
    let n = float s.Length
    for i in 0 .. p.D - 1 do
        c.[i] <- c.[i] / n
    c

/// B(x) computed here from the index-order distance: {μ : ‖x − ξ_μ‖² < r²}, increasing μ.
let supportOf (p: PatternSet) (r2: float) (x: float[]) =
    [| for mu in 0 .. p.M - 1 do
           if sqDist x (p.Row mu) < r2 then yield mu |]

// ---------------------------------------------------------------------------------------------
// Scalar and vector generators.
// ---------------------------------------------------------------------------------------------

/// Uniform on [0, 1): a random 53-bit integer times 2^-53 (every value a multiple of 2^-53).
let unit01 = Gen.choose64 (0L, (1L <<< 53) - 1L) |> Gen.map (fun k -> float k * Math.Pow(2.0, -53.0))

/// Uniform on [lo, hi).
let uniform lo hi = unit01 |> Gen.map (fun t -> lo + (hi - lo) * t)

/// Log-uniform on [lo, hi): every order of magnitude equally likely.
let logUniform lo hi = uniform (log lo) (log hi) |> Gen.map exp

/// Standard normal by Box–Muller (1 − U keeps the logarithm finite).
let gaussian =
    gen {
        let! a = unit01
        let! b = unit01
        return sqrt (-2.0 * log (1.0 - a)) * cos (2.0 * Math.PI * b)
    }

/// A uniformly distributed unit vector in R^d: a normalised standard Gaussian vector (not a cube's).
let direction d =
    Gen.arrayOfLength d gaussian
    |> Gen.where (fun v -> norm v > 1e-6)
    |> Gen.map (fun v ->
        let n = norm v
        v |> Array.map (fun x -> x / n))

/// A point uniform in the ball of radius ρ about c: direction uniform, radius ρ·U^{1/d}.
let pointInBall (c: float[]) (rho: float) =
    gen {
        let! dir = direction c.Length
        let! t = unit01
        let radius = rho * Math.Pow(t, 1.0 / float c.Length)
        return Array.init c.Length (fun i -> c.[i] + radius * dir.[i])
    }

/// ε of the energy: zero half the time (the paper's usual choice), else small to large.
let epsilon = Gen.frequency [ 3, Gen.constant 0.0; 1, Gen.constant 1e-3; 1, logUniform 1e-6 1.0; 1, Gen.constant 1.0 ]

/// A non-empty subset of {0 … m−1} in increasing order, usually small.
let subset m =
    gen {
        let! k = Gen.frequency [ 3, Gen.choose (1, min m 2); 2, Gen.choose (1, m) ]
        let! shuffled = Gen.shuffle [| 0 .. m - 1 |]
        return Array.sort (Array.sub shuffled 0 k)
    }

// ---------------------------------------------------------------------------------------------
// Pattern sets.
// ---------------------------------------------------------------------------------------------

let private offsets = Gen.elements [ 0.0; 0.0; 0.5; -3.0; 100.0 ]
let private widths = Gen.elements [ 1.0; 1.0; 2.0; 10.0; 0.01 ]

let private rejectNearDuplicates (p: PatternSet) = p.M < 2 || p.MinDistance >= 1e-3 * p.Scale

/// M ∈ [mLo, mHi], d ∈ [dLo, dHi], coordinates uniform in a box [o, o + w]^d; no two patterns closer than 1e-3·w.
let boxPatternsSized (mLo, mHi) (dLo, dHi) =
    gen {
        let! m = Gen.choose (mLo, mHi)
        let! d = Gen.choose (dLo, dHi)
        let! o = offsets
        let! w = widths
        let! data = Gen.arrayOfLength (m * d) (uniform o (o + w))
        return { Kind = "box"; M = m; D = d; Data = data; Scale = w }
    }
    |> Gen.where rejectNearDuplicates

/// Uniform in a box, M 1..12, d 1..8.
let boxPatterns = boxPatternsSized (1, 12) (1, 8)

/// Well separated: M distinct cells of a jittered grid with spacing s (jitter ≤ s/4 per axis), so r_min ≥ s/2.
let separatedPatterns =
    gen {
        let! m = Gen.choose (1, 12)
        let! d = Gen.choose (1, 8)
        let k = int (ceil (Math.Pow(float m, 1.0 / float d))) + 1
        // Enough cells: k^d ≥ m (capped so the cell list stays small).
        let cells = min 4096.0 (Math.Pow(float k, float d)) |> int
        let! chosen = Gen.shuffle [| 0 .. cells - 1 |]
        let! o = offsets
        let! w = widths
        let s = w / float k
        let! jitter = Gen.arrayOfLength (m * d) (uniform (-0.25 * s) (0.25 * s))
        let data =
            Array.init (m * d) (fun idx ->
                let mu, i = idx / d, idx % d
                let cell = chosen.[mu]
                let coord = (cell / pown k i) % k
                o + s * (float coord + 0.5) + jitter.[idx])
        return { Kind = "separated"; M = m; D = d; Data = data; Scale = w }
    }

/// Integer lattice points in [−3, 3]^d, distinct: distances are exact, so support ties are exact too.
let latticePatternsSized (mHi: int) (dLo, dHi) =
    gen {
        let! d = Gen.choose (dLo, dHi)
        let! m = Gen.choose (1, (if d >= 2 then mHi else min mHi 7))
        let! rows =
            Gen.arrayOfLength d (Gen.choose (-3, 3))
            |> Gen.map (Array.map float)
            |> Gen.listOfLength (4 * m)
        let distinct = rows |> List.distinct |> List.truncate m
        return { Kind = "lattice"; M = distinct.Length; D = d; Data = Array.concat distinct; Scale = 6.0 }
    }

let latticePatterns = latticePatternsSized 12 (1, 8)

/// Clustered: k Gaussian clusters (σ = 0.1) with means uniform in [0,1]^d, as in the LOGL0 experiment;
/// close neighbours give many emergent memories.
let clusteredPatternsSized (mLo, mHi) (dLo, dHi) =
    gen {
        let! m = Gen.choose (mLo, mHi)
        let! d = Gen.choose (dLo, dHi)
        let! k = Gen.choose (1, max 1 (m / 2))
        let! means = Gen.arrayOfLength (k * d) unit01
        let! labels = Gen.arrayOfLength m (Gen.choose (0, k - 1))
        let! noise = Gen.arrayOfLength (m * d) gaussian
        let data = Array.init (m * d) (fun idx -> means.[labels.[idx / d] * d + idx % d] + 0.1 * noise.[idx])
        return { Kind = "clustered"; M = m; D = d; Data = data; Scale = 1.0 }
    }
    |> Gen.where rejectNearDuplicates

let clusteredPatterns = clusteredPatternsSized (2, 12) (1, 8)

/// Any of the shapes above.
let anyPatterns = Gen.oneof [ boxPatterns; separatedPatterns; latticePatterns; clusteredPatterns ]

/// Moderate sizes, M 2..30 and d 9..40: long enough rows that the SIMD distance (and its exact support
/// decision near r²) is what the core uses, where d ≤ 8 mostly takes the scalar tail.
let moderatePatterns =
    Gen.oneof
        [ boxPatternsSized (2, 30) (9, 40)
          clusteredPatternsSized (2, 30) (9, 40)
          latticePatternsSized 30 (9, 32) ]

/// Mostly small sets (any shape), one case in five moderate.
let mixedPatterns = Gen.frequency [ 4, anyPatterns; 1, moderatePatterns ]

/// At least two patterns, small or moderate.
let anyPatternsAtLeastTwo = mixedPatterns |> Gen.where (fun p -> p.M >= 2)

/// M ∈ 2..d linearly independent patterns in R^d (d 2..8), Gaussian entries, well conditioned: each
/// pattern keeps at least a tenth of its length after projecting out the ones before it (Gram–Schmidt).
/// Linear independence implies affine independence, which is what Prop. 1 uses.
let independentPatterns =
    gen {
        let! d = Gen.choose (2, 8)
        let! m = Gen.choose (2, d)
        let! o = Gen.elements [ 0.0; 1.0 ]
        let! rows = Gen.arrayOfLength d gaussian |> Gen.map (Array.map (fun x -> o + x)) |> Gen.arrayOfLength m
        return { Kind = "independent"; M = m; D = d; Data = Array.concat rows; Scale = 2.0 }
    }
    |> Gen.where (fun p ->
        let basis = ResizeArray<float[]>()
        p.Rows
        |> Array.forall (fun v ->
            let r = Array.copy v
            for b in basis do
                let dot = Array.fold2 (fun a x y -> a + x * y) 0.0 r b
                for i in 0 .. r.Length - 1 do
                    r.[i] <- r.[i] - dot * b.[i]
            let n = norm r
            basis.Add(r |> Array.map (fun x -> x / n))
            n >= 0.1 * norm v))

/// β across the range where something happens for this set: support radius r = √(2/β) log-uniform from
/// a third of r_min (every pattern alone) to 1.5 × the diameter (all patterns in one support).
let betaFor (p: PatternSet) =
    let lo = if p.M >= 2 then p.MinDistance / 3.0 else p.Scale / 10.0
    let hi = max (1.5 * p.Diameter) (2.0 * lo)
    logUniform lo hi |> Gen.map (fun r -> 2.0 / (r * r))

/// A start inside the support ball of a random pattern (radius 0.999·r), so B(start) is not empty.
let nearStartFor (p: PatternSet) (beta: float) =
    gen {
        let! mu = Gen.choose (0, p.M - 1)
        return! pointInBall (p.Row mu) (0.999 * sqrt (2.0 / beta))
    }

/// A start for retrieval: half the time near a pattern (supported), otherwise uniform in the patterns'
/// bounding box enlarged by r on every side (often unsupported for large β).
let startFor (p: PatternSet) (beta: float) =
    let r = sqrt (2.0 / beta)
    let anywhere =
        gen {
            let lo = Array.init p.D (fun i -> (Array.init p.M (fun mu -> p.Data.[mu * p.D + i]) |> Array.min) - r)
            let hi = Array.init p.D (fun i -> (Array.init p.M (fun mu -> p.Data.[mu * p.D + i]) |> Array.max) + r)
            let! t = Gen.arrayOfLength p.D unit01
            return Array.init p.D (fun i -> lo.[i] + t.[i] * (hi.[i] - lo.[i]))
        }
    Gen.frequency [ 1, nearStartFor p beta; 1, anywhere ]

// ---------------------------------------------------------------------------------------------
// Cases: one random instance of a claim, printed in full when a property fails.
// ---------------------------------------------------------------------------------------------

/// Patterns, β, ε and a start point.
[<StructuredFormatDisplay("{Show}")>]
type StartCase =
    { P: PatternSet
      Beta: float
      Eps: float
      Start: float[] }

    member c.Show = sprintf "%A beta=%s eps=%s start=%s" c.P (fmt c.Beta) (fmt c.Eps) (showVector c.Start)

/// A start anywhere (startFor) or only near a pattern (nearStartFor).
let startCaseWith startGen patterns =
    gen {
        let! p = patterns
        let! beta = betaFor p
        let! eps = epsilon
        let! x = startGen p beta
        return { P = p; Beta = beta; Eps = eps; Start = x }
    }

let startCase patterns = startCaseWith startFor patterns

/// Integer lattice patterns, a query on the half-integer lattice near a pattern (every squared distance an
/// exact multiple of 1/4) and r² = 2/β chosen so that ‖x − ξ‖² = r² ties happen and are exact.
[<StructuredFormatDisplay("{Show}")>]
type TieCase =
    { P: PatternSet
      RadiusSquared: float
      X: float[] }

    member c.Show = sprintf "%A r2=%s x=%s" c.P (fmt c.RadiusSquared) (showVector c.X)

let tieCase =
    gen {
        let! p = latticePatternsSized 12 (1, 32)
        let! k = Gen.elements [ 1.0; 2.0; 4.0; 8.0; 16.0 ]
        // Near a pattern (offsets of up to ±2 in half steps) so distances close to r are common.
        let! mu = Gen.choose (0, p.M - 1)
        let! offset = Gen.arrayOfLength p.D (Gen.choose (-4, 4) |> Gen.map (fun h -> float h / 2.0))
        let x = Array.init p.D (fun i -> p.Data.[mu * p.D + i] + offset.[i])
        // Half the time r² is the (exact, quarter-integer) squared distance to some pattern, so a tie is
        // certain whenever 2/(2/r²) rounds back to r²; otherwise a power of two, where it always does.
        let! nu = Gen.choose (0, p.M - 1)
        let! useDistance = Gen.elements [ true; false ]
        let d2 = sqDist x (p.Row nu)
        return { P = p; RadiusSquared = (if useDistance && d2 > 0.0 then d2 else k); X = x }
    }

/// A subset S and a β whose support radius lies strictly between S's spread about c_S and the nearest
/// outside pattern: so B(c_S) = S (a memory, Prop. 2).
[<StructuredFormatDisplay("{Show}")>]
type MemoryCase =
    { P: PatternSet
      S: int[]
      Beta: float
      Eps: float
      Source: string }

    member c.Show =
        sprintf "%A S=%s beta=%s eps=%s (%s)" c.P (String.Join(",", c.S)) (fmt c.Beta) (fmt c.Eps) c.Source

/// The k patterns nearest a random point (ties by index), or a random subset; then the radius is placed
/// at a random fraction between a = max_{μ∈S} ‖c_S − ξ_μ‖² and b = min_{ν∉S} ‖c_S − ξ_ν‖², kept only when
/// a < b·(1 − 1e-6) so both margins are far above rounding.
let memoryCase =
    gen {
        let! p = mixedPatterns
        let! useKnn = Gen.frequency [ 7, Gen.constant true; 3, Gen.constant false ]
        let! s =
            if useKnn then
                gen {
                    let! z = startFor p (2.0 / (p.Scale * p.Scale))
                    let! k = Gen.choose (1, p.M)
                    return
                        [| 0 .. p.M - 1 |]
                        |> Array.sortBy (fun mu -> sqDist z (p.Row mu), mu)
                        |> Array.truncate k
                        |> Array.sort
                }
            else
                subset p.M
        let c = centroid p s
        let inside = s |> Array.map (fun mu -> sqDist c (p.Row mu)) |> Array.fold max 0.0
        let outside =
            [| 0 .. p.M - 1 |]
            |> Array.filter (fun mu -> not (Array.contains mu s))
            |> Array.map (fun mu -> sqDist c (p.Row mu))
            |> Array.fold min Double.PositiveInfinity
        let! t = uniform 0.02 0.98
        let! eps = epsilon
        let r2 =
            if Double.IsPositiveInfinity outside then
                (if inside > 0.0 then inside * (1.0 + 3.0 * t) else p.Scale * p.Scale * t)
            else
                inside + t * (outside - inside)
        let ok = inside < outside * (1.0 - 1e-6)
        return
            if ok then
                Some { P = p; S = s; Beta = 2.0 / r2; Eps = eps; Source = (if useKnn then "knn" else "random subset") }
            else
                None
    }
    |> Gen.where Option.isSome
    |> Gen.map Option.get

/// Theorem 1: a pattern μ, Δ as a fraction of r_min, ε, and a point's direction and radius fraction.
[<StructuredFormatDisplay("{Show}")>]
type BasinCase =
    { P: PatternSet
      Mu: int
      /// Δ = DeltaFraction · r_min.
      DeltaFraction: float
      Eps: float
      Direction: float[]
      /// U^{1/d}: the radius of a uniform point in the Δ-ball, as a fraction of Δ.
      RadiusFraction: float }

    member c.Show =
        sprintf "%A mu=%d delta=%s*r_min eps=%s dir=%s radiusFraction=%s" c.P c.Mu (fmt c.DeltaFraction) (fmt c.Eps)
            (showVector c.Direction) (fmt c.RadiusFraction)

/// Δ/r_min drawn from [lo, hi); patterns of any shape with M ≥ 2 (r_min ≥ 1e-3·scale by construction).
let basinCase (lo, hi) =
    gen {
        let! p = Gen.oneof [ anyPatternsAtLeastTwo; separatedPatterns |> Gen.where (fun p -> p.M >= 2) ]
        let! mu = Gen.choose (0, p.M - 1)
        let! f = uniform lo hi
        let! eps = epsilon
        let! dir = direction p.D
        let! t = unit01
        return
            { P = p
              Mu = mu
              DeltaFraction = f
              Eps = eps
              Direction = dir
              RadiusFraction = Math.Pow(t, 1.0 / float p.D) }
    }

/// Prop. 1: linearly independent patterns, a pattern μ and β with β·max‖ξ_μ − ξ_ν‖²/2 = UMax.
[<StructuredFormatDisplay("{Show}")>]
type LseCase =
    { P: PatternSet
      Mu: int
      UMax: float
      Eps: float }

    member c.Beta = 2.0 * c.UMax / (c.P.Diameter * c.P.Diameter)
    member c.Show = sprintf "%A mu=%d uMax=%s (beta=%s) eps=%s" c.P c.Mu (fmt c.UMax) (fmt c.Beta) (fmt c.Eps)

let lseCase (uLo, uHi) =
    gen {
        let! p = independentPatterns
        let! mu = Gen.choose (0, p.M - 1)
        let! umax = logUniform uLo uHi
        let! eps = Gen.frequency [ 4, Gen.constant 0.0; 1, logUniform 1e-6 1e-2 ]
        return { P = p; Mu = mu; UMax = umax; Eps = eps }
    }

/// Gradient descent: a supported start and per-step fractions of the largest provably safe step.
[<StructuredFormatDisplay("{Show}")>]
type DescentCase =
    { P: PatternSet
      Beta: float
      Eps: float
      Start: float[]
      Fractions: float[] }

    member c.Show =
        sprintf "%A beta=%s eps=%s start=%s fractions=%s" c.P (fmt c.Beta) (fmt c.Eps) (showVector c.Start)
            (showVector c.Fractions)

/// Starts inside the support of a random pattern (radius < r), so the LSR energy is finite there.
let descentCase steps =
    gen {
        let! p = mixedPatterns
        let! beta = betaFor p
        let! eps = epsilon
        let! mu = Gen.choose (0, p.M - 1)
        let! x = pointInBall (p.Row mu) (0.999 * sqrt (2.0 / beta))
        let! fr = Gen.arrayOfLength steps (uniform 0.05 0.95)
        return { P = p; Beta = beta; Eps = eps; Start = x; Fractions = fr }
    }

/// Several start points for one energy (batch retrieval).
[<StructuredFormatDisplay("{Show}")>]
type BatchCase =
    { P: PatternSet
      Beta: float
      Eps: float
      Starts: float[][] }

    member c.Show =
        sprintf "%A beta=%s eps=%s starts=[%s]" c.P (fmt c.Beta) (fmt c.Eps)
            (String.Join("; ", c.Starts |> Array.map showVector))

let batchCase =
    gen {
        let! p = mixedPatterns
        let! beta = betaFor p
        let! eps = epsilon
        let! n = Gen.choose (2, 40)
        let! starts = Gen.arrayOfLength n (startFor p beta)
        return { P = p; Beta = beta; Eps = eps; Starts = starts }
    }

/// Wraps a generator as an Arbitrary without shrinking (the cases print their full data instead).
let arb (g: Gen<'T>) = Arb.fromGen g

/// Theorem 2(b): a memory and a point in a ball about c_S (direction and radius fraction U^{1/d}).
[<StructuredFormatDisplay("{Show}")>]
type MemoryBasinCase =
    { Memory: MemoryCase
      Direction: float[]
      RadiusFraction: float }

    member c.Show = sprintf "%A dir=%s radiusFraction=%s" c.Memory (showVector c.Direction) (fmt c.RadiusFraction)

let memoryBasinCase =
    gen {
        let! m = memoryCase
        let! dir = direction m.P.D
        let! t = unit01
        return { Memory = m; Direction = dir; RadiusFraction = Math.Pow(t, 1.0 / float m.P.D) }
    }
