using System.Runtime.InteropServices;
using System.Text;

namespace DenseAm.Interop;

/// <summary>Element types of the row-major arrays the ABI accepts (<c>DAM_FLOAT64</c>, <c>DAM_FLOAT32</c>).</summary>
public enum DamDType
{
    /// <summary>IEEE float64 (C <c>double</c>).</summary>
    Float64 = 1,

    /// <summary>IEEE float32 (C <c>float</c>), widened exactly to float64 on entry.</summary>
    Float32 = 2,
}

/// <summary>Checks of raw arguments at the boundary; every message names the argument and the bad value.</summary>
internal static unsafe class Inputs
{
    public static void NotNull(void* p, string name)
    {
        if (p == null) throw new DamException(DamStatus.NullArgument, $"{name} is NULL.");
    }

    /// <summary>Checks n ≥ 1 (or ≥ 0 when allowed), d ≥ 1 and that n·d fits in one array; returns n·d.</summary>
    public static int Shape(long rows, long columns, string rowsName, string columnsName, bool allowEmpty = false)
    {
        if (rows < (allowEmpty ? 0 : 1))
            throw new DamException(DamStatus.InvalidArgument, $"{rowsName} must be {(allowEmpty ? ">= 0" : "> 0")}; got {rows}.");
        if (columns < 1)
            throw new DamException(DamStatus.InvalidArgument, $"{columnsName} must be > 0; got {columns}.");
        if (rows > int.MaxValue || columns > int.MaxValue || rows > Array.MaxLength / columns)
            throw new DamException(DamStatus.InvalidArgument,
                $"{rowsName} × {columnsName} = {rows} × {columns} overflows: at most {Array.MaxLength} values fit in one array.");
        return (int)(rows * columns);
    }

    public static DamDType DType(int dtype, string name)
    {
        if (dtype != (int)DamDType.Float64 && dtype != (int)DamDType.Float32)
            throw new DamException(DamStatus.InvalidArgument,
                $"{name} must be DAM_FLOAT64 ({(int)DamDType.Float64}) or DAM_FLOAT32 ({(int)DamDType.Float32}); got {dtype}.");
        return (DamDType)dtype;
    }

    /// <summary>Copies a rows×columns row-major array of the given dtype into a float64 matrix (float32 widened exactly).</summary>
    public static Matrix Read(void* data, int dtype, long rows, long columns, string dataName, string rowsName, string columnsName, bool allowEmpty = false)
    {
        NotNull(data, dataName);
        var kind = DType(dtype, "dtype");
        int count = Shape(rows, columns, rowsName, columnsName, allowEmpty);
        var m = new Matrix((int)rows, (int)columns);
        if (kind == DamDType.Float64) new ReadOnlySpan<double>(data, count).CopyTo(m.Data);
        else
        {
            var src = new ReadOnlySpan<float>(data, count);
            for (int i = 0; i < count; i++) m.Data[i] = src[i];
        }
        return m;
    }

    public static Span<T> Output<T>(void* p, long count, string name) where T : unmanaged
    {
        NotNull(p, name);
        return new Span<T>(p, checked((int)count));
    }

    public static Span<T> OptionalOutput<T>(void* p, long count) where T : unmanaged =>
        p == null ? Span<T>.Empty : new Span<T>(p, checked((int)count));

    public static string Utf8(byte* s, string name)
    {
        NotNull(s, name);
        return Marshal.PtrToStringUTF8((nint)s) ?? "";
    }

    public static void SameDimension(long expected, long actual, string name)
    {
        if (expected != actual)
            throw new DamException(DamStatus.InvalidArgument, $"{name} = {actual}, but the stored patterns have dimension d = {expected}.");
    }

    public static void Finite(double value, string name)
    {
        if (!double.IsFinite(value))
            throw new DamException(DamStatus.InvalidArgument, $"{name} must be finite; got {Fmt(value)}.");
    }

    public static string Fmt(double v) => double.IsNaN(v) ? "NaN" : v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A NUL-terminated UTF-8 copy in unmanaged memory that lives as long as the process (names, version, provider).</summary>
    public static byte* Permanent(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s + "\0");
        var p = (byte*)NativeMemory.Alloc((nuint)bytes.Length);
        bytes.CopyTo(new Span<byte>(p, bytes.Length));
        return p;
    }
}
