using System.Reflection;
using System.Runtime.InteropServices;

namespace DenseAm.Native;

/// <summary>The CBLAS entry points shared by OpenBLAS and MKL (row-major, 32-bit integers: the LP64 interface).</summary>
internal static unsafe partial class OpenBlasImports
{
    internal const string Library = "denseam-openblas";

    [LibraryImport(Library)]
    internal static partial void cblas_sgemm(int layout, int transA, int transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc);

    [LibraryImport(Library)]
    internal static partial void cblas_dgemm(int layout, int transA, int transB, int m, int n, int k, double alpha,
        double* a, int lda, double* b, int ldb, double beta, double* c, int ldc);

    [LibraryImport(Library)]
    internal static partial void openblas_set_num_threads(int threads);

    [LibraryImport(Library)]
    internal static partial int openblas_get_num_threads();

    [LibraryImport(Library)]
    internal static partial nint openblas_get_config();
}

/// <summary>MKL's CBLAS and service functions through <c>libmkl_rt</c>.</summary>
internal static unsafe partial class MklImports
{
    internal const string Library = "denseam-mkl";

    [LibraryImport(Library)]
    internal static partial void cblas_sgemm(int layout, int transA, int transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc);

    [LibraryImport(Library)]
    internal static partial void cblas_dgemm(int layout, int transA, int transB, int m, int n, int k, double alpha,
        double* a, int lda, double* b, int ldb, double beta, double* c, int ldc);

    [LibraryImport(Library)]
    internal static partial void MKL_Set_Num_Threads(int threads);

    [LibraryImport(Library)]
    internal static partial int MKL_Get_Max_Threads();

    [LibraryImport(Library)]
    internal static partial int MKL_Set_Threading_Layer(int layer);

    [LibraryImport(Library)]
    internal static partial void MKL_Get_Version_String(byte* buffer, int length);
}

/// <summary>OpenBLAS or MKL behind the <see cref="BlasProvider"/> interface; created only when the library loads.</summary>
internal sealed unsafe class NativeBlas : BlasProvider
{
    private const int RowMajor = 101, NoTrans = 111, Trans = 112;
    private const int MklThreadingGnu = 1, MklThreadingSequential = 2;

    private static readonly Dictionary<BlasKind, nint> Handles = new();
    private static readonly Dictionary<BlasKind, string> ProbeErrors = new();
    private static readonly object Gate = new();
    private static bool _resolverSet;

    private readonly string _library;
    private readonly string _version;
    private int _threads;

    private NativeBlas(BlasKind kind, string library, string version)
    {
        Kind = kind;
        _library = library;
        _version = version;
        _threads = kind == BlasKind.OpenBlas ? OpenBlasImports.openblas_get_num_threads() : MklImports.MKL_Get_Max_Threads();
        // MKL's GNU threading layer starts at one thread unless OMP_NUM_THREADS says otherwise: use every core.
        if (kind == BlasKind.Mkl && Environment.GetEnvironmentVariable("OMP_NUM_THREADS") is null && Environment.GetEnvironmentVariable("MKL_NUM_THREADS") is null)
            SetThreads(Environment.ProcessorCount);
    }

    public override BlasKind Kind { get; }

    public override int Threads => _threads;

    public override string Describe()
    {
        string hint = Kind == BlasKind.OpenBlas ? Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE") is { } c ? $", OPENBLAS_CORETYPE={c}" : ""
            : Environment.GetEnvironmentVariable("MKL_DEBUG_CPU_TYPE") is { } t ? $", MKL_DEBUG_CPU_TYPE={t}" : "";
        return $"{(Kind == BlasKind.Mkl ? "mkl" : "openblas")} {_version} ({_library}){hint}, {_threads} threads";
    }

    public override void SetThreads(int threads)
    {
        int t = threads <= 0 ? Environment.ProcessorCount : threads;
        if (Kind == BlasKind.OpenBlas) OpenBlasImports.openblas_set_num_threads(t);
        else MklImports.MKL_Set_Num_Threads(t);
        _threads = t;
    }

    internal static string LastProbeError(BlasKind kind)
    {
        lock (Gate) return ProbeErrors.TryGetValue(kind, out var e) ? e : "not probed";
    }

