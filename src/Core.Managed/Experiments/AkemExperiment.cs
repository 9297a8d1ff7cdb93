using System.Text.Json.Nodes;
using DenseAm.Kernels;

namespace DenseAm.Experiments;

/// <summary>The minima of a 1D landscape: isolated points and flat manifolds (intervals of constant energy).</summary>
/// <param name="Points">Point minima, refined by golden-section search.</param>
/// <param name="Manifolds">Flat minima as [start, end] intervals.</param>
public sealed record Landscape1D(IReadOnlyList<double> Points, IReadOnlyList<(double Start, double End)> Manifolds);

/// <summary>
/// AKEM (SPEC §7, the paper's Fig. 6): emergence for every kernel in 1D with ξ = ±1 across bandwidths h
/// (β = 1/h²), reporting point minima and flat manifolds. Besides the authors' seven bandwidths it sweeps
/// h densely over [0.2, 3], so "no emergence for this kernel" is a statement about a range, not seven points.
/// </summary>
public sealed class AkemExperiment : IExperiment
{
    private readonly bool _quick;

    /// <summary>Distance within which a minimum counts as a stored pattern (SPEC §2's ε_novel).</summary>
    public const double NovelDistance = 0.1;

    /// <summary>The authors' bandwidths.</summary>
    public static IReadOnlyList<double> PaperBandwidths { get; } = [0.2, 0.5, 1.5, 1.9, 2.0, 2.3, 3.0];

    /// <summary>AKEM on a 16 001-point grid over [−4, 4] and a sweep step of 0.02 (quick: 4 001 points, step 0.1).</summary>
    public AkemExperiment(bool quick = false) => _quick = quick;

    private int GridPoints => _quick ? 4001 : 16001;

    private IReadOnlyList<double> Sweep()
    {
        double step = _quick ? 0.1 : 0.02;
        int n = (int)Math.Round((3.0 - 0.2) / step) + 1;
        return Enumerable.Range(0, n).Select(i => Math.Round(0.2 + i * step, 10)).ToArray();
    }

    /// <inheritdoc/>
    public string Id => "akem";

    /// <inheritdoc/>
    public IReadOnlyList<string> Notes { get; } =
    [
        "β = 1/h² as in SPEC §7; u = (β/2)(x − ξ)², so each kernel's support radius is √2·h.",
        "Minima are read off a dense grid of energies on [−4, 4]: runs of equal energy (relative 1e-12) wider than two cells are flat (weak-minimum) manifolds; single points below both neighbours are point minima, refined by golden-section search.",
        "Besides the authors' seven bandwidths, h is swept densely over [0.2, 3] for every kernel.",
        "A minimum within 0.1 of ±1 counts as that stored pattern (preserved); minima farther from both are novel.",
    ];

    /// <inheritdoc/>
    public JsonObject Spec() => new()
    {
        ["patterns"] = JsonFields.Numbers([-1.0, 1.0]),
        ["kernels"] = JsonFields.Strings(Kernel.All.Select(k => k.Name)),
        ["paper_bandwidths"] = JsonFields.Numbers(PaperBandwidths),
        ["sweep_bandwidths"] = JsonFields.Numbers(Sweep()),
        ["grid_points"] = GridPoints,
        ["domain"] = JsonFields.Numbers([-4.0, 4.0]),
    };

    /// <inheritdoc/>
    public IReadOnlyList<ExperimentUnit> Units()
    {
        var units = new List<ExperimentUnit>();
        foreach (var k in Kernel.All)
        {
            for (int i = 0; i < PaperBandwidths.Count; i++) units.Add(new(Id, $"{k.Name}/paper", 0, i, 1 / (PaperBandwidths[i] * PaperBandwidths[i])));
            var sweep = Sweep();
            for (int i = 0; i < sweep.Count; i++) units.Add(new(Id, $"{k.Name}/sweep", 0, i, 1 / (sweep[i] * sweep[i])));
        }
        return units;
    }

