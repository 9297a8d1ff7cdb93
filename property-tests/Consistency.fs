/// Cheap consistency properties: results do not depend on the thread count, batch calls equal single
/// calls, and every kernel's gradient matches central finite differences of its energy.
namespace DenseAm.PropertyTests

open System
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open DenseAm
open DenseAm.Kernels
open DenseAm.Retrieval
open DenseAm.PropertyTests.Generators
open DenseAm.PropertyTests.Checks

module ThreadCount =

    let private toMatrix (rows: float[][]) = Matrix.FromRows(rows)

    let private sameOutcomes (a: RetrievalBatch) (b: RetrievalBatch) =
        a.Outcomes.Count = b.Outcomes.Count && Seq.forall2 (=) a.Outcomes b.Outcomes

    let private withThreads (o: RetrievalOptions) threads =
        RetrievalOptions(
            Method = o.Method,
            MaxIterations = o.MaxIterations,
            Schedule = o.Schedule,
            Tolerance = o.Tolerance,
            EarlyStop = o.EarlyStop,
            MaxThreads = threads
        )

    let private check (e: Energy) (starts: float[][]) (options: RetrievalOptions) =
        let q = toMatrix starts
        let one = Retriever.Retrieve(e, q, withThreads options 1)
        let two = Retriever.Retrieve(e, q, withThreads options 2)
        require (bitwiseEqual one.Points.Data two.Points.Data && sameOutcomes one two) (fun () ->
            sprintf "%A: results with 1 and 2 threads differ" options.Method)
        // Each row of the batch equals a single-query retrieval.
        for i in 0 .. starts.Length - 1 do
            let y = Array.zeroCreate e.Dimension
            let o = Retriever.Retrieve(e, ReadOnlySpan<float>(starts.[i]), Span<float>(y), options)
            require (bitwiseEqual y (one.Points.Row(i).ToArray()) && o = one.Outcomes.[i]) (fun () ->
                sprintf "%A: row %d of the batch differs from a single retrieval" options.Method i)

    [<Property(MaxTest = 200)>]
    let ``batch retrieval is bitwise identical with 1 and 2 threads and equals single retrievals`` () =
        Prop.forAll (arb batchCase) (fun c ->
            let lsr = energyOf c.P Kernel.Epanechnikov c.Beta c.Eps
            let lse = energyOf c.P Kernel.Gaussian c.Beta c.Eps
            check lsr c.Starts (RetrievalOptions(Method = RetrievalMethod.FixedPoint))
            check lsr c.Starts (RetrievalOptions(Method = RetrievalMethod.SingleStep))
            let gd = RetrievalOptions(Method = RetrievalMethod.GradientDescent, MaxIterations = 40, Schedule = StepSchedule.Constant(0.5))
            check lsr c.Starts gd
            check lse c.Starts gd)

    [<Property(MaxTest = 200)>]
    let ``batch energies and gradients are bitwise identical with 1 and 2 threads and equal single calls`` () =
        Prop.forAll (arb batchCase) (fun c ->
            for kernel in Kernel.All do
                let e = energyOf c.P kernel c.Beta c.Eps
                let q = toMatrix c.Starts
                let e1 = e.EvaluateBatch(q, 1)
                let e2 = e.EvaluateBatch(q, 2)
                let g1 = Matrix(q.Rows, q.Columns)
                let g2 = Matrix(q.Rows, q.Columns)
                let i1 = e.GradientBatch(q, g1, 1)
                let i2 = e.GradientBatch(q, g2, 2)
                require (e1 = e2 && i1 = i2 && bitwiseEqual g1.Data g2.Data) (fun () ->
                    sprintf "%s: batch results differ between 1 and 2 threads" kernel.Name)
                for i in 0 .. c.Starts.Length - 1 do
                    let ev = e.Evaluate(ReadOnlySpan<float>(c.Starts.[i]))
                    let g, info = gradientOf e c.Starts.[i]
                    require (ev = e1.[i] && info = i1.[i] && bitwiseEqual g (g1.Row(i).ToArray())) (fun () ->
                        sprintf "%s: row %d of the batch differs from a single call" kernel.Name i))

