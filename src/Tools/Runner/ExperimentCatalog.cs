using DenseAm.Experiments;
using DenseAm.Formats;
using DenseAm.Runner.RealData;

namespace DenseAm.Runner;

/// <summary>The experiments `denseam run` knows, by id, with their default (authors') and quick variants.</summary>
public static class ExperimentCatalog
{
    /// <summary>Experiment ids in the order `reproduce` runs them.</summary>
    public static IReadOnlyList<string> Ids { get; } = ["fig1", "akem", "lmin0", "logl0", "pxle", "bstor", "qbvae"];

    /// <summary>
    /// Creates an experiment by id; <paramref name="quick"/> keeps every axis with fewer points. The MNIST experiments
    /// load the cached digits (fetching them once) and QBVAE keeps its VAE weights in <paramref name="workDir"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown id.</exception>
    public static IExperiment Create(string id, bool quick, string workDir = "results") => id switch
    {
        "pxle" => new PxleExperiment(() => MnistNpm.Load()),
        "bstor" => new BstorExperiment(() => MnistNpm.Load()),
        "qbvae" => new QbvaeExperiment(() => MnistNpm.Load(), workDir, quick),
        "fig1" => new Fig1Experiment(quick),
        "akem" => new AkemExperiment(quick),
        "lmin0" => new Lmin0Experiment(quick ? Lmin0Spec.Quick : new Lmin0Spec()),
        "logl0" => new Logl0Experiment(quick ? Logl0Spec.Quick : new Logl0Spec()),
        _ => throw new ArgumentException($"experiment '{id}' is unknown; known: {string.Join(", ", Ids)}.", nameof(id)),
    };
}
