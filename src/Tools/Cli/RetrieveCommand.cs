using System.CommandLine;
using System.Diagnostics;
using DenseAm.Formats;
using DenseAm.Kernels;
using DenseAm.Retrieval;

namespace DenseAm.Cli;

/// <summary>`denseam retrieve`: retrieve a batch of queries from stored patterns.</summary>
internal static class RetrieveCommand
{
    public static Command Create(CliIO io)
    {
        var patterns = new Option<string>("--patterns") { Description = "Stored patterns, M×d (.npy float32/float64 C order, or CSV).", Required = true };
        var queries = new Option<string>("--queries") { Description = "Queries, Q×d (.npy or CSV).", Required = true };
        var beta = new Option<double>("--beta") { Description = "Inverse temperature β > 0 (support radius √(2/β)).", Required = true };
        var method = new Option<string>("--method") { Description = "fixed-point (Algorithm 1), gradient (descent) or single-step (Theorem 1).", DefaultValueFactory = _ => "fixed-point" };
        method.AcceptOnlyFromAmong("fixed-point", "gradient", "single-step");
        var kernel = new Option<string>("--kernel") { Description = "Kernel: epanechnikov (LSR), gaussian (LSE), uniform, triangle, quartic, triweight, tricube, cosine.", DefaultValueFactory = _ => "epanechnikov" };
        var epsilon = new Option<double>("--epsilon") { Description = "ε ≥ 0 inside the logarithm.", DefaultValueFactory = _ => 0.0 };
        var output = new Option<string>("--out") { Description = "Where to write the retrieved points (.npy or CSV).", Required = true };
        var maxIter = new Option<int>("--max-iterations") { Description = "Iteration cap (Algorithm 1 updates or gradient steps).", DefaultValueFactory = _ => 1000 };
        var step = new Option<double>("--step-size") { Description = "Gradient descent: initial rate α_0.", DefaultValueFactory = _ => 0.01 };
        var schedule = new Option<string>("--schedule") { Description = "Gradient descent: constant or cosine (decay from α_0 to α_0·final-fraction over max-iterations).", DefaultValueFactory = _ => "constant" };
        schedule.AcceptOnlyFromAmong("constant", "cosine");
        var finalFraction = new Option<double>("--final-fraction") { Description = "Cosine schedule: final rate as a fraction of α_0.", DefaultValueFactory = _ => 0.001 };
        var tolerance = new Option<double>("--tolerance") { Description = "‖∇E‖ below which gradient descent / single step count as converged.", DefaultValueFactory = _ => 1e-8 };
        var noEarlyStop = new Option<bool>("--no-early-stop") { Description = "Gradient descent: run every step even after ‖∇E‖ < tolerance." };
        var threads = new Option<int>("--threads") { Description = "Worker threads (0 = all cores); results do not depend on it.", DefaultValueFactory = _ => 0 };
        var dtype = new Option<string>("--dtype") { Description = "Element type of a .npy output: float64 or float32.", DefaultValueFactory = _ => "float64" };
        dtype.AcceptOnlyFromAmong("float64", "float32");
        var quiet = new Option<bool>("--summary-only") { Description = "Print only the totals, not one record per query." };

        var cmd = new Command("retrieve", "Retrieve memories for a batch of queries; prints one JSON object (per-query status, iterations, support size; totals).")
        {
            patterns, queries, beta, method, kernel, epsilon, output, maxIter, step, schedule, finalFraction, tolerance, noEarlyStop, threads, dtype, quiet,
        };
        cmd.SetAction(pr => CliApp.Guarded(io, () =>
        {
            var store = LoadPatterns(pr.GetValue(patterns)!);
            var q = ReadNamed(pr.GetValue(queries)!, "--queries");
            Named("--queries", () => DenseAm.Guard.Finite(q.Data, Math.Max(1, q.Columns), "queries"));
            if (q.Columns != store.Dimension)
                throw new ArgumentException($"--queries has dimension {q.Columns}, but --patterns has dimension d = {store.Dimension}.");
            var energy = new Energy(store, Kernel.FromName(pr.GetValue(kernel)!), CheckBeta(pr.GetValue(beta)), CheckEpsilon(pr.GetValue(epsilon)));
            int iters = pr.GetValue(maxIter);
            if (iters <= 0) throw new ArgumentException($"--max-iterations must be > 0; got {iters}.");
            double alpha = pr.GetValue(step);
            if (!(alpha > 0) || double.IsInfinity(alpha)) throw new ArgumentException($"--step-size must be a finite number > 0; got {alpha}.");
            var m = pr.GetValue(method) switch
            {
                "gradient" => RetrievalMethod.GradientDescent,
                "single-step" => RetrievalMethod.SingleStep,
                _ => RetrievalMethod.FixedPoint,
            };
            var options = new RetrievalOptions
            {
                Method = m,
                MaxIterations = iters,
                Schedule = pr.GetValue(schedule) == "cosine"
                    ? StepSchedule.CosineDecay(alpha, pr.GetValue(finalFraction), iters)
                    : StepSchedule.Constant(alpha),
                Tolerance = pr.GetValue(tolerance),
                EarlyStop = !pr.GetValue(noEarlyStop),
                MaxThreads = pr.GetValue(threads),
            };
            var sw = Stopwatch.StartNew();
            var result = Retriever.Retrieve(energy, q, options);
            double seconds = sw.Elapsed.TotalSeconds;
            string outPath = pr.GetValue(output)!;
            MatrixFile.Write(outPath, result.Points, pr.GetValue(dtype) == "float32" ? NpyDType.Float32 : NpyDType.Float64);
            Json.Write(io.Out, w =>
            {
                w.WriteString("method", pr.GetValue(method));
                w.WriteString("kernel", energy.Kernel.Name);
                w.WriteNumber("beta", energy.Beta);
                w.WriteNumber("epsilon", energy.Epsilon);
                w.WriteNumber("M", store.Count);
                w.WriteNumber("d", store.Dimension);
                w.WriteNumber("queries", q.Rows);
                w.WriteNumber("converged", result.ConvergedCount);
                w.WriteNumber("not_converged", result.NotConvergedCount);
                w.WriteNumber("unsupported", result.UnsupportedCount);
                w.WriteNumber("seconds", seconds);
                w.WriteString("out", outPath);
                if (!pr.GetValue(quiet))
                {
                    w.WriteStartArray("results");
                    foreach (var o in result.Outcomes)
                    {
                        w.WriteStartObject();
                        w.WriteBoolean("converged", o.Converged);
                        w.WriteString("status", o.Status switch
                        {
                            RetrievalStatus.Converged => "converged",
                            RetrievalStatus.NotConverged => "not_converged",
                            _ => "unsupported",
                        });
                        w.WriteNumber("iterations", o.Iterations);
                        w.WriteNumber("support_size", o.SupportSize);
                        w.Number("gradient_norm", o.GradientNorm);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }
            });
            return 0;
        }));
        return cmd;
    }

    internal static Matrix ReadNamed(string path, string option)
    {
        try
        {
            return MatrixFile.Read(path);
        }
        catch (FileNotFoundException)
        {
            throw new ArgumentException($"{option}: file '{path}' does not exist.");
        }
        catch (DataFormatException e)
        {
            throw new ArgumentException($"{option}: {e.Message}");
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{option}: {e.Message}");
        }
    }

    internal static StoredPatterns LoadPatterns(string path)
    {
        var m = ReadNamed(path, "--patterns");
        StoredPatterns? p = null;
        Named("--patterns", () => p = new StoredPatterns(m));
        return p!;
    }

    internal static void Named(string option, Action action)
    {
        try
        {
            action();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{option}: {e.Message}");
        }
    }

    internal static double CheckBeta(double beta)
    {
        if (!(beta > 0) || double.IsInfinity(beta))
            throw new ArgumentException($"--beta must be a finite number > 0; got {DenseAm.Guard.Fmt(beta)}.");
        return beta;
    }

    internal static double CheckEpsilon(double epsilon)
    {
        if (!(epsilon >= 0) || double.IsInfinity(epsilon))
            throw new ArgumentException($"--epsilon must be a finite number >= 0; got {DenseAm.Guard.Fmt(epsilon)}.");
        return epsilon;
    }
}
