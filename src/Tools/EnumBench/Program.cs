using System.Globalization;
using DenseAm.Enumeration;

// Benchmark programs for the exact memory enumerator (until the CLI exposes `denseam bench enumerate`).
//   lmin0 [threads]            the LMIN0 grid, total seconds
//   detail M d seed [steps]    per-β rows of one configuration
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string verb = args.Length > 0 ? args[0] : "lmin0";
switch (verb)
{
    case "lmin0":
    {
        int threads = args.Length > 1 ? int.Parse(args[1]) : -1;
        var r = EnumerationBenchmark.Lmin0(threads);
        foreach (var g in r.Rows.GroupBy(x => (x.PatternCount, x.Dimension)))
            Console.WriteLine($"M={g.Key.PatternCount,3} d={g.Key.Dimension,2}: {g.Count()} enumerations, memories {g.Sum(x => x.Count)}, nodes {g.Sum(x => x.Nodes)}, cpu-seconds {g.Sum(x => x.Seconds):F2}, max {g.Max(x => x.Seconds):F3}");
        Console.WriteLine($"LMIN0 total: {r.Rows.Count} exact enumerations, all complete = {r.AllComplete}, memories {r.TotalMemories}, nodes {r.TotalNodes}, wall seconds {r.Seconds:F2} on {r.Threads} threads");
        return 0;
    }
    case "detail":
    {
        int m = int.Parse(args[1]), d = int.Parse(args[2]), seed = int.Parse(args[3]);
        int steps = args.Length > 4 ? int.Parse(args[4]) : 50;
        var r = EnumerationBenchmark.RunGrid([m], [d], 1, steps, 1, null, null);
        // RunGrid uses seeds 0..seeds-1; for a specific seed run a one-seed grid shifted.
        if (seed != 0) r = EnumerationBenchmark.RunGrid([m], [d], seed + 1, steps, 1);
        foreach (var x in r.Rows.Where(x => x.Seed == seed))
            Console.WriteLine($"i={x.BetaIndex,2} beta={x.Beta,10:G6} count={x.Count,10} stored={x.Stored,3} nodes={x.Nodes,12} sec={x.Seconds,8:F3} complete={x.Complete}");
        return 0;
    }
    default:
        Console.Error.WriteLine($"unknown verb '{verb}'");
        return 2;
}
