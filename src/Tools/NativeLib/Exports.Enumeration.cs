using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DenseAm.Enumeration;

namespace DenseAm.Interop;

/// <summary>The C layout of <c>dam_enumerate_options</c>: budgets and threads of an enumeration.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct DamEnumerateOptions
{
    /// <summary>sizeof(dam_enumerate_options) as the caller compiled it.</summary>
    public uint StructSize;

    /// <summary>Non-zero: count the memories without keeping them.</summary>
    public int CountOnly;

    /// <summary>Stop after this many search nodes; ≤ 0 means no limit.</summary>
    public long MaxNodes;

    /// <summary>Stop after this many seconds; ≤ 0 means no limit.</summary>
    public double MaxSeconds;

    /// <summary>Stop once this many memories are found; ≤ 0 means no limit.</summary>
    public long MaxMemories;

    /// <summary>Worker threads; ≤ 0 means all cores (the memories and their order do not depend on it).</summary>
    public int MaxThreads;

    /// <summary>Must be 0.</summary>
    public int Reserved;

    internal static DamEnumerateOptions Defaults() => new() { StructSize = (uint)sizeof(DamEnumerateOptions) };

    internal readonly MemoryEnumerationOptions ToOptions(CancellationToken cancellation = default)
    {
        if (StructSize != (uint)sizeof(DamEnumerateOptions))
            throw new DamException(DamStatus.InvalidArgument,
                $"options.struct_size = {StructSize}, but this library's dam_enumerate_options has {sizeof(DamEnumerateOptions)} bytes; initialise it with dam_enumerate_options_init.");
        if (double.IsNaN(MaxSeconds) || double.IsInfinity(MaxSeconds))
            throw new DamException(DamStatus.InvalidArgument, $"options.max_seconds must be finite (<= 0 for no limit); got {Inputs.Fmt(MaxSeconds)}.");
        return new MemoryEnumerationOptions
        {
            MaxNodes = MaxNodes > 0 ? MaxNodes : null,
            MaxSeconds = MaxSeconds > 0 ? MaxSeconds : null,
            MaxMemories = MaxMemories > 0 ? MaxMemories : null,
            MaxThreads = MaxThreads,
            Cancellation = cancellation,
        };
    }
}

/// <summary>The C layout of <c>dam_enumeration_summary</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct DamEnumerationSummary
{
    /// <summary>Memories found (exact when complete, else a lower bound).</summary>
    public long Count;

    /// <summary>Memories with |S| = 1: stored patterns preserved.</summary>
    public long StoredPreserved;

    /// <summary>Memories with |S| &gt; 1: novel (emergent) memories.</summary>
    public long Novel;

    /// <summary>Search nodes visited.</summary>
    public long Nodes;

    /// <summary>Σ|S| over the kept memories (the length of the CSR ids array); 0 in count-only mode.</summary>
    public long MembersTotal;

    /// <summary>Wall time in seconds.</summary>
    public double Seconds;

    /// <summary>1 when the whole search space was covered.</summary>
    public int Complete;

    /// <summary>0 complete, 1 node budget, 2 time budget, 3 memory budget, 4 cancelled (a callback returned non-zero).</summary>
    public int Stop;

    /// <summary>Memories kept (0 in count-only and callback modes).</summary>
    public long Kept;

    /// <summary>Dimension d of the points.</summary>
    public long Dimension;
}

/// <summary>The C layout of <c>dam_emergence_report</c>: the numbers of the emergence analysis at the memory's β.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct DamEmergenceReport
{
    /// <summary>M.</summary>
    public long Patterns;

    /// <summary>Stored patterns ξ_μ that are memories ({μ} is a fixed point).</summary>
    public long StoredPreserved;

    /// <summary>StoredPreserved / M.</summary>
    public double FractionPreserved;

    /// <summary>Novel memories (|S| &gt; 1).</summary>
    public long Novel;

    /// <summary>Novel memories at least novel_distance from every stored pattern.</summary>
    public long FarNovel;

    /// <summary>Novel memories with at least one preserved member (Def. 3, local emergence).</summary>
    public long LocallyEmergent;

    /// <summary>Novel memories all of whose members are preserved (Def. 3, strong emergence).</summary>
    public long StronglyEmergent;

    /// <summary>1 when Def. 2 holds: every pattern preserved and some novel memory far from all of them.</summary>
    public int GlobalEmergence;

    /// <summary>1 when the enumeration was complete (otherwise the counts are lower bounds).</summary>
    public int Complete;

    /// <summary>The ε_novel used.</summary>
    public double NovelDistance;

    /// <summary>Monte Carlo fraction of [0,1]^d inside some support (NaN when skipped).</summary>
    public double SupportedFraction;

    /// <summary>Its standard error.</summary>
    public double SupportedFractionStandardError;

    /// <summary>Monte Carlo points used.</summary>
    public long MonteCarloPoints;

    /// <summary>log λ, λ = M·V_d·(2/β)^{d/2} (Thm 2).</summary>
    public double LogLambda;

    /// <summary>log of Thm 2's order λ·log(e·M/λ).</summary>
    public double LogTheorem2Bound;

    /// <summary>log of Prop. 3's grid-design order (NaN when undefined).</summary>
    public double LogProposition3;

    /// <summary>Search nodes of the enumeration.</summary>
    public long Nodes;
}