    /// <summary>Loads the library of <paramref name="kind"/>, checks its exports and a 2×2 product; null when any step fails.</summary>
    internal static BlasProvider? TryCreate(BlasKind kind)
    {
        lock (Gate)
        {
            EnsureResolver();
            CpuHints.Apply(kind);
            string? path = null;
            nint handle = 0;
            foreach (var candidate in Candidates(kind))
            {
                if (NativeLibrary.TryLoad(candidate, out handle)) { path = candidate; break; }
            }
            if (path is null)
            {
                ProbeErrors[kind] = $"none of {string.Join(", ", Candidates(kind))} could be loaded";
                return null;
            }
            foreach (var export in kind == BlasKind.OpenBlas
                         ? new[] { "cblas_sgemm", "cblas_dgemm", "openblas_set_num_threads", "openblas_get_num_threads", "openblas_get_config" }
                         : new[] { "cblas_sgemm", "cblas_dgemm", "MKL_Set_Num_Threads", "MKL_Get_Max_Threads", "MKL_Set_Threading_Layer", "MKL_Get_Version_String" })
            {
                if (!NativeLibrary.TryGetExport(handle, export, out _))
                {
                    ProbeErrors[kind] = $"{path} has no export {export}";
                    return null;
                }
            }
            Handles[kind] = handle;
            try
            {
                string version;
                if (kind == BlasKind.Mkl)
                {
                    // libmkl_rt defaults to Intel's OpenMP runtime, which Debian does not ship with it:
                    // pick the GNU OpenMP layer when libgomp is present, else the sequential one.
                    bool gomp = NativeLibrary.TryLoad("libgomp.so.1", out _);
                    MklImports.MKL_Set_Threading_Layer(gomp ? MklThreadingGnu : MklThreadingSequential);
                    byte* buf = stackalloc byte[256];
                    MklImports.MKL_Get_Version_String(buf, 256);
                    version = Marshal.PtrToStringUTF8((nint)buf)?.Trim() ?? "?";
                    version += gomp ? ", gnu threading" : ", sequential";
                }
                else
                {
                    version = Marshal.PtrToStringUTF8(OpenBlasImports.openblas_get_config())?.Trim() ?? "?";
                }
                var provider = new NativeBlas(kind, path, version);
                if (!provider.SelfTest())
                {
                    ProbeErrors[kind] = $"{path} loaded but a 2×2 product came out wrong";
                    return null;
                }
                ProbeErrors.Remove(kind);
                return provider;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
            {
                ProbeErrors[kind] = $"{path}: {e.Message}";
                Handles.Remove(kind);
                return null;
            }
        }
    }

    private bool SelfTest()
    {
        // [1 2; 3 4]·[5 6; 7 8] = [19 22; 43 50], in both precisions.
        Span<float> c = stackalloc float[4];
        Sgemm(false, false, 2, 2, 2, 1f, [1f, 2f, 3f, 4f], 2, [5f, 6f, 7f, 8f], 2, 0f, c, 2);
        Span<double> cd = stackalloc double[4];
        Dgemm(false, true, 2, 2, 2, 1.0, [1.0, 2.0, 3.0, 4.0], 2, [5.0, 7.0, 6.0, 8.0], 2, 0.0, cd, 2);
        return c[0] == 19 && c[1] == 22 && c[2] == 43 && c[3] == 50 && cd[0] == 19 && cd[1] == 22 && cd[2] == 43 && cd[3] == 50;
    }

    private static IEnumerable<string> Candidates(BlasKind kind)
    {
        var overridePath = Environment.GetEnvironmentVariable(kind == BlasKind.OpenBlas ? "DENSEAM_OPENBLAS_PATH" : "DENSEAM_MKL_PATH");
        if (!string.IsNullOrWhiteSpace(overridePath)) yield return overridePath;
        if (kind == BlasKind.OpenBlas)
        {
            yield return "libopenblas.so.0";
            yield return "libopenblas.so";
            yield return "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0";
            yield return "libopenblas.dylib";
            yield return "libopenblas.dll";
        }
        else
        {
            yield return "libmkl_rt.so";
            yield return "libmkl_rt.so.2";
            yield return "libmkl_rt.so.1";
            yield return "libmkl_rt.dylib";
            yield return "mkl_rt.2.dll";
            yield return "mkl_rt.dll";
        }
    }

    private static void EnsureResolver()
    {
        if (_resolverSet) return;
        NativeLibrary.SetDllImportResolver(typeof(NativeBlas).Assembly, Resolve);
        _resolverSet = true;
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        lock (Gate)
        {
            if (name == OpenBlasImports.Library && Handles.TryGetValue(BlasKind.OpenBlas, out var o)) return o;
            if (name == MklImports.Library && Handles.TryGetValue(BlasKind.Mkl, out var m)) return m;
        }
        return 0;
    }

    protected override void SgemmCore(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            int ta = transA ? Trans : NoTrans, tb = transB ? Trans : NoTrans;
            if (Kind == BlasKind.OpenBlas) OpenBlasImports.cblas_sgemm(RowMajor, ta, tb, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
            else MklImports.cblas_sgemm(RowMajor, ta, tb, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        }
    }

    protected override void DgemmCore(bool transA, bool transB, int m, int n, int k, double alpha, ReadOnlySpan<double> a, int lda,
        ReadOnlySpan<double> b, int ldb, double beta, Span<double> c, int ldc)
    {
        fixed (double* pa = a)
        fixed (double* pb = b)
        fixed (double* pc = c)
        {
            int ta = transA ? Trans : NoTrans, tb = transB ? Trans : NoTrans;
            if (Kind == BlasKind.OpenBlas) OpenBlasImports.cblas_dgemm(RowMajor, ta, tb, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
            else MklImports.cblas_dgemm(RowMajor, ta, tb, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        }
    }
}

/// <summary>
/// Kernel-selection hints set in the native environment before a BLAS library is loaded, only when the user
/// has not set them: OpenBLAS 0.3.21 (Debian 12) does not recognise AMD Zen 4 and falls back to its generic
/// Prescott kernels (~10× slower), so on an AVX-512 CPU it is told to use its SkylakeX kernels; MKL 2020
/// dispatches AMD CPUs to its SSE path unless MKL_DEBUG_CPU_TYPE=5 selects the AVX2 one. Both variables must
/// be in the C environment (setenv), which .NET's Environment.SetEnvironmentVariable does not touch on Unix.
/// </summary>
internal static partial class CpuHints
{
    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);

    internal static readonly List<string> Applied = new();

    internal static void Apply(BlasKind kind)
    {
        if (!OperatingSystem.IsLinux() || !System.Runtime.Intrinsics.X86.X86Base.IsSupported) return;
        if (kind == BlasKind.OpenBlas && Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE") is null)
        {
            string? core = System.Runtime.Intrinsics.X86.Avx512F.IsSupported && System.Runtime.Intrinsics.X86.Avx512BW.IsSupported
                && System.Runtime.Intrinsics.X86.Avx512DQ.IsSupported ? "SkylakeX"
                : System.Runtime.Intrinsics.X86.Avx2.IsSupported && System.Runtime.Intrinsics.X86.Fma.IsSupported ? "Haswell" : null;
            if (core is not null) Set("OPENBLAS_CORETYPE", core);
        }
        if (kind == BlasKind.Mkl && Environment.GetEnvironmentVariable("MKL_DEBUG_CPU_TYPE") is null && IsAmd()
            && System.Runtime.Intrinsics.X86.Avx2.IsSupported)
            Set("MKL_DEBUG_CPU_TYPE", "5");
    }

    private static void Set(string name, string value)
    {
        try
        {
            if (SetEnv(name, value, 0) == 0)
            {
                Environment.SetEnvironmentVariable(name, value);
                Applied.Add($"{name}={value}");
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // No libc setenv: leave the library's own dispatch alone.
        }
    }

    private static bool IsAmd()
    {
        var (_, ebx, ecx, edx) = System.Runtime.Intrinsics.X86.X86Base.CpuId(0, 0);
        Span<byte> v = stackalloc byte[12];
        BitConverter.TryWriteBytes(v, ebx);
        BitConverter.TryWriteBytes(v[4..], edx);
        BitConverter.TryWriteBytes(v[8..], ecx);
        return System.Text.Encoding.ASCII.GetString(v) == "AuthenticAMD";
    }
}
