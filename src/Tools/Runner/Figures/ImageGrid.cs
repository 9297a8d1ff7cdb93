using ScottPlot;

namespace DenseAm.Runner.Figures;

/// <summary>One tile of an image grid: a square grayscale image (row-major, values in [0, 1]), its caption, and a marker.</summary>
/// <param name="Pixels">side×side values in [0, 1], row-major.</param>
/// <param name="Caption">Text under the tile (e.g. "mean of 1, 4").</param>
/// <param name="Marked">Draw a gray box around the tile (e.g. a stored pattern that is not preserved).</param>
/// <param name="Emergent">Caption in red (an emergent memory).</param>
public sealed record ImageTile(double[] Pixels, string Caption, bool Marked = false, bool Emergent = false);

/// <summary>Grids of images (stored patterns and memories, SPEC §7's PXLE, QBVAE and BSTOR figures) as PNG and SVG.</summary>
public static class ImageGrid
{
    /// <summary>Draws <paramref name="tiles"/> row by row, <paramref name="columns"/> per row, under <paramref name="title"/>; returns the files written.</summary>
    public static IReadOnlyList<string> Save(string basePath, string title, IReadOnlyList<ImageTile> tiles, int columns = 8)
    {
        ArgumentNullException.ThrowIfNull(tiles);
        if (tiles.Count == 0) throw new ArgumentException("tiles must not be empty.", nameof(tiles));
        if (columns <= 0) throw new ArgumentOutOfRangeException(nameof(columns), columns, $"columns must be > 0; got {columns}.");
        int side = (int)Math.Round(Math.Sqrt(tiles[0].Pixels.Length));
        if (side * side != tiles[0].Pixels.Length) throw new ArgumentException($"tiles must be square images; got {tiles[0].Pixels.Length} pixels.", nameof(tiles));
        int rows = (tiles.Count + columns - 1) / columns;
        var plot = PlotKit.NewPlot();
        const double cell = 1.0, gap = 0.35;
        for (int t = 0; t < tiles.Count; t++)
        {
            var tile = tiles[t];
            if (tile.Pixels.Length != side * side) throw new ArgumentException($"tile {t} has {tile.Pixels.Length} pixels, tile 0 has {side * side}.", nameof(tiles));
            var img = new double[side, side];
            for (int r = 0; r < side; r++)
                for (int c = 0; c < side; c++) img[r, c] = tile.Pixels[r * side + c];
            double left = (t % columns) * (cell + 0.1), top = -(t / columns) * (cell + gap);
            var hm = plot.Add.Heatmap(img);
            hm.Colormap = new ScottPlot.Colormaps.Grayscale();
            hm.ManualRange = new ScottPlot.Range(0, 1);
            hm.Extent = new CoordinateRect(left, left + cell, top - cell, top);
            if (tile.Marked)
            {
                var box = plot.Add.Rectangle(left - 0.03, left + cell + 0.03, top - cell - 0.03, top + 0.03);
                box.FillColor = Colors.Gray.WithAlpha(0.45);
                box.LineColor = Colors.Gray;
                box.LineWidth = 3;
            }
            var label = plot.Add.Text(tile.Caption, left + cell / 2, top - cell - 0.04);
            label.LabelFontSize = 11;
            label.LabelAlignment = Alignment.UpperCenter;
            label.LabelFontColor = tile.Emergent ? PlotKit.Emergent : PlotKit.Stored;
        }
        // Frameless axes drop the title panel, so the title is a text item above the first row.
        var heading = plot.Add.Text(title, -0.1, 0.45);
        heading.LabelFontSize = 14;
        heading.LabelBold = true;
        heading.LabelAlignment = Alignment.LowerLeft;
        plot.HideGrid();
        plot.Axes.Frameless();
        plot.Axes.SetLimits(-0.2, columns * (cell + 0.1), -rows * (cell + gap), 0.6);
        return PlotKit.Save(plot, basePath, Math.Max(125 * columns + 40, 9 * title.Length), 140 * rows + 110);
    }
}
