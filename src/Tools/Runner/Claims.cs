using System.Globalization;
using System.Text.Json.Nodes;

namespace DenseAm.Runner;

/// <summary>One of the paper's claims checked against our runs, with the numbers behind the verdict.</summary>
/// <param name="Experiment">The experiment id.</param>
/// <param name="Claim">The claim, in the paper's terms.</param>
/// <param name="Held">True when our runs support it; null when the results needed are missing.</param>
/// <param name="Evidence">The numbers.</param>
public sealed record ClaimCheck(string Experiment, string Claim, bool? Held, string Evidence);

/// <summary>Evaluates the paper's claims (issue: FIG1, AKEM, LOGL0, LMIN0) from results files.</summary>
public static class Claims
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Checks every claim whose results file is present in <paramref name="resultsDir"/> (suffix "-quick" for quick runs).</summary>
    public static IReadOnlyList<ClaimCheck> Evaluate(string resultsDir, bool quick)
    {
        string suffix = quick ? "-quick" : "";
        var list = new List<ClaimCheck>();
        IReadOnlyList<JsonObject>? Load(string id)
        {
            string p = Path.Combine(resultsDir, id + suffix + ".jsonl");
            return File.Exists(p) ? ResultsFile.ReadRecords(p, out _) : null;
        }
        list.Add(Fig1(Load("fig1")));
        list.Add(Akem(Load("akem")));
        list.Add(Logl0(Load("logl0")));
        list.Add(Lmin0(Load("lmin0")));
        return list;
    }

    private static ClaimCheck Fig1(IReadOnlyList<JsonObject>? r)
    {
        const string claim = "1D LSR, ξ = ±1: β = 0.4, 0.9, 2.1 give 1, 3, 2 minima (SPEC §7)";
        if (r is null) return new("fig1", claim, null, "no results");
        var lsr = r.Where(x => (string?)x["configuration"] == "1d-lsr").OrderBy(x => (int)x["beta_index"]!).ToList();
        var counts = lsr.Select(x => $"β={F((double)x["beta"]!)}: {(int)x["minima_count"]!}").ToList();
        bool held = lsr.Count == 3 && lsr.All(x => x["matches_reference"]?.GetValue<bool>() == true);
        var lse = r.Where(x => (string?)x["configuration"] == "1d-lse").OrderBy(x => (int)x["beta_index"]!)
            .Select(x => $"β={F((double)x["beta"]!)}: {(int)x["minima_count"]!}");
        return new("fig1", claim, held, $"LSR minima {string.Join(", ", counts)}; LSE minima {string.Join(", ", lse)}");
    }

    private static ClaimCheck Akem(IReadOnlyList<JsonObject>? r)
    {
        const string claim = "every compact kernel except triweight shows emergence in 1D at some bandwidth; triweight shows none";
        if (r is null) return new("akem", claim, null, "no results");
        var byKernel = r.GroupBy(x => (string)x["kernel"]!).ToDictionary(g => g.Key, g => g.ToList());
        var parts = new List<string>();
        bool held = true;
        foreach (var (kernel, recs) in byKernel)
        {
            var hs = recs.Where(x => x["locally_emergent"]!.GetValue<bool>()).Select(x => (double)x["h"]!).Order().ToList();
            string range = hs.Count == 0 ? "none" : $"h ∈ [{F(hs[0])}, {F(hs[^1])}] ({hs.Count} of {recs.Count})";
            parts.Add($"{kernel}: {range}");
            if (kernel == "gaussian") continue;
            held &= kernel == "triweight" ? hs.Count == 0 : hs.Count > 0;
        }
        return new("akem", claim, held, "locally emergent at " + string.Join("; ", parts));
    }

    private static ClaimCheck Logl0(IReadOnlyList<JsonObject>? r)
    {
        const string claim = "LSR reaches more unique memories than LSE at comparable log-likelihood (within 1 nat)";
        if (r is null) return new("logl0", claim, null, "no results");
        int configs = 0, heldConfigs = 0;
        var best = new List<string>();
        foreach (var g in r.GroupBy(x => (string)x["configuration"]!))
        {
            configs++;
            double bestRatio = 0;
            string bestText = "";
            foreach (var b in g.GroupBy(x => (int)x["beta_index"]!).OrderBy(b => b.Key))
            {
                double lsrU = b.Average(x => (double)x["lsr_unique"]!), lseU = b.Average(x => (double)x["lse_unique"]!);
                double lsrL = b.Average(x => (double?)x["lsr_mean_log_likelihood"] ?? double.NaN);
                double lseL = b.Average(x => (double?)x["lse_mean_log_likelihood"] ?? double.NaN);
                if (!(lsrL >= lseL - 1.0)) continue;
                double ratio = lsrU / Math.Max(1, lseU);
                if (ratio > bestRatio)
                {
                    bestRatio = ratio;
                    bestText = $"{g.Key} β#{b.Key}: {F(lsrU)} vs {F(lseU)} unique, log-lik {F(lsrL)} vs {F(lseL)}";
                }
            }
            if (bestRatio > 1) heldConfigs++;
            if (bestText.Length > 0) best.Add(bestText);
        }
        bool held = configs > 0 && heldConfigs * 2 > configs;
        return new("logl0", claim, held, $"held in {heldConfigs} of {configs} configurations; best per configuration: {string.Join("; ", best)}");
    }

    private static ClaimCheck Lmin0(IReadOnlyList<JsonObject>? r)
    {
        const string claim = "peak novel count far above M (orders of magnitude for M = 25, d = 32) at a β where most stored patterns are preserved";
        if (r is null) return new("lmin0", claim, null, "no results (run lmin0)");
        var parts = new List<string>();
        bool held = true;
        foreach (var g in r.GroupBy(x => (string)x["configuration"]!))
        {
            int m = (int)g.First()["M"]!;
            int d = (int)g.First()["d"]!;
            double peak = 0, preservedAtPeak = 0;
            foreach (var b in g.GroupBy(x => (int)x["beta_index"]!))
            {
                double novel = b.Average(x => (double)x["novel"]!), kept = b.Average(x => (double)x["stored_preserved"]!);
                if (kept * 2 > m && novel > peak) { peak = novel; preservedAtPeak = kept; }
            }
            parts.Add($"M={m},d={d}: peak novel {F(peak)} with {F(preservedAtPeak)}/{m} preserved");
            if (m >= 15) held &= peak > m;
            if (m == 25 && d == 32) held &= peak >= 100 * m;
        }
        return new("lmin0", claim, held, string.Join("; ", parts));
    }

    private static string F(double v) => v.ToString(Math.Abs(v) >= 100 ? "F0" : "0.###", Inv);
}
