using DenseAm.Randomness;

namespace DenseAm.Vae;

/// <summary>A layer of the MLP: forward on a batch (rows = samples), backward accumulating parameter gradients.</summary>
internal interface ILayer
{
    int Outputs { get; }

    IEnumerable<Parameter> Parameters { get; }

    double[] Forward(double[] x, int batch, bool training);

    double[] Backward(double[] dy, int batch);
}

/// <summary>Dense layer y = x·W + b, initialised like PyTorch's Linear: U(−1/√in, 1/√in).</summary>
internal sealed class Dense : ILayer
{
    private readonly int _in, _out;
    private double[] _x = [];
    private double[] _y = [], _dx = [];

    public Dense(string name, int inputs, int outputs, SeededRandom rng)
    {
        _in = inputs;
        _out = outputs;
        W = new Parameter(name + ".weight", inputs, outputs);
        B = new Parameter(name + ".bias", 1, outputs);
        double bound = 1 / Math.Sqrt(inputs);
        for (int i = 0; i < W.Value.Length; i++) W.Value[i] = rng.Uniform(-bound, bound);
        for (int i = 0; i < B.Value.Length; i++) B.Value[i] = rng.Uniform(-bound, bound);
    }

    public Parameter W { get; }

    public Parameter B { get; }

    public int Outputs => _out;

    public IEnumerable<Parameter> Parameters => [W, B];

    public double[] Forward(double[] x, int batch, bool training)
    {
        _x = x;
        Ensure(ref _y, batch * _out);
        for (int r = 0; r < batch; r++) Array.Copy(B.Value, 0, _y, r * _out, _out);
        Gemm.Run(false, false, batch, _out, _in, x, W.Value, 1.0, _y);
        return _y;
    }

    public double[] Backward(double[] dy, int batch)
    {
        Gemm.Run(true, false, _in, _out, batch, _x, dy, 1.0, W.Grad);
        for (int r = 0; r < batch; r++)
            for (int j = 0; j < _out; j++) B.Grad[j] += dy[r * _out + j];
        Ensure(ref _dx, batch * _in);
        Gemm.Run(false, true, batch, _in, _out, dy, W.Value, 0.0, _dx);
        return _dx;
    }

    internal static void Ensure(ref double[] buffer, int length)
    {
        if (buffer.Length != length) buffer = new double[length];
    }
}

/// <summary>Batch normalisation over the batch (training) or running statistics (evaluation), as PyTorch's BatchNorm1d.</summary>
internal sealed class BatchNorm : ILayer
{
    private const double Eps = 1e-5, Momentum = 0.1;
    private readonly int _n;
    private double[] _xhat = [], _y = [], _dx = [];
    private readonly double[] _invStd;

    public BatchNorm(string name, int features)
    {
        _n = features;
        Gamma = new Parameter(name + ".weight", 1, features);
        Beta = new Parameter(name + ".bias", 1, features);
        Array.Fill(Gamma.Value, 1.0);
        RunningMean = new double[features];
        RunningVar = new double[features];
        Array.Fill(RunningVar, 1.0);
        _invStd = new double[features];
    }

    public Parameter Gamma { get; }

    public Parameter Beta { get; }

    public double[] RunningMean { get; }

    public double[] RunningVar { get; }

    public string Name => Gamma.Name[..^".weight".Length];

    public int Outputs => _n;

    public IEnumerable<Parameter> Parameters => [Gamma, Beta];

    public double[] Forward(double[] x, int batch, bool training)
    {
        Dense.Ensure(ref _xhat, batch * _n);
        Dense.Ensure(ref _y, batch * _n);
        for (int j = 0; j < _n; j++)
        {
            double mean, variance;
            if (training)
            {
                double s = 0;
                for (int r = 0; r < batch; r++) s += x[r * _n + j];
                mean = s / batch;
                double v = 0;
                for (int r = 0; r < batch; r++) { double t = x[r * _n + j] - mean; v += t * t; }
                variance = v / batch;
                RunningMean[j] = (1 - Momentum) * RunningMean[j] + Momentum * mean;
                RunningVar[j] = (1 - Momentum) * RunningVar[j] + Momentum * (batch > 1 ? v / (batch - 1) : variance);
            }
            else
            {
                mean = RunningMean[j];
                variance = RunningVar[j];
            }
            double inv = 1 / Math.Sqrt(variance + Eps);
            _invStd[j] = inv;
            for (int r = 0; r < batch; r++)
            {
                double xh = (x[r * _n + j] - mean) * inv;
                _xhat[r * _n + j] = xh;
                _y[r * _n + j] = Gamma.Value[j] * xh + Beta.Value[j];
            }
        }
        return _y;
    }

    public double[] Backward(double[] dy, int batch)
    {
        Dense.Ensure(ref _dx, batch * _n);
        for (int j = 0; j < _n; j++)
        {
            double sumDy = 0, sumDyXhat = 0;
            for (int r = 0; r < batch; r++)
            {
                double g = dy[r * _n + j];
                sumDy += g;
                sumDyXhat += g * _xhat[r * _n + j];
            }
            Gamma.Grad[j] += sumDyXhat;
            Beta.Grad[j] += sumDy;
            double gamma = Gamma.Value[j], inv = _invStd[j];
            // dx = γ·invstd/n · (n·dy − Σdy − x̂·Σ(dy·x̂)), the batch-statistics gradient.
            for (int r = 0; r < batch; r++)
                _dx[r * _n + j] = gamma * inv / batch * (batch * dy[r * _n + j] - sumDy - _xhat[r * _n + j] * sumDyXhat);
        }
        return _dx;
    }
}

/// <summary>LeakyReLU with slope 0.2 for negative inputs.</summary>
internal sealed class LeakyRelu(int features, double slope = 0.2) : ILayer
{
    private double[] _x = [], _y = [], _dx = [];

    public int Outputs => features;

    public IEnumerable<Parameter> Parameters => [];

    public double[] Forward(double[] x, int batch, bool training)
    {
        _x = x;
        Dense.Ensure(ref _y, batch * features);
        for (int i = 0; i < batch * features; i++) _y[i] = x[i] > 0 ? x[i] : slope * x[i];
        return _y;
    }

    public double[] Backward(double[] dy, int batch)
    {
        Dense.Ensure(ref _dx, batch * features);
        for (int i = 0; i < batch * features; i++) _dx[i] = _x[i] > 0 ? dy[i] : slope * dy[i];
        return _dx;
    }
}

/// <summary>Layers applied in order.</summary>
internal sealed class Sequential(params ILayer[] layers)
{
    public IReadOnlyList<ILayer> Layers => layers;

    public IEnumerable<Parameter> Parameters => layers.SelectMany(l => l.Parameters);

    public double[] Forward(double[] x, int batch, bool training)
    {
        foreach (var l in layers) x = l.Forward(x, batch, training);
        return x;
    }

    public double[] Backward(double[] dy, int batch)
    {
        for (int i = layers.Length - 1; i >= 0; i--) dy = layers[i].Backward(dy, batch);
        return dy;
    }
}
