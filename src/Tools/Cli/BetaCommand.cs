using System.CommandLine;
using DenseAm.Selection;

namespace DenseAm.Cli;

/// <summary>`denseam beta`: choose β by Theorem 1, Algorithm 2, or a grid (SPEC §4).</summary>
internal static class BetaCommand
{
    public static Command Create(CliIO io)
    {
        var patterns = new Option<string>("--patterns") { Description = "Stored patterns, M×d (.npy or CSV).", Required = true };
        var neighbours = new Option<double?>("--neighbours") { Description = "Algorithm 2: target average number K of interacting supports per pattern." };
        var countSelf = new Option<bool>("--count-self") { Description = "Algorithm 2: a pattern counts itself (the paper's pseudocode); default: only other patterns." };
        var maxIter = new Option<int>("--max-iterations") { Description = "Algorithm 2: bisection steps.", DefaultValueFactory = _ => 64 };
        var basin = new Option<double?>("--basin") { Description = "Theorem 1: basin radius Δ ∈ (0, r_min); β = 2/(r_min − Δ)²." };
        var grid = new Option<string?>("--grid") { Description = "A β grid from 2/d to β_max: linear or geometric." };
        grid.AcceptOnlyFromAmong("linear", "geometric");
        var steps = new Option<int>("--steps") { Description = "Grid: number of β values (≥ 2).", DefaultValueFactory = _ => 50 };
        var upper = new Option<string>("--upper") { Description = "Grid: β_max = 8/r_min² (authors, default) or 2/r_min² (paper).", DefaultValueFactory = _ => "authors" };
        upper.AcceptOnlyFromAmong("authors", "paper");

        var cmd = new Command("beta", "Choose β: --neighbours K (Algorithm 2), --basin Δ (Theorem 1) or --grid linear|geometric --steps N; prints JSON.")
        {
            patterns, neighbours, countSelf, maxIter, basin, grid, steps, upper,
        };
        cmd.SetAction(pr => CliApp.Guarded(io, () =>
        {
            var store = RetrieveCommand.LoadPatterns(pr.GetValue(patterns)!);
            var k = pr.GetValue(neighbours);
            var delta = pr.GetValue(basin);
            var spacing = pr.GetValue(grid);
            int modes = (k.HasValue ? 1 : 0) + (delta.HasValue ? 1 : 0) + (spacing != null ? 1 : 0);
            if (modes != 1)
                throw new ArgumentException($"give exactly one of --neighbours K, --basin DELTA or --grid linear|geometric; got {modes}.");
            bool self = pr.GetValue(countSelf);
            double rMin = 0;
            RetrieveCommand.Named("--patterns", () => rMin = BetaSearch.MinPairwiseDistance(store));
            if (k is { } target)
            {
                int n = pr.GetValue(maxIter);
                if (n <= 0) throw new ArgumentException($"--max-iterations must be > 0; got {n}.");
                NeighbourBeta? b = null;
                RetrieveCommand.Named("--neighbours", () => b = BetaSearch.ForNeighbours(store, target, self, n));
                Json.Write(io.Out, w =>
                {
                    w.WriteString("mode", "neighbours");
                    w.WriteNumber("M", store.Count);
                    w.WriteNumber("d", store.Dimension);
                    w.WriteNumber("r_min", rMin);
                    w.WriteNumber("beta", b!.Beta);
                    w.WriteNumber("radius", b.Radius);
                    w.WriteNumber("target", b.Target);
                    w.WriteNumber("average_neighbours", b.AverageNeighbours);
                    w.WriteBoolean("count_self", b.CountSelf);
                    w.WriteNumber("iterations", b.Iterations);
                });
            }
            else if (delta is { } dlt)
            {
                double beta = 0;
                RetrieveCommand.Named("--basin", () => beta = BetaSearch.ForBasin(store, dlt));
                double r = Math.Sqrt(2 / beta);
                Json.Write(io.Out, w =>
                {
                    w.WriteString("mode", "basin");
                    w.WriteNumber("M", store.Count);
                    w.WriteNumber("d", store.Dimension);
                    w.WriteNumber("r_min", rMin);
                    w.WriteNumber("delta", dlt);
                    w.WriteNumber("beta", beta);
                    w.WriteNumber("radius", r);
                    w.WriteNumber("average_neighbours", BetaSearch.AverageNeighbours(store, r, self));
                    w.WriteBoolean("count_self", self);
                });
            }
            else
            {
                var sp = spacing == "geometric" ? GridSpacing.Geometric : GridSpacing.Linear;
                var up = pr.GetValue(upper) == "paper" ? BetaUpperBound.PaperText : BetaUpperBound.Authors;
                int n = pr.GetValue(steps);
                double[] betas = [];
                RetrieveCommand.Named("--steps", () => betas = BetaSearch.Grid(store, sp, n, up));
                Json.Write(io.Out, w =>
                {
                    w.WriteString("mode", "grid");
                    w.WriteString("grid", spacing);
                    w.WriteString("upper", pr.GetValue(upper));
                    w.WriteNumber("M", store.Count);
                    w.WriteNumber("d", store.Dimension);
                    w.WriteNumber("r_min", rMin);
                    w.WriteNumber("steps", n);
                    w.Numbers("betas", betas);
                    w.Numbers("average_neighbours", betas.Select(b => BetaSearch.AverageNeighbours(store, Math.Sqrt(2 / b), self)));
                    w.WriteBoolean("count_self", self);
                });
            }
            return 0;
        }));
        return cmd;
    }
}
