using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DenseAm.Kernels;
using DenseAm.Retrieval;

namespace DenseAm.Interop;

/// <summary>The C layout of <c>dam_retrieve_options</c> (see <c>denseam.h</c>); <see cref="StructSize"/> guards against a mismatched header.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct DamRetrieveOptions
{
    /// <summary>sizeof(dam_retrieve_options) as the caller compiled it.</summary>
    public uint StructSize;

    /// <summary>0 fixed point (Algorithm 1), 1 gradient descent, 2 single step (Theorem 1).</summary>
    public int Method;

    /// <summary>Iteration cap (Algorithm 1 updates or gradient steps).</summary>
    public int MaxIterations;

    /// <summary>0 constant rate, 1 cosine decay.</summary>
    public int Schedule;

    /// <summary>α (constant) or α_0 (cosine decay).</summary>
    public double Rate;

    /// <summary>Cosine decay's final fraction a: α_T = α_0·a.</summary>
    public double FinalFraction;

    /// <summary>Cosine decay's length T in steps.</summary>
    public int DecaySteps;

    /// <summary>Non-zero: stop gradient descent once ‖∇E‖ &lt; tolerance.</summary>
    public int EarlyStop;

    /// <summary>‖∇E‖ below which gradient descent and single step count as converged.</summary>
    public double Tolerance;

    /// <summary>Worker threads; ≤ 0 means all cores (results do not depend on it).</summary>
    public int MaxThreads;

    /// <summary>Must be 0.</summary>
    public int Reserved;

    internal static DamRetrieveOptions Defaults() => new()
    {
        StructSize = (uint)sizeof(DamRetrieveOptions),
        Method = 0,
        MaxIterations = 1000,
        Schedule = 0,
        Rate = 0.01,
        FinalFraction = 0.001,
        DecaySteps = 1000,
        EarlyStop = 1,
        Tolerance = 1e-8,
        MaxThreads = 0,
    };

    internal readonly RetrievalOptions ToOptions()
    {
        if (StructSize != (uint)sizeof(DamRetrieveOptions))
            throw new DamException(DamStatus.InvalidArgument,
                $"options.struct_size = {StructSize}, but this library's dam_retrieve_options has {sizeof(DamRetrieveOptions)} bytes; initialise it with dam_retrieve_options_init.");
        var method = Method switch
        {
            0 => RetrievalMethod.FixedPoint,
            1 => RetrievalMethod.GradientDescent,
            2 => RetrievalMethod.SingleStep,
            _ => throw new DamException(DamStatus.InvalidArgument, $"options.method must be 0 (fixed point), 1 (gradient descent) or 2 (single step); got {Method}."),
        };
        if (MaxIterations <= 0)
            throw new DamException(DamStatus.InvalidArgument, $"options.max_iterations must be > 0; got {MaxIterations}.");
        if (!(Rate > 0) || double.IsInfinity(Rate))
            throw new DamException(DamStatus.InvalidArgument, $"options.rate must be a finite number > 0; got {Inputs.Fmt(Rate)}.");
        if (!(Tolerance >= 0) || double.IsInfinity(Tolerance))
            throw new DamException(DamStatus.InvalidArgument, $"options.tolerance must be a finite number >= 0; got {Inputs.Fmt(Tolerance)}.");
        StepSchedule schedule = Schedule switch
        {
            0 => StepSchedule.Constant(Rate),
            1 => DecaySteps > 0 && FinalFraction >= 0 && FinalFraction <= 1
                ? StepSchedule.CosineDecay(Rate, FinalFraction, DecaySteps)
                : throw new DamException(DamStatus.InvalidArgument,
                    $"options.decay_steps must be > 0 and options.final_fraction in [0, 1]; got {DecaySteps} and {Inputs.Fmt(FinalFraction)}."),
            _ => throw new DamException(DamStatus.InvalidArgument, $"options.schedule must be 0 (constant) or 1 (cosine decay); got {Schedule}."),
        };
        return new RetrievalOptions
        {
            Method = method,
            MaxIterations = MaxIterations,
            Schedule = schedule,
            Tolerance = Tolerance,
            EarlyStop = EarlyStop != 0,
            MaxThreads = MaxThreads,
        };
    }
}

/// <summary>A Dense Associative Memory behind a <c>dam_memory*</c> handle: the energy and its kernel's C name.</summary>
internal sealed unsafe class MemoryObject(Energy energy, nint kernelName)
{
    public Energy Energy { get; } = energy;
    public byte* KernelName { get; } = (byte*)kernelName;
}

public static unsafe partial class Exports
{
    private static readonly ConcurrentDictionary<string, nint> KernelNames = new();

    private static MemoryObject Memory(nint handle) => HandleTable.Get<MemoryObject>(handle, HandleKind.Memory, "memory");

