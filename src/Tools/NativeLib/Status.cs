using System.Runtime.InteropServices;
using System.Text;

namespace DenseAm.Interop;

/// <summary>The int status every <c>dam_*</c> function returns (see <c>denseam.h</c>).</summary>
public enum DamStatus
{
    /// <summary>Success.</summary>
    Ok = 0,

    /// <summary>A required pointer argument was NULL.</summary>
    NullArgument = 1,

    /// <summary>An argument had a bad value: a size ≤ 0 or overflowing, NaN/∞, β ≤ 0, an unknown name, mismatched dimensions.</summary>
    InvalidArgument = 2,

    /// <summary>A handle was NULL, freed, never issued, or of another object type.</summary>
    InvalidHandle = 3,

    /// <summary>The library could not allocate memory.</summary>
    OutOfMemory = 4,

    /// <summary>The computation could not be carried out for these inputs (e.g. no mean-shift seed had a neighbour).</summary>
    Failed = 5,

    /// <summary>An unexpected internal error; the message says what happened.</summary>
    Internal = 6,
}

/// <summary>An error raised inside the library that becomes a status and a last-error message at the boundary.</summary>
internal sealed class DamException(DamStatus status, string message) : Exception(message)
{
    public DamStatus Status { get; } = status;
}

/// <summary>
/// The thread-local last error of <c>dam_last_error()</c>: a NUL-terminated UTF-8 copy owned by the library,
/// valid on the calling thread until its next failing call.
/// </summary>
internal static unsafe class LastError
{
    [ThreadStatic] private static byte* _message;
    [ThreadStatic] private static int _capacity;
    private static readonly byte Empty = 0;

    public static byte* Pointer
    {
        get
        {
            if (_message != null) return _message;
            fixed (byte* p = &Empty) return p; // a static byte never moves
        }
    }

    public static void Set(string message)
    {
        int n = Encoding.UTF8.GetByteCount(message);
        if (_message == null || _capacity < n + 1)
        {
            if (_message != null) NativeMemory.Free(_message);
            _capacity = Math.Max(n + 1, 256);
            _message = (byte*)NativeMemory.Alloc((nuint)_capacity);
        }
        fixed (char* c = message)
            Encoding.UTF8.GetBytes(c, message.Length, _message, n);
        _message[n] = 0;
    }

    public static void Clear()
    {
        if (_message != null) _message[0] = 0;
    }

    /// <summary>Turns any exception into a status and stores "function: message" as the last error.</summary>
    public static int Fail(Exception e, string function)
    {
        DamStatus status = e switch
        {
            DamException de => de.Status,
            ArgumentNullException => DamStatus.NullArgument,
            ArgumentException => DamStatus.InvalidArgument,
            OutOfMemoryException => DamStatus.OutOfMemory,
            InvalidOperationException => DamStatus.Failed,
            _ => DamStatus.Internal,
        };
        // The core's messages name the argument already; a bare ArgumentNullException gets its name prefixed.
        string text = e is ArgumentNullException an && an.ParamName is { } p ? $"{p} is null." : e.Message;
        // ArgumentException appends " (Parameter 'x')"; the message already names it.
        int cut = text.IndexOf(" (Parameter '", StringComparison.Ordinal);
        if (cut > 0) text = text[..cut];
        if (status == DamStatus.Internal) text = $"{e.GetType().Name}: {text}";
        try
        {
            Set($"{function}: {text}");
        }
        catch
        {
            // Out of memory while recording the error: the status alone must do.
        }
        return (int)status;
    }
}
