using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;
using SkiaSharp;

namespace DenseAm.Runner.Figures;

/// <summary>Drawing helpers shared by the figures: saving PNG + SVG, log axes, curves with gaps.</summary>
internal static class PlotKit
{
    public static readonly Color Lsr = Color.FromHex("#1f77b4");
    public static readonly Color Lse = Color.FromHex("#ff7f0e");
    public static readonly Color Emergent = Color.FromHex("#e41a1c");
    public static readonly Color Stored = Color.FromHex("#111111");
    public static readonly Color StoredRing = Color.FromHex("#ff9f1c");
    public static readonly Color Unsupported = Color.FromHex("#bbbbbb").WithAlpha(0.45);
    public static readonly Color Better = Color.FromHex("#2ca02c").WithAlpha(0.13);

    private const int TitleHeight = 44;

    private static readonly string FontName = RegisterFont();

    /// <summary>
    /// The figures' font. SkiaSharp's Linux build used here has no fontconfig, so it cannot look fonts up by
    /// family; DejaVu Sans is registered from its file when installed (Debian: fonts-dejavu-core), otherwise
    /// ScottPlot's default is used.
    /// </summary>
    private static string RegisterFont()
    {
        const string dir = "/usr/share/fonts/truetype/dejavu";
        string regular = Path.Combine(dir, "DejaVuSans.ttf"), bold = Path.Combine(dir, "DejaVuSans-Bold.ttf");
        if (!File.Exists(regular)) return Fonts.Default;
        Fonts.AddFontFile("DejaVu Sans", regular, bold: false, italic: false);
        if (File.Exists(bold)) Fonts.AddFontFile("DejaVu Sans", bold, bold: true, italic: false);
        return "DejaVu Sans";
    }

    /// <summary>A plot with the toolkit's font and style.</summary>
    public static Plot NewPlot()
    {
        var plot = new Plot();
        plot.Font.Set(FontName);
        plot.Axes.Title.Label.FontSize = 15;
        plot.Axes.Bottom.Label.FontSize = 13;
        plot.Axes.Left.Label.FontSize = 13;
        return plot;
    }

    /// <summary>Writes <paramref name="plot"/> as <paramref name="basePath"/>.png and .svg; returns both paths.</summary>
    public static IReadOnlyList<string> Save(Plot plot, string basePath, int width, int height)
    {
        string png = basePath + ".png", svg = basePath + ".svg";
        plot.SavePng(png, width, height);
        plot.SaveSvg(svg, width, height);
        return [png, svg];
    }

    /// <summary>
    /// Writes a grid of plots (null cells left blank) with a figure title above it as <paramref name="basePath"/>.png
    /// and .svg, both rendered here onto Skia canvases.
    /// </summary>
    public static IReadOnlyList<string> SaveGrid(Plot[,] plots, string title, string basePath, int cellWidth, int cellHeight)
    {
        int rows = plots.GetLength(0), cols = plots.GetLength(1);
        int width = cols * cellWidth, height = rows * cellHeight + TitleHeight;
        var cells = new Plot[rows, cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                cells[r, c] = plots[r, c] ?? EmptyPlot();
                cells[r, c].RenderManager.Remove<ScottPlot.Rendering.RenderActions.ClearCanvas>();
            }

        string png = basePath + ".png", svg = basePath + ".svg";
        using (var surface = SKSurface.Create(new SKImageInfo(width, height)) ?? throw new InvalidOperationException($"cannot create a {width}×{height} drawing surface."))
        {
            Draw(surface.Canvas, cells, title, cellWidth, cellHeight, width);
            using var image = surface.Snapshot();
            using var data = image.Encode(SKEncodedImageFormat.Png, 100);
            using var file = File.Create(png);
            data.SaveTo(file);
        }
        using (var file = File.Create(svg))
        {
            using var canvas = SKSvgCanvas.Create(SKRect.Create(width, height), file);
            Draw(canvas, cells, title, cellWidth, cellHeight, width);
        }
        return [png, svg];
    }

    // Each subplot renders itself into its cell. A plot clears the whole canvas before rendering (in SVG an
    // opaque black rectangle), which would wipe the cells drawn before it, so that step is removed; each cell
    // still paints its own background.
    private static void Draw(SKCanvas canvas, Plot[,] cells, string title, int cellWidth, int cellHeight, int width)
    {
        canvas.Clear(SKColors.White);
        for (int r = 0; r < cells.GetLength(0); r++)
            for (int c = 0; c < cells.GetLength(1); c++)
            {
                float top = TitleHeight + r * cellHeight;
                cells[r, c].Render(canvas, new PixelRect(c * cellWidth, (c + 1) * cellWidth, top + cellHeight, top));
            }
        using var typeface = Fonts.GetTypeface(FontName, bold: true, italic: false);
        using var font = new SKFont(typeface, 20);
        using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        canvas.DrawText(title, width / 2f, TitleHeight - 14, SKTextAlign.Center, font, paint);
        canvas.Flush();
    }

    private static Plot EmptyPlot()
    {
        var p = NewPlot();
        p.HideAxesAndGrid();
        return p;
    }

