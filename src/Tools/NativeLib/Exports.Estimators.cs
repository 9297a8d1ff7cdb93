using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DenseAm.Interop.Estimators;

namespace DenseAm.Interop;

public static unsafe partial class Exports
{
    /// <summary>
    /// dam_meanshift_fit: flat-kernel mean shift of n×d points X from n_seeds×d seeds (NULL: every point is a seed),
    /// closed ball of radius bandwidth, at most max_iter updates per seed; a result handle in *out.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "dam_meanshift_fit", CallConvs = [typeof(CallConvCdecl)])]
    public static int MeanShiftFit(void* x, int dtype, long n, long d, void* seeds, int seedsDtype, long nSeeds, double bandwidth,
        int maxIter, int maxThreads, nint* @out)
    {
        try
        {
            Inputs.NotNull(@out, "out");
            *@out = 0;
            if (!(bandwidth > 0) || double.IsInfinity(bandwidth))
                throw new DamException(DamStatus.InvalidArgument, $"bandwidth must be a finite number > 0; got {Inputs.Fmt(bandwidth)}.");
            if (maxIter < 0) throw new DamException(DamStatus.InvalidArgument, $"max_iter must be >= 0; got {maxIter}.");
            var points = Inputs.Read(x, dtype, n, d, "X", "n", "d");
            RequireFinite(points, "X");
            Matrix seedMatrix = points;
            if (seeds != null)
            {
                seedMatrix = Inputs.Read(seeds, seedsDtype, nSeeds, d, "seeds", "n_seeds", "d");
                RequireFinite(seedMatrix, "seeds");
            }
            var model = MeanShiftModel.Fit(points, seedMatrix, bandwidth, maxIter, maxThreads);
            *@out = HandleTable.Add(model, HandleKind.MeanShift);
            return 0;
        }
        catch (Exception e) { return LastError.Fail(e, "dam_meanshift_fit"); }
    }

    /// <summary>dam_meanshift_info: the number of clusters k, the dimension d, n (points labelled) and n_iter (each may be NULL).</summary>
    [UnmanagedCallersOnly(EntryPoint = "dam_meanshift_info", CallConvs = [typeof(CallConvCdecl)])]
    public static int MeanShiftInfo(nint result, long* clusters, long* d, long* n, long* iterations)
    {
        try
        {
            var m = HandleTable.Get<MeanShiftModel>(result, HandleKind.MeanShift, "result");
            if (clusters != null) *clusters = m.ClusterCount;
            if (d != null) *d = m.Dimension;
            if (n != null) *n = m.Labels.Length;
            if (iterations != null) *iterations = m.Iterations;
            return 0;
        }
        catch (Exception e) { return LastError.Fail(e, "dam_meanshift_info"); }
    }

    /// <summary>dam_meanshift_centers: copies the k×d cluster centres (capacity: values available in centers) and optionally the k intensities.</summary>
    [UnmanagedCallersOnly(EntryPoint = "dam_meanshift_centers", CallConvs = [typeof(CallConvCdecl)])]
    public static int MeanShiftCenters(nint result, double* centers, long capacity, long* intensities)
    {
        try
        {
            var m = HandleTable.Get<MeanShiftModel>(result, HandleKind.MeanShift, "result");
            Capacity(capacity, m.Centers.Length, "capacity");
            m.Centers.CopyTo(Inputs.Output<double>(centers, m.Centers.Length, "centers"));
            if (intensities != null)
                for (int c = 0; c < m.ClusterCount; c++) intensities[c] = m.Intensities[c];
            return 0;
        }
        catch (Exception e) { return LastError.Fail(e, "dam_meanshift_centers"); }
    }

    /// <summary>dam_meanshift_labels: copies the n labels (0-based cluster indices).</summary>
    [UnmanagedCallersOnly(EntryPoint = "dam_meanshift_labels", CallConvs = [typeof(CallConvCdecl)])]
    public static int MeanShiftLabels(nint result, long* labels, long capacity)
    {
        try
        {
            var m = HandleTable.Get<MeanShiftModel>(result, HandleKind.MeanShift, "result");
            Capacity(capacity, m.Labels.Length, "capacity");
            m.Labels.CopyTo(Inputs.Output<long>(labels, m.Labels.Length, "labels"));
            return 0;
        }
        catch (Exception e) { return LastError.Fail(e, "dam_meanshift_labels"); }
    }

