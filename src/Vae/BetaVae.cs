using System.Text.Json.Nodes;
using DenseAm.Formats;
using DenseAm.Randomness;

namespace DenseAm.Vae;

/// <summary>Shape and training settings of the β-VAE (SPEC §7, QBVAE).</summary>
public sealed record VaeConfig
{
    /// <summary>Input size (784 for MNIST).</summary>
    public int Inputs { get; init; } = 784;

    /// <summary>Hidden width of both MLPs.</summary>
    public int Hidden { get; init; } = 512;

    /// <summary>Latent dimension.</summary>
    public int Latent { get; init; } = 10;

    /// <summary>Weight of the KL term (the β of the β-VAE, not the energy's inverse temperature).</summary>
    public double KlWeight { get; init; } = 4;

    /// <summary>Adam learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Training epochs.</summary>
    public int Epochs { get; init; } = 50;

    /// <summary>Minibatch size.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Seed for initialisation, shuffling and the reparameterisation noise.</summary>
    public ulong Seed { get; init; } = 0;

    /// <summary>The settings as JSON (saved beside the weights; a cache is reused only when they match).</summary>
    public JsonObject ToJson() => new()
    {
        ["inputs"] = Inputs, ["hidden"] = Hidden, ["latent"] = Latent, ["kl_weight"] = KlWeight,
        ["learning_rate"] = LearningRate, ["epochs"] = Epochs, ["batch_size"] = BatchSize, ["seed"] = Seed,
    };
}

/// <summary>
/// A β-VAE with two-layer MLP encoder and decoder (Dense → BatchNorm → LeakyReLU(0.2), twice), Bernoulli
/// decoder (binary cross-entropy on logits) and KL weight β, trained with Adam on the toolkit's GEMM provider.
/// Deterministic for a seed (initialisation, batch order and noise all come from <see cref="SeededRandom"/>).
/// </summary>
public sealed class BetaVae
{
    private readonly Sequential _encoder, _decoder;
    private readonly Parameter[] _parameters;
    private long _step;