/// <summary>The C layout of <c>dam_emergence_options</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct DamEmergenceOptions
{
    /// <summary>sizeof(dam_emergence_options) as the caller compiled it.</summary>
    public uint StructSize;

    /// <summary>Must be 0.</summary>
    public int Reserved;

    /// <summary>ε_novel of Def. 2 (default 0.1).</summary>
    public double NovelDistance;

    /// <summary>Monte Carlo points of [0,1]^d (default 10^6; 0 skips the estimate).</summary>
    public long MonteCarloPoints;

    /// <summary>Seed of the Monte Carlo points (default 1).</summary>
    public ulong Seed;

    /// <summary>The enumeration's budgets and threads (count_only is ignored: the report needs the memories).</summary>
    public DamEnumerateOptions Enumeration;

    internal static DamEmergenceOptions Defaults() => new()
    {
        StructSize = (uint)sizeof(DamEmergenceOptions),
        NovelDistance = 0.1,
        MonteCarloPoints = 1_000_000,
        Seed = 1,
        Enumeration = DamEnumerateOptions.Defaults(),
    };
}

/// <summary>An enumeration result behind a <c>dam_enumeration*</c> handle.</summary>
internal sealed class EnumerationObject(EnumerationResult result, int dimension)
{
    public EnumerationResult Result { get; } = result;
    public int Dimension { get; } = dimension;
}

public static unsafe partial class Exports
{
    private static MemoryEnumerator Enumerator(nint memory, string function)
    {
        var e = Memory(memory).Energy;
        if (!e.IsLsr)
            throw new DamException(DamStatus.InvalidArgument,
                $"memory has kernel '{e.Kernel.Name}'; {function} enumerates the memories of the LSR (epanechnikov) energy only.");
        return new MemoryEnumerator(e.Patterns, e.Beta);
    }

    /// <summary>dam_enumerate_options_init: no budgets, all cores, memories kept.</summary>
    [UnmanagedCallersOnly(EntryPoint = "dam_enumerate_options_init", CallConvs = [typeof(CallConvCdecl)])]
    public static int EnumerateOptionsInit(DamEnumerateOptions* options)
    {
        try
        {
            Inputs.NotNull(options, "options");
            *options = DamEnumerateOptions.Defaults();
            return 0;
        }
        catch (Exception e) { return LastError.Fail(e, "dam_enumerate_options_init"); }
    }

    /// <summary>
    /// dam_memory_enumerate: every memory of the LSR energy (S with B(c_S) = S) within the budgets of *options (NULL:
    /// none), kept (members and points) unless count_only; a result handle in *out.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "dam_memory_enumerate", CallConvs = [typeof(CallConvCdecl)])]
    public static int MemoryEnumerate(nint memory, DamEnumerateOptions* options, nint* @out)
    {
        try
        {
            Inputs.NotNull(@out, "out");
            *@out = 0;
            var o = options == null ? DamEnumerateOptions.Defaults() : *options;
            var opts = o.ToOptions();
            var en = Enumerator(memory, "dam_memory_enumerate");
            var result = o.CountOnly != 0 ? en.Count(opts) : en.Collect(opts);
            *@out = HandleTable.Add(new EnumerationObject(result, en.Patterns.Dimension), HandleKind.Enumeration);
            return 0;
        }
        catch (Exception e) { return LastError.Fail(e, "dam_memory_enumerate"); }
    }

