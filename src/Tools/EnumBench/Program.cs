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
        var cpu0 = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        var r = EnumerationBenchmark.Lmin0(threads);
        var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        foreach (var g in r.Rows.GroupBy(x => (x.PatternCount, x.Dimension)))
            Console.WriteLine($"M={g.Key.PatternCount,3} d={g.Key.Dimension,2}: {g.Count()} enumerations, memories {g.Sum(x => x.Count)}, nodes {g.Sum(x => x.Nodes)}, sum of per-enumeration wall seconds {g.Sum(x => x.Seconds):F2}, slowest {g.Max(x => x.Seconds):F3}");
        Console.WriteLine($"LMIN0 total: {r.Rows.Count} exact enumerations, all complete = {r.AllComplete}, memories {r.TotalMemories}, nodes {r.TotalNodes}, wall seconds {r.Seconds:F2} on {r.Threads} threads, process cpu seconds {cpu.TotalSeconds:F2}");
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
    case "large":
    {
        // Exact counts for larger M across the 50-step β grid, each enumeration with a time budget; count-only with
        // coordinate confirmation only near the boundary band (identical counts, see CoordinateConfirmation).
        int m = int.Parse(args[1]), d = int.Parse(args[2]);
        double budget = args.Length > 3 ? double.Parse(args[3]) : 60;
        int seeds = args.Length > 4 ? int.Parse(args[4]) : 1;
        var opts = new MemoryEnumerationOptions { MaxSeconds = budget, Confirmation = CoordinateConfirmation.WhenNearBoundary };
        var cpu0 = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        var r = EnumerationBenchmark.RunGrid([m], [d], seeds, 50, -1, opts);
        foreach (var x in r.Rows)
            Console.WriteLine($"M={m} d={d} seed={x.Seed} i={x.BetaIndex,2} beta={x.Beta,10:G6} count={x.Count,12} stored={x.Stored,4} complete={x.Complete,-5} nodes={x.Nodes,12} nodes/memory={(x.Count > 0 ? x.Nodes / (double)x.Count : double.NaN),8:F2} sec={x.Seconds,8:F2}");
        var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        Console.WriteLine($"M={m} d={d}: {r.Rows.Count} enumerations (budget {budget} s each), complete {r.Rows.Count(x => x.Complete)}, memories {r.TotalMemories}, nodes {r.TotalNodes}, wall {r.Seconds:F1} s, cpu {cpu.TotalSeconds:F1} s");
        return 0;
    }
    case "one":
    {
        int m = int.Parse(args[1]), d = int.Parse(args[2]), seed = int.Parse(args[3]), bi = int.Parse(args[4]);
        var p = EnumerationBenchmark.UniformPatterns(m, d, seed);
        var grid = DenseAm.Selection.BetaSearch.Grid(p, DenseAm.Selection.GridSpacing.Linear, 50);
        var r = new MemoryEnumerator(p, grid[bi]).Count(new MemoryEnumerationOptions { MaxThreads = 1, MaxSeconds = args.Length > 5 ? double.Parse(args[5]) : null });
        Console.WriteLine($"beta={grid[bi]} count={r.Count} nodes={r.NodesVisited} sec={r.Seconds:F3} complete={r.Complete}");
        var probe = typeof(MemoryEnumerator).Assembly.GetType("DenseAm.Enumeration.Probe")?.GetField("C")?.GetValue(null) as long[];
        if (probe != null) Console.WriteLine("inside calls/vertex-ok/refined calls/refined-ok " + string.Join(" ", probe.Take(4)) + " | outside " + string.Join(" ", probe.Skip(4).Take(4)) + " | bisector calls/dead/forced " + string.Join(" ", probe.Skip(8).Take(3)) + " | propagations " + probe[11]);
        return 0;
    }
    case "authors":
    {
        // Same patterns, same β grid, same run: our exact enumerator vs the authors' all-subsets method in numpy.
        int m = args.Length > 1 ? int.Parse(args[1]) : 20, d = args.Length > 2 ? int.Parse(args[2]) : 8;
        string script = args.Length > 3 ? args[3] : Path.Combine(FindRepoRoot(), "bench", "enumeration", "authors_all_subsets.py");
        var patterns = EnumerationBenchmark.UniformPatterns(m, d, 0);
        var grid = DenseAm.Selection.BetaSearch.Grid(patterns, DenseAm.Selection.GridSpacing.Linear, 50);
        string npy = Path.Combine(Path.GetTempPath(), $"denseam-enum-authors-{m}x{d}.npy");
        WriteNpy(npy, patterns);
        var ours = new long[grid.Length];
        long nodes = 0;
        var warm = new MemoryEnumerator(patterns, grid[grid.Length / 2]).Count(new MemoryEnumerationOptions { MaxThreads = 1 });
        var cpuStart = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < grid.Length; i++)
        {
            var r = new MemoryEnumerator(patterns, grid[i]).Count(new MemoryEnumerationOptions { MaxThreads = 1 });
            ours[i] = r.Count;
            nodes += r.NodesVisited;
        }
        double oursSeconds = clock.Elapsed.TotalSeconds;
        double oursCpu = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalSeconds;
        var psi = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add(npy);
        foreach (double b in grid) psi.ArgumentList.Add(b.ToString("R", CultureInfo.InvariantCulture));
        using var proc = System.Diagnostics.Process.Start(psi)!;
        string json = proc.StandardOutput.ReadToEnd();
        proc.WaitForExit();
        if (proc.ExitCode != 0) { Console.Error.WriteLine($"python exited with {proc.ExitCode}"); return 1; }
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        double pySeconds = doc.RootElement.GetProperty("seconds").GetDouble();
        double pyCpu = doc.RootElement.GetProperty("cpu_seconds").GetDouble();
        int agree = 0, i2 = 0;
        foreach (var row in doc.RootElement.GetProperty("results").EnumerateArray())
        {
            long c = row.GetProperty("count").GetInt64();
            if (c == ours[i2]) agree++;
            else Console.WriteLine($"  beta[{i2}] = {grid[i2]:R}: ours {ours[i2]}, all-subsets {c}");
            i2++;
        }
        Console.WriteLine($"M={m} d={d}, 50 linear beta in [2/d, 8/r_min^2]: memories {ours.Sum()} (counts agree at {agree}/{grid.Length} beta)");
        Console.WriteLine($"exact enumerator (1 thread): wall {oursSeconds:F4} s, cpu {oursCpu:F4} s, {nodes} nodes");
        Console.WriteLine($"authors' all-subsets (numpy): wall {pySeconds:F2} s, cpu {pyCpu:F2} s");
        Console.WriteLine($"speed-up: wall {pySeconds / oursSeconds:F0}x, cpu {pyCpu / Math.Max(oursCpu, 1e-9):F0}x");
        return 0;
    }
    default:
        Console.Error.WriteLine($"unknown verb '{verb}'");
        return 2;
}

static string FindRepoRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir != null && !File.Exists(Path.Combine(dir.FullName, "DenseAmToolkit.sln"))) dir = dir.Parent;
    return dir?.FullName ?? Directory.GetCurrentDirectory();
}

// A float64 C-order .npy (format 1.0) of the patterns, for the Python peer.
static void WriteNpy(string path, DenseAm.StoredPatterns p)
{
    string header = $"{{'descr': '<f8', 'fortran_order': False, 'shape': ({p.Count}, {p.Dimension}), }}";
    int total = 10 + header.Length + 1;
    header = header.PadRight(header.Length + (64 - total % 64) % 64) + "\n";
    using var w = new BinaryWriter(File.Create(path));
    w.Write(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 });
    w.Write((ushort)header.Length);
    w.Write(System.Text.Encoding.ASCII.GetBytes(header));
    foreach (double v in p.Data) w.Write(v);
}
