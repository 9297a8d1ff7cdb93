using System.Diagnostics;
using System.Text.Json.Nodes;
using DenseAm.Enumeration;
using DenseAm.Experiments;
using DenseAm.Formats;
using DenseAm.Kernels;
using DenseAm.Randomness;
using DenseAm.Selection;
using DenseAm.Vae;

namespace DenseAm.Runner.RealData;

/// <summary>Helpers shared by the MNIST experiments (SPEC §7: PXLE, QBVAE, BSTOR).</summary>
internal static class MnistRuns
{
    public static StoredPatterns Rows(Matrix images, IReadOnlyList<int> rows)
    {
        var m = new Matrix(rows.Count, images.Columns);
        for (int i = 0; i < rows.Count; i++) images.Row(rows[i]).CopyTo(m.Row(i));
        return new StoredPatterns(m);
    }

    /// <summary>An image-grid description stored in a record: tiles with pixels, captions and markers.</summary>
    public static JsonObject Grid(string title, int columns, IEnumerable<(double[] Pixels, string Caption, bool Marked, bool Emergent)> tiles) => new()
    {
        ["title"] = title,
        ["columns"] = columns,
        ["tiles"] = new JsonArray(tiles.Select(t => (JsonNode?)new JsonObject
        {
            ["caption"] = t.Caption,
            ["marked"] = t.Marked,
            ["emergent"] = t.Emergent,
            ["pixels"] = JsonFields.Numbers(t.Pixels.Select(v => Math.Round(v, 4))),
        }).ToArray()),
    };

    public static string Members(int[] members, IReadOnlyList<int> labels) => "avg " + string.Join("+", members);
}

/// <summary>
/// PXLE (the paper's Fig. 9): 8 MNIST images stored in pixel space [0,1]^784 at β = 0.4·8/r_min²; every LSR memory
/// enumerated; a grid of the stored images and each emergent memory labelled by the stored images it averages.
/// </summary>
public sealed class PxleExperiment(Func<MnistDigits> digits, int seeds = 1) : IExperiment
{
    private readonly Lazy<MnistDigits> _digits = new(digits);

    /// <inheritdoc/>
    public string Id => "pxle";

    /// <inheritdoc/>
    public IReadOnlyList<string> Notes { get; } = ["The 8 images are drawn uniformly without replacement from the 10 000 digits by the seeded generator."];

    /// <inheritdoc/>
    public JsonObject Spec() => new() { ["images"] = 8, ["beta"] = "0.4 * 8 / r_min^2", ["seeds"] = seeds, ["data"] = MnistNpm.Package };

    private int[] Chosen(long seed) => SeededRandom.Derive(Id, "images=8", seed).Choose(_digits.Value.Images.Rows, 8);

    /// <inheritdoc/>
    public IReadOnlyList<ExperimentUnit> Units() => Enumerable.Range(0, seeds).Select(s =>
    {
        var p = MnistRuns.Rows(_digits.Value.Images, Chosen(s));
        double rMin = BetaSearch.MinPairwiseDistance(p);
        return new ExperimentUnit(Id, "images=8", s, 0, 0.4 * 8 / (rMin * rMin));
    }).ToList();

    /// <inheritdoc/>
    public JsonObject Compute(ExperimentUnit unit, CancellationToken cancellationToken)
    {
        var rows = Chosen(unit.Seed);
        var labels = rows.Select(r => (int)_digits.Value.Labels[r]).ToArray();
        var p = MnistRuns.Rows(_digits.Value.Images, rows);
        var result = new MemoryEnumerator(p, unit.Beta).Collect(new MemoryEnumerationOptions { MaxThreads = 1, Cancellation = cancellationToken });
        var preserved = new HashSet<int>(result.Memories.Where(m => m.IsStored).Select(m => m.Members[0]));
        var tiles = Enumerable.Range(0, 8).Select(i => (p[i].ToArray(), $"#{i} ({labels[i]})", !preserved.Contains(i), false))
            .Concat(result.Memories.Where(m => m.IsNovel).Select(m => (m.Point!, MnistRuns.Members(m.Members, labels), false, true)));
        return new JsonObject
        {
            ["images"] = JsonFields.Integers(rows.Select(r => (long)r)),
            ["labels"] = JsonFields.Integers(labels.Select(l => (long)l)),
            ["complete"] = result.Complete,
            ["memories"] = result.Count,
            ["stored_preserved"] = result.StoredCount,
            ["novel"] = result.NovelCount,
            ["novel_members"] = new JsonArray(result.Memories.Where(m => m.IsNovel).Select(m => (JsonNode?)JsonFields.Integers(m.Members.Select(x => (long)x))).ToArray()),
            ["grid"] = MnistRuns.Grid($"PXLE: 8 MNIST digits in pixel space, β = {unit.Beta:G4}: {result.StoredCount} of 8 preserved (gray: not preserved), {result.NovelCount} emergent (red)", 8, tiles),
        };
    }
}