    /// <summary>dam_meanshift_free: releases a mean-shift result; NULL is a no-op.</summary>
    [UnmanagedCallersOnly(EntryPoint = "dam_meanshift_free", CallConvs = [typeof(CallConvCdecl)])]
    public static int MeanShiftFree(nint result)
    {
        try
        {
            if (result != 0) HandleTable.Remove(result, HandleKind.MeanShift, "result");
            return 0;
        }
        catch (Exception e) { return LastError.Fail(e, "dam_meanshift_free"); }
    }

    /// <summary>dam_kde_create: a kernel density estimate over n×d samples with a kernel by name and bandwidth h &gt; 0.</summary>
    [UnmanagedCallersOnly(EntryPoint = "dam_kde_create", CallConvs = [typeof(CallConvCdecl)])]
    public static int KdeCreate(void* x, int dtype, long n, long d, byte* kernel, double bandwidth, nint* @out)
    {
        try
        {
            Inputs.NotNull(@out, "out");
            *@out = 0;
            var k = KernelDensityModel.Parse(Inputs.Utf8(kernel, "kernel"));
            if (!(bandwidth > 0) || double.IsInfinity(bandwidth))
                throw new DamException(DamStatus.InvalidArgument, $"bandwidth must be a finite number > 0; got {Inputs.Fmt(bandwidth)}.");
            var points = Inputs.Read(x, dtype, n, d, "X", "n", "d");
            RequireFinite(points, "X");
            *@out = HandleTable.Add(new KernelDensityModel(points, k, bandwidth), HandleKind.KernelDensity);
            return 0;
        }
        catch (Exception e) { return LastError.Fail(e, "dam_kde_create"); }
    }

    /// <summary>dam_kde_score_samples: log density at each of n queries (n×d) into log_density[n].</summary>
    [UnmanagedCallersOnly(EntryPoint = "dam_kde_score_samples", CallConvs = [typeof(CallConvCdecl)])]
    public static int KdeScoreSamples(nint kde, void* queries, int dtype, long n, long d, int maxThreads, double* logDensity)
    {
        try
        {
            var model = HandleTable.Get<KernelDensityModel>(kde, HandleKind.KernelDensity, "kde");
            Inputs.NotNull(queries, "queries");
            Inputs.SameDimension(model.Dimension, d, "d");
            var q = Inputs.Read(queries, dtype, n, d, "queries", "n", "d");
            RequireFinite(q, "queries");
            model.ScoreSamples(q, Inputs.Output<double>(logDensity, n, "log_density"), maxThreads);
            return 0;
        }
        catch (Exception e) { return LastError.Fail(e, "dam_kde_score_samples"); }
    }

    /// <summary>dam_kde_free: releases a kernel density handle; NULL is a no-op.</summary>
    [UnmanagedCallersOnly(EntryPoint = "dam_kde_free", CallConvs = [typeof(CallConvCdecl)])]
    public static int KdeFree(nint kde)
    {
        try
        {
            if (kde != 0) HandleTable.Remove(kde, HandleKind.KernelDensity, "kde");
            return 0;
        }
        catch (Exception e) { return LastError.Fail(e, "dam_kde_free"); }
    }

    private static void RequireFinite(Matrix m, string name)
    {
        var data = m.Data;
        for (int i = 0; i < data.Length; i++)
            if (!double.IsFinite(data[i]))
                throw new DamException(DamStatus.InvalidArgument,
                    $"{name} must hold finite coordinates; row {i / m.Columns}, column {i % m.Columns} is {Inputs.Fmt(data[i])}.");
    }

    private static void Capacity(long capacity, long needed, string name)
    {
        if (capacity < needed)
            throw new DamException(DamStatus.InvalidArgument, $"{name} = {capacity} values is too small; {needed} are needed.");
    }
}
