using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using DenseAm.Distances;
using DenseAm.Enumeration;
using DenseAm.Formats;

namespace DenseAm.Cli;

/// <summary>`denseam enumerate`: every memory of the LSR energy (exactly) or the LSE memories, with the emergence numbers.</summary>
internal static class EnumerateCommand
{
    public static Command Create(CliIO io)
    {
        var patterns = new Option<string>("--patterns") { Description = "Stored patterns, M×d (.npy or CSV), M ≥ 2, no duplicate rows.", Required = true };
        var beta = new Option<double>("--beta") { Description = "Inverse temperature β > 0.", Required = true };
        var energy = new Option<string>("--energy") { Description = "lsr (exact enumeration, default) or lse (descent from every pattern, merged at 2/√β).", DefaultValueFactory = _ => "lsr" };
        energy.AcceptOnlyFromAmong("lsr", "lse");
        var countOnly = new Option<bool>("--count-only") { Description = "Count memories without listing them (streams; constant memory)." };
        var budgetNodes = new Option<long?>("--budget-nodes") { Description = "Stop after this many search nodes; the output then says complete: false." };
        var budgetSeconds = new Option<double?>("--budget-seconds") { Description = "Stop after this many seconds; the output then says complete: false." };
        var output = new Option<string?>("--out") { Description = "Write the memory points (K×d, .npy or CSV), in the order listed." };
        var samples = new Option<int>("--support-samples") { Description = "Uniform points of [0,1]^d for the supported fraction (0: skip).", DefaultValueFactory = _ => 0 };
        var threads = new Option<int>("--threads") { Description = "Worker threads (0 = all cores); the result does not depend on it.", DefaultValueFactory = _ => 0 };
        var cmd = new Command("enumerate", "Find every memory S with B(mean(S)) = S (LSR, exact) or the LSE memories; prints one JSON object.")
        {
            patterns, beta, energy, countOnly, budgetNodes, budgetSeconds, output, samples, threads,
        };
        cmd.SetAction((pr, ct) => Task.FromResult(CliApp.Guarded(io, () =>
        {
            var store = RetrieveCommand.LoadPatterns(pr.GetValue(patterns)!);
            if (store.Count < 2)
                throw new ArgumentException($"--patterns must hold at least 2 stored patterns to enumerate memories among; got M = {store.Count}.");
            double b = RetrieveCommand.CheckBeta(pr.GetValue(beta));
            if (pr.GetValue(budgetNodes) is { } n && n <= 0) throw new ArgumentException($"--budget-nodes must be > 0; got {n}.");
            if (pr.GetValue(budgetSeconds) is { } s && !(s > 0)) throw new ArgumentException($"--budget-seconds must be > 0; got {s}.");
            if (pr.GetValue(samples) < 0) throw new ArgumentException($"--support-samples must be >= 0; got {pr.GetValue(samples)}.");
            var options = new MemoryEnumerationOptions
            {
                MaxNodes = pr.GetValue(budgetNodes),
                MaxSeconds = pr.GetValue(budgetSeconds),
                MaxThreads = pr.GetValue(threads),
                Cancellation = ct,
            };
            return pr.GetValue(energy) == "lse"
                ? Lse(io, store, b, pr.GetValue(countOnly), pr.GetValue(output))
                : Lsr(io, store, b, options, pr.GetValue(countOnly), pr.GetValue(output), pr.GetValue(samples));
        })));
        return cmd;
    }