    /// <summary>A freshly initialised model.</summary>
    public BetaVae(VaeConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Inputs <= 0 || config.Hidden <= 0 || config.Latent <= 0)
            throw new ArgumentException($"config sizes must be > 0; got inputs {config.Inputs}, hidden {config.Hidden}, latent {config.Latent}.", nameof(config));
        if (config.BatchSize < 2) throw new ArgumentException($"config.BatchSize must be >= 2 (batch normalisation); got {config.BatchSize}.", nameof(config));
        Config = config;
        var rng = SeededRandom.ForStream(config.Seed, 1);
        int h = config.Hidden, z = config.Latent;
        _encoder = new Sequential(
            new Dense("encoder.0", config.Inputs, h, rng), new BatchNorm("encoder.1", h), new LeakyRelu(h),
            new Dense("encoder.3", h, h, rng), new BatchNorm("encoder.4", h), new LeakyRelu(h),
            new Dense("encoder.6", h, 2 * z, rng));
        _decoder = new Sequential(
            new Dense("decoder.0", z, h, rng), new BatchNorm("decoder.1", h), new LeakyRelu(h),
            new Dense("decoder.3", h, h, rng), new BatchNorm("decoder.4", h), new LeakyRelu(h),
            new Dense("decoder.6", h, config.Inputs, rng));
        _parameters = _encoder.Parameters.Concat(_decoder.Parameters).ToArray();
    }

    /// <summary>The model's settings.</summary>
    public VaeConfig Config { get; }

    /// <summary>Every trainable parameter (for saving and gradient checks).</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    private IEnumerable<BatchNorm> Norms => _encoder.Layers.Concat(_decoder.Layers).OfType<BatchNorm>();

    /// <summary>
    /// The loss of one batch, (1/n)·Σ[BCE(x, decoder(z)) + β·KL(q(z|x) ‖ N(0, I))] with z = μ + σ·noise, and its gradient
    /// accumulated into every parameter's Grad (zeroed first). <paramref name="noise"/> is n×latent standard normals.
    /// </summary>
    public (double Loss, double Reconstruction, double Kl) LossAndGradient(double[] x, int batch, double[] noise)
    {
        int z = Config.Latent, n = Config.Inputs;
        foreach (var p in _parameters) Array.Clear(p.Grad);
        var enc = _encoder.Forward(x, batch, training: true);
        var latent = new double[batch * z];
        double kl = 0;
        for (int r = 0; r < batch; r++)
            for (int j = 0; j < z; j++)
            {
                double mu = enc[r * 2 * z + j], lv = enc[r * 2 * z + z + j];
                latent[r * z + j] = mu + Math.Exp(0.5 * lv) * noise[r * z + j];
                kl += -0.5 * (1 + lv - mu * mu - Math.Exp(lv));
            }
        var logits = _decoder.Forward(latent, batch, training: true);
        double rec = 0;
        var dLogits = new double[batch * n];
        for (int i = 0; i < batch * n; i++)
        {
            double l = logits[i], t = x[i];
            rec += Math.Max(l, 0) - l * t + Math.Log(1 + Math.Exp(-Math.Abs(l)));
            dLogits[i] = (Sigmoid(l) - t) / batch;
        }
        var dLatent = _decoder.Backward(dLogits, batch);
        var dEnc = new double[batch * 2 * z];
        double w = Config.KlWeight;
        for (int r = 0; r < batch; r++)
            for (int j = 0; j < z; j++)
            {
                double mu = enc[r * 2 * z + j], lv = enc[r * 2 * z + z + j], dz = dLatent[r * z + j];
                dEnc[r * 2 * z + j] = dz + w * mu / batch;
                dEnc[r * 2 * z + z + j] = dz * noise[r * z + j] * 0.5 * Math.Exp(0.5 * lv) + w * 0.5 * (Math.Exp(lv) - 1) / batch;
            }
        _encoder.Backward(dEnc, batch);
        rec /= batch;
        kl /= batch;
        return (rec + w * kl, rec, kl);
    }

    /// <summary>One Adam step (β₁ = 0.9, β₂ = 0.999, ε = 1e-8) with the accumulated gradients.</summary>
    public void AdamStep()
    {
        _step++;
        double lr = Config.LearningRate, b1 = 0.9, b2 = 0.999;
        double c1 = 1 - Math.Pow(b1, _step), c2 = 1 - Math.Pow(b2, _step);
        foreach (var p in _parameters)
            for (int i = 0; i < p.Value.Length; i++)
            {
                double g = p.Grad[i];
                p.M[i] = b1 * p.M[i] + (1 - b1) * g;
                p.V[i] = b2 * p.V[i] + (1 - b2) * g * g;
                p.Value[i] -= lr * (p.M[i] / c1) / (Math.Sqrt(p.V[i] / c2) + 1e-8);
            }
    }

    /// <summary>Trains on the rows of <paramref name="data"/> (values in [0, 1]); returns the mean loss of each epoch.</summary>
    public IReadOnlyList<double> Train(Matrix data, Action<int, double>? onEpoch = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Columns != Config.Inputs)
            throw new ArgumentException($"data has {data.Columns} columns, the model takes {Config.Inputs}.", nameof(data));
        if (data.Rows < 2) throw new ArgumentException($"data must hold at least 2 rows; got {data.Rows}.", nameof(data));
        var rng = SeededRandom.ForStream(Config.Seed, 2);
        var losses = new List<double>();
        int n = data.Rows, bs = Config.BatchSize, d = Config.Inputs, z = Config.Latent;
        var batchX = new double[bs * d];
        var noise = new double[bs * z];
        for (int epoch = 0; epoch < Config.Epochs; epoch++)
        {
            var order = rng.Choose(n, n);
            double total = 0;
            for (int start = 0; start < n; start += bs)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int b = Math.Min(bs, n - start);
                if (b < 2) break; // batch statistics need two samples
                var bx = b == bs ? batchX : new double[b * d];
                for (int r = 0; r < b; r++) Array.Copy(data.Data, order[start + r] * d, bx, r * d, d);
                var nz = b == bs ? noise : new double[b * z];
                for (int i = 0; i < b * z; i++) nz[i] = rng.NextGaussian();
                var (loss, _, _) = LossAndGradient(bx, b, nz);
                AdamStep();
                total += loss * b;
            }
            losses.Add(total / n);
            onEpoch?.Invoke(epoch, total / n);
        }
        return losses;
    }

    /// <summary>The posterior means μ(x) of the rows of <paramref name="data"/> (evaluation mode: running statistics).</summary>
    public Matrix Encode(Matrix data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Columns != Config.Inputs) throw new ArgumentException($"data has {data.Columns} columns, the model takes {Config.Inputs}.", nameof(data));
        int z = Config.Latent;
        var enc = _encoder.Forward((double[])data.Data.Clone(), data.Rows, training: false);
        var m = new Matrix(data.Rows, z);
        for (int r = 0; r < data.Rows; r++) Array.Copy(enc, r * 2 * z, m.Data, r * z, z);
        return m;
    }

    /// <summary>Decoded images σ(decoder(z)) of latent rows (evaluation mode).</summary>
    public Matrix Decode(Matrix latent)
    {
        ArgumentNullException.ThrowIfNull(latent);
        if (latent.Columns != Config.Latent) throw new ArgumentException($"latent has {latent.Columns} columns, the model's latent dimension is {Config.Latent}.", nameof(latent));
        var logits = _decoder.Forward((double[])latent.Data.Clone(), latent.Rows, training: false);
        var m = new Matrix(latent.Rows, Config.Inputs);
        for (int i = 0; i < m.Data.Length; i++) m.Data[i] = Sigmoid(logits[i]);
        return m;
    }

    /// <summary>Saves every parameter and running statistic as .npy files plus config.json in <paramref name="folder"/>.</summary>
    public void Save(string folder, JsonObject? extra = null)
    {
        Directory.CreateDirectory(folder);
        foreach (var p in _parameters) Npy.Write(Path.Combine(folder, p.Name + ".npy"), new Matrix(p.Rows, p.Columns, (double[])p.Value.Clone()));
        foreach (var bn in Norms)
        {
            Npy.Write(Path.Combine(folder, bn.Name + ".running_mean.npy"), new Matrix(1, bn.RunningMean.Length, (double[])bn.RunningMean.Clone()));
            Npy.Write(Path.Combine(folder, bn.Name + ".running_var.npy"), new Matrix(1, bn.RunningVar.Length, (double[])bn.RunningVar.Clone()));
        }
        var json = new JsonObject { ["config"] = Config.ToJson() };
        if (extra != null) json["training"] = extra;
        AtomicFile.Write(Path.Combine(folder, "config.json"), s => s.Write(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString())));
    }

    /// <summary>Loads a model saved by <see cref="Save"/>; null when the folder holds no model of exactly this config.</summary>
    public static BetaVae? TryLoad(string folder, VaeConfig config)
    {
        string cfg = Path.Combine(folder, "config.json");
        if (!File.Exists(cfg)) return null;
        var saved = JsonNode.Parse(File.ReadAllText(cfg))?["config"]?.ToJsonString();
        if (saved != config.ToJson().ToJsonString()) return null;
        var vae = new BetaVae(config);
        foreach (var p in vae._parameters)
        {
            var m = Npy.Read(Path.Combine(folder, p.Name + ".npy"));
            if (m.Data.Length != p.Value.Length) throw new DataFormatException(Path.Combine(folder, p.Name + ".npy"), "shape", $"holds {m.Data.Length} values, expected {p.Value.Length}.");
            m.Data.CopyTo(p.Value, 0);
        }
        foreach (var bn in vae.Norms)
        {
            Npy.Read(Path.Combine(folder, bn.Name + ".running_mean.npy")).Data.CopyTo(bn.RunningMean, 0);
            Npy.Read(Path.Combine(folder, bn.Name + ".running_var.npy")).Data.CopyTo(bn.RunningVar, 0);
        }
        return vae;
    }

    private static double Sigmoid(double l) => l >= 0 ? 1 / (1 + Math.Exp(-l)) : Math.Exp(l) / (1 + Math.Exp(l));
}
