using ScottPlot;

namespace DenseAm.Runner.Figures;

/// <summary>Fig. 3 left (LMIN0) and Fig. 3 right / Figs. 7–8 (LOGL0): quantities against β, mean ± sd over seeds.</summary>
internal static class SweepFigures
{
    private static readonly Color Novel = Color.FromHex("#d62728");
    private static readonly Color Preserved = Color.FromHex("#1f77b4");
    private static readonly Color Support = Color.FromHex("#2ca02c");

    // ---------------------------------------------------------------- LMIN0 (Fig. 3 left)

    public static IReadOnlyList<string> Fig3Left(ResultsData data, string figuresDir)
    {
        data.RequireRecords();
        var configs = data.ByConfiguration()
            .Select(g => (g.Configuration, g.Records, M: g.Records[0].Int("M"), D: g.Records[0].Int("d")))
            .ToList();
        var ms = configs.Select(c => c.M).Distinct().OrderBy(m => m).ToList();
        var ds = configs.Select(c => c.D).Distinct().OrderBy(d => d).ToList();
        var grid = new Plot[ds.Count, ms.Count];
        foreach (var c in configs)
        {
            int r = ds.IndexOf(c.D), col = ms.IndexOf(c.M);
            grid[r, col] = Lmin0Panel(c.Records, c.M, c.D, legend: r == 0 && col == 0);
        }
        return PlotKit.SaveGrid(grid,
            "Fig. 3 (left): LSR memories on [0,1]^d against β: novel and preserved stored patterns, supported fraction (log scale; mean ± sd over seeds)",
            Path.Combine(figuresDir, data.Stem + "-fig3-left"), 560, 420);
    }

    private static Plot Lmin0Panel(IReadOnlyList<ResultRecord> records, int m, int d, bool legend)
    {
        foreach (var r in records)
        {
            if (r.Int("M") != m || r.Int("d") != d) throw r.Bad($"M and d differ from the configuration's first record (M = {m}, d = {d})");
        }
        var novel = SeedStatistics.Aggregate(records, r => r.Number("novel"));
        var preserved = SeedStatistics.Aggregate(records, r => r.Number("stored_preserved"));
        var support = SeedStatistics.Aggregate(records, r => r.Number("supported_fraction"));
        var incomplete = records.GroupBy(r => r.BetaIndex).OrderBy(g => g.Key).Select(g => g.Any(r => !r.Bool("complete"))).ToArray();

        var logs = new[] { novel, preserved, support }
            .SelectMany(s => s.Mean.Concat(s.Upper)).Select(PlotKit.Log10OrNaN).Where(double.IsFinite).Append(Math.Log10(m)).ToList();
        double floor = Math.Floor(logs.Min() - 0.05), ceiling = Math.Ceiling(logs.Max() + 0.05);
        if (ceiling - floor < 1) ceiling = floor + 1;

        var plot = PlotKit.NewPlot();
        var x = novel.Beta;
        // Supported fraction: shaded from the bottom of the axis up to its curve, as the paper's green region.
        var sLog = support.Mean.Select(PlotKit.Log10OrNaN).ToArray();
        foreach (var (s, e) in PlotKit.FiniteRuns(sLog))
        {
            var fill = plot.Add.FillY(x[s..e], Enumerable.Repeat(floor, e - s).ToArray(), sLog[s..e]);
            fill.FillColor = Support.WithAlpha(0.2);
            fill.LineWidth = 0;
        }
        PlotKit.Curve(plot, x, sLog, Support, 2, "supported fraction of [0,1]^d");

        Series(plot, x, preserved, Preserved, "stored patterns preserved", floor, MarkerShape.FilledSquare);
        Series(plot, x, novel, Novel, "novel memories", floor, MarkerShape.FilledCircle);
        var mLine = plot.Add.HorizontalLine(Math.Log10(m), 1.5f, Colors.Black, LinePattern.Dashed);
        mLine.LegendText = $"M = {m}";
        if (incomplete.Any(b => b))
        {
            var ix = Enumerable.Range(0, incomplete.Length).Where(i => incomplete[i] && double.IsFinite(PlotKit.Log10OrNaN(novel.Mean[i]))).ToArray();
            if (ix.Length > 0)
            {
                var open = plot.Add.Markers(ix.Select(i => x[i]).ToArray(), ix.Select(i => Math.Log10(novel.Mean[i])).ToArray(), MarkerShape.OpenCircle, 14, Colors.Black);
                open.LegendText = "enumeration incomplete (count is a lower bound)";
            }
        }

        PlotKit.LogTicks(plot.Axes.Left, floor, ceiling);
        plot.Axes.SetLimitsY(floor, ceiling);
        plot.Title($"M = {m}, d = {d} ({records.Select(r => r.Seed).Distinct().Count()} seeds)");
        plot.XLabel("inverse temperature β");
        plot.YLabel("count  /  fraction (log scale)");
        // Lower right is empty in these plots: the support has shrunk and the counts sit higher up.
        // Panels with incomplete enumerations repeat the legend so the open circles are explained there.
        if (legend || incomplete.Any(b => b)) plot.ShowLegend(Alignment.LowerRight);
        else plot.HideLegend();
        return plot;
    }

