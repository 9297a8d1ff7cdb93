using System.CommandLine;
using System.Diagnostics;
using DenseAm.Runner;

namespace DenseAm.Cli;

/// <summary>`denseam reproduce`: every experiment on the embedded defaults, then a table of the paper's claims.</summary>
internal static class ReproduceCommand
{
    public static Command Create(CliIO io)
    {
        var quick = new Option<bool>("--quick") { Description = "Keep every axis of every grid, with fewer points." };
        var output = new Option<string>("--out") { Description = "Results folder.", DefaultValueFactory = _ => "results" };
        var threads = new Option<int>("--threads") { Description = "Units computed at once (0 = all cores).", DefaultValueFactory = _ => 0 };
        var cmd = new Command("reproduce", "Run every experiment (resumable), then print whether each of the paper's claims held, with numbers.")
        {
            quick, output, threads,
        };
        cmd.SetAction((pr, ct) => Task.FromResult(CliApp.Guarded(io, () =>
        {
            var sw = Stopwatch.StartNew();
            bool q = pr.GetValue(quick);
            string outDir = pr.GetValue(output)!;
            foreach (var id in ExperimentCatalog.Ids)
            {
                var s = RunCommand.RunOne(io, id, q, outDir, pr.GetValue(threads), ct);
                if (s.Cancelled) return 130;
            }
            var figures = DenseAm.Runner.Figures.Figures.DrawAll(outDir, Path.Combine(outDir, "figures"));
            io.Error.WriteLine($"figures: {figures.Count} files in {Path.Combine(outDir, "figures")}");
            PrintClaims(io, outDir, q, $"{(q ? "quick" : "full")} grids, {sw.Elapsed.TotalSeconds:F1} s in all");
            return 0;
        })));
        return cmd;
    }

    /// <summary>`denseam claims`: the claims table for results already in a folder (e.g. a full run of one experiment).</summary>
    public static Command CreateClaims(CliIO io)
    {
        var quick = new Option<bool>("--quick") { Description = "Read the quick runs' files (<id>-quick.jsonl)." };
        var results = new Option<string>("--results") { Description = "Results folder.", DefaultValueFactory = _ => "results" };
        var cmd = new Command("claims", "Print whether each of the paper's claims held in the results found in a folder, with numbers.") { quick, results };
        cmd.SetAction((pr, _) => Task.FromResult(CliApp.Guarded(io, () =>
        {
            string dir = pr.GetValue(results)!;
            if (!Directory.Exists(dir)) throw new ArgumentException($"--results: folder '{dir}' does not exist.");
            bool q = pr.GetValue(quick);
            PrintClaims(io, dir, q, $"{(q ? "quick" : "full")} grids in {dir}");
            return 0;
        })));
        return cmd;
    }

    private static void PrintClaims(CliIO io, string dir, bool quick, string what)
    {
        var checks = Claims.Evaluate(dir, quick);
        io.Out.WriteLine();
        io.Out.WriteLine($"The paper's claims against our runs ({what}):");
        foreach (var c in checks)
        {
            string verdict = c.Held switch { true => "HELD", false => "NOT HELD", null => "NOT RUN" };
            io.Out.WriteLine($"  [{verdict}] {c.Experiment}: {c.Claim}");
            io.Out.WriteLine($"      {c.Evidence}");
        }
        io.Out.Flush();
    }
}
