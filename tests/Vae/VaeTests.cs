using DenseAm.Randomness;
using DenseAm.Vae;

namespace DenseAm.Tests.Vae;

/// <summary>
/// The β-VAE's backward pass against central finite differences of its loss, and training that lowers the loss.
/// Tolerance: float64 central differences with h = 1e-6 on a loss of order 10 have truncation error ~h²·|f'''|
/// and rounding error ~1e-16·|f|/h ≈ 1e-9, so 1e-6 absolute + 1e-5 relative separates a wrong gradient
/// (errors of order the gradient itself) from rounding.
/// </summary>
public sealed class VaeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("denseam-vae-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (double[] X, double[] Noise) Batch(int batch, int inputs, int latent, ulong seed)
    {
        var rng = new SeededRandom(seed);
        var x = Enumerable.Range(0, batch * inputs).Select(_ => rng.NextDouble()).ToArray();
        var noise = Enumerable.Range(0, batch * latent).Select(_ => rng.NextGaussian()).ToArray();
        return (x, noise);
    }

    [Fact]
    public void Gradients_match_finite_differences()
    {
        var config = new VaeConfig { Inputs = 6, Hidden = 5, Latent = 2, KlWeight = 4, BatchSize = 4, Seed = 3 };
        var vae = new BetaVae(config);
        var (x, noise) = Batch(4, 6, 2, 9);
        vae.LossAndGradient(x, 4, noise);
        var analytic = vae.Parameters.Select(p => (double[])p.Grad.Clone()).ToArray();
        const double h = 1e-6;
        int checkedCount = 0;
        for (int pi = 0; pi < vae.Parameters.Count; pi++)
        {
            var p = vae.Parameters[pi];
            for (int i = 0; i < p.Value.Length; i++)
            {
                double keep = p.Value[i];
                p.Value[i] = keep + h;
                double up = vae.LossAndGradient(x, 4, noise).Loss;
                p.Value[i] = keep - h;
                double down = vae.LossAndGradient(x, 4, noise).Loss;
                p.Value[i] = keep;
                double fd = (up - down) / (2 * h);
                Assert.True(Math.Abs(fd - analytic[pi][i]) <= 1e-6 + 1e-5 * Math.Abs(fd),
                    $"{p.Name}[{i}]: backward {analytic[pi][i]} vs central difference {fd}");
                checkedCount++;
            }
        }
        Assert.True(checkedCount > 150);
    }

    [Fact]
    public void Training_lowers_the_loss_and_is_deterministic()
    {
        // 64 noisy copies of four 16-pixel prototypes.
        var rng = new SeededRandom(5);
        var data = new Matrix(64, 16);
        for (int r = 0; r < 64; r++)
            for (int c = 0; c < 16; c++)
                data[r, c] = ((c / 4 == r % 4) ? 0.9 : 0.1) + 0.05 * (rng.NextDouble() - 0.5);
        var config = new VaeConfig { Inputs = 16, Hidden = 24, Latent = 2, Epochs = 40, BatchSize = 16, Seed = 1, LearningRate = 3e-3 };
        var losses = new BetaVae(config).Train(data);
        Assert.Equal(40, losses.Count);
        Assert.True(losses[^1] < 0.9 * losses[0] && losses.Skip(30).Max() < losses.Take(5).Min(), $"loss went from {losses[0]} to {losses[^1]}");
        var again = new BetaVae(config).Train(data);
        Assert.Equal(losses, again);
    }

    [Fact]
    public void Saved_weights_reload_and_give_the_same_codes()
    {
        var config = new VaeConfig { Inputs = 8, Hidden = 6, Latent = 3, Epochs = 2, BatchSize = 4, Seed = 2 };
        var vae = new BetaVae(config);
        var (x, _) = Batch(12, 8, 3, 4);
        var data = new Matrix(12, 8, x);
        vae.Train(data);
        vae.Save(_dir);
        var back = BetaVae.TryLoad(_dir, config);
        Assert.NotNull(back);
        Assert.Equal(vae.Encode(data).Data, back!.Encode(data).Data);
        Assert.Equal(vae.Decode(vae.Encode(data)).Data, back.Decode(back.Encode(data)).Data);
        Assert.Null(BetaVae.TryLoad(_dir, config with { Seed = 3 }));
        Assert.Throws<ArgumentException>(() => new BetaVae(config with { BatchSize = 1 }));
        Assert.Throws<ArgumentException>(() => vae.Encode(new Matrix(2, 5)));
    }
}