module FiniteDifferences =

    /// A point near a pattern, at least 5% of r away from every support boundary and from every pattern
    /// (the triangle kernel's cone tip), so the central differences below never straddle a kink.
    [<StructuredFormatDisplay("{Show}")>]
    type FdCase =
        { P: PatternSet
          Kernel: IKernel
          Beta: float
          Eps: float
          X: float[] }

        member c.Show =
            sprintf "%A kernel=%s beta=%s eps=%s x=%s" c.P c.Kernel.Name (string c.Beta) (string c.Eps) (show c.X)

    let private clearOfKinks (c: FdCase) =
        let r = sqrt (2.0 / c.Beta)
        [| 0 .. c.P.M - 1 |]
        |> Array.forall (fun mu ->
            let dist = sqrt (sqDist c.X (c.P.Row mu))
            abs (dist - r) >= 0.05 * r && dist >= 0.05 * r)

    let private fdCaseWith (kernels: IKernel list) =
        gen {
            let! p = mixedPatterns
            let! kernel = Gen.elements kernels
            let! beta = betaFor p
            let! eps = epsilon
            let! mu = Gen.choose (0, p.M - 1)
            let! x = pointInBall (p.Row mu) (0.95 * sqrt (2.0 / beta))
            return { P = p; Kernel = kernel; Beta = beta; Eps = eps; X = x }
        }
        |> Gen.where clearOfKinks

    let private fdCase = fdCaseWith (List.ofSeq Kernel.All)

    /// Central differences with h = 1e-6·r. Truncation error h²·E‴/6 is, relative to the natural gradient
    /// scale r, of order (h/r)²/(1 − u)³ ≤ 1e-12·1e3 (u ≤ 0.9025 inside a support here). Rounding: E = −log(Z)/β
    /// with Z = ε + Σ K(u_μ) carries an absolute error δZ ≤ 16·(M + 1)·(d + 6)·(1 + ε)·u (each u_μ within
    /// 2(d + 4) ulps from the SIMD distance, times a slope ≤ 10, plus the sum), so δE ≤ u·|E| + δZ/(βZ), and the
    /// difference quotient adds 2·δE/h. Tolerance 1e-7·(‖g‖∞ + r) + 4·δE/h; the largest error seen over
    /// 4 800 cases was 2e-10·(‖g‖∞ + r).
    [<Property(MaxTest = 400)>]
    let ``every kernel's gradient matches central finite differences away from support boundaries`` () =
        Prop.forAll (arb fdCase) (fun c ->
            let e = energyOf c.P c.Kernel c.Beta c.Eps
            let g, info = gradientOf e c.X
            require info.IsSupported (fun () -> "point near a pattern reported unsupported")
            let r = e.Radius
            let h = 1e-6 * r
            let z =
                c.Eps
                + (Array.init c.P.M (fun mu -> c.Kernel.Profile(sqDist c.X (c.P.Row mu) / e.RadiusSquared)) |> Array.sum)
            let energy = e.Evaluate(ReadOnlySpan<float>(c.X)).Value
            let dz = 16.0 * float (c.P.M + 1) * float (c.P.D + 6) * (1.0 + c.Eps) * unitRoundoff
            let de = unitRoundoff * abs energy + dz / (c.Beta * z)
            let gmax = g |> Array.fold (fun a v -> max a (abs v)) 0.0
            let tol = 1e-7 * (gmax + r) + 4.0 * de / h
            for i in 0 .. c.P.D - 1 do
                let xp = Array.copy c.X
                let xm = Array.copy c.X
                xp.[i] <- xp.[i] + h
                xm.[i] <- xm.[i] - h
                let ep = e.Evaluate(ReadOnlySpan<float>(xp)).Value
                let em = e.Evaluate(ReadOnlySpan<float>(xm)).Value
                // Divide by the step actually taken (x ± h is rounded).
                let fd = (ep - em) / (xp.[i] - xm.[i])
                require (abs (fd - g.[i]) <= tol) (fun () ->
                    sprintf "%s: dE/dx_%d = %s by differences, %s by Gradient (difference %g, tolerance %g)" c.Kernel.Name i
                        (string fd) (string g.[i]) (fd - g.[i]) tol)
            true |> Prop.classify (c.Eps > 0.0) "eps > 0")

    /// The LSR Hessian (|B|/Z)·I + β·∇E∇Eᵀ against central differences of the gradient, h = 1e-6·r, away from
    /// support boundaries (where the Hessian jumps). The gradient W·(x − m)/Z has an absolute rounding error
    /// δg ≤ 4u·(‖x‖∞ + max|ξ|)·|B|/Z + u·|g| (the cancellation in x − m), so a difference quotient is off by
    /// at most 2δg/h; truncation is of order (h/r)²·|H|/(1 − u)³, below 1e-9·max|H| here.
    /// Tolerance 1e-6·max|H| + 4δg/h.
    [<Property(MaxTest = 400)>]
    let ``the LSR Hessian matches central differences of the gradient away from support boundaries`` () =
        Prop.forAll (arb (fdCaseWith [ Kernel.Epanechnikov ])) (fun c ->
            let e = energyOf c.P c.Kernel c.Beta c.Eps
            let h = 1e-6 * e.Radius
            let hess = e.Hessian(ReadOnlySpan<float>(c.X))
            let g, info = gradientOf e c.X
            let n = float info.SupportSize
            let z = lsrZ c.P e.RadiusSquared c.Eps c.X
            let xmax = c.X |> Array.fold (fun a v -> max a (abs v)) 0.0
            let gmax = g |> Array.fold (fun a v -> max a (abs v)) 0.0
            let dg = 4.0 * unitRoundoff * (xmax + c.P.Magnitude) * n / z + unitRoundoff * gmax
            let hmax = hess.Data |> Array.fold (fun a v -> max a (abs v)) 0.0
            let tol = 1e-6 * hmax + 4.0 * dg / h
            for j in 0 .. c.P.D - 1 do
                let xp = Array.copy c.X
                let xm = Array.copy c.X
                xp.[j] <- xp.[j] + h
                xm.[j] <- xm.[j] - h
                let gp, _ = gradientOf e xp
                let gm, _ = gradientOf e xm
                for i in 0 .. c.P.D - 1 do
                    let fd = (gp.[i] - gm.[i]) / (xp.[j] - xm.[j])
                    require (abs (fd - hess.[i, j]) <= tol) (fun () ->
                        sprintf "H[%d,%d] = %s, differences give %s (difference %g, tolerance %g)" i j (string hess.[i, j])
                            (string fd) (fd - hess.[i, j]) tol)
            true)
