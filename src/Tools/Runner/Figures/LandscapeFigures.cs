using DenseAm.Experiments;
using DenseAm.Kernels;
using ScottPlot;

namespace DenseAm.Runner.Figures;

/// <summary>Fig. 1 (FIG1) and Fig. 6 (AKEM): energy landscapes recomputed from the core, minima from the results.</summary>
internal static class LandscapeFigures
{
    private const int Samples1D = 1201;
    private const int Samples2D = 241;

    public static IReadOnlyList<string> Fig1(ResultsData data, string figuresDir)
    {
        data.RequireRecords();
        var written = new List<string>();
        var byConfig = data.ByConfiguration().ToDictionary(g => g.Configuration, g => g.Records.OrderBy(r => r.BetaIndex).ToList());
        foreach (var config in byConfig.Keys)
            if (config is not ("1d-lsr" or "1d-lse" or "2d-lsr"))
                throw byConfig[config][0].Bad($"unknown FIG1 configuration '{config}' (expected 1d-lsr, 1d-lse or 2d-lsr)");

        var lsr = byConfig.GetValueOrDefault("1d-lsr") ?? [];
        var lse = byConfig.GetValueOrDefault("1d-lse") ?? [];
        if (lsr.Count + lse.Count > 0)
        {
            int cols = Math.Max(lsr.Count, lse.Count);
            var rows = new[] { lsr, lse }.Where(r => r.Count > 0).ToArray();
            var grid = new Plot[rows.Length, cols];
            for (int r = 0; r < rows.Length; r++)
                for (int c = 0; c < rows[r].Count; c++)
                    grid[r, c] = Landscape1D(rows[r][c], ReferenceEquals(rows[r], lsr), legend: c == 0);
            written.AddRange(PlotKit.SaveGrid(grid,
                "Fig. 1 (left): 1D energy landscapes of ξ = ±1, LSR (top) vs LSE (bottom); minima in red, unsupported x shaded",
                Path.Combine(figuresDir, data.Stem + "-fig1-1d"), 440, 340));
        }

        var twoD = byConfig.GetValueOrDefault("2d-lsr") ?? [];
        if (twoD.Count > 0)
        {
            var grid = new Plot[1, twoD.Count];
            for (int c = 0; c < twoD.Count; c++) grid[0, c] = Landscape2D(twoD[c], legend: c == 0);
            written.AddRange(PlotKit.SaveGrid(grid,
                "Fig. 1 (right): 2D LSR energy of an equilateral triangle; minima in red, stored patterns circled, unsupported region gray",
                Path.Combine(figuresDir, data.Stem + "-fig1-2d"), 480, 430));
        }
        return written;
    }

