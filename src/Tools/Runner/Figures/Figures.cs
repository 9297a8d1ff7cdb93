namespace DenseAm.Runner.Figures;

/// <summary>
/// The paper's figures drawn from the experiments' JSONL results files (SPEC §7), each written as PNG and SVG
/// with ScottPlot. Landscapes (Figs. 1 and 6) are recomputed from the core energies at the β values in the
/// results; the minima marked on them are the ones the results record. Quantities over β (Figs. 3, 7, 8) are
/// aggregated across seeds by β index: mean ± sample standard deviation, at the β of that index averaged over
/// seeds (the paper's D.3.2).
/// </summary>
public static class Figures
{
    /// <summary>
    /// Draws every figure whose results exist in <paramref name="resultsDir"/>: each <c>*.jsonl</c> file whose
    /// header names fig1, lmin0, logl0 or akem (other experiments are skipped). Figure files are named after the
    /// results file (e.g. <c>fig1-quick-fig1-1d.png</c>).
    /// </summary>
    /// <returns>The paths of the written figure files (PNG and SVG), in order of writing.</returns>
    /// <exception cref="DirectoryNotFoundException"><paramref name="resultsDir"/> does not exist.</exception>
    /// <exception cref="InvalidDataException">A results file is damaged, not a results file, or lacks a field a figure needs (the message names file and line).</exception>
    public static IReadOnlyList<string> DrawAll(string resultsDir, string figuresDir)
    {
        ArgumentException.ThrowIfNullOrEmpty(resultsDir);
        ArgumentException.ThrowIfNullOrEmpty(figuresDir);
        if (!Directory.Exists(resultsDir)) throw new DirectoryNotFoundException($"results directory '{resultsDir}' does not exist.");
        var written = new List<string>();
        foreach (var path in Directory.GetFiles(resultsDir, "*.jsonl").Order(StringComparer.Ordinal))
        {
            var data = ResultsData.Read(path);
            if (!Drawers.ContainsKey(data.Experiment)) continue;
            written.AddRange(Draw(data, figuresDir));
        }
        return written;
    }

    /// <summary>Draws the figure(s) of one results file, chosen by the experiment its header names.</summary>
    /// <returns>The paths of the written figure files.</returns>
    /// <exception cref="InvalidDataException">The file is damaged, is not a results file, or is of an experiment without a figure.</exception>
    public static IReadOnlyList<string> Draw(string resultsFile, string figuresDir)
    {
        var data = ResultsData.Read(resultsFile);
        if (!Drawers.ContainsKey(data.Experiment))
            throw new InvalidDataException($"{resultsFile}: experiment '{data.Experiment}' has no figure (figures exist for {string.Join(", ", Drawers.Keys)}).");
        return Draw(data, figuresDir);
    }

    /// <summary>
    /// Fig. 1 from a FIG1 results file: the 1D LSR and LSE landscapes of ξ = ±1 at each β with their minima
    /// marked and unsupported x shaded (<c>*-fig1-1d</c>), and the 2D LSR landscapes of the triangle as
    /// heatmaps with minima and stored patterns marked (<c>*-fig1-2d</c>).
    /// </summary>
    /// <returns>The paths of the written figure files.</returns>
    public static IReadOnlyList<string> Fig1(string resultsFile, string figuresDir) => Draw(resultsFile, figuresDir, "fig1");

    /// <summary>
    /// Fig. 3 left from an LMIN0 results file: per (M, d), the counts of novel memories and of preserved stored
    /// patterns and the supported fraction of [0,1]^d against β on a log scale, mean ± sd over seeds, with M
    /// marked and incomplete enumerations flagged (<c>*-fig3-left</c>).
    /// </summary>
    /// <returns>The paths of the written figure files.</returns>
    public static IReadOnlyList<string> Fig3Left(string resultsFile, string figuresDir) => Draw(resultsFile, figuresDir, "lmin0");

    /// <summary>
    /// Fig. 3 right and Figs. 7–8 from a LOGL0 results file: mean log-likelihood under the true mixture, unique
    /// memories (log scale) and stored patterns recovered against β (log scale), LSR against LSE, mean ± sd over
    /// seeds, with β indices where LSR is ahead shaded green (the paper shades them orange). One figure per k with a row per (d, M)
    /// (<c>*-figs7-8-k5</c>, …) and one per configuration (<c>*-fig3-right-k10-d8-M100</c>, …).
    /// </summary>
    /// <returns>The paths of the written figure files.</returns>
    public static IReadOnlyList<string> Fig3Right(string resultsFile, string figuresDir) => Draw(resultsFile, figuresDir, "logl0");

    /// <summary>
    /// Fig. 6 from an AKEM results file: every kernel's 1D landscape of ξ = ±1 at the paper's bandwidths
    /// (β = 1/h²), point minima as dots and flat manifolds as thick segments, novel (emergent) ones in red
    /// (<c>*-fig6</c>); and, when the file holds the dense sweep, a map of emergence by kernel and h
    /// (<c>*-fig6-sweep</c>).
    /// </summary>
    /// <returns>The paths of the written figure files.</returns>
    public static IReadOnlyList<string> Fig6(string resultsFile, string figuresDir) => Draw(resultsFile, figuresDir, "akem");

    private static readonly Dictionary<string, Func<ResultsData, string, IReadOnlyList<string>>> Drawers = new(StringComparer.Ordinal)
    {
        ["fig1"] = LandscapeFigures.Fig1,
        ["lmin0"] = SweepFigures.Fig3Left,
        ["logl0"] = SweepFigures.Fig3Right,
        ["akem"] = LandscapeFigures.Fig6,
        ["pxle"] = Grids,
        ["bstor"] = Grids,
        ["qbvae"] = Grids,
    };

    // The MNIST experiments store their image grids in the record ("grid", "grid_lse"); one figure per grid and seed.
    private static IReadOnlyList<string> Grids(ResultsData data, string figuresDir)
    {
        var written = new List<string>();
        foreach (var r in data.Records)
            foreach (var field in new[] { "grid", "grid_lse" })
            {
                if (r.Json[field] is not System.Text.Json.Nodes.JsonObject g) continue;
                var tiles = (g["tiles"] as System.Text.Json.Nodes.JsonArray ?? throw r.Bad($"field '{field}' has no tiles"))
                    .Select(t => new ImageTile(
                        (t?["pixels"] as System.Text.Json.Nodes.JsonArray ?? throw r.Bad("a tile has no pixels")).Select(v => (double)v!).ToArray(),
                        (string?)t!["caption"] ?? "", (bool?)t["marked"] ?? false, (bool?)t["emergent"] ?? false)).ToList();
                if (tiles.Count == 0) continue;
                string name = $"{data.Stem}-seed{r.Seed}-{field.Replace('_', '-')}";
                written.AddRange(ImageGrid.Save(System.IO.Path.Combine(figuresDir, name), (string?)g["title"] ?? data.Experiment, tiles, (int?)g["columns"] ?? 8));
            }
        return written;
    }

    private static IReadOnlyList<string> Draw(string resultsFile, string figuresDir, string experiment)
    {
        var data = ResultsData.Read(resultsFile);
        if (data.Experiment != experiment)
            throw new InvalidDataException($"{resultsFile} holds results of experiment '{data.Experiment}', not '{experiment}'.");
        return Draw(data, figuresDir);
    }

    private static IReadOnlyList<string> Draw(ResultsData data, string figuresDir)
    {
        ArgumentException.ThrowIfNullOrEmpty(figuresDir);
        Directory.CreateDirectory(figuresDir);
        return Drawers[data.Experiment](data, figuresDir);
    }
}