    /// <inheritdoc/>
    public JsonObject Compute(ExperimentUnit unit, CancellationToken cancellationToken)
    {
        string kernelName = unit.Configuration.Split('/')[0];
        var energy = new Energy(StoredPatterns.FromRows([-1.0], [1.0]), Kernel.FromName(kernelName), unit.Beta);
        var land = Analyse(energy, -4, 4, GridPoints);
        // A minimum within ε_novel = 0.1 of ξ counts as that stored pattern (LSE's minima sit near, never at, ξ;
        // Prop. 1); farther ones are novel. Compact kernels' minima at ξ are exact up to the grid refinement.
        double cell = Math.Max(8.0 / (GridPoints - 1), NovelDistance);
        bool Contains(double xi) =>
            land.Points.Any(p => Math.Abs(p - xi) <= cell) || land.Manifolds.Any(m => m.Start - cell <= xi && xi <= m.End + cell);
        int preserved = (Contains(-1) ? 1 : 0) + (Contains(1) ? 1 : 0);
        int novelPoints = land.Points.Count(p => Math.Abs(p + 1) > cell && Math.Abs(p - 1) > cell);
        int novelManifolds = land.Manifolds.Count(m => !(m.Start - cell <= -1 && -1 <= m.End + cell) && !(m.Start - cell <= 1 && 1 <= m.End + cell));
        bool novel = novelPoints + novelManifolds > 0;
        return new JsonObject
        {
            ["kernel"] = kernelName,
            ["h"] = 1 / Math.Sqrt(unit.Beta),
            ["point_minima"] = JsonFields.Numbers(land.Points),
            ["manifolds"] = JsonFields.Points(land.Manifolds.Select(m => new[] { m.Start, m.End })),
            ["stored_preserved"] = preserved,
            ["novel_points"] = novelPoints,
            ["novel_manifolds"] = novelManifolds,
            ["locally_emergent"] = novel && preserved > 0,
            ["globally_emergent"] = novel && preserved == 2,
        };
    }

    /// <summary>Finds the minima of a 1D energy on [lo, hi] from <paramref name="points"/> grid evaluations.</summary>
    public static Landscape1D Analyse(Energy energy, double lo, double hi, int points)
    {
        ArgumentNullException.ThrowIfNull(energy);
        if (energy.Dimension != 1) throw new ArgumentException($"energy must be one-dimensional; got d = {energy.Dimension}.", nameof(energy));
        if (points < 3) throw new ArgumentOutOfRangeException(nameof(points), points, $"points must be >= 3; got {points}.");
        var xs = new Matrix(points, 1);
        for (int i = 0; i < points; i++) xs[i, 0] = lo + (hi - lo) * i / (points - 1);
        var e = energy.EvaluateBatch(xs, 1).Select(v => v.Value).ToArray();
        // Runs of equal energy (within a relative 1e-12), then minima: runs below both neighbouring runs.
        var runs = new List<(int Start, int End, double E)>();
        for (int i = 0; i < points;)
        {
            int j = i;
            while (j + 1 < points && Same(e[j + 1], e[i])) j++;
            runs.Add((i, j, e[i]));
            i = j + 1;
        }
        var pts = new List<double>();
        var manifolds = new List<(double, double)>();
        for (int r = 0; r < runs.Count; r++)
        {
            var run = runs[r];
            if (double.IsPositiveInfinity(run.E)) continue;
            if (run.End - run.Start >= 2)
            {
                // A flat stretch: every interior point has constant energy around it, a (weak) minimum manifold.
                manifolds.Add((xs[run.Start, 0], xs[run.End, 0]));
                continue;
            }
            bool leftHigher = r == 0 || runs[r - 1].E > run.E;
            bool rightHigher = r == runs.Count - 1 || runs[r + 1].E > run.E;
            if (!leftHigher || !rightHigher) continue;
            double a = xs[Math.Max(run.Start - 1, 0), 0], b = xs[Math.Min(run.End + 1, points - 1), 0];
            pts.Add(GoldenSection(energy, a, b));
        }
        return new Landscape1D(pts, manifolds);
    }

    private static bool Same(double a, double b) =>
        a == b || (double.IsFinite(a) && double.IsFinite(b) && Math.Abs(a - b) <= 1e-12 * Math.Max(1, Math.Abs(a)));

    private static double GoldenSection(Energy energy, double a, double b)
    {
        double phi = (Math.Sqrt(5) - 1) / 2;
        double F(double x) => energy.Evaluate([x]).Value;
        double c = b - phi * (b - a), d = a + phi * (b - a);
        double fc = F(c), fd = F(d);
        for (int i = 0; i < 200 && b - a > 1e-12; i++)
        {
            if (fc <= fd) { b = d; d = c; fd = fc; c = b - phi * (b - a); fc = F(c); }
            else { a = c; c = d; fc = fd; d = a + phi * (b - a); fd = F(d); }
        }
        return 0.5 * (a + b);
    }
}