    /// <summary>
    /// dam_memory_create: stores M×d patterns (row-major, float64 or float32) with a kernel by name, β &gt; 0 and ε ≥ 0,
    /// and returns a new handle in *out (free it with dam_memory_free).
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "dam_memory_create", CallConvs = [typeof(CallConvCdecl)])]
    public static int MemoryCreate(void* patterns, int dtype, long m, long d, byte* kernel, double beta, double epsilon, nint* @out)
    {
        try
        {
            Inputs.NotNull(@out, "out");
            *@out = 0;
            string name = Inputs.Utf8(kernel, "kernel");
            var k = Kernel.FromName(name);
            if (!(beta > 0) || double.IsInfinity(beta))
                throw new DamException(DamStatus.InvalidArgument, $"beta must be a finite number > 0; got {Inputs.Fmt(beta)}.");
            if (!(epsilon >= 0) || double.IsInfinity(epsilon))
                throw new DamException(DamStatus.InvalidArgument, $"epsilon must be a finite number >= 0; got {Inputs.Fmt(epsilon)}.");
            var matrix = Inputs.Read(patterns, dtype, m, d, "patterns", "m", "d");
            var energy = new Energy(new StoredPatterns(matrix), k, beta, epsilon);
            nint kn = KernelNames.GetOrAdd(k.Name, static n => (nint)Inputs.Permanent(n));
            *@out = HandleTable.Add(new MemoryObject(energy, kn), HandleKind.Memory);
            return 0;
        }
        catch (Exception e) { return LastError.Fail(e, "dam_memory_create"); }
    }

    /// <summary>dam_memory_free: releases a memory handle; NULL is a no-op, a freed or foreign handle is DAM_E_HANDLE.</summary>
    [UnmanagedCallersOnly(EntryPoint = "dam_memory_free", CallConvs = [typeof(CallConvCdecl)])]
    public static int MemoryFree(nint memory)
    {
        try
        {
            if (memory == 0) return 0;
            HandleTable.Remove(memory, HandleKind.Memory, "memory");
            return 0;
        }
        catch (Exception e) { return LastError.Fail(e, "dam_memory_free"); }
    }

    /// <summary>dam_memory_info: M, d, β, ε and the kernel's canonical name (each output may be NULL).</summary>
    [UnmanagedCallersOnly(EntryPoint = "dam_memory_info", CallConvs = [typeof(CallConvCdecl)])]
    public static int MemoryInfo(nint memory, long* m, long* d, double* beta, double* epsilon, byte** kernel)
    {
        try
        {
            var mem = Memory(memory);
            var e = mem.Energy;
            if (m != null) *m = e.Patterns.Count;
            if (d != null) *d = e.Dimension;
            if (beta != null) *beta = e.Beta;
            if (epsilon != null) *epsilon = e.Epsilon;
            if (kernel != null) *kernel = mem.KernelName;
            return 0;
        }
        catch (Exception e) { return LastError.Fail(e, "dam_memory_info"); }
    }

    /// <summary>dam_memory_energy: E(x) for n queries (n×d); +∞ where unsupported; optional |B(x)| per query.</summary>
    [UnmanagedCallersOnly(EntryPoint = "dam_memory_energy", CallConvs = [typeof(CallConvCdecl)])]
    public static int MemoryEnergy(nint memory, void* queries, int dtype, long n, long d, double* energies, int* supportSizes)
    {
        try
        {
            var e = Memory(memory).Energy;
            var q = ReadQueries(e, queries, dtype, n, d);
            var outE = Inputs.Output<double>(energies, n, "energies");
            var outS = Inputs.OptionalOutput<int>(supportSizes, n);
            var values = e.EvaluateBatch(q);
            for (int i = 0; i < values.Length; i++)
            {
                outE[i] = values[i].Value;
                if (!outS.IsEmpty) outS[i] = values[i].SupportSize;
            }
            return 0;
        }
        catch (Exception e) { return LastError.Fail(e, "dam_memory_energy"); }
    }

    /// <summary>
    /// dam_memory_gradient: ∇E(x) for n queries into gradients (n×d; zeros where unsupported); optional per-query
    /// supported flag, |B(x)| and ‖∇E‖.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "dam_memory_gradient", CallConvs = [typeof(CallConvCdecl)])]
    public static int MemoryGradient(nint memory, void* queries, int dtype, long n, long d, double* gradients, int* supported, int* supportSizes, double* norms)
    {
        try
        {
            var e = Memory(memory).Energy;
            var q = ReadQueries(e, queries, dtype, n, d);
            var outG = Inputs.Output<double>(gradients, n * d, "gradients");
            var g = new Matrix(q.Rows, q.Columns);
            var info = e.GradientBatch(q, g);
            g.Data.CopyTo(outG);
            var s = Inputs.OptionalOutput<int>(supported, n);
            var b = Inputs.OptionalOutput<int>(supportSizes, n);
            var nr = Inputs.OptionalOutput<double>(norms, n);
            for (int i = 0; i < info.Length; i++)
            {
                if (!s.IsEmpty) s[i] = info[i].IsSupported ? 1 : 0;
                if (!b.IsEmpty) b[i] = info[i].SupportSize;
                if (!nr.IsEmpty) nr[i] = info[i].Norm;
            }
            return 0;
        }
        catch (Exception e) { return LastError.Fail(e, "dam_memory_gradient"); }
    }

    /// <summary>dam_retrieve_options_init: fills *options with the defaults (fixed point, 1000 iterations, α = 0.01, tolerance 1e-8).</summary>
    [UnmanagedCallersOnly(EntryPoint = "dam_retrieve_options_init", CallConvs = [typeof(CallConvCdecl)])]
    public static int RetrieveOptionsInit(DamRetrieveOptions* options)
    {
        try
        {
            Inputs.NotNull(options, "options");
            *options = DamRetrieveOptions.Defaults();
            return 0;
        }
        catch (Exception e) { return LastError.Fail(e, "dam_retrieve_options_init"); }
    }

    /// <summary>
    /// dam_memory_retrieve: retrieves n queries (n×d) into points (n×d, float64) with the method of *options (NULL:
    /// defaults); per query, optional status (0 converged, 1 not converged, 2 unsupported), iterations, |B| at the
    /// returned point and ‖∇E‖ there (NaN when unsupported).
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "dam_memory_retrieve", CallConvs = [typeof(CallConvCdecl)])]
    public static int MemoryRetrieve(nint memory, void* queries, int dtype, long n, long d, DamRetrieveOptions* options,
        double* points, int* status, int* iterations, int* supportSizes, double* gradientNorms)
    {
        try
        {
            var e = Memory(memory).Energy;
            var opts = (options == null ? DamRetrieveOptions.Defaults() : *options).ToOptions();
            if (n == 1)
            {
                // One query: the single-query path (no batch matrix, no parallel loop); the same per-query code as a batch.
                var x0 = ReadOne(e, queries, dtype, d, out double[]? rented);
                var x = Inputs.Output<double>(points, d, "points");
                var one = Retriever.Retrieve(e, x0, x, opts);
                if (rented != null) System.Buffers.ArrayPool<double>.Shared.Return(rented);
                if (status != null) *status = (int)one.Status;
                if (iterations != null) *iterations = one.Iterations;
                if (supportSizes != null) *supportSizes = one.SupportSize;
                if (gradientNorms != null) *gradientNorms = one.GradientNorm ?? double.NaN;
                return 0;
            }
            var q = ReadQueries(e, queries, dtype, n, d);
            var outP = Inputs.Output<double>(points, n * d, "points");
            var batch = Retriever.Retrieve(e, q, opts);
            batch.Points.Data.CopyTo(outP);
            var st = Inputs.OptionalOutput<int>(status, n);
            var it = Inputs.OptionalOutput<int>(iterations, n);
            var sz = Inputs.OptionalOutput<int>(supportSizes, n);
            var gn = Inputs.OptionalOutput<double>(gradientNorms, n);
            for (int i = 0; i < batch.Outcomes.Count; i++)
            {
                var o = batch.Outcomes[i];
                if (!st.IsEmpty) st[i] = (int)o.Status;
                if (!it.IsEmpty) it[i] = o.Iterations;
                if (!sz.IsEmpty) sz[i] = o.SupportSize;
                if (!gn.IsEmpty) gn[i] = o.GradientNorm ?? double.NaN;
            }
            return 0;
        }
        catch (Exception e) { return LastError.Fail(e, "dam_memory_retrieve"); }
    }

    /// <summary>One query as a span: the caller's float64 memory itself, or a pooled float64 copy of float32 values.</summary>
    private static ReadOnlySpan<double> ReadOne(Energy e, void* queries, int dtype, long d, out double[]? rented)
    {
        Inputs.NotNull(queries, "queries");
        Inputs.SameDimension(e.Dimension, d, "d");
        Inputs.Shape(1, d, "n", "d");
        rented = null;
        ReadOnlySpan<double> x;
        if (Inputs.DType(dtype, "dtype") == DamDType.Float64) x = new ReadOnlySpan<double>(queries, (int)d);
        else
        {
            rented = System.Buffers.ArrayPool<double>.Shared.Rent((int)d);
            var src = new ReadOnlySpan<float>(queries, (int)d);
            for (int i = 0; i < src.Length; i++) rented[i] = src[i];
            x = rented.AsSpan(0, (int)d);
        }
        for (int j = 0; j < x.Length; j++)
            if (!double.IsFinite(x[j]))
                throw new DamException(DamStatus.InvalidArgument, $"queries must hold finite coordinates; row 0, column {j} is {Inputs.Fmt(x[j])}.");
        return x;
    }

    private static Matrix ReadQueries(Energy e, void* queries, int dtype, long n, long d)
    {
        Inputs.NotNull(queries, "queries");
        Inputs.SameDimension(e.Dimension, d, "d");
        return Inputs.Read(queries, dtype, n, d, "queries", "n", "d");
    }
}
