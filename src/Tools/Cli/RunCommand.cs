using System.CommandLine;
using DenseAm.Runner;

namespace DenseAm.Cli;

/// <summary>`denseam run EXPERIMENT` and `denseam export`: run one of the paper's experiments as a streamed, resumable job.</summary>
internal static class RunCommand
{
    public static Command Create(CliIO io)
    {
        var experiment = new Argument<string>("experiment") { Description = $"Experiment id: {string.Join(", ", ExperimentCatalog.Ids)}." };
        experiment.AcceptOnlyFromAmong([.. ExperimentCatalog.Ids]);
        var quick = new Option<bool>("--quick") { Description = "Keep every axis of the grid, with fewer points." };
        var output = new Option<string>("--out") { Description = "Results folder (EXPERIMENT.jsonl is written, or resumed, there).", DefaultValueFactory = _ => "results" };
        var threads = new Option<int>("--threads") { Description = "Units computed at once (0 = all cores); results do not depend on it.", DefaultValueFactory = _ => 0 };
        var spec = new Option<string?>("--spec") { Description = "JSON file overriding spec fields (logl0, lmin0), e.g. {\"Seeds\": 1, \"LseTolerance\": 0}." };
        var name = new Option<string?>("--name") { Description = "Results file name (default: the experiment id, with -quick)." };
        var cmd = new Command("run", "Run one of the paper's experiments (SPEC §7), streaming one JSONL record per (configuration, seed, β); a rerun resumes.")
        {
            experiment, quick, output, threads, spec, name,
        };
        cmd.SetAction((pr, ct) => Task.FromResult(CliApp.Guarded(io, () =>
        {
            string id = pr.GetValue(experiment)!;
            int n = pr.GetValue(threads);
            if (n < 0) throw new ArgumentException($"--threads must be >= 0; got {n}.");
            string? specJson = null;
            if (pr.GetValue(spec) is { } specPath)
            {
                if (!File.Exists(specPath)) throw new ArgumentException($"--spec: file '{specPath}' does not exist.");
                specJson = File.ReadAllText(specPath);
            }
            var summary = RunOne(io, id, pr.GetValue(quick), pr.GetValue(output)!, n, ct, specJson, pr.GetValue(name));
            if (summary.Cancelled) return 130;
            var files = DenseAm.Runner.Figures.Figures.Draw(summary.Path, Path.Combine(pr.GetValue(output)!, "figures"));
            io.Error.WriteLine($"{id}: {files.Count} figure files in {Path.Combine(pr.GetValue(output)!, "figures")}");
            return 0;
        })));
        return cmd;
    }

    internal static RunSummary RunOne(CliIO io, string id, bool quick, string outDir, int threads, CancellationToken ct,
        string? specJson = null, string? name = null)
    {
        var exp = ExperimentCatalog.Create(id, quick, outDir, specJson);
        foreach (var note in exp.Notes) io.Error.WriteLine($"{id}: note: {note}");
        string path = Path.Combine(outDir, (name ?? id + (quick ? "-quick" : "")) + ".jsonl");
        var summary = Progress.Track(io, id, report => ExperimentRunner.Run(exp, path, threads, report, ct));
        io.Error.WriteLine($"{id}: {summary.Computed} units computed, {summary.Resumed} resumed, of {summary.Total}, in {summary.Seconds:F1} s -> {path}{(summary.Cancelled ? " (interrupted; rerun to resume)" : "")}");
        return summary;
    }

    public static Command CreateExport(CliIO io)
    {
        var results = new Option<string>("--results") { Description = "A results file (.jsonl) written by `denseam run`.", Required = true };
        var output = new Option<string>("--out") { Description = "The CSV file to write.", Required = true };
        var cmd = new Command("export", "Export a JSONL results file as CSV (one row per record).") { results, output };
        cmd.SetAction(pr => CliApp.Guarded(io, () =>
        {
            string path = pr.GetValue(results)!;
            if (!File.Exists(path)) throw new ArgumentException($"--results: file '{path}' does not exist.");
            int rows = CsvExport.Export(path, pr.GetValue(output)!);
            io.Error.WriteLine($"export: {rows} records -> {pr.GetValue(output)}");
            return 0;
        }));
        return cmd;
    }
}
