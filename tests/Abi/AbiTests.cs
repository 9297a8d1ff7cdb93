using System.Globalization;
using DenseAm.Enumeration;
using DenseAm.Kernels;
using DenseAm.Retrieval;
using DenseAm.Selection;
using Xunit.Abstractions;

namespace DenseAm.Tests.Abi;

/// <summary>
/// The C ABI (libdenseam.so, NativeAOT) seen from C and Python: bad input through a gcc-compiled C program and
/// through pytest (each case a status or exception naming the argument, the process surviving, the counts
/// printed), and the same inputs through .NET, C and Python giving bit-identical retrieved points, energies,
/// gradients and β values. The library is published on first use when missing or older than its sources.
/// </summary>
[Collection("Abi")]
public sealed class AbiTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("denseam-abi-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void C_program_gets_a_status_naming_the_argument_for_every_bad_input()
    {
        string exe = NativeLibrary.CompileC(Path.Combine(NativeLibrary.RepositoryRoot, "tests", "Abi", "abi_test.c"), _dir);
        var (code, text) = NativeLibrary.Run(exe, ["bad-input"], _dir);
        output.WriteLine(text);
        Assert.True(code == 0, text);
        Assert.Contains("C bad-input cases tried: ", text);
        Assert.Contains("failed: 0", text);
    }

    [Fact]
    public void DotNet_C_and_Python_give_bitwise_identical_results()
    {
        var (patterns, queries) = Data();
        double beta = BetaSearch.ForNeighbours(new StoredPatterns(patterns), 3.0).Beta;
        string p = Path.Combine(_dir, "p.f64"), q = Path.Combine(_dir, "q.f64");
        WriteF64(p, patterns.Data);
        WriteF64(q, queries.Data);
        string[] args = [p, $"{patterns.Rows}", $"{patterns.Columns}", q, $"{queries.Rows}", beta.ToString("R", CultureInfo.InvariantCulture)];

        var expected = DotNetLines(patterns, queries, beta);
        string exe = NativeLibrary.CompileC(Path.Combine(NativeLibrary.RepositoryRoot, "tests", "Abi", "abi_test.c"), _dir);
        var (cCode, cText) = NativeLibrary.Run(exe, ["crosscheck", .. args], _dir);
        Assert.True(cCode == 0, cText);
        var (pyCode, pyText) = NativeLibrary.RunPython([Path.Combine(NativeLibrary.RepositoryRoot, "tests", "Abi", "crosscheck.py"), .. args], _dir);
        Assert.True(pyCode == 0, pyText);

        var c = Lines(cText);
        var py = Lines(pyText);
        Assert.Equal(expected.Count, c.Count);
        Assert.Equal(expected.Count, py.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i], c[i]);
            Assert.Equal(expected[i], py[i]);
        }
        int converged = expected.Count(l => l.StartsWith("fixed-point-status") && l.Split(' ')[2] == "0");
        int unsupported = expected.Count(l => l.StartsWith("fixed-point-status") && l.Split(' ')[2] == "2");
        Assert.Contains(expected, l => l.StartsWith("members "));
        output.WriteLine($"{expected.Count} lines (points, statuses, energies, gradients, β values, memory sets) compared bit for bit across .NET, C and Python " +
                         $"(β = {beta:R}; fixed point: {converged} converged, {unsupported} unsupported of {queries.Rows})");
        Assert.True(converged > queries.Rows / 2, "most queries should converge");
        Assert.True(unsupported > 0, "the far queries should be unsupported");
    }

    [Fact]
    public void Header_declares_exactly_the_exported_functions()
    {
        string header = File.ReadAllText(Path.Combine(NativeLibrary.Header, "denseam.h"));
        var declared = System.Text.RegularExpressions.Regex.Matches(header, @"\b(dam_[a-z0-9_]+)\(")
            .Select(m => m.Groups[1].Value).ToHashSet();
        var (code, text) = NativeLibrary.Run("nm", ["-D", "--defined-only", NativeLibrary.LibraryPath], _dir);
        Assert.True(code == 0, text);
        var exported = text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length == 3 && f[2].StartsWith("dam_"))
            .Select(f => f[2].Split('@')[0]).ToHashSet();
        output.WriteLine($"{exported.Count} dam_* functions exported, {declared.Count} declared");
        Assert.Empty(declared.Except(exported));
        Assert.Empty(exported.Except(declared));
    }

    [Fact]
    public void Pytest_suite_passes()
    {
        var (code, text) = NativeLibrary.RunPython(["-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", Path.Combine(NativeLibrary.PythonDirectory, "tests")],
            NativeLibrary.RepositoryRoot, timeoutSeconds: 600);
        output.WriteLine(text);
        Assert.True(code == 0, text);
        Assert.Contains("passed", text);
        Assert.Contains("Python bad-input cases tried: ", text);
    }

    [Fact]
    public void Examples_run()
    {
        string exe = NativeLibrary.CompileC(Path.Combine(NativeLibrary.RepositoryRoot, "examples", "retrieve.c"), _dir);
        var (cCode, cText) = NativeLibrary.Run(exe, [], _dir);
        output.WriteLine(cText);
        Assert.True(cCode == 0, cText);
        Assert.Contains("emergent memory at x = 0", cText);
        var (pyCode, pyText) = NativeLibrary.RunPython([Path.Combine(NativeLibrary.RepositoryRoot, "examples", "quickstart.py")], _dir);
        output.WriteLine(pyText);
        Assert.True(pyCode == 0, pyText);
        Assert.Contains("emergent memory at x = 0", pyText);
    }

    /// <summary>40 patterns in [0, 4)^5 and 30 queries: 20 near patterns, 6 random, 4 far outside every support.</summary>
    private static (Matrix Patterns, Matrix Queries) Data()
    {
        ulong state = 0x5EED_AB1;
        double Next() => (SplitMix(ref state) >> 11) * (1.0 / (1UL << 53));
        var p = new Matrix(40, 5);
        for (int i = 0; i < p.Data.Length; i++) p.Data[i] = 4 * Next();
        var q = new Matrix(30, 5);
        for (int i = 0; i < 30; i++)
            for (int j = 0; j < 5; j++)
                q[i, j] = i < 20 ? p[i, j] + 0.3 * (Next() - 0.5) : i < 26 ? 4 * Next() : 100 + 10 * Next();
        return (p, q);
    }

    private static ulong SplitMix(ref ulong s)
    {
        ulong z = s += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The .NET API's answers in the C program's line format.</summary>
    private static List<string> DotNetLines(Matrix patterns, Matrix queries, double beta)
    {
        var lines = new List<string>();
        void Put(string key, long i, double v) => lines.Add($"{key} {i} {BitConverter.DoubleToUInt64Bits(v):x16}");
        var sp = new StoredPatterns(patterns);
        var energy = new Energy(sp, Kernel.Epanechnikov, beta, 0);
        (string Name, RetrievalOptions Options)[] runs =
        [
            ("fixed-point", new RetrievalOptions { Method = RetrievalMethod.FixedPoint, MaxIterations = 1000, Schedule = StepSchedule.Constant(0.05) }),
            ("single-step", new RetrievalOptions { Method = RetrievalMethod.SingleStep, MaxIterations = 1000, Schedule = StepSchedule.Constant(0.05) }),
            ("gradient", new RetrievalOptions { Method = RetrievalMethod.GradientDescent, MaxIterations = 200, Schedule = StepSchedule.Constant(0.05) }),
        ];
        foreach (var (name, options) in runs)
        {
            var batch = Retriever.Retrieve(energy, queries, options);
            for (int i = 0; i < batch.Points.Data.Length; i++) Put(name, i, batch.Points.Data[i]);
            for (int i = 0; i < queries.Rows; i++)
                lines.Add($"{name}-status {i} {(int)batch.Outcomes[i].Status} {batch.Outcomes[i].Iterations}");
        }
        var e = energy.EvaluateBatch(queries);
        for (int i = 0; i < e.Length; i++) Put("energy", i, e[i].Value);
        var g = new Matrix(queries.Rows, queries.Columns);
        energy.GradientBatch(queries, g);
        for (int i = 0; i < g.Data.Length; i++) Put("gradient", i, g.Data[i]);
        double rMin = BetaSearch.MinPairwiseDistance(sp);
        Put("r_min", 0, rMin);
        Put("beta_basin", 0, BetaSearch.ForBasin(sp, 0.25 * rMin));
        Put("beta_neighbours", 0, BetaSearch.ForNeighbours(sp, 3.0).Beta);
        var lin = BetaSearch.Grid(sp, GridSpacing.Linear, 7);
        for (int i = 0; i < 7; i++) Put("grid_linear", i, lin[i]);
        var geo = BetaSearch.Grid(sp, GridSpacing.Geometric, 7);
        for (int i = 0; i < 7; i++) Put("grid_geometric", i, geo[i]);
        var memories = new MemoryEnumerator(sp, beta).Collect();
        lines.Add($"memories {memories.Count} {memories.StoredCount} {memories.NovelCount} {(memories.Complete ? 1 : 0)}");
        for (int i = 0; i < memories.Memories.Count; i++)
            lines.Add(string.Join(' ', [$"members {i}", .. memories.Memories[i].Members.Select(k => k.ToString(CultureInfo.InvariantCulture))]));
        int at = 0;
        foreach (var mem in memories.Memories)
            foreach (double v in mem.Point!) Put("memory_point", at++, v);
        return lines;
    }

    private static List<string> Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private static void WriteF64(string path, double[] data)
    {
        var bytes = new byte[data.Length * 8];
        Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
        File.WriteAllBytes(path, bytes);
    }
}
