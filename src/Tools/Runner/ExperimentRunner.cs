using System.Diagnostics;
using System.Text.Json.Nodes;
using DenseAm.Experiments;

namespace DenseAm.Runner;

/// <summary>Progress of a run: units done (including those found finished in the file) out of all.</summary>
/// <param name="Done">Units finished.</param>
/// <param name="Total">Units in the experiment.</param>
/// <param name="Resumed">Units that were already in the results file.</param>
public readonly record struct RunProgress(int Done, int Total, int Resumed);

/// <summary>What a run did.</summary>
/// <param name="Path">The results file.</param>
/// <param name="Total">Units in the experiment.</param>
/// <param name="Resumed">Units skipped because the file already held them.</param>
/// <param name="Computed">Units computed by this run.</param>
/// <param name="Seconds">Wall-clock seconds of this run.</param>
/// <param name="Cancelled">True when the run stopped early on cancellation (it resumes next time).</param>
public sealed record RunSummary(string Path, int Total, int Resumed, int Computed, double Seconds, bool Cancelled);

/// <summary>
/// Runs an experiment's units with bounded parallelism and streams their records into a <see cref="ResultsFile"/>
/// in unit order (a reorder buffer holds records that finish early), so the file is the same record for record
/// whatever the thread count and however often the run was interrupted and resumed.
/// </summary>
public static class ExperimentRunner
{
    /// <summary>Runs <paramref name="experiment"/> into <paramref name="path"/>, skipping units already there.</summary>
    public static RunSummary Run(IExperiment experiment, string path, int threads = 0,
        Action<RunProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        var sw = Stopwatch.StartNew();
        var units = experiment.Units();
        using var file = ResultsFile.Open(path, experiment.Id, experiment.Spec(), experiment.Notes);
        var pending = units.Where(u => !file.FinishedKeys.Contains(u.Key)).ToList();
        int resumed = units.Count - pending.Count;
        var slots = new JsonObject?[pending.Count];
        int nextToWrite = 0, computed = 0;
        var gate = new object();
        progress?.Invoke(new RunProgress(resumed, units.Count, resumed));
        bool cancelled = false;
        try
        {
            // Units are handed out one at a time in unit order (not Parallel.For's ranges, which start a second worker
            // half-way through): the reorder buffer then holds only the few records that finish early, so the file
            // and the progress keep up with the work, and a killed run loses at most the units in flight.
            var inOrder = System.Collections.Concurrent.Partitioner.Create(Enumerable.Range(0, pending.Count),
                System.Collections.Concurrent.EnumerablePartitionerOptions.NoBuffering);
            Parallel.ForEach(inOrder,
                new ParallelOptions
                {
                    MaxDegreeOfParallelism = threads <= 0 ? Environment.ProcessorCount : threads,
                    CancellationToken = cancellationToken,
                },
                i =>
                {
                    var unit = pending[i];
                    var fields = experiment.Compute(unit, cancellationToken);
                    var record = new JsonObject
                    {
                        ["record"] = "result",
                        ["key"] = unit.Key,
                        ["experiment"] = unit.Experiment,
                        ["configuration"] = unit.Configuration,
                        ["seed"] = unit.Seed,
                        ["beta_index"] = unit.BetaIndex,
                        ["beta"] = unit.Beta,
                    };
                    foreach (var (k, v) in fields.ToList())
                    {
                        fields.Remove(k);
                        record[k] = v;
                    }
                    lock (gate)
                    {
                        slots[i] = record;
                        while (nextToWrite < slots.Length && slots[nextToWrite] is { } ready)
                        {
                            file.Append(ready);
                            slots[nextToWrite] = null;
                            nextToWrite++;
                            computed++;
                        }
                        progress?.Invoke(new RunProgress(resumed + computed, units.Count, resumed));
                    }
                });
        }
        catch (OperationCanceledException)
        {
            cancelled = true;
        }
        return new RunSummary(path, units.Count, resumed, computed, sw.Elapsed.TotalSeconds, cancelled);
    }
}
