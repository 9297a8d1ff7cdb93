using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace DenseAm.Formats;

/// <summary>Element type of a written .npy array.</summary>
public enum NpyDType
{
    /// <summary>Little-endian float64 ('&lt;f8').</summary>
    Float64,

    /// <summary>Little-endian float32 ('&lt;f4'); values are rounded to nearest.</summary>
    Float32,
}

/// <summary>
/// NumPy .npy files (format versions 1.0–3.0), 1-D or 2-D, C order: read as a float64 <see cref="Matrix"/>
/// (a 1-D array of n values is n rows of dimension 1), written as float64 or float32. Files are written to a
/// temporary name and renamed, so a failed write never leaves a torn file in place of a good one.
/// </summary>
public static partial class Npy
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads a .npy file. Supports &lt;f8, &lt;f4, &lt;f2, integer and bool element types (converted to float64).</summary>
    /// <exception cref="DataFormatException">Bad magic, header, element type, Fortran order, or a truncated body.</exception>
    public static Matrix Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var s = File.OpenRead(path);
        return Read(s, path);
    }

    /// <summary>Reads a .npy array from <paramref name="stream"/>; <paramref name="sourceName"/> names it in errors.</summary>
    public static Matrix Read(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> pre = stackalloc byte[10];
        int got = ReadFully(stream, pre);
        if (got < 8 || !pre[..6].SequenceEqual(Magic))
            throw new DataFormatException(sourceName, "byte 0", "not a .npy file (missing the \\x93NUMPY magic).");
        if (got < 10)
            throw new DataFormatException(sourceName, $"byte {got}", "truncated: the header length is missing.");
        byte major = pre[6];
        long headerLen;
        long offset;
        if (major == 1)
        {
            headerLen = BinaryPrimitives.ReadUInt16LittleEndian(pre[8..]);
            offset = 10;
        }
        else if (major is 2 or 3)
        {
            Span<byte> rest = stackalloc byte[2];
            if (ReadFully(stream, rest) < 2)
                throw new DataFormatException(sourceName, "byte 10", "truncated: the header length is missing.");
            Span<byte> four = stackalloc byte[4];
            pre[8..].CopyTo(four);
            rest.CopyTo(four[2..]);
            headerLen = BinaryPrimitives.ReadUInt32LittleEndian(four);
            offset = 12;
        }
        else
        {
            throw new DataFormatException(sourceName, "byte 6", $"unsupported .npy format version {major}.{pre[7]}.");
        }
        if (headerLen > 1 << 20)
            throw new DataFormatException(sourceName, $"byte {offset}", $"header length {headerLen} is implausible.");
        var headerBytes = new byte[headerLen];
        int hgot = ReadFully(stream, headerBytes);
        if (hgot < headerLen)
            throw new DataFormatException(sourceName, $"byte {offset + hgot}", $"truncated header: expected {headerLen} bytes, file ends after {hgot}.");
        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);
        var (descr, fortran, shape) = ParseHeader(header, sourceName, offset);
        offset += headerLen;
        if (fortran)
            throw new DataFormatException(sourceName, $"byte {offset}", "Fortran-order arrays are not supported; save with C order (np.ascontiguousarray).");
        int rows, cols;
        if (shape.Length == 1) { rows = checked((int)shape[0]); cols = 1; }
        else if (shape.Length == 2) { rows = checked((int)shape[0]); cols = checked((int)shape[1]); }
        else if (shape.Length == 0) { rows = 1; cols = 1; }
        else throw new DataFormatException(sourceName, $"byte {offset}", $"expected a 1-D or 2-D array; shape has {shape.Length} dimensions.");
        var (size, convert) = ElementReader(descr, sourceName, offset);
        long count = (long)rows * cols;
        if (count > Array.MaxLength)
            throw new DataFormatException(sourceName, $"byte {offset}", $"array of {count} elements is too large.");
        var data = new double[count];
        var buf = new byte[Math.Min(1 << 20, Math.Max(size, (int)Math.Min(count * size, 1 << 20)))];
        long done = 0;
        int elemsPerBuf = buf.Length / size;
        while (done < count)
        {
            int n = (int)Math.Min(elemsPerBuf, count - done);
            int want = n * size;
            int r = ReadFully(stream, buf.AsSpan(0, want));
            if (r < want)
                throw new DataFormatException(sourceName, $"byte {offset + done * size + r}",
                    $"truncated data: {rows}×{cols} {descr} needs {count * size} bytes after the header, file ends after {done * size + r}.");
            for (int i = 0; i < n; i++) data[done + i] = convert(buf.AsSpan(i * size, size));
            done += n;
        }
        return new Matrix(rows, cols, data);
    }

    /// <summary>Writes <paramref name="matrix"/> as a 2-D C-order .npy file, atomically (temporary file, then rename).</summary>
    public static void Write(string path, Matrix matrix, NpyDType dtype = NpyDType.Float64)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(matrix);
        AtomicFile.Write(path, s => Write(s, matrix, dtype));
    }

    /// <summary>Writes <paramref name="matrix"/> as a 2-D C-order .npy array to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, Matrix matrix, NpyDType dtype = NpyDType.Float64)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(matrix);
        string descr = dtype == NpyDType.Float64 ? "<f8" : "<f4";
        WriteHeader(stream, descr, $"({matrix.Rows}, {matrix.Columns})");
        int size = dtype == NpyDType.Float64 ? 8 : 4;
        var buf = new byte[Math.Max(size, Math.Min(1 << 16, matrix.Data.Length * size))];
        int per = buf.Length / size;
        for (int start = 0; start < matrix.Data.Length; start += per)
        {
            int n = Math.Min(per, matrix.Data.Length - start);
            for (int i = 0; i < n; i++)
            {
                double v = matrix.Data[start + i];
                if (dtype == NpyDType.Float64) BinaryPrimitives.WriteDoubleLittleEndian(buf.AsSpan(i * 8), v);
                else BinaryPrimitives.WriteSingleLittleEndian(buf.AsSpan(i * 4), (float)v);
            }
            stream.Write(buf, 0, n * size);
        }
    }

    /// <summary>Writes a 1-D int64 array (e.g. labels or memory sizes) atomically.</summary>
    public static void WriteInt64(string path, ReadOnlySpan<long> values)
    {
        var copy = values.ToArray();
        AtomicFile.Write(path, s =>
        {
            WriteHeader(s, "<i8", $"({copy.Length},)");
            var b = new byte[8];
            foreach (long v in copy)
            {
                BinaryPrimitives.WriteInt64LittleEndian(b, v);
                s.Write(b);
            }
        });
    }

    private static void WriteHeader(Stream stream, string descr, string shape)
    {
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        // Pad with spaces so that magic + lengths + header is a multiple of 64, ending in '\n' (format 1.0).
        int total = 10 + dict.Length + 1;
        int pad = (64 - total % 64) % 64;
        string header = dict + new string(' ', pad) + "\n";
        stream.Write(Magic);
        stream.WriteByte(1);
        stream.WriteByte(0);
        Span<byte> len = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(len, checked((ushort)header.Length));
        stream.Write(len);
        stream.Write(Encoding.Latin1.GetBytes(header));
    }

    private static (string Descr, bool Fortran, long[] Shape) ParseHeader(string header, string source, long offset)
    {
        var descr = DescrRegex().Match(header);
        var fortran = FortranRegex().Match(header);
        var shape = ShapeRegex().Match(header);
        if (!descr.Success || !fortran.Success || !shape.Success)
            throw new DataFormatException(source, $"byte {offset}", $"malformed .npy header: {header.Trim()}");
        var dims = shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var parsed = new long[dims.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            if (!long.TryParse(dims[i].TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out parsed[i]))
                throw new DataFormatException(source, $"byte {offset}", $"malformed shape '{shape.Groups[1].Value}' in the .npy header.");
        }
        return (descr.Groups[1].Value, fortran.Groups[1].Value == "True", parsed);
    }

    private delegate double Convert(ReadOnlySpan<byte> bytes);

    private static (int Size, Convert Convert) ElementReader(string descr, string source, long offset) => descr switch
    {
        "<f8" => (8, b => BinaryPrimitives.ReadDoubleLittleEndian(b)),
        ">f8" => (8, b => BinaryPrimitives.ReadDoubleBigEndian(b)),
        "<f4" => (4, b => BinaryPrimitives.ReadSingleLittleEndian(b)),
        ">f4" => (4, b => BinaryPrimitives.ReadSingleBigEndian(b)),
        "<f2" => (2, b => (double)BinaryPrimitives.ReadHalfLittleEndian(b)),
        "<i8" => (8, b => BinaryPrimitives.ReadInt64LittleEndian(b)),
        "<i4" => (4, b => BinaryPrimitives.ReadInt32LittleEndian(b)),
        "<i2" => (2, b => BinaryPrimitives.ReadInt16LittleEndian(b)),
        "|i1" => (1, b => (sbyte)b[0]),
        "|u1" => (1, b => b[0]),
        "<u2" => (2, b => BinaryPrimitives.ReadUInt16LittleEndian(b)),
        "<u4" => (4, b => BinaryPrimitives.ReadUInt32LittleEndian(b)),
        "<u8" => (8, b => BinaryPrimitives.ReadUInt64LittleEndian(b)),
        "|b1" => (1, b => b[0] != 0 ? 1 : 0),
        _ => throw new DataFormatException(source, $"byte {offset}", $"unsupported element type '{descr}' (expected float64 '<f8' or float32 '<f4').")
    };

    internal static int ReadFully(Stream s, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = s.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']+)'")]
    private static partial Regex DescrRegex();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranRegex();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapeRegex();
}
