using System.CommandLine;
using System.Diagnostics;
using DenseAm.Experiments;

namespace DenseAm.Cli;

/// <summary>`denseam run EXPERIMENT`: runs one of the paper's experiments on the embedded default data.</summary>
internal static class RunCommand
{
    public static Command Create(CliIO io)
    {
        var experiment = new Argument<string>("experiment") { Description = "Experiment id: fig1." };
        experiment.AcceptOnlyFromAmong("fig1");
        var quick = new Option<bool>("--quick") { Description = "Fewer points on every axis." };
        var threads = new Option<int>("--threads") { Description = "Worker threads (0 = all cores); results do not depend on it.", DefaultValueFactory = _ => 0 };
        var cmd = new Command("run", "Run one of the paper's experiments (SPEC §7) and print its results as JSON lines and a summary.")
        {
            experiment, quick, threads,
        };
        cmd.SetAction(pr => CliApp.Guarded(io, () =>
        {
            var sw = Stopwatch.StartNew();
            var landscapes = Fig1Experiment.Run(pr.GetValue(quick) ? 121 : 601, pr.GetValue(threads));
            bool allMatch = true;
            foreach (var l in landscapes)
            {
                bool? match = null;
                if (l.Name == "1d" && l.Energy == "lsr" && Fig1Experiment.Reference1D.TryGetValue(l.Beta, out var expected))
                {
                    match = expected.Length == l.Minima.Count && expected.Zip(l.Minima).All(t => t.First == t.Second[0]);
                    allMatch &= match.Value;
                }
                Json.Write(io.Out, w =>
                {
                    w.WriteString("experiment", "fig1");
                    w.WriteString("landscape", l.Name);
                    w.WriteString("energy", l.Energy);
                    w.WriteNumber("beta", l.Beta);
                    w.WriteNumber("minima_count", l.Minima.Count);
                    w.WriteStartArray("minima");
                    foreach (var m in l.Minima)
                    {
                        w.WriteStartArray();
                        foreach (var v in m) w.WriteNumberValue(v);
                        w.WriteEndArray();
                    }
                    w.WriteEndArray();
                    w.WriteNumber("starts", l.Starts);
                    w.WriteNumber("unsupported_starts", l.Unsupported);
                    w.WriteNumber("not_converged_starts", l.NotConverged);
                    if (match is { } ok) w.WriteBoolean("matches_spec_reference", ok);
                });
            }
            io.Error.WriteLine($"fig1: {landscapes.Count} landscapes in {sw.Elapsed.TotalSeconds:F2} s; 1D LSR minima {(allMatch ? "match" : "DO NOT match")} SPEC §7 (β = 0.4 → 1, 0.9 → 3, 2.1 → 2).");
            return allMatch ? 0 : 1;
        }));
        return cmd;
    }
}