    /// <summary>
    /// Makes <paramref name="axis"/> a log axis over [<paramref name="lo"/>, <paramref name="hi"/>] (in log10
    /// coordinates): ScottPlot 5 has no log axis, so data are plotted as log10 of the value and the ticks are
    /// placed here: every decade, plus 2× and 5× when the span is under three decades, with log-spaced minor ticks.
    /// </summary>
    public static void LogTicks(IAxis axis, double lo, double hi)
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        int e0 = (int)Math.Floor(lo), e1 = (int)Math.Ceiling(hi);
        bool fine = hi - lo < 3;
        for (int e = e0; e <= e1; e++)
        {
            for (int m = 1; m <= 9; m++)
            {
                double pos = e + Math.Log10(m);
                if (pos < lo - 1e-9 || pos > hi + 1e-9) continue;
                if (m == 1) ticks.AddMajor(pos, Pow10Label(e));
                else if (fine && (m == 2 || m == 5)) ticks.AddMajor(pos, Format(m * Math.Pow(10, e)));
                else ticks.AddMinor(pos);
            }
        }
        axis.TickGenerator = ticks;
    }

    private static string Pow10Label(int e) => e switch
    {
        -2 => "0.01",
        -1 => "0.1",
        0 => "1",
        1 => "10",
        2 => "100",
        3 => "1000",
        _ => "10" + Superscript(e),
    };

    private static string Superscript(int e)
    {
        const string digits = "⁰¹²³⁴⁵⁶⁷⁸⁹";
        var s = Math.Abs(e).ToString(CultureInfo.InvariantCulture).Select(ch => digits[ch - '0']);
        return (e < 0 ? "⁻" : "") + string.Concat(s);
    }

    /// <summary>A short, culture-independent number for titles and labels.</summary>
    public static string Format(double v)
    {
        if (v == 0) return "0";
        double a = Math.Abs(v);
        if (a >= 1e4 || a < 1e-3) return v.ToString("0.##e0", CultureInfo.InvariantCulture);
        return v.ToString(a >= 100 ? "0" : a >= 10 ? "0.#" : a >= 1 ? "0.##" : "0.###", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Adds a curve that is drawn only where <paramref name="ys"/> is finite: each finite run becomes its own
    /// line, so unsupported regions (E = +∞) and missing values show as gaps. Returns the first line (or null).
    /// </summary>
    public static ScottPlot.Plottables.Scatter? Curve(Plot plot, double[] xs, double[] ys, Color color, float width, string? label, IYAxis? yAxis = null)
    {
        ScottPlot.Plottables.Scatter? first = null;
        foreach (var (start, end) in FiniteRuns(ys))
        {
            var line = plot.Add.ScatterLine(xs[start..end], ys[start..end], color);
            line.LineWidth = width;
            if (yAxis is not null) line.Axes.YAxis = yAxis;
            if (first is null && label is not null) line.LegendText = label;
            first ??= line;
        }
        return first;
    }

    /// <summary>Index ranges [start, end) over which <paramref name="ys"/> is finite.</summary>
    public static IEnumerable<(int Start, int End)> FiniteRuns(double[] ys)
    {
        int i = 0;
        while (i < ys.Length)
        {
            while (i < ys.Length && !double.IsFinite(ys[i])) i++;
            int s = i;
            while (i < ys.Length && double.IsFinite(ys[i])) i++;
            if (i > s) yield return (s, i);
        }
    }

    /// <summary>Index ranges [start, end) over which <paramref name="ys"/> is not finite (unsupported).</summary>
    public static IEnumerable<(int Start, int End)> InfiniteRuns(double[] ys)
    {
        int i = 0;
        while (i < ys.Length)
        {
            while (i < ys.Length && double.IsFinite(ys[i])) i++;
            int s = i;
            while (i < ys.Length && !double.IsFinite(ys[i])) i++;
            if (i > s) yield return (s, i);
        }
    }

    /// <summary>Shades x-ranges where the energy is +∞ (no pattern supports x), as in the paper's Fig. 1.</summary>
    public static void ShadeUnsupported(Plot plot, double[] xs, double[] energies)
    {
        double step = xs.Length > 1 ? xs[1] - xs[0] : 0;
        foreach (var (s, e) in InfiniteRuns(energies))
        {
            var span = plot.Add.HorizontalSpan(xs[s] - step / 2, xs[e - 1] + step / 2, Unsupported);
            span.LineStyle.Width = 0;
        }
    }

    /// <summary>
    /// Y limits for an energy curve that diverges at the support edge: from the minimum up to the given quantile
    /// of the finite values, so the wells stay visible.
    /// </summary>
    public static (double Bottom, double Top) EnergyLimits(IEnumerable<double> energies, double quantile)
    {
        var f = energies.Where(double.IsFinite).Order().ToArray();
        if (f.Length == 0) return (0, 1);
        double lo = f[0], hi = f[(int)Math.Round(quantile * (f.Length - 1))];
        if (hi <= lo) hi = lo + 1;
        double pad = 0.06 * (hi - lo);
        return (lo - pad, hi + pad);
    }

    /// <summary>log10 of v, NaN where v ≤ 0 or not finite (nothing to draw on a log axis).</summary>
    public static double Log10OrNaN(double v) => v > 0 && double.IsFinite(v) ? Math.Log10(v) : double.NaN;

    /// <summary>Sanitises a configuration such as "k=5,d=8,M=25" into a file-name part "k5-d8-M25".</summary>
    public static string FilePart(string configuration) =>
        string.Concat(configuration.Replace("=", "").Replace(',', '-').Replace('/', '-')
            .Select(ch => char.IsLetterOrDigit(ch) || ch is '-' or '_' or '.' ? ch : '_'));
}
