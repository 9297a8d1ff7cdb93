namespace DenseAm.Formats;

/// <summary>A malformed or truncated data file; the message names the file and the byte offset or line.</summary>
public sealed class DataFormatException : FormatException
{
    /// <summary>Creates the exception for <paramref name="source"/> at <paramref name="where"/> ("byte 128", "line 3").</summary>
    public DataFormatException(string source, string where, string message)
        : base($"{source}: {where}: {message}")
    {
        Source = source;
        Where = where;
    }

    /// <summary>The file (or stream name) that is malformed.</summary>
    public new string Source { get; }

    /// <summary>Where in the file ("byte 128", "line 3").</summary>
    public string Where { get; }
}
