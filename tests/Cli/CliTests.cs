using System.Text.Json;
using DenseAm.Cli;
using DenseAm.Formats;

namespace DenseAm.Tests.Cli;

public sealed class CliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("denseam-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = CliApp.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public void Claims_prints_the_table_for_a_folder_and_refuses_a_missing_one()
    {
        var (code, stdout, stderr) = Run("claims", "--results", _dir);
        Assert.True(code == 0, stderr);
        Assert.Contains("[NOT RUN] logl0", stdout);
        Assert.Contains("[NOT RUN] lmin0", stdout);
        (code, _, stderr) = Run("claims", "--results", PathOf("missing"));
        Assert.Equal(2, code);
        Assert.Contains("--results", stderr);
    }

    [Fact]
    public void Retrieve_writes_points_and_prints_json()
    {
        string p = PathOf("p.npy"), q = PathOf("q.csv"), r = PathOf("r.npy");
        Npy.Write(p, new Matrix(2, 1, [-1, 1]), NpyDType.Float32);
        File.WriteAllText(q, "-1.2\n0.1\n0.9\n50\n");
        var (code, stdout, stderr) = Run("retrieve", "--patterns", p, "--queries", q, "--beta", "0.9", "--method", "fixed-point", "--out", r);
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal(3, root.GetProperty("converged").GetInt32());
        Assert.Equal(1, root.GetProperty("unsupported").GetInt32());
        var results = root.GetProperty("results");
        Assert.Equal(4, results.GetArrayLength());
        Assert.True(results[0].GetProperty("converged").GetBoolean());
        Assert.Equal("unsupported", results[3].GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, results[3].GetProperty("gradient_norm").ValueKind);
        Assert.Equal(new double[] { -1, 0, 1, 50 }, Npy.Read(r).Data);
    }

    [Fact]
    public void Beta_modes_print_json()
    {
        string p = PathOf("p.csv");
        File.WriteAllText(p, "0\n1\n3\n7\n");
        var (code, stdout, _) = Run("beta", "--patterns", p, "--neighbours", "1");
        Assert.Equal(0, code);
        var b = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(2 / (1.359375 * 1.359375), b.GetProperty("beta").GetDouble());
        Assert.Equal(1.0, b.GetProperty("r_min").GetDouble());
        Assert.Equal(1.0, b.GetProperty("average_neighbours").GetDouble());
        (code, stdout, _) = Run("beta", "--patterns", p, "--basin", "0.25");
        Assert.Equal(0, code);
        Assert.Equal(2 / (0.75 * 0.75), JsonDocument.Parse(stdout).RootElement.GetProperty("beta").GetDouble());
        string p2 = PathOf("p2.csv");
        File.WriteAllText(p2, "0,0\n0.5,0\n0,2\n");
        (code, stdout, _) = Run("beta", "--patterns", p2, "--grid", "linear", "--steps", "5");
        Assert.Equal(0, code);
        var betas = JsonDocument.Parse(stdout).RootElement.GetProperty("betas").EnumerateArray().Select(x => x.GetDouble());
        Assert.Equal(new[] { 1.0, 8.75, 16.5, 24.25, 32.0 }, betas);
    }

    [Fact]
    public void Enumerate_lists_the_one_dimensional_reference_memories()
    {
        string p = PathOf("pm.csv"), o = PathOf("mem.npy");
        File.WriteAllText(p, "-1\n1\n");
        var (code, stdout, stderr) = Run("enumerate", "--patterns", p, "--beta", "0.9", "--out", o);
        Assert.True(code == 0, stderr);
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.True(root.GetProperty("complete").GetBoolean());
        Assert.Equal(3, root.GetProperty("count").GetInt32());
        Assert.Equal(2, root.GetProperty("stored_preserved").GetInt32());
        Assert.Equal(1, root.GetProperty("novel").GetInt32());
        Assert.True(root.GetProperty("global_emergence").GetBoolean());
        var members = root.GetProperty("memories").EnumerateArray()
            .Select(m => string.Join(",", m.GetProperty("members").EnumerateArray().Select(x => x.GetInt32()))).Order().ToArray();
        Assert.Equal(["0", "0,1", "1"], members);
        Assert.Equal(3, Npy.Read(o).Rows);
        (code, stdout, _) = Run("enumerate", "--patterns", p, "--beta", "0.9", "--count-only");
        Assert.Equal(0, code);
        Assert.False(JsonDocument.Parse(stdout).RootElement.TryGetProperty("memories", out _));
    }

    [Fact]
    public void Enumerate_with_a_tiny_budget_says_incomplete()
    {
        string p = PathOf("grid.csv");
        File.WriteAllLines(p, Enumerable.Range(0, 40).Select(i => $"{i % 7 * 0.1},{i / 7 * 0.1}"));
        var (code, stdout, _) = Run("enumerate", "--patterns", p, "--beta", "20", "--budget-nodes", "5", "--count-only");
        Assert.Equal(0, code);
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.False(root.GetProperty("complete").GetBoolean());
        Assert.Equal("NodeBudget", root.GetProperty("stop").GetString());
    }

    public static TheoryData<string[], string> BadInputs() => new()
    {
        { ["retrieve", "--patterns", "missing.npy", "--queries", "q.csv", "--beta", "1", "--out", "r.npy"], "--patterns" },
        { ["retrieve", "--patterns", "p.csv", "--queries", "q.csv", "--beta", "-1", "--out", "r.npy"], "--beta" },
        { ["retrieve", "--patterns", "p.csv", "--queries", "q.csv", "--beta", "NaN", "--out", "r.npy"], "NaN" },
        { ["retrieve", "--patterns", "p.csv", "--queries", "q3.csv", "--beta", "1", "--out", "r.npy"], "--queries has dimension 3" },
        { ["retrieve", "--patterns", "p.csv", "--queries", "q.csv", "--beta", "1", "--kernel", "nope", "--out", "r.npy"], "nope" },
        { ["retrieve", "--patterns", "nan.csv", "--queries", "q.csv", "--beta", "1", "--out", "r.npy"], "--patterns" },
        { ["retrieve", "--patterns", "p.csv", "--queries", "q.csv", "--beta", "1", "--method", "magic", "--out", "r.npy"], "magic" },
        { ["retrieve", "--patterns", "p.csv", "--queries", "q.csv", "--beta", "1", "--epsilon", "-2", "--out", "r.npy"], "--epsilon" },
        { ["retrieve", "--patterns", "trunc.npy", "--queries", "q.csv", "--beta", "1", "--out", "r.npy"], "truncated" },
        { ["retrieve", "--patterns", "empty.csv", "--queries", "q.csv", "--beta", "1", "--out", "r.npy"], "M = 0" },
        { ["beta", "--patterns", "p.csv"], "exactly one of" },
        { ["beta", "--patterns", "p.csv", "--basin", "5"], "delta" },
        { ["beta", "--patterns", "dup.csv", "--neighbours", "1"], "duplicate rows" },
        { ["beta", "--patterns", "one.csv", "--neighbours", "1"], "M = 1" },
        { ["beta", "--patterns", "p.csv", "--grid", "linear", "--steps", "1"], "steps" },
        { ["retrieve", "--patterns", "p.csv"], "required" },
        { ["enumerate", "--patterns", "dup.csv", "--beta", "1"], "duplicate rows" },
        { ["enumerate", "--patterns", "nan.csv", "--beta", "1"], "NaN" },
        { ["enumerate", "--patterns", "p.csv", "--beta", "0"], "--beta" },
        { ["enumerate", "--patterns", "empty.csv", "--beta", "1"], "M = 0" },
        { ["enumerate", "--patterns", "one.csv", "--beta", "1"], "M = 1" },
        { ["enumerate", "--patterns", "p.csv", "--beta", "1", "--budget-nodes", "0"], "--budget-nodes" },
        { ["run", "logl0", "--spec", "badspec.json", "--out", "out"], "unknown field 'Sedes'" },
        { ["run", "logl0", "--spec", "missing.json", "--out", "out"], "--spec" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Bad_input_gives_one_line_and_exit_code_2(string[] args, string fragment)
    {
        File.WriteAllText(PathOf("p.csv"), "0,0\n1,0\n");
        File.WriteAllText(PathOf("q.csv"), "0.5,0\n");
        File.WriteAllText(PathOf("q3.csv"), "0.5,0,1\n");
        File.WriteAllText(PathOf("nan.csv"), "0,0\nNaN,1\n");
        File.WriteAllText(PathOf("dup.csv"), "0,0\n1,1\n0,0\n");
        File.WriteAllText(PathOf("one.csv"), "0,0\n");
        File.WriteAllText(PathOf("empty.csv"), "");
        File.WriteAllText(PathOf("badspec.json"), "{\"Sedes\": 1}");
        Npy.Write(PathOf("good.npy"), new Matrix(3, 2));
        var bytes = File.ReadAllBytes(PathOf("good.npy"));
        File.WriteAllBytes(PathOf("trunc.npy"), bytes[..^3]);
        string cwd = Environment.CurrentDirectory;
        var full = args.Select(a => a.EndsWith(".csv") || a.EndsWith(".npy") || a.EndsWith(".json") || a == "out" ? PathOf(a) : a).ToArray();
        var (code, stdout, stderr) = Run(full);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains(fragment, stderr);
        Assert.False(File.Exists(PathOf("r.npy")));
        Assert.Equal(cwd, Environment.CurrentDirectory);
    }
}
