using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DenseAm.Interop;

/// <summary>
/// The C ABI of <c>libdenseam</c> (declared in <c>include/denseam.h</c>): library-wide functions. Every export
/// catches every exception and returns a <see cref="DamStatus"/>; nothing is thrown across the boundary.
/// </summary>
public static unsafe partial class Exports
{
    /// <summary>The library version, major.minor.patch.</summary>
    public const string Version = "0.1.0";

    private static readonly byte* VersionText = Inputs.Permanent(Version);
    private static readonly Lock BlasGate = new();
    private static byte* _blasText;

    /// <summary>dam_last_error: the calling thread's last error message ("" when none); owned by the library.</summary>
    [UnmanagedCallersOnly(EntryPoint = "dam_last_error", CallConvs = [typeof(CallConvCdecl)])]
    public static byte* LastErrorMessage() => LastError.Pointer;

    /// <summary>dam_clear_error: empties the calling thread's last error message.</summary>
    [UnmanagedCallersOnly(EntryPoint = "dam_clear_error", CallConvs = [typeof(CallConvCdecl)])]
    public static void ClearError() => LastError.Clear();

    /// <summary>dam_version_string: "major.minor.patch", a static string.</summary>
    [UnmanagedCallersOnly(EntryPoint = "dam_version_string", CallConvs = [typeof(CallConvCdecl)])]
    public static byte* VersionString() => VersionText;

    /// <summary>dam_version_get: the version as three integers (any pointer may be NULL).</summary>
    [UnmanagedCallersOnly(EntryPoint = "dam_version_get", CallConvs = [typeof(CallConvCdecl)])]
    public static int VersionGet(int* major, int* minor, int* patch)
    {
        var parts = Version.Split('.');
        if (major != null) *major = int.Parse(parts[0]);
        if (minor != null) *minor = int.Parse(parts[1]);
        if (patch != null) *patch = int.Parse(parts[2]);
        return 0;
    }

    /// <summary>dam_blas_describe: one line naming the linear-algebra provider in use; a string owned by the library for the process lifetime.</summary>
    [UnmanagedCallersOnly(EntryPoint = "dam_blas_describe", CallConvs = [typeof(CallConvCdecl)])]
    public static int BlasDescribe(byte** description)
    {
        try
        {
            Inputs.NotNull(description, "description");
            lock (BlasGate)
            {
                if (_blasText == null) _blasText = Inputs.Permanent(BlasInfo.Describe());
                *description = _blasText;
            }
            return 0;
        }
        catch (Exception e) { return LastError.Fail(e, "dam_blas_describe"); }
    }

    /// <summary>dam_handles_live: the number of handles currently allocated (every create not yet freed); for leak checks.</summary>
    [UnmanagedCallersOnly(EntryPoint = "dam_handles_live", CallConvs = [typeof(CallConvCdecl)])]
    public static long HandlesLive() => HandleTable.Live;
}

/// <summary>The single place the ABI learns which linear-algebra provider the core uses.</summary>
internal static class BlasInfo
{
    public static string Describe() => DenseAm.Native.Blas.Describe();
}
