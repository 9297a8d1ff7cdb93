namespace DenseAm.Kernels;

/// <summary>
/// The eight kernel profiles of SPEC §1 and lookup by name. <see cref="Epanechnikov"/> gives the
/// paper's log-sum-ReLU (LSR) energy and <see cref="Gaussian"/> the log-sum-exp (LSE) energy.
/// </summary>
public static class Kernel
{
    /// <summary>Epanechnikov: K(u) = max(1 − u, 0), the LSR energy.</summary>
    public static IKernel Epanechnikov { get; } = new EpanechnikovKernel();

    /// <summary>Gaussian: K(u) = exp(−u), the LSE energy (evaluated as a stable log-sum-exp).</summary>
    public static IKernel Gaussian { get; } = new GaussianKernel();

    /// <summary>Uniform: K(u) = 1[u &lt; 1]; its gradient is zero almost everywhere.</summary>
    public static IKernel Uniform { get; } = new UniformKernel();

    /// <summary>Triangle: K(u) = max(1 − √u, 0); forms flat emergent manifolds.</summary>
    public static IKernel Triangle { get; } = new TriangleKernel();

    /// <summary>Quartic (biweight): K(u) = max(1 − u, 0)².</summary>
    public static IKernel Quartic { get; } = new QuarticKernel();

    /// <summary>Triweight: K(u) = max(1 − u, 0)³.</summary>
    public static IKernel Triweight { get; } = new TriweightKernel();

    /// <summary>Tricube: K(u) = max(1 − u^{3/2}, 0)³.</summary>
    public static IKernel Tricube { get; } = new TricubeKernel();

    /// <summary>Cosine: K(u) = cos(π/2 · min(√u, 1)).</summary>
    public static IKernel Cosine { get; } = new CosineKernel();

    /// <summary>All eight kernels, Epanechnikov first.</summary>
    public static IReadOnlyList<IKernel> All { get; } =
        [Epanechnikov, Gaussian, Uniform, Triangle, Quartic, Triweight, Tricube, Cosine];

    /// <summary>
    /// Finds a kernel by name, case-insensitively; "lsr" and "relu" name Epanechnikov, "lse" and "exp" name Gaussian,
    /// "biweight" names Quartic.
    /// </summary>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the known names.</exception>
    public static IKernel FromName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string key = name.Trim().ToLowerInvariant();
        IKernel? k = key switch
        {
            "lsr" or "relu" => Epanechnikov,
            "lse" or "exp" => Gaussian,
            "biweight" => Quartic,
            _ => All.FirstOrDefault(x => x.Name == key),
        };
        return k ?? throw new ArgumentException(
            $"kernel '{name}' is unknown; known kernels: {string.Join(", ", All.Select(x => x.Name))} (aliases lsr, lse, biweight).",
            nameof(name));
    }

    private sealed class EpanechnikovKernel : IKernel
    {
        public string Name => "epanechnikov";
        public bool HasCompactSupport => true;
        public double Profile(double u) => u < 1 ? 1 - u : 0;
        public double Slope(double u) => u < 1 ? 1 : 0;
    }

    private sealed class GaussianKernel : IKernel
    {
        public string Name => "gaussian";
        public bool HasCompactSupport => false;
        public bool IsExponential => true;
        public double Profile(double u) => Math.Exp(-u);
        public double Slope(double u) => Math.Exp(-u);
    }

    private sealed class UniformKernel : IKernel
    {
        public string Name => "uniform";
        public bool HasCompactSupport => true;
        public double Profile(double u) => u < 1 ? 1 : 0;
        public double Slope(double u) => 0;
    }

    private sealed class TriangleKernel : IKernel
    {
        public string Name => "triangle";
        public bool HasCompactSupport => true;
        public double Profile(double u) => u < 1 ? 1 - Math.Sqrt(u) : 0;

        // −K'(u) = 1/(2√u); in x-space the gradient has constant length β·r/2, a cone whose tip (u = 0)
        // takes the zero subgradient.
        public double Slope(double u) => u < 1 && u > 0 ? 0.5 / Math.Sqrt(u) : 0;
    }

    private sealed class QuarticKernel : IKernel
    {
        public string Name => "quartic";
        public bool HasCompactSupport => true;
        public double Profile(double u) => u < 1 ? (1 - u) * (1 - u) : 0;
        public double Slope(double u) => u < 1 ? 2 * (1 - u) : 0;
    }

    private sealed class TriweightKernel : IKernel
    {
        public string Name => "triweight";
        public bool HasCompactSupport => true;
        public double Profile(double u) => u < 1 ? (1 - u) * (1 - u) * (1 - u) : 0;
        public double Slope(double u) => u < 1 ? 3 * (1 - u) * (1 - u) : 0;
    }

    private sealed class TricubeKernel : IKernel
    {
        public string Name => "tricube";
        public bool HasCompactSupport => true;

        public double Profile(double u)
        {
            if (!(u < 1)) return 0;
            double t = 1 - u * Math.Sqrt(u);
            return t * t * t;
        }

        public double Slope(double u)
        {
            if (!(u < 1)) return 0;
            double s = Math.Sqrt(u);
            double t = 1 - u * s;
            return 4.5 * s * t * t;
        }
    }

    private sealed class CosineKernel : IKernel
    {
        public string Name => "cosine";
        public bool HasCompactSupport => true;
        public double Profile(double u) => u < 1 ? Math.Cos(Math.PI / 2 * Math.Sqrt(u)) : 0;

        // −K'(u) = (π/4)·sin(π√u/2)/√u, whose limit at u = 0 is π²/8.
        public double Slope(double u)
        {
            if (!(u < 1)) return 0;
            if (u == 0) return Math.PI * Math.PI / 8;
            double s = Math.Sqrt(u);
            return Math.PI / 4 * Math.Sin(Math.PI / 2 * s) / s;
        }
    }
}
