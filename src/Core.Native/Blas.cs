namespace DenseAm.Native;

/// <summary>
/// Chooses the BLAS provider at run time. The environment variable <c>DENSEAM_BLAS</c> (<c>mkl</c>,
/// <c>openblas</c> or <c>managed</c>) forces a choice; otherwise OpenBLAS is preferred, then MKL, then the
/// managed GEMM. OpenBLAS comes first because MKL's code-path dispatch favours Intel CPUs.
/// </summary>
public static class Blas
{
    /// <summary>The environment variable that forces a provider: <c>mkl</c>, <c>openblas</c> or <c>managed</c>.</summary>
    public const string EnvironmentVariable = "DENSEAM_BLAS";

    private static readonly Lazy<BlasProvider?> OpenBlasLazy = new(() => NativeBlas.TryCreate(BlasKind.OpenBlas));
    private static readonly Lazy<BlasProvider?> MklLazy = new(() => NativeBlas.TryCreate(BlasKind.Mkl));
    private static readonly Lazy<BlasProvider> DefaultLazy = new(Choose);

    /// <summary>The managed GEMM (always available).</summary>
    public static BlasProvider Managed { get; } = new ManagedBlas();

    /// <summary>
    /// A managed GEMM with its own thread count (<paramref name="threads"/> ≤ 0: all cores); its results are
    /// identical to <see cref="Managed"/>'s for any thread count.
    /// </summary>
    public static BlasProvider CreateManaged(int threads)
    {
        var p = new ManagedBlas();
        p.SetThreads(threads);
        return p;
    }

    /// <summary>The provider chosen for this process (environment override, else best available).</summary>
    public static BlasProvider Default => DefaultLazy.Value;

    /// <summary>The provider of the given kind, or null when its library is not installed or unusable.</summary>
    public static BlasProvider? TryGet(BlasKind kind) => kind switch
    {
        BlasKind.Managed => Managed,
        BlasKind.OpenBlas => OpenBlasLazy.Value,
        BlasKind.Mkl => MklLazy.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, $"unknown BLAS kind {kind}."),
    };

    /// <summary>Every provider that loads on this machine, managed first.</summary>
    public static IReadOnlyList<BlasProvider> Available()
    {
        var list = new List<BlasProvider> { Managed };
        if (OpenBlasLazy.Value is { } o) list.Add(o);
        if (MklLazy.Value is { } m) list.Add(m);
        return list;
    }

    /// <summary>Parses a provider name as accepted by <c>DENSEAM_BLAS</c>.</summary>
    /// <exception cref="ArgumentException">The name is not mkl, openblas or managed.</exception>
    public static BlasKind ParseKind(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant() switch
        {
            "managed" => BlasKind.Managed,
            "openblas" => BlasKind.OpenBlas,
            "mkl" => BlasKind.Mkl,
            _ => throw new ArgumentException($"unknown BLAS provider '{name}'; expected mkl, openblas or managed.", nameof(name)),
        };
    }

    /// <summary>One line: the chosen provider and why (override or probe), plus which natives were found.</summary>
    public static string Describe()
    {
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        string why = string.IsNullOrWhiteSpace(env) ? "auto" : $"{EnvironmentVariable}={env}";
        string found = $"openblas {(OpenBlasLazy.Value is null ? "absent" : "found")}, mkl {(MklLazy.Value is null ? "absent" : "found")}";
        return $"{Default.Describe()} [{why}; {found}]";
    }

    private static BlasProvider Choose()
    {
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env))
        {
            var kind = ParseKind(env);
            return TryGet(kind) ?? throw new InvalidOperationException(
                $"{EnvironmentVariable}={env} asks for {kind}, but its library could not be loaded ({NativeBlas.LastProbeError(kind)}).");
        }
        return OpenBlasLazy.Value ?? MklLazy.Value ?? Managed;
    }
}
