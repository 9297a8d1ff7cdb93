using DenseAm.Experiments;
using DenseAm.Formats;
using DenseAm.Runner.RealData;

namespace DenseAm.Runner;

/// <summary>The experiments `denseam run` knows, by id, with their default (authors') and quick variants.</summary>
public static class ExperimentCatalog
{
    /// <summary>Experiment ids in the order `reproduce` runs them.</summary>
    public static IReadOnlyList<string> Ids { get; } = ["fig1", "akem", "lmin0", "logl0", "pxle", "bstor", "qbvae"];

    /// <summary>
    /// Creates an experiment by id; <paramref name="quick"/> keeps every axis with fewer points. The MNIST experiments
    /// load the cached digits (fetching them once) and QBVAE keeps its VAE weights in <paramref name="workDir"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown id.</exception>
    public static IExperiment Create(string id, bool quick, string workDir = "results", string? specJson = null)
    {
        if (specJson is null) return Create(id, quick, workDir);
        // A spec file overrides the defaults (or the quick grid) field by field, e.g. {"Seeds": 1, "LseTolerance": 0}.
        var options = new System.Text.Json.JsonSerializerOptions { PropertyNameCaseInsensitive = true, UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow };
        try
        {
            return id switch
            {
                "logl0" => new Logl0Experiment(Merge(quick ? Logl0Spec.Quick : new Logl0Spec(), specJson, options)),
                "lmin0" => new Lmin0Experiment(Merge(quick ? Lmin0Spec.Quick : new Lmin0Spec(), specJson, options)),
                _ => throw new ArgumentException($"--spec is supported for logl0 and lmin0, not '{id}'."),
            };
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new ArgumentException($"--spec: {e.Message}");
        }
    }

    // Fields absent from the JSON keep the base spec's values: serialise the base, overlay the file, read it back.
    private static T Merge<T>(T baseSpec, string json, System.Text.Json.JsonSerializerOptions options)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(baseSpec))!.AsObject();
        var overlay = System.Text.Json.Nodes.JsonNode.Parse(json) as System.Text.Json.Nodes.JsonObject
                      ?? throw new System.Text.Json.JsonException("the spec must be a JSON object.");
        foreach (var (key, value) in overlay.ToList())
        {
            string? match = node.Select(kv => kv.Key).FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase))
                            ?? throw new System.Text.Json.JsonException($"unknown field '{key}'; known: {string.Join(", ", node.Select(kv => kv.Key))}.");
            overlay.Remove(key);
            node[match] = value;
        }
        return System.Text.Json.JsonSerializer.Deserialize<T>(node.ToJsonString(), options)!;
    }

    private static IExperiment Create(string id, bool quick, string workDir) => id switch
    {
        "pxle" => new PxleExperiment(() => MnistNpm.Load()),
        "bstor" => new BstorExperiment(() => MnistNpm.Load()),
        "qbvae" => new QbvaeExperiment(() => MnistNpm.Load(), workDir, quick),
        "fig1" => new Fig1Experiment(quick),
        "akem" => new AkemExperiment(quick),
        "lmin0" => new Lmin0Experiment(quick ? Lmin0Spec.Quick : new Lmin0Spec()),
        "logl0" => new Logl0Experiment(quick ? Logl0Spec.Quick : new Logl0Spec()),
        _ => throw new ArgumentException($"experiment '{id}' is unknown; known: {string.Join(", ", Ids)}.", nameof(id)),
    };
}