    private static int Lsr(CliIO io, StoredPatterns store, double beta, MemoryEnumerationOptions options, bool countOnly, string? output, int samples)
    {
        var sw = Stopwatch.StartNew();
        MemoryEnumerator enumerator = null!;
        RetrieveCommand.Named("--patterns", () => enumerator = new MemoryEnumerator(store, beta));
        const double novelDistance = 0.1;
        EnumerationResult result;
        EmergenceReport? report = null;
        long farNovel = 0;
        var points = new List<double[]>();
        if (countOnly)
        {
            result = enumerator.Stream(m =>
            {
                if (m.IsNovel && m.Point is { } c && IsFar(store, c, novelDistance)) farNovel++;
                if (output != null && m.Point != null) points.Add(m.Point);
            }, options);
        }
        else
        {
            result = enumerator.Collect(options);
            report = EmergenceReport.FromEnumeration(enumerator, result, new EmergenceOptions { MonteCarloPoints = samples, NovelDistance = novelDistance, Enumeration = options });
            farNovel = report.FarNovel.Count;
            points.AddRange(result.Memories.Select(m => m.Point!));
        }
        double seconds = sw.Elapsed.TotalSeconds;
        if (output != null)
            MatrixFile.Write(output, new Matrix(points.Count, store.Dimension, points.SelectMany(p => p).ToArray()));
        var (logLambda, logThm2, logProp3) = TheoryBounds.Compute(store.Count, store.Dimension, beta);
        Json.Write(io.Out, w =>
        {
            w.WriteString("energy", "lsr");
            w.WriteNumber("M", store.Count);
            w.WriteNumber("d", store.Dimension);
            w.WriteNumber("beta", beta);
            w.WriteBoolean("complete", result.Complete);
            w.WriteString("stop", result.Stop.ToString());
            w.WriteNumber("completed_roots", result.CompletedRoots.Count);
            w.WriteNumber("count", result.Count);
            if (!countOnly)
            {
                w.WriteStartArray("memories");
                foreach (var m in result.Memories) WriteMemory(w, m);
                w.WriteEndArray();
            }
            w.WriteNumber("stored_preserved", result.StoredCount);
            w.WriteNumber("novel", result.NovelCount);
            w.WriteNumber("novel_far", farNovel);
            w.WriteBoolean("global_emergence", result.Complete && result.StoredCount == store.Count && farNovel > 0);
            if (report != null)
            {
                w.WriteNumber("locally_emergent", report.LocallyEmergent.Count);
                w.WriteNumber("strongly_emergent", report.StronglyEmergent.Count);
                if (samples > 0) w.Number("supported_fraction", report.SupportedFraction);
            }
            w.Number("log_theorem2_bound", logThm2);
            w.Number("log_proposition3", logProp3);
            w.Number("log_lambda", logLambda);
            w.WriteNumber("nodes_visited", result.NodesVisited);
            w.Number("nodes_per_memory", result.Count == 0 ? double.NaN : result.NodesVisited / (double)result.Count);
            w.WriteNumber("seconds", seconds);
        });
        return 0;
    }

    private static void WriteMemory(Utf8JsonWriter w, LsrMemory m)
    {
        w.WriteStartObject();
        w.WriteStartArray("members");
        foreach (int mu in m.Members) w.WriteNumberValue(mu);
        w.WriteEndArray();
        w.Numbers("point", m.Point ?? []);
        w.Number("delta_min", m.DeltaMin);
        w.Number("gamma_min", m.GammaMin);
        w.Number("basin_radius", m.BasinRadius);
        w.WriteBoolean("marginal", m.IsMarginal);
        w.WriteEndObject();
    }

    private static int Lse(CliIO io, StoredPatterns store, double beta, bool countOnly, string? output)
    {
        var sw = Stopwatch.StartNew();
        var lse = LseMemories.Find(store, beta);
        double seconds = sw.Elapsed.TotalSeconds;
        if (output != null)
            MatrixFile.Write(output, new Matrix(lse.Count, store.Dimension, lse.Memories.SelectMany(m => m.Point).ToArray()));
        // LSE never keeps a stored pattern exactly (Prop. 1): a memory within ε_novel = 0.1 of a pattern it started from
        // counts as that pattern recovered; the rest are novel.
        int near = lse.Memories.Count(m => m.Starts.Any(mu => SquaredDistance.Reference(m.Point, store[mu]) < 0.01));
        Json.Write(io.Out, w =>
        {
            w.WriteString("energy", "lse");
            w.WriteNumber("M", store.Count);
            w.WriteNumber("d", store.Dimension);
            w.WriteNumber("beta", beta);
            w.WriteBoolean("complete", lse.NotConverged == 0);
            w.WriteNumber("count", lse.Count);
            if (!countOnly)
            {
                w.WriteStartArray("memories");
                foreach (var m in lse.Memories)
                {
                    w.WriteStartObject();
                    w.WriteStartArray("members");
                    foreach (int mu in m.Starts) w.WriteNumberValue(mu);
                    w.WriteEndArray();
                    w.Numbers("point", m.Point);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteNumber("stored_preserved", near);
            w.WriteNumber("novel", lse.Count - near);
            w.WriteBoolean("global_emergence", false);
            w.WriteNumber("not_converged", lse.NotConverged);
            w.WriteNumber("merge_distance", 2 / Math.Sqrt(beta));
            w.WriteNumber("seconds", seconds);
        });
        return 0;
    }

    private static bool IsFar(StoredPatterns p, double[] c, double distance)
    {
        for (int mu = 0; mu < p.Count; mu++)
            if (SquaredDistance.Reference(c, p[mu]) < distance * distance) return false;
        return true;
    }
}