    private static Plot Landscape1D(ResultRecord record, bool isLsr, bool legend)
    {
        double beta = record.Beta;
        var minima = record.Points("minima", 1).Select(p => p[0]).ToArray();
        var energy = new Energy(Fig1Experiment.Patterns1D(), isLsr ? Kernel.Epanechnikov : Kernel.Gaussian, beta);
        var (xs, es) = Sample1D(energy, -3, 3, Samples1D);

        var plot = PlotKit.NewPlot();
        PlotKit.ShadeUnsupported(plot, xs, es);
        foreach (double xi in new[] { -1.0, 1.0 })
            plot.Add.VerticalLine(xi, 1, Colors.Gray, LinePattern.Dotted);
        PlotKit.Curve(plot, xs, es, isLsr ? PlotKit.Lsr : PlotKit.Lse, 2, isLsr ? "LSR energy" : "LSE energy");
        if (minima.Length > 0)
        {
            var my = minima.Select(m => energy.Evaluate([m]).Value).ToArray();
            var markers = plot.Add.Markers(minima, my, MarkerShape.FilledCircle, 10, PlotKit.Emergent);
            markers.LegendText = "minimum";
        }
        string where = string.Join(", ", minima.Select(m => (Math.Round(m, 3) + 0.0).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)));
        plot.Title($"{(isLsr ? "LSR" : "LSE")}, β = {Beta(beta)}: {Minima(minima.Length)}{(minima.Length > 0 ? " at x = " + where : "")}");
        plot.XLabel("x (stored patterns ξ = ±1 dotted)");
        plot.YLabel("E(x)");
        var (yb, yt) = PlotKit.EnergyLimits(es, 0.8);
        plot.Axes.SetLimits(-3, 3, yb, yt);
        if (legend) plot.ShowLegend(Alignment.UpperCenter);
        else plot.HideLegend();
        return plot;
    }

    private static Plot Landscape2D(ResultRecord record, bool legend)
    {
        double beta = record.Beta;
        var minima = record.Points("minima", 2);
        var patterns = Fig1Experiment.Patterns2D();
        var energy = new Energy(patterns, Kernel.Epanechnikov, beta);
        // The triangle's centroid is at y = −1/√3; a square window of side 6 around it holds every support ball
        // that matters at the paper's β values.
        double left = -3, right = 3, bottom = -3.6, top = 2.4;
        int n = Samples2D;
        var queries = new Matrix(n * n, 2);
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++)
            {
                // Row 0 is the top row of a ScottPlot heatmap.
                queries[r * n + c, 0] = left + (right - left) * (c + 0.5) / n;
                queries[r * n + c, 1] = top - (top - bottom) * (r + 0.5) / n;
            }
        var values = energy.EvaluateBatch(queries, 1);
        var intensities = new double[n, n];
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++)
            {
                double e = values[r * n + c].Value;
                intensities[r, c] = double.IsFinite(e) ? e : double.NaN;
            }

        var plot = PlotKit.NewPlot();
        var heatmap = plot.Add.Heatmap(intensities);
        // E diverges at the edge of the support; clip the colour scale so the wells and saddles stay visible.
        var (lo, hi) = PlotKit.EnergyLimits(intensities.Cast<double>(), 0.85);
        heatmap.ManualRange = new ScottPlot.Range(lo, hi);
        heatmap.Extent = new CoordinateRect(left, right, bottom, top);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.NaNCellColor = Color.FromHex("#d9d9d9");
        var bar = plot.Add.ColorBar(heatmap);
        bar.Label = "E(x)";

        var stored = plot.Add.Markers(
            Enumerable.Range(0, patterns.Count).Select(m => patterns[m][0]).ToArray(),
            Enumerable.Range(0, patterns.Count).Select(m => patterns[m][1]).ToArray(),
            MarkerShape.OpenCircle, 18, PlotKit.StoredRing);
        stored.MarkerLineWidth = 2;
        stored.LegendText = "stored pattern ξ";
        if (minima.Length > 0)
        {
            var found = plot.Add.Markers(minima.Select(p => p[0]).ToArray(), minima.Select(p => p[1]).ToArray(), MarkerShape.FilledCircle, 9, PlotKit.Emergent);
            found.LegendText = "minimum";
        }

        int novel = minima.Count(p => Enumerable.Range(0, patterns.Count).All(m => Math.Abs(p[0] - patterns[m][0]) + Math.Abs(p[1] - patterns[m][1]) > 1e-9));
        plot.Title($"LSR, β = {Beta(beta)}: {Minima(minima.Length)} ({novel} novel)");
        plot.XLabel("x₁");
        plot.YLabel("x₂");
        plot.Axes.SetLimits(left, right, bottom, top);
        if (legend) plot.ShowLegend(Alignment.UpperLeft);
        else plot.HideLegend();
        return plot;
    }

    /// <summary>Fig. 6: the kernels' 1D landscapes (rows: bandwidths h, columns: kernels).</summary>
    public static IReadOnlyList<string> Fig6(ResultsData data, string figuresDir)
    {
        data.RequireRecords();
        var paper = data.Records.Where(r => r.Configuration.EndsWith("/paper", StringComparison.Ordinal)).ToList();
        if (paper.Count == 0)
            throw new InvalidDataException($"{data.Path}: no '<kernel>/paper' records; nothing to draw for Fig. 6.");
        foreach (var r in data.Records)
            if (!r.Configuration.Contains('/')) throw r.Bad($"configuration '{r.Configuration}' is not '<kernel>/paper' or '<kernel>/sweep'");
        var domain = data.Spec["domain"] is System.Text.Json.Nodes.JsonArray d && d.Count == 2 ? ((double)d[0]!, (double)d[1]!) : (-4.0, 4.0);
        double cell = data.Spec["grid_points"] is System.Text.Json.Nodes.JsonValue g && g.TryGetValue(out int gp) && gp > 1
            ? (domain.Item2 - domain.Item1) / (gp - 1)
            : 1e-3;

        var kernels = paper.Select(r => r.String("kernel")).Distinct().ToList();
        var bandwidths = paper.Select(r => Math.Round(r.Number("h"), 9)).Distinct().OrderBy(h => h).ToList();
        var grid = new Plot[bandwidths.Count, kernels.Count];
        foreach (var r in paper)
        {
            int row = bandwidths.IndexOf(Math.Round(r.Number("h"), 9)), col = kernels.IndexOf(r.String("kernel"));
            grid[row, col] = KernelPanel(r, domain.Item1, domain.Item2, cell);
        }
        var written = new List<string>(PlotKit.SaveGrid(grid,
            "Fig. 6: 1D landscapes of ξ = ±1 per kernel (columns) and bandwidth h, β = 1/h² (rows); minima as dots, flat manifolds as thick segments, emergent ones red",
            Path.Combine(figuresDir, data.Stem + "-fig6"), 300, 215));

        var sweep = data.Records.Where(r => r.Configuration.EndsWith("/sweep", StringComparison.Ordinal)).ToList();
        if (sweep.Count > 0) written.AddRange(SweepMap(data, sweep, figuresDir));
        return written;
    }

    private static Plot KernelPanel(ResultRecord record, double lo, double hi, double cell)
    {
        string kernelName = record.String("kernel");
        IKernel kernel;
        try
        {
            kernel = Kernel.FromName(kernelName);
        }
        catch (ArgumentException e)
        {
            throw record.Bad($"unknown kernel '{kernelName}' ({e.Message})");
        }
        double h = record.Number("h");
        var energy = new Energy(StoredPatterns.FromRows([-1.0], [1.0]), kernel, record.Beta);
        var (xs, es) = Sample1D(energy, lo, hi, 801);
        var points = record.Numbers("point_minima");
        var manifolds = record.Points("manifolds", 2);

        var plot = PlotKit.NewPlot();
        plot.Axes.Title.Label.FontSize = 13;
        PlotKit.ShadeUnsupported(plot, xs, es);
        PlotKit.Curve(plot, xs, es, PlotKit.Lsr, 1.5f, null);
        // Red marks emergence (a novel minimum while a stored pattern is still a minimum, the paper's Defs. 2–3);
        // a novel minimum left after the basins merged is drawn black like the stored ones.
        bool emergent = record.Bool("locally_emergent");
        bool IsStored(double x) => Math.Abs(x - 1) <= cell || Math.Abs(x + 1) <= cell;
        foreach (double p in points)
        {
            bool novel = emergent && !IsStored(p);
            plot.Add.Marker(p, energy.Evaluate([p]).Value, MarkerShape.FilledCircle, novel ? 11 : 7, novel ? PlotKit.Emergent : PlotKit.Stored);
        }
        foreach (var m in manifolds)
        {
            bool novel = emergent && !(m[0] - cell <= -1 && -1 <= m[1] + cell) && !(m[0] - cell <= 1 && 1 <= m[1] + cell);
            double y = energy.Evaluate([0.5 * (m[0] + m[1])]).Value;
            var seg = plot.Add.Line(m[0], y, m[1], y);
            seg.LineWidth = 5;
            seg.LineColor = novel ? PlotKit.Emergent : PlotKit.Stored;
            seg.MarkerSize = 0;
        }
        string flag = record.Bool("globally_emergent") ? " · emergent" : record.Bool("locally_emergent") ? " · locally emergent" : "";
        plot.Title($"{kernelName}, h = {PlotKit.Format(h)}{flag}");
        var (yb, yt) = PlotKit.EnergyLimits(es, 0.85);
        plot.Axes.SetLimits(lo, hi, yb, yt);
        plot.Axes.Bottom.TickLabelStyle.FontSize = 10;
        plot.Axes.Left.TickLabelStyle.FontSize = 10;
        return plot;
    }

    /// <summary>AKEM's dense sweep: per kernel and h, the number of novel minima (emergence) as a dot map.</summary>
    private static IReadOnlyList<string> SweepMap(ResultsData data, List<ResultRecord> sweep, string figuresDir)
    {
        var kernels = sweep.Select(r => r.String("kernel")).Distinct().ToList();
        var plot = PlotKit.NewPlot();
        var categories = new (string Label, Color Color, MarkerShape Shape, Func<ResultRecord, bool> Pick)[]
        {
            ("stored patterns only (no novel minimum)", Colors.LightGray, MarkerShape.FilledCircle, r => Novel(r) == 0),
            ("basins merged: novel minima, no ξ kept", Color.FromHex("#1f77b4"), MarkerShape.FilledTriangleUp, r => Novel(r) > 0 && r.Int("stored_preserved") == 0),
            ("locally emergent: novel minima, one ξ kept", Color.FromHex("#ff9f1c"), MarkerShape.FilledSquare, r => r.Bool("locally_emergent") && !r.Bool("globally_emergent")),
            ("globally emergent: novel minima, both ξ kept", PlotKit.Emergent, MarkerShape.FilledDiamond, r => r.Bool("globally_emergent")),
        };
        var shown = new bool[categories.Length];
        // Markers shrink with the number of bandwidths so neighbours stay apart (the full sweep has 141).
        int perKernel = sweep.GroupBy(r => r.String("kernel")).Max(g => g.Count());
        float size = Math.Clamp(700f / perKernel, 3f, 9f);
        for (int k = 0; k < kernels.Count; k++)
        {
            var rs = sweep.Where(r => r.String("kernel") == kernels[k]).OrderBy(r => r.Number("h")).ToList();
            for (int c = 0; c < categories.Length; c++)
            {
                var hs = rs.Where(categories[c].Pick).Select(r => r.Number("h")).ToArray();
                if (hs.Length == 0) continue;
                var m = plot.Add.Markers(hs, Enumerable.Repeat((double)(kernels.Count - 1 - k), hs.Length).ToArray(), categories[c].Shape, size, categories[c].Color);
                if (!shown[c])
                {
                    m.LegendText = categories[c].Label;
                    shown[c] = true;
                }
            }
        }
        var ticks = kernels.Select((name, k) => new Tick(kernels.Count - 1 - k, name)).ToArray();
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        plot.Axes.SetLimitsY(-0.6, kernels.Count - 0.4);
        plot.Title("AKEM sweep: emergence by kernel and bandwidth h (β = 1/h², ξ = ±1)");
        plot.XLabel("bandwidth h");
        plot.ShowLegend(Edge.Bottom);
        return PlotKit.Save(plot, Path.Combine(figuresDir, data.Stem + "-fig6-sweep"), 1000, 560);
    }

    private static int Novel(ResultRecord r) => r.Int("novel_points") + r.Int("novel_manifolds");

    private static string Beta(double beta) => beta.ToString("0.######", System.Globalization.CultureInfo.InvariantCulture);

    private static string Minima(int n) => n switch { 0 => "no minimum recorded", 1 => "1 minimum", _ => $"{n} minima" };

    private static (double[] Xs, double[] Energies) Sample1D(Energy energy, double lo, double hi, int n)
    {
        var q = new Matrix(n, 1);
        var xs = new double[n];
        for (int i = 0; i < n; i++) q[i, 0] = xs[i] = lo + (hi - lo) * i / (n - 1);
        var values = energy.EvaluateBatch(q, 1);
        return (xs, values.Select(v => v.Value).ToArray());
    }
}