    /// <summary>Mean line with markers and a ±sd band, all in log10; the band's lower edge is clipped to the axis floor.</summary>
    private static void Series(Plot plot, double[] x, SeedSeries s, Color color, string label, double floor, MarkerShape shape)
    {
        var mean = s.Mean.Select(PlotKit.Log10OrNaN).ToArray();
        var lo = s.Lower.Select(v => v > 0 ? Math.Max(Math.Log10(v), floor) : floor).ToArray();
        var hi = s.Upper.Select(PlotKit.Log10OrNaN).ToArray();
        foreach (var (a, b) in PlotKit.FiniteRuns(mean))
        {
            var band = plot.Add.FillY(x[a..b], lo[a..b], hi[a..b]);
            band.FillColor = color.WithAlpha(0.18);
            band.LineWidth = 0;
        }
        var line = PlotKit.Curve(plot, x, mean, color, 2, null);
        var ix = Enumerable.Range(0, mean.Length).Where(i => double.IsFinite(mean[i])).ToArray();
        var markers = plot.Add.Markers(ix.Select(i => x[i]).ToArray(), ix.Select(i => mean[i]).ToArray(), shape, 6, color);
        markers.LegendText = label;
        _ = line;
    }

    // ---------------------------------------------------------------- LOGL0 (Fig. 3 right, Figs. 7–8)

    private sealed record Metric(string Field, string Title, string YLabel, bool Log);

    private static readonly Metric[] Metrics =
    [
        new("mean_log_likelihood", "mean log-likelihood", "log p(x*) under the true mixture", false),
        new("unique", "unique memories", "unique memories (log scale)", true),
        new("stored_recovered", "stored patterns recovered", "stored recovered", false),
    ];

    public static IReadOnlyList<string> Fig3Right(ResultsData data, string figuresDir)
    {
        data.RequireRecords();
        var configs = data.ByConfiguration()
            .Select(g => (g.Configuration, g.Records, K: g.Records[0].Int("k"), D: g.Records[0].Int("d"), M: g.Records[0].Int("M")))
            .OrderBy(c => c.K).ThenBy(c => c.D).ThenBy(c => c.M)
            .ToList();
        var written = new List<string>();
        // Figs. 7–8: one figure per k, a row per (d, M).
        foreach (var byK in configs.GroupBy(c => c.K))
        {
            var rows = byK.ToList();
            var grid = new Plot[rows.Count, Metrics.Length];
            for (int r = 0; r < rows.Count; r++)
                for (int c = 0; c < Metrics.Length; c++)
                    grid[r, c] = Logl0Panel(rows[r].Records, rows[r].Configuration, Metrics[c], legend: r == 0);
            written.AddRange(PlotKit.SaveGrid(grid,
                $"Figs. 7–8: LSR vs LSE memories from thin-shell starts, k = {byK.Key} Gaussians (mean ± sd over seeds; green: LSR ahead on average)",
                Path.Combine(figuresDir, $"{data.Stem}-figs7-8-k{byK.Key}"), 520, 380));
        }
        // Fig. 3 right: one figure per configuration.
        foreach (var c in configs)
        {
            var grid = new Plot[1, Metrics.Length];
            for (int i = 0; i < Metrics.Length; i++) grid[0, i] = Logl0Panel(c.Records, c.Configuration, Metrics[i], legend: true);
            written.AddRange(PlotKit.SaveGrid(grid,
                $"Fig. 3 (right): LSR vs LSE, {c.Configuration.Replace(",", ", ")} (mean ± sd over seeds; green: LSR ahead on average)",
                Path.Combine(figuresDir, $"{data.Stem}-fig3-right-{PlotKit.FilePart(c.Configuration)}"), 560, 420));
        }
        return written;
    }

