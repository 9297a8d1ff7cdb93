using System.CommandLine;
using DenseAm.Bench;
using DenseAm.Enumeration;

namespace DenseAm.Cli;

/// <summary>`denseam bench WORKLOAD`: timed workloads that print one JSON object (median seconds, throughput, provider).</summary>
internal static class BenchCommand
{
    public static Command Create(CliIO io)
    {
        string[] workloads = [.. Benchmarks.Workloads, "enumerate-lmin0"];
        var workload = new Argument<string>("workload") { Description = $"One of: {string.Join(", ", workloads)}." };
        workload.AcceptOnlyFromAmong(workloads);
        var queries = new Option<int>("--queries") { Description = "Queries Q.", DefaultValueFactory = _ => 4096 };
        var patterns = new Option<int>("--patterns") { Description = "Stored patterns M.", DefaultValueFactory = _ => 4096 };
        var dim = new Option<int>("--dim") { Description = "Dimension d.", DefaultValueFactory = _ => 784 };
        var dtype = new Option<string>("--dtype") { Description = "float32 or float64.", DefaultValueFactory = _ => "float32" };
        dtype.AcceptOnlyFromAmong("float32", "float64");
        var radius = new Option<double?>("--radius") { Description = "Radius (radius, kde, fixed-point); default gives about 5 neighbours." };
        var beta = new Option<double?>("--beta") { Description = "β for lse-step." };
        var repeat = new Option<int>("--repeat") { Description = "Timed repetitions (the median is reported).", DefaultValueFactory = _ => 5 };
        var threads = new Option<int>("--threads") { Description = "Threads (0 = all cores).", DefaultValueFactory = _ => 0 };
        var cmd = new Command("bench", "Time a workload of the distance engine, or the exact enumeration of the LMIN0 grid; prints one JSON object.")
        {
            workload, queries, patterns, dim, dtype, radius, beta, repeat, threads,
        };
        cmd.SetAction(pr => CliApp.Guarded(io, () =>
        {
            string w = pr.GetValue(workload)!;
            int t = pr.GetValue(threads);
            if (w == "enumerate-lmin0")
            {
                var r = EnumerationBenchmark.Lmin0(t <= 0 ? -1 : t);
                Json.Write(io.Out, j =>
                {
                    j.WriteString("workload", w);
                    j.WriteNumber("enumerations", r.Rows.Count);
                    j.WriteBoolean("all_complete", r.AllComplete);
                    j.WriteNumber("memories", r.TotalMemories);
                    j.WriteNumber("nodes", r.TotalNodes);
                    j.WriteNumber("seconds", r.Seconds);
                    j.WriteNumber("threads", r.Threads);
                });
                return 0;
            }
            var settings = new BenchSettings
            {
                Queries = pr.GetValue(queries),
                Patterns = pr.GetValue(patterns),
                Dim = pr.GetValue(dim),
                DType = pr.GetValue(dtype) == "float64" ? BenchDType.Float64 : BenchDType.Float32,
                Radius = pr.GetValue(radius),
                Beta = pr.GetValue(beta),
                Repeat = pr.GetValue(repeat),
                Threads = t <= 0 ? -1 : t,
            };
            settings.Validate();
            io.Out.WriteLine(Benchmarks.Run(w, settings).ToJson());
            return 0;
        }));
        return cmd;
    }
}