/// <summary>
/// BSTOR (the paper's Fig. 10): all MNIST digits stored at β = 0.11 (r ≈ 4.26); the fraction preserved over all of
/// them; a seed image's neighbours within 2r; memories among the seed and 15 of its neighbours drawn without replacement.
/// </summary>
public sealed class BstorExperiment(Func<MnistDigits> digits, int seeds = 1) : IExperiment
{
    private readonly Lazy<MnistDigits> _digits = new(digits);
    private const double Beta = 0.11;

    /// <inheritdoc/>
    public string Id => "bstor";

    /// <inheritdoc/>
    public IReadOnlyList<string> Notes { get; } = ["The seed image and its 15 neighbours are drawn uniformly (without replacement) by the seeded generator."];

    /// <inheritdoc/>
    public JsonObject Spec() => new() { ["beta"] = Beta, ["neighbours"] = 15, ["seeds"] = seeds, ["data"] = MnistNpm.Package };

    /// <inheritdoc/>
    public IReadOnlyList<ExperimentUnit> Units() => Enumerable.Range(0, seeds).Select(s => new ExperimentUnit(Id, "all", s, 0, Beta)).ToList();

    /// <inheritdoc/>
    public JsonObject Compute(ExperimentUnit unit, CancellationToken cancellationToken)
    {
        var images = _digits.Value.Images;
        var all = new StoredPatterns(images);
        var energy = new Energy(all, Kernel.Epanechnikov, Beta);
        var sw = Stopwatch.StartNew();
        // ξ_μ is preserved iff no other stored image lies within r: B(ξ_μ) = {μ}.
        var counts = energy.EvaluateBatch(images).Select(v => v.SupportSize).ToArray();
        int preserved = counts.Count(c => c == 1);
        double preservedSeconds = sw.Elapsed.TotalSeconds;
        var rng = SeededRandom.Derive(Id, "all", unit.Seed);
        int seed = rng.NextInt(images.Rows);
        double twoR2 = 4 * energy.RadiusSquared;
        var neighbours = Enumerable.Range(0, images.Rows)
            .Where(j => j != seed && Distances.SquaredDistance.Reference(images.Row(seed), images.Row(j)) < twoR2).ToList();
        var pick = rng.Choose(neighbours.Count, Math.Min(15, neighbours.Count)).Select(i => neighbours[i]).ToList();
        var rows = new List<int> { seed };
        rows.AddRange(pick);
        var labels = rows.Select(r => (int)_digits.Value.Labels[r]).ToArray();
        var local = MnistRuns.Rows(images, rows);
        var result = new MemoryEnumerator(local, Beta).Collect(new MemoryEnumerationOptions { MaxThreads = 1, MaxNodes = 200_000_000, Cancellation = cancellationToken });
        var novel = result.Memories.Where(m => m.IsNovel).OrderByDescending(m => m.Size).Take(48).ToList();
        var tiles = Enumerable.Range(0, rows.Count).Select(i => (local[i].ToArray(), i == 0 ? $"seed ({labels[0]})" : $"#{i} ({labels[i]})", false, false))
            .Concat(novel.Select(m => (m.Point!, MnistRuns.Members(m.Members, labels), false, true)));
        return new JsonObject
        {
            ["stored"] = images.Rows,
            ["preserved"] = preserved,
            ["preserved_fraction"] = preserved / (double)images.Rows,
            ["preserved_check_seconds"] = Math.Round(preservedSeconds, 3),
            ["seed_image"] = seed,
            ["neighbours_within_2r"] = neighbours.Count,
            ["local_images"] = JsonFields.Integers(rows.Select(r => (long)r)),
            ["complete"] = result.Complete,
            ["local_memories"] = result.Count,
            ["local_novel"] = result.NovelCount,
            ["grid"] = MnistRuns.Grid($"BSTOR: seed digit and 15 neighbours within 2r (β = {Beta}); {result.NovelCount} emergent memories among them (largest first)", 8, tiles),
        };
    }
}

/// <summary>
/// QBVAE (the paper's Fig. 4 left): a β-VAE (784→512→512→10, LeakyReLU 0.2, BatchNorm, KL weight 4, Adam 1e-3,
/// batch 128) trained on the 10 000 digits (weights saved and reused), 24 images encoded, β from Algorithm 2
/// (K = 4), every LSR memory and the LSE memories, decoded; stored images not preserved are marked.
/// </summary>
public sealed class QbvaeExperiment(Func<MnistDigits> digits, string workDir, bool quick) : IExperiment
{
    private readonly Lazy<MnistDigits> _digits = new(digits);

