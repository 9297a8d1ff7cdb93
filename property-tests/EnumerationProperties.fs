/// Properties of the exact LSR memory enumerator (SPEC §2, §5): on random instances it returns exactly the
/// memories an all-subsets brute force finds, whatever the β (including β that put pairs or centroid/pattern
/// pairs exactly on a support boundary), whatever the mode and the thread count.
/// Self-contained: its own generators and its own brute force (no shared helpers).
module DenseAm.PropertyTests.EnumerationProperties

open System
open DenseAm
open DenseAm.Distances
open DenseAm.Enumeration
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit

/// A small instance: patterns and one β, with a label saying how β was chosen.
type Instance = { Patterns: StoredPatterns; Beta: double; How: string }

/// SplitMix64, so an instance is a pure function of the generated integers.
let private splitMix (state: uint64 ref) =
    state.Value <- state.Value + 0x9E3779B97F4A7C15UL
    let mutable z = state.Value
    z <- (z ^^^ (z >>> 30)) * 0xBF58476D1CE4E5B9UL
    z <- (z ^^^ (z >>> 27)) * 0x94D049BB133111EBUL
    z ^^^ (z >>> 31)

let private unit01 (s: uint64 ref) = float (splitMix s >>> 11) * (1.0 / 9007199254740992.0)

let private centroid (p: StoredPatterns) (members: int list) =
    let c = Array.zeroCreate<double> p.Dimension
    for mu in List.sort members do
        let xi = p.[mu]
        for i in 0 .. p.Dimension - 1 do c.[i] <- c.[i] + xi.[i]
    let n = double (List.length members)
    Array.map (fun v -> v / n) c

/// The oracle: all non-empty subsets, centroid in index order, exact support test against every pattern.
let bruteForce (p: StoredPatterns) (beta: double) : int list list =
    let m = p.Count
    let r2 = 2.0 / beta
    [ for mask in 1 .. (1 <<< m) - 1 do
        let members = [ for k in 0 .. m - 1 do if (mask >>> k) &&& 1 = 1 then yield k ]
        let c = centroid p members
        let isMemory =
            seq { 0 .. m - 1 }
            |> Seq.forall (fun k -> ((mask >>> k) &&& 1 = 1) = (SquaredDistance.Reference(ReadOnlySpan c, p.[k]) < r2))
        if isMemory then yield members ]
    |> List.sort

let private build (m: int) (d: int) (style: int) (seed: uint64) =
    let s = ref seed
    let coordinate () =
        match style with
        | 0 -> unit01 s
        | 1 -> float (splitMix s % 4UL) // a small lattice: ties and exactly representable boundaries
        | _ -> float (splitMix s % 16UL) / 8.0
    let rows =
        [ for _ in 1 .. m -> Array.init d (fun _ -> coordinate ()) ]
        |> List.distinctBy (fun r -> String.Join(",", r))
    if List.length rows < 2 then None
    else Some(StoredPatterns(Matrix.FromRows(Array.ofList rows)))

let private chooseBeta (p: StoredPatterns) (kind: int) (a: int) (b: int) (sub: int) =
    let m = p.Count
    let d2 i j = SquaredDistance.Reference(p.[i], p.[j])
    let pairs = [ for i in 0 .. m - 1 do for j in i + 1 .. m - 1 -> i, j ]
    let rmin2 = pairs |> List.map (fun (i, j) -> d2 i j) |> List.min
    let lo, hi = 2.0 / double p.Dimension, 8.0 / rmin2
    match kind with
    | 0 ->
        let t = double (a % 50) / 49.0
        lo + t * (hi - lo), "grid"
    | 1 ->
        let i, j = pairs.[a % pairs.Length]
        8.0 / d2 i j, "pair at D = 2r"
    | 2 | 3 ->
        // A subset S (bits of sub), a pattern k: β = 2/‖c_S − ξ_k‖² puts ξ_k exactly on c_S's support boundary.
        let members = [ for k in 0 .. m - 1 do if (sub >>> k) &&& 1 = 1 then yield k ]
        let members = if List.isEmpty members then [ a % m ] else members
        let c = centroid p members
        let k = b % m
        let dist2 = SquaredDistance.Reference(ReadOnlySpan c, p.[k])
        if dist2 = 0.0 then lo + (hi - lo) * 0.5, "grid (centroid on a pattern)"
        elif kind = 2 then 2.0 / dist2, "pattern on a centroid's boundary"
        else Math.BitIncrement(2.0 / dist2), "one ulp past a centroid's boundary"
    | _ -> lo + (hi - lo) * double (a % 1000) / 999.0 * 0.25, "low quarter of the grid"

let instanceGen : Gen<Instance> =
    gen {
        let! m = Gen.choose (2, 14)
        let! d = Gen.choose (1, 8)
        let! style = Gen.frequency [ 6, Gen.constant 0; 2, Gen.constant 1; 2, Gen.constant 2 ]
        let! seed = Gen.choose (0, Int32.MaxValue)
        let! kind = Gen.choose (0, 4)
        let! a = Gen.choose (0, 100000)
        let! b = Gen.choose (0, 100000)
        let! sub = Gen.choose (0, (1 <<< 14) - 1)
        match build m d style (uint64 seed * 2654435761UL + uint64 m) with
        | None -> return None
        | Some p ->
            let beta, how = chooseBeta p kind a b sub
            return Some { Patterns = p; Beta = beta; How = sprintf "%s (M=%d d=%d style=%d)" how p.Count d style }
    }
    |> Gen.where Option.isSome
    |> Gen.map Option.get

let private members (r: EnumerationResult) = r.Memories |> Seq.map (fun x -> List.ofArray x.Members) |> List.ofSeq

[<Property(MaxTest = 300)>]
let ``the enumerator finds exactly the brute-force memories`` () =
    Prop.forAll (Arb.fromGen instanceGen) (fun inst ->
        let e = MemoryEnumerator(inst.Patterns, inst.Beta)
        let r = e.Collect()
        let expected = bruteForce inst.Patterns inst.Beta
        let got = members r |> List.sort
        (r.Complete && got = expected)
        |> Prop.label (sprintf "%s beta=%.17g expected %A got %A" inst.How inst.Beta expected got))

[<Property(MaxTest = 150)>]
let ``count-only equals collect, and one thread equals two`` () =
    Prop.forAll (Arb.fromGen instanceGen) (fun inst ->
        let e = MemoryEnumerator(inst.Patterns, inst.Beta)
        let one = e.Collect(MemoryEnumerationOptions(MaxThreads = 1))
        let two = e.Collect(MemoryEnumerationOptions(MaxThreads = 2))
        let count = e.Count(MemoryEnumerationOptions(MaxThreads = 2))
        let near = e.Count(MemoryEnumerationOptions(Confirmation = CoordinateConfirmation.WhenNearBoundary))
        let points (r: EnumerationResult) = r.Memories |> Seq.map (fun x -> List.ofArray x.Point) |> List.ofSeq
        (members one = members two && points one = points two && count.Count = one.Count
         && count.StoredCount = one.StoredCount && near.Count = one.Count && one.NodesVisited = two.NodesVisited)
        |> Prop.label (sprintf "%s beta=%.17g" inst.How inst.Beta))