    /// <summary>
    /// dam_memory_enumerate_each: hands each memory to callback(user, members, size, point, d) in search order
    /// (calls serialised); a non-zero return stops the search (summary.stop = 4). The pointers are valid during the call only.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "dam_memory_enumerate_each", CallConvs = [typeof(CallConvCdecl)])]
    public static int MemoryEnumerateEach(nint memory, DamEnumerateOptions* options,
        delegate* unmanaged[Cdecl]<void*, int*, long, double*, long, int> callback, void* user, DamEnumerationSummary* summary)
    {
        try
        {
            Inputs.NotNull(callback, "callback");
            var o = options == null ? DamEnumerateOptions.Defaults() : *options;
            using var stop = new CancellationTokenSource();
            var opts = o.ToOptions(stop.Token);
            var en = Enumerator(memory, "dam_memory_enumerate_each");
            int d = en.Patterns.Dimension;
            var result = en.Stream(mem =>
            {
                if (stop.IsCancellationRequested) return;
                int rc;
                fixed (int* members = mem.Members)
                fixed (double* point = mem.Point)
                    rc = callback(user, members, mem.Members.Length, point, d);
                if (rc != 0) stop.Cancel();
            }, opts);
            if (summary != null) *summary = Summarise(result, d);
            return 0;
        }
        catch (Exception e) { return LastError.Fail(e, "dam_memory_enumerate_each"); }
    }

    /// <summary>dam_enumeration_summarize: counts, completeness, nodes and time of an enumeration.</summary>
    [UnmanagedCallersOnly(EntryPoint = "dam_enumeration_summarize", CallConvs = [typeof(CallConvCdecl)])]
    public static int EnumerationSummary(nint enumeration, DamEnumerationSummary* summary)
    {
        try
        {
            Inputs.NotNull(summary, "summary");
            var e = HandleTable.Get<EnumerationObject>(enumeration, HandleKind.Enumeration, "enumeration");
            *summary = Summarise(e.Result, e.Dimension);
            return 0;
        }
        catch (Exception e) { return LastError.Fail(e, "dam_enumeration_summarize"); }
    }

    /// <summary>
    /// dam_enumeration_members: the kept memories' members as CSR: offsets[kept + 1] into ids[members_total]
    /// (0-based pattern indices, each memory's sorted ascending), in search order.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "dam_enumeration_members", CallConvs = [typeof(CallConvCdecl)])]
    public static int EnumerationMembers(nint enumeration, long* offsets, long offsetsCapacity, int* ids, long idsCapacity)
    {
        try
        {
            var e = HandleTable.Get<EnumerationObject>(enumeration, HandleKind.Enumeration, "enumeration");
            var list = e.Result.Memories;
            long total = 0;
            foreach (var m in list) total += m.Members.Length;
            Capacity(offsetsCapacity, list.Count + 1, "offsets_capacity");
            Capacity(idsCapacity, total, "ids_capacity");
            var off = Inputs.Output<long>(offsets, list.Count + 1, "offsets");
            var id = total == 0 ? Span<int>.Empty : Inputs.Output<int>(ids, total, "ids");
            long at = 0;
            for (int i = 0; i < list.Count; i++)
            {
                off[i] = at;
                list[i].Members.CopyTo(id.Slice((int)at));
                at += list[i].Members.Length;
            }
            off[list.Count] = at;
            return 0;
        }
        catch (Exception e) { return LastError.Fail(e, "dam_enumeration_members"); }
    }

    /// <summary>dam_enumeration_points: the kept memories' points c_S, kept×d row-major, in search order.</summary>
    [UnmanagedCallersOnly(EntryPoint = "dam_enumeration_points", CallConvs = [typeof(CallConvCdecl)])]
    public static int EnumerationPoints(nint enumeration, double* points, long capacity)
    {
        try
        {
            var e = HandleTable.Get<EnumerationObject>(enumeration, HandleKind.Enumeration, "enumeration");
            var list = e.Result.Memories;
            long needed = (long)list.Count * e.Dimension;
            Capacity(capacity, needed, "capacity");
            if (needed == 0) return 0;
            var o = Inputs.Output<double>(points, needed, "points");
            for (int i = 0; i < list.Count; i++)
            {
                var p = list[i].Point ?? throw new DamException(DamStatus.Internal, $"memory {i} was kept without its point.");
                p.CopyTo(o.Slice(i * e.Dimension, e.Dimension));
            }
            return 0;
        }
        catch (Exception e) { return LastError.Fail(e, "dam_enumeration_points"); }
    }

