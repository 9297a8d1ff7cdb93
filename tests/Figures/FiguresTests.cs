using System.Text.Json.Nodes;
using DenseAm.Runner.Figures;
using SkiaSharp;
using Drawing = DenseAm.Runner.Figures.Figures;

namespace DenseAm.Tests.Figures;

public sealed class FiguresTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("denseam-figures-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Results => Directory.CreateDirectory(Path.Combine(_dir, "results")).FullName;

    private string Out => Path.Combine(_dir, "figures");

    private static JsonObject Header(string experiment, JsonObject? spec = null) => new()
    {
        ["record"] = "header",
        ["experiment"] = experiment,
        ["toolkit_version"] = "0.1.0",
        ["spec"] = spec ?? new JsonObject(),
        ["notes"] = new JsonArray(),
    };

    private static JsonObject Result(string experiment, string configuration, long seed, int betaIndex, double beta, JsonObject fields)
    {
        var r = new JsonObject
        {
            ["record"] = "result",
            ["key"] = $"{experiment}|{configuration}|{seed}|{betaIndex}",
            ["experiment"] = experiment,
            ["configuration"] = configuration,
            ["seed"] = seed,
            ["beta_index"] = betaIndex,
            ["beta"] = beta,
        };
        foreach (var (k, v) in fields) r[k] = v?.DeepClone();
        return r;
    }

    private static void Write(string path, JsonObject header, IEnumerable<JsonObject> records) =>
        File.WriteAllLines(path, records.Prepend(header).Select(r => r.ToJsonString()));

    private static JsonArray Points(params double[][] points) => new(points.Select(p => (JsonNode?)new JsonArray(p.Select(v => (JsonNode?)v).ToArray())).ToArray());

    private static JsonArray Numbers(params double[] values) => new(values.Select(v => (JsonNode?)v).ToArray());

    private void WriteFig1(string path, bool withMinima = true) => Write(path, Header("fig1"),
    [
        Result("fig1", "1d-lsr", 0, 0, 0.9, new() { ["minima_count"] = 3, ["minima"] = withMinima ? Points([-1], [0], [1]) : Points(), ["starts"] = 11 }),
        Result("fig1", "1d-lse", 0, 0, 4.11, new() { ["minima_count"] = 2, ["minima"] = withMinima ? Points([-0.999], [0.999]) : Points(), ["starts"] = 11 }),
        Result("fig1", "2d-lsr", 0, 0, 1.1, new() { ["minima_count"] = 2, ["minima"] = withMinima ? Points([-1, 0], [1, 0]) : Points(), ["starts"] = 16 }),
    ]);

    private void WriteAkem(string path) => Write(path, Header("akem", new JsonObject { ["grid_points"] = 4001, ["domain"] = Numbers(-4, 4) }),
    [
        Result("akem", "epanechnikov/paper", 0, 0, 1 / 0.64, Akem("epanechnikov", 0.8, Numbers(-1, 0, 1), Points(), 2, 1, 0)),
        Result("akem", "epanechnikov/paper", 0, 1, 1 / 9.0, Akem("epanechnikov", 3, Numbers(0), Points(), 0, 1, 0)),
        Result("akem", "uniform/paper", 0, 0, 1 / 0.64, Akem("uniform", 0.8, Numbers(), Points([-0.13, 0.13]), 0, 0, 1)),
        Result("akem", "uniform/paper", 0, 1, 1 / 9.0, Akem("uniform", 3, Numbers(), Points([-3.2, 3.2]), 2, 0, 0)),
        Result("akem", "epanechnikov/sweep", 0, 0, 1 / 0.64, Akem("epanechnikov", 0.8, Numbers(-1, 0, 1), Points(), 2, 1, 0)),
        Result("akem", "uniform/sweep", 0, 0, 1 / 0.64, Akem("uniform", 0.8, Numbers(), Points([-0.13, 0.13]), 0, 0, 1)),
    ]);

    private static JsonObject Akem(string kernel, double h, JsonArray points, JsonArray manifolds, int preserved, int novelPoints, int novelManifolds)
    {
        bool novel = novelPoints + novelManifolds > 0;
        return new JsonObject
        {
            ["kernel"] = kernel, ["h"] = h, ["point_minima"] = points, ["manifolds"] = manifolds,
            ["stored_preserved"] = preserved, ["novel_points"] = novelPoints, ["novel_manifolds"] = novelManifolds,
            ["locally_emergent"] = novel && preserved > 0, ["globally_emergent"] = novel && preserved == 2,
        };
    }

    private void WriteLogl0(string path) => Write(path, Header("logl0"),
        from seed in new long[] { 0, 1 }
        from i in Enumerable.Range(0, 3)
        select Result("logl0", "k=5,d=8,M=25", seed, i, 0.25 * Math.Pow(10, i) * (1 + 0.1 * seed), new JsonObject
        {
            ["M"] = 25, ["d"] = 8, ["k"] = 5, ["starts"] = 500,
            ["lsr_stored_recovered"] = 10 * i, ["lsr_unique"] = 1 + 40 * i + seed, ["lsr_novel_fraction"] = 0.5,
            ["lsr_mean_log_likelihood"] = i == 0 && seed == 1 ? null : -3.0 + i + 0.2 * seed,
            ["lse_stored_recovered"] = 12 * i, ["lse_unique"] = 1 + 5 * i, ["lse_novel_fraction"] = 0.4,
            ["lse_mean_log_likelihood"] = -2.5 + i,
        }));

    private void WriteLmin0(string path) => Write(path, Header("lmin0"),
        from config in new[] { (M: 5, D: 8), (M: 25, D: 32) }
        from seed in new long[] { 0, 1 }
        from i in Enumerable.Range(0, 4)
        select Result("lmin0", $"M={config.M},d={config.D}", seed, i, 0.5 + i, new JsonObject
        {
            ["M"] = config.M, ["d"] = config.D, ["memories"] = 3 + i * 40 + config.M,
            ["novel"] = i == 0 ? 0 : i * 40 + seed, ["stored_preserved"] = Math.Min(config.M, 2 * i), ["supported_fraction"] = Math.Pow(10, -i),
            ["complete"] = !(i == 2 && seed == 0),
        }));

    private static void AssertPng(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 1000, $"{path} is only {bytes.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        using var bitmap = SKBitmap.Decode(path);
        Assert.NotNull(bitmap);
    }

    private static void AssertSvg(string path)
    {
        string text = File.ReadAllText(path);
        Assert.True(text.Length > 1000, $"{path} is only {text.Length} characters");
        Assert.Contains("<svg", text, StringComparison.Ordinal);
        Assert.EndsWith("</svg>", text.TrimEnd(), StringComparison.Ordinal);
        Assert.Contains("<text", text, StringComparison.Ordinal);
    }

    [Fact]
    public void DrawAll_writes_png_and_svg_for_every_experiment()
    {
        WriteFig1(Path.Combine(Results, "fig1-quick.jsonl"));
        WriteAkem(Path.Combine(Results, "akem.jsonl"));
        WriteLogl0(Path.Combine(Results, "logl0.jsonl"));
        WriteLmin0(Path.Combine(Results, "lmin0.jsonl"));
        File.WriteAllText(Path.Combine(Results, "fig1.csv"), "not,a,results,file\n");
        Write(Path.Combine(Results, "pxle.jsonl"), Header("pxle"), []);

        var written = Drawing.DrawAll(Results, Out);

        var names = written.Select(Path.GetFileName).ToHashSet();
        foreach (var stem in new[]
                 {
                     "fig1-quick-fig1-1d", "fig1-quick-fig1-2d", "akem-fig6", "akem-fig6-sweep", "logl0-figs7-8-k5",
                     "logl0-fig3-right-k5-d8-M25", "lmin0-fig3-left",
                 })
        {
            Assert.Contains(stem + ".png", names);
            Assert.Contains(stem + ".svg", names);
        }
        Assert.Equal(14, written.Count);
        foreach (var f in written)
        {
            Assert.StartsWith(Path.GetFullPath(Out), Path.GetFullPath(f), StringComparison.Ordinal);
            if (f.EndsWith(".png", StringComparison.Ordinal)) AssertPng(f);
            else AssertSvg(f);
        }
    }

    [Fact]
    public void Figure_titles_and_axis_labels_are_in_the_svg()
    {
        WriteLogl0(Path.Combine(Results, "logl0.jsonl"));
        var svg = Drawing.Fig3Right(Path.Combine(Results, "logl0.jsonl"), Out).Single(f => f.EndsWith("fig3-right-k5-d8-M25.svg", StringComparison.Ordinal));
        string text = File.ReadAllText(svg);
        // Skia writes each glyph run as a <text> element; check the words are present as text, not outlines.
        Assert.Contains("mean log-likelihood", text, StringComparison.Ordinal);
        Assert.Contains("inverse temperature", text, StringComparison.Ordinal);
        Assert.Contains("LSR", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Fig1_marks_the_recorded_minima_in_red()
    {
        // Same landscapes, with and without minima in the records: only the first has the minimum markers' red.
        string with = Path.Combine(Results, "fig1.jsonl"), without = Path.Combine(_dir, "fig1.jsonl");
        WriteFig1(with);
        WriteFig1(without, withMinima: false);
        string a = Drawing.Fig1(with, Path.Combine(_dir, "a")).Single(f => f.EndsWith("-1d.png", StringComparison.Ordinal));
        string b = Drawing.Fig1(without, Path.Combine(_dir, "b")).Single(f => f.EndsWith("-1d.png", StringComparison.Ordinal));
        Assert.True(RedPixels(a) > 50, $"{RedPixels(a)} red pixels with minima");
        Assert.Equal(0, RedPixels(b));
    }

    private static int RedPixels(string png)
    {
        using var bitmap = SKBitmap.Decode(png);
        int n = 0;
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++)
            {
                var c = bitmap.GetPixel(x, y);
                if (c.Red > 200 && c.Green < 60 && c.Blue < 60) n++;
            }
        return n;
    }

    [Fact]
    public void Malformed_json_line_names_file_and_line()
    {
        string path = Path.Combine(Results, "fig1.jsonl");
        WriteFig1(path);
        var lines = File.ReadAllLines(path).ToList();
        lines.Insert(2, "{\"record\":\"result\", oops");
        File.WriteAllLines(path, lines);
        var e = Assert.Throws<InvalidDataException>(() => Drawing.DrawAll(Results, Out));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("line 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_field_names_the_field_and_record()
    {
        string path = Path.Combine(Results, "logl0.jsonl");
        WriteLogl0(path);
        var lines = File.ReadAllLines(path);
        var record = JsonNode.Parse(lines[3])!.AsObject();
        record.Remove("lse_unique");
        lines[3] = record.ToJsonString();
        File.WriteAllLines(path, lines);
        var e = Assert.Throws<InvalidDataException>(() => Drawing.Fig3Right(path, Out));
        Assert.Contains("line 4", e.Message, StringComparison.Ordinal);
        Assert.Contains("'lse_unique'", e.Message, StringComparison.Ordinal);
        Assert.Contains("logl0|k=5,d=8,M=25|", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_without_header_or_of_the_wrong_experiment_is_refused()
    {
        string path = Path.Combine(Results, "x.jsonl");
        File.WriteAllText(path, "{\"record\":\"result\",\"key\":\"a\"}\n");
        var e = Assert.Throws<InvalidDataException>(() => Drawing.Draw(path, Out));
        Assert.Contains("header", e.Message, StringComparison.Ordinal);

        WriteAkem(path);
        e = Assert.Throws<InvalidDataException>(() => Drawing.Fig1(path, Out));
        Assert.Contains("'akem'", e.Message, StringComparison.Ordinal);

        File.WriteAllText(path, "");
        Assert.Throws<InvalidDataException>(() => Drawing.Draw(path, Out));
        Assert.Throws<DirectoryNotFoundException>(() => Drawing.DrawAll(Path.Combine(_dir, "nope"), Out));
    }

    [Fact]
    public void A_torn_last_line_is_ignored_as_the_runner_does()
    {
        string path = Path.Combine(Results, "lmin0.jsonl");
        WriteLmin0(path);
        File.AppendAllText(path, "{\"record\":\"result\",\"key\":\"lmin0|M=5");
        var written = Drawing.Fig3Left(path, Out);
        Assert.Equal(2, written.Count);
    }

    [Fact]
    public void Seed_statistics_average_beta_and_value_by_index()
    {
        string path = Path.Combine(Results, "logl0.jsonl");
        WriteLogl0(path);
        var data = ResultsData.Read(path);
        var s = SeedStatistics.Aggregate(data.Records, r => r.Number("lsr_unique"));
        Assert.Equal(3, s.Length);
        // β index 1: seeds 0 and 1 at 2.5 and 2.75; unique 41 and 42.
        Assert.Equal(2.625, s.Beta[1], 12);
        Assert.Equal(41.5, s.Mean[1], 12);
        Assert.Equal(Math.Sqrt(0.5), s.StandardDeviation[1], 12);
        // A null (non-finite) value is left out: index 0 of the log-likelihood has one seed.
        var ll = SeedStatistics.Aggregate(data.Records, r => r.Number("lsr_mean_log_likelihood"));
        Assert.Equal(1, ll.Count[0]);
        Assert.Equal(-3.0, ll.Mean[0], 12);
        Assert.Equal(0, ll.StandardDeviation[0]);
    }

    [Fact]
    public void Curves_break_where_the_energy_is_infinite()
    {
        double inf = double.PositiveInfinity;
        Assert.Equal([(0, 2), (3, 5)], PlotKit.FiniteRuns([1, 2, inf, 3, 4, double.NaN]).ToArray());
        Assert.Equal([(2, 3), (5, 6)], PlotKit.InfiniteRuns([1, 2, inf, 3, 4, double.NaN]).ToArray());
        Assert.Empty(PlotKit.FiniteRuns([inf, inf]));
    }
}