    private static Plot Logl0Panel(IReadOnlyList<ResultRecord> records, string configuration, Metric metric, bool legend)
    {
        var lsr = SeedStatistics.Aggregate(records, r => r.Number("lsr_" + metric.Field));
        var lse = SeedStatistics.Aggregate(records, r => r.Number("lse_" + metric.Field));
        int m = records[0].Int("M");
        var x = lsr.Beta.Select(PlotKit.Log10OrNaN).ToArray();

        var plot = PlotKit.NewPlot();
        // Green: β indices where LSR's mean is higher (better on every metric here), as in the paper's figures.
        for (int i = 0; i < x.Length; i++)
        {
            if (!(lsr.Mean[i] > lse.Mean[i])) continue;
            double left = i > 0 ? 0.5 * (x[i - 1] + x[i]) : x[i] - (x.Length > 1 ? 0.5 * (x[1] - x[0]) : 0.05);
            double right = i < x.Length - 1 ? 0.5 * (x[i] + x[i + 1]) : x[i] + (x.Length > 1 ? 0.5 * (x[i] - x[i - 1]) : 0.05);
            var span = plot.Add.HorizontalSpan(left, right, PlotKit.Better);
            span.LineStyle.Width = 0;
        }

        var values = new List<double>();
        foreach (var (s, color, name, shape) in new[] { (lse, PlotKit.Lse, "LSE", MarkerShape.FilledSquare), (lsr, PlotKit.Lsr, "LSR", MarkerShape.FilledCircle) })
        {
            double[] mean, lo, hi;
            if (metric.Log)
            {
                mean = s.Mean.Select(PlotKit.Log10OrNaN).ToArray();
                lo = s.Mean.Select((v, i) => PlotKit.Log10OrNaN(Math.Max(v - s.StandardDeviation[i], v > 0 ? v / 10 : 0))).ToArray();
                hi = s.Upper.Select(PlotKit.Log10OrNaN).ToArray();
            }
            else
            {
                mean = s.Mean;
                lo = s.Lower;
                hi = s.Upper;
            }
            values.AddRange(lo.Concat(hi).Where(double.IsFinite));
            foreach (var (a, b) in PlotKit.FiniteRuns(mean))
            {
                var band = plot.Add.FillY(x[a..b], lo[a..b], hi[a..b]);
                band.FillColor = color.WithAlpha(0.2);
                band.LineWidth = 0;
            }
            PlotKit.Curve(plot, x, mean, color, 2, null);
            var ix = Enumerable.Range(0, mean.Length).Where(i => double.IsFinite(mean[i])).ToArray();
            var err = plot.Add.ErrorBar(ix.Select(i => x[i]).ToList(), ix.Select(i => mean[i]).ToList(), ix.Select(_ => 0.0).ToList());
            err.YErrorNegative = ix.Select(i => mean[i] - lo[i]).ToList();
            err.YErrorPositive = ix.Select(i => hi[i] - mean[i]).ToList();
            err.Color = color;
            var markers = plot.Add.Markers(ix.Select(i => x[i]).ToArray(), ix.Select(i => mean[i]).ToArray(), shape, 7, color);
            markers.LegendText = name;
        }
        if (metric.Field == "stored_recovered")
        {
            var line = plot.Add.HorizontalLine(m, 1.5f, Colors.Black, LinePattern.Dashed);
            line.LegendText = $"M = {m}";
            values.Add(m);
        }

        var finiteX = x.Where(double.IsFinite).ToArray();
        if (finiteX.Length > 0)
        {
            double pad = Math.Max(0.03, 0.04 * (finiteX.Max() - finiteX.Min()));
            double xl = finiteX.Min() - pad, xr = finiteX.Max() + pad;
            PlotKit.LogTicks(plot.Axes.Bottom, xl, xr);
            plot.Axes.SetLimitsX(xl, xr);
        }
        if (values.Count > 0)
        {
            double lo = values.Min(), hi = values.Max();
            if (metric.Log)
            {
                double floor = Math.Floor(lo - 0.05), ceiling = Math.Ceiling(hi + 0.05);
                PlotKit.LogTicks(plot.Axes.Left, floor, ceiling);
                plot.Axes.SetLimitsY(floor, ceiling);
            }
            else
            {
                double pad = hi > lo ? 0.08 * (hi - lo) : Math.Max(1, Math.Abs(hi) * 0.1);
                plot.Axes.SetLimitsY(lo - pad, hi + pad);
            }
        }
        plot.Title($"{configuration.Replace(",", ", ")}: {metric.Title}");
        plot.XLabel("inverse temperature β (log scale; β of each index averaged over seeds)");
        plot.YLabel(metric.YLabel);
        if (legend) plot.ShowLegend(metric.Field == "unique" ? Alignment.UpperLeft : Alignment.LowerRight);
        else plot.HideLegend();
        return plot;
    }
}
