namespace DenseAm.Runner.Figures;

/// <summary>A quantity over β aggregated across seeds: one entry per β index.</summary>
/// <param name="Beta">β of each index averaged over the seeds (the paper's D.3.2 alignment).</param>
/// <param name="Mean">Mean over the seeds with a finite value (NaN when none).</param>
/// <param name="StandardDeviation">Sample standard deviation over those seeds (0 for a single seed).</param>
/// <param name="Count">How many seeds had a finite value.</param>
internal sealed record SeedSeries(double[] Beta, double[] Mean, double[] StandardDeviation, int[] Count)
{
    public int Length => Beta.Length;

    public double[] Lower => Mean.Select((m, i) => m - StandardDeviation[i]).ToArray();

    public double[] Upper => Mean.Select((m, i) => m + StandardDeviation[i]).ToArray();
}

/// <summary>Mean ± standard deviation across seeds, by β index.</summary>
internal static class SeedStatistics
{
    /// <summary>
    /// Groups <paramref name="records"/> (one configuration) by β index and aggregates <paramref name="value"/>
    /// across seeds; β indices are taken in increasing order. Non-finite values (failed or unsupported runs,
    /// written as null) are left out of the mean rather than poisoning it.
    /// </summary>
    public static SeedSeries Aggregate(IEnumerable<ResultRecord> records, Func<ResultRecord, double> value)
    {
        var groups = records.GroupBy(r => r.BetaIndex).OrderBy(g => g.Key).ToList();
        int n = groups.Count;
        var beta = new double[n];
        var mean = new double[n];
        var sd = new double[n];
        var count = new int[n];
        for (int i = 0; i < n; i++)
        {
            beta[i] = groups[i].Average(r => r.Beta);
            var v = groups[i].Select(value).Where(double.IsFinite).ToArray();
            count[i] = v.Length;
            if (v.Length == 0)
            {
                mean[i] = double.NaN;
                sd[i] = double.NaN;
                continue;
            }
            double m = v.Average();
            mean[i] = m;
            sd[i] = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - m) * (x - m)) / (v.Length - 1)) : 0;
        }
        return new SeedSeries(beta, mean, sd, count);
    }
}
