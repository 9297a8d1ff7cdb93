using System.Text.Json.Nodes;
using DenseAm.Runner;

namespace DenseAm.Tests.Runner;

/// <summary>The claim verdicts, on small hand-made results files whose numbers decide them one way or the other.</summary>
public sealed class ClaimsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("denseam-claims-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void Write(string id, params JsonObject[] records)
    {
        var lines = new List<string> { new JsonObject { ["record"] = "header", ["experiment"] = id, ["spec"] = new JsonObject() }.ToJsonString() };
        int i = 0;
        foreach (var r in records)
        {
            r["record"] = "result";
            r["key"] = $"{id}|{i++}";
            lines.Add(r.ToJsonString());
        }
        File.WriteAllLines(Path.Combine(_dir, id + ".jsonl"), lines);
    }

    private static JsonObject Logl0(string config, int seed, int b, double lsrU, double lseU, double lsrL, double lseL) => new()
    {
        ["configuration"] = config, ["seed"] = seed, ["beta_index"] = b,
        ["lsr_unique"] = lsrU, ["lse_unique"] = lseU, ["lsr_mean_log_likelihood"] = lsrL, ["lse_mean_log_likelihood"] = lseL,
    };

    private static JsonObject Lmin0(int m, int d, int b, double novel, double kept) => new()
    {
        ["configuration"] = $"M={m},d={d}", ["seed"] = 0, ["beta_index"] = b, ["M"] = m, ["d"] = d, ["novel"] = novel, ["stored_preserved"] = kept,
    };

    [Fact]
    public void Logl0_claim_needs_more_unique_memories_at_comparable_likelihood()
    {
        // Config A: more unique at β#1 with likelihood within 1 nat → holds. Config B: more unique only where LSR is 3 nats worse.
        Write("logl0",
            Logl0("A", 0, 0, 5, 5, 1.0, 1.0), Logl0("A", 0, 1, 40, 10, 2.0, 2.5),
            Logl0("B", 0, 0, 5, 6, 1.0, 1.0), Logl0("B", 0, 1, 40, 10, -1.0, 2.0));
        var c = Claims.Evaluate(_dir, quick: false).Single(x => x.Experiment == "logl0");
        Assert.Contains("held in 1 of 2", c.Evidence);
        Assert.False(c.Held);
        Write("logl0", Logl0("A", 0, 1, 40, 10, 2.0, 2.5), Logl0("A", 1, 1, 30, 10, 2.0, 2.2));
        Assert.True(Claims.Evaluate(_dir, quick: false).Single(x => x.Experiment == "logl0").Held);
    }

    [Fact]
    public void Lmin0_claim_needs_orders_of_magnitude_for_25_patterns_in_32_dimensions()
    {
        Write("lmin0", Lmin0(25, 32, 0, 3000, 20), Lmin0(25, 32, 1, 90000, 5), Lmin0(15, 8, 0, 200, 15));
        var c = Claims.Evaluate(_dir, quick: false).Single(x => x.Experiment == "lmin0");
        Assert.True(c.Held);
        Assert.Contains("M=25,d=32: peak novel 3000 with 20/25 preserved", c.Evidence);
        Write("lmin0", Lmin0(25, 32, 0, 2000, 20));
        Assert.False(Claims.Evaluate(_dir, quick: false).Single(x => x.Experiment == "lmin0").Held);
    }

    [Fact]
    public void Missing_results_are_reported_as_not_run()
    {
        Assert.All(Claims.Evaluate(_dir, quick: true), c => Assert.Null(c.Held));
    }
}