    /// <summary>dam_enumeration_free: releases an enumeration result; NULL is a no-op.</summary>
    [UnmanagedCallersOnly(EntryPoint = "dam_enumeration_free", CallConvs = [typeof(CallConvCdecl)])]
    public static int EnumerationFree(nint enumeration)
    {
        try
        {
            if (enumeration != 0) HandleTable.Remove(enumeration, HandleKind.Enumeration, "enumeration");
            return 0;
        }
        catch (Exception e) { return LastError.Fail(e, "dam_enumeration_free"); }
    }

    /// <summary>dam_emergence_options_init: ε_novel = 0.1, 10^6 Monte Carlo points, seed 1, no budgets.</summary>
    [UnmanagedCallersOnly(EntryPoint = "dam_emergence_options_init", CallConvs = [typeof(CallConvCdecl)])]
    public static int EmergenceOptionsInit(DamEmergenceOptions* options)
    {
        try
        {
            Inputs.NotNull(options, "options");
            *options = DamEmergenceOptions.Defaults();
            return 0;
        }
        catch (Exception e) { return LastError.Fail(e, "dam_emergence_options_init"); }
    }

    /// <summary>dam_memory_emergence_report: the emergence analysis (Def. 2/3, supported fraction, Thm 2 / Prop. 3 orders) at the memory's β.</summary>
    [UnmanagedCallersOnly(EntryPoint = "dam_memory_emergence_report", CallConvs = [typeof(CallConvCdecl)])]
    public static int MemoryEmergenceReport(nint memory, DamEmergenceOptions* options, DamEmergenceReport* report)
    {
        try
        {
            Inputs.NotNull(report, "report");
            var o = options == null ? DamEmergenceOptions.Defaults() : *options;
            if (o.StructSize != (uint)sizeof(DamEmergenceOptions))
                throw new DamException(DamStatus.InvalidArgument,
                    $"options.struct_size = {o.StructSize}, but this library's dam_emergence_options has {sizeof(DamEmergenceOptions)} bytes; initialise it with dam_emergence_options_init.");
            if (!(o.NovelDistance >= 0) || double.IsInfinity(o.NovelDistance))
                throw new DamException(DamStatus.InvalidArgument, $"options.novel_distance must be a finite number >= 0; got {Inputs.Fmt(o.NovelDistance)}.");
            if (o.MonteCarloPoints < 0 || o.MonteCarloPoints > int.MaxValue)
                throw new DamException(DamStatus.InvalidArgument, $"options.monte_carlo_points must lie in [0, {int.MaxValue}]; got {o.MonteCarloPoints}.");
            var en = Enumerator(memory, "dam_memory_emergence_report");
            var opts = new EmergenceOptions
            {
                NovelDistance = o.NovelDistance,
                MonteCarloPoints = (int)o.MonteCarloPoints,
                Seed = o.Seed,
                Enumeration = o.Enumeration.ToOptions(),
            };
            var result = en.Collect(opts.Enumeration);
            var r = EmergenceReport.FromEnumeration(en, result, opts);
            *report = new DamEmergenceReport
            {
                Patterns = r.Preserved.Count,
                StoredPreserved = r.StoredPreserved,
                FractionPreserved = r.FractionPreserved,
                Novel = r.Novel,
                FarNovel = r.FarNovel.Count,
                LocallyEmergent = r.LocallyEmergent.Count,
                StronglyEmergent = r.StronglyEmergent.Count,
                GlobalEmergence = r.GlobalEmergence ? 1 : 0,
                Complete = result.Complete ? 1 : 0,
                NovelDistance = r.NovelDistance,
                SupportedFraction = r.SupportedFraction,
                SupportedFractionStandardError = r.SupportedFractionStandardError,
                MonteCarloPoints = r.MonteCarloPoints,
                LogLambda = r.LogLambda,
                LogTheorem2Bound = r.LogTheorem2Bound,
                LogProposition3 = r.LogProposition3,
                Nodes = result.NodesVisited,
            };
            return 0;
        }
        catch (Exception e) { return LastError.Fail(e, "dam_memory_emergence_report"); }
    }

    private static DamEnumerationSummary Summarise(EnumerationResult r, int d)
    {
        long total = 0;
        foreach (var m in r.Memories) total += m.Members.Length;
        return new DamEnumerationSummary
        {
            Count = r.Count,
            StoredPreserved = r.StoredCount,
            Novel = r.NovelCount,
            Nodes = r.NodesVisited,
            MembersTotal = total,
            Seconds = r.Seconds,
            Complete = r.Complete ? 1 : 0,
            Stop = (int)r.Stop,
            Kept = r.Memories.Count,
            Dimension = d,
        };
    }
}
