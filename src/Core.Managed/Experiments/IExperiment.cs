using System.Text.Json.Nodes;

namespace DenseAm.Experiments;

/// <summary>
/// One record's worth of work: an (experiment, configuration, seed, β) point of an experiment's grid.
/// </summary>
/// <param name="Experiment">Experiment id ("fig1", "lmin0", "logl0", "akem").</param>
/// <param name="Configuration">The configuration, e.g. "M=25,d=32".</param>
/// <param name="Seed">The seed; every random draw of the unit derives from (experiment, configuration, seed).</param>
/// <param name="BetaIndex">Index of β in the configuration's grid.</param>
/// <param name="Beta">The inverse temperature β.</param>
public sealed record ExperimentUnit(string Experiment, string Configuration, long Seed, int BetaIndex, double Beta)
{
    /// <summary>The unit's unique key in a results file.</summary>
    public string Key => $"{Experiment}|{Configuration}|{Seed}|{BetaIndex}";
}

/// <summary>
/// An experiment of SPEC §7 as a list of independent units, each computed into one result record.
/// Units are listed in a fixed order and computed deterministically, so a run's records do not depend on
/// thread count, interruption or order of completion.
/// </summary>
public interface IExperiment
{
    /// <summary>Experiment id.</summary>
    string Id { get; }

    /// <summary>The spec (grids and settings) as JSON, written in the results file's header record.</summary>
    JsonObject Spec();

    /// <summary>What this run does differently from the authors' code, and why (printed and stored in the header).</summary>
    IReadOnlyList<string> Notes { get; }

    /// <summary>Every unit, in a fixed order.</summary>
    IReadOnlyList<ExperimentUnit> Units();

    /// <summary>Computes one unit's result fields (the runner adds the key fields).</summary>
    JsonObject Compute(ExperimentUnit unit, CancellationToken cancellationToken);
}