    private VaeConfig Config => new() { Epochs = quick ? 3 : 50, Hidden = quick ? 256 : 512 };

    /// <inheritdoc/>
    public string Id => "qbvae";

    /// <inheritdoc/>
    public IReadOnlyList<string> Notes { get; } =
    [
        "The β-VAE is the toolkit's own (TorchSharp does not load here); its weights are saved beside the results and reused.",
        "The 24 images are drawn uniformly without replacement by the seeded generator; β comes from Algorithm 2 with K = 4 (not counting self).",
    ];

    /// <inheritdoc/>
    public JsonObject Spec() => new() { ["vae"] = Config.ToJson(), ["images"] = 24, ["neighbours_k"] = 4, ["data"] = MnistNpm.Package };

    private string WeightsDir => Path.Combine(workDir, $"qbvae-weights{(quick ? "-quick" : "")}");

    private BetaVae Model(Action<string>? log = null)
    {
        var cfg = Config;
        var vae = BetaVae.TryLoad(WeightsDir, cfg);
        if (vae != null) return vae;
        vae = new BetaVae(cfg);
        var sw = Stopwatch.StartNew();
        var losses = vae.Train(_digits.Value.Images);
        vae.Save(WeightsDir, new JsonObject { ["seconds"] = Math.Round(sw.Elapsed.TotalSeconds, 1), ["losses"] = JsonFields.Numbers(losses) });
        return vae;
    }

    private int[] Chosen() => SeededRandom.Derive(Id, "images=24", 0).Choose(_digits.Value.Images.Rows, 24);

    /// <inheritdoc/>
    public IReadOnlyList<ExperimentUnit> Units() => [new ExperimentUnit(Id, "images=24", 0, 0, 0)];

    /// <inheritdoc/>
    public JsonObject Compute(ExperimentUnit unit, CancellationToken cancellationToken)
    {
        var sw = Stopwatch.StartNew();
        var vae = Model();
        double trainSeconds = sw.Elapsed.TotalSeconds;
        var rows = Chosen();
        var labels = rows.Select(r => (int)_digits.Value.Labels[r]).ToArray();
        var latent = vae.Encode(MnistRuns.Rows(_digits.Value.Images, rows).ToMatrix());
        var patterns = new StoredPatterns(latent);
        var beta = BetaSearch.ForNeighbours(patterns, 4);
        var lsr = new MemoryEnumerator(patterns, beta.Beta).Collect(new MemoryEnumerationOptions { MaxThreads = 1, MaxNodes = 500_000_000, Cancellation = cancellationToken });
        var lse = LseMemories.Find(patterns, beta.Beta);
        var preserved = new HashSet<int>(lsr.Memories.Where(m => m.IsStored).Select(m => m.Members[0]));
        var decodedStored = vae.Decode(latent);
        var novel = lsr.Memories.Where(m => m.IsNovel).ToList();
        var decodedNovel = novel.Count == 0 ? new Matrix(0, 784) : vae.Decode(new Matrix(novel.Count, latent.Columns, novel.SelectMany(m => m.Point!).ToArray()));
        var lseDecoded = lse.Count == 0 ? new Matrix(0, 784) : vae.Decode(new Matrix(lse.Count, latent.Columns, lse.Memories.SelectMany(m => m.Point).ToArray()));
        var lsrTiles = Enumerable.Range(0, 24).Select(i => (decodedStored.Row(i).ToArray(), $"#{i} ({labels[i]})", !preserved.Contains(i), false))
            .Concat(novel.Select((m, i) => (decodedNovel.Row(i).ToArray(), MnistRuns.Members(m.Members, labels), false, true)));
        var lseTiles = lse.Memories.Select((m, i) => (lseDecoded.Row(i).ToArray(), $"LSE memory {i}", false, false));
        return new JsonObject
        {
            ["vae_seconds"] = Math.Round(trainSeconds, 1),
            ["images"] = JsonFields.Integers(rows.Select(r => (long)r)),
            ["beta"] = beta.Beta,
            ["average_neighbours"] = beta.AverageNeighbours,
            ["lsr_complete"] = lsr.Complete,
            ["lsr_memories"] = lsr.Count,
            ["lsr_stored_preserved"] = lsr.StoredCount,
            ["lsr_novel"] = lsr.NovelCount,
            ["lse_memories"] = lse.Count,
            ["grid"] = MnistRuns.Grid($"QBVAE, LSR at β = {beta.Beta:G4}: 24 stored (gray: not preserved) and {lsr.NovelCount} emergent memories, decoded", 8, lsrTiles),
            ["grid_lse"] = MnistRuns.Grid($"QBVAE, LSE at the same β: {lse.Count} memories, decoded", 8, lseTiles),
        };
    }
}
