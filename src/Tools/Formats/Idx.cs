using System.Buffers.Binary;
using System.IO.Compression;

namespace DenseAm.Formats;

/// <summary>
/// MNIST's IDX files (the standard format: magic 0x0000 TT NN, big-endian dimensions, then the data), optionally
/// gzipped (detected by the gzip magic). Read as a matrix: the first dimension is rows, the rest are flattened.
/// </summary>
public static class Idx
{
    /// <summary>Reads an IDX file (e.g. train-images-idx3-ubyte[.gz]); unsigned bytes stay 0–255 unless <paramref name="scale"/> divides them.</summary>
    /// <exception cref="DataFormatException">Wrong magic, unsupported element type, or a truncated file (named with its byte offset).</exception>
    public static Matrix Read(string path, double scale = 1)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = File.OpenRead(path);
        Span<byte> two = stackalloc byte[2];
        int got = Npy.ReadFully(file, two);
        file.Position = 0;
        Stream s = got == 2 && two[0] == 0x1f && two[1] == 0x8b ? new GZipStream(file, CompressionMode.Decompress) : file;
        try
        {
            return Read(s, path, scale);
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, "gzip stream", $"corrupt gzip data: {e.Message}");
        }
        finally
        {
            if (!ReferenceEquals(s, file)) s.Dispose();
        }
    }

    /// <summary>Reads an IDX array from an uncompressed stream; <paramref name="sourceName"/> names it in errors.</summary>
    public static Matrix Read(Stream stream, string sourceName, double scale = 1)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> magic = stackalloc byte[4];
        int got = Npy.ReadFully(stream, magic);
        if (got < 4)
            throw new DataFormatException(sourceName, $"byte {got}", "truncated: the 4-byte IDX magic is missing.");
        if (magic[0] != 0 || magic[1] != 0)
            throw new DataFormatException(sourceName, "byte 0", $"not an IDX file (magic {magic[0]:X2}{magic[1]:X2}{magic[2]:X2}{magic[3]:X2}, expected 0000TTNN).");
        byte type = magic[2];
        int dims = magic[3];
        int size = type switch { 0x08 or 0x09 => 1, 0x0B => 2, 0x0C or 0x0D => 4, 0x0E => 8, _ => 0 };
        if (size == 0) throw new DataFormatException(sourceName, "byte 2", $"unknown IDX element type 0x{type:X2}.");
        if (dims is < 1 or > 8) throw new DataFormatException(sourceName, "byte 3", $"implausible number of dimensions {dims}.");
        var shape = new int[dims];
        Span<byte> four = stackalloc byte[4];
        for (int i = 0; i < dims; i++)
        {
            if (Npy.ReadFully(stream, four) < 4)
                throw new DataFormatException(sourceName, $"byte {4 + 4 * i}", $"truncated: dimension {i} is missing.");
            shape[i] = BinaryPrimitives.ReadInt32BigEndian(four);
            if (shape[i] < 0) throw new DataFormatException(sourceName, $"byte {4 + 4 * i}", $"negative dimension {shape[i]}.");
        }
        long rows = shape[0];
        long cols = 1;
        for (int i = 1; i < dims; i++) cols *= shape[i];
        if (rows * cols > Array.MaxLength) throw new DataFormatException(sourceName, "byte 4", $"array of {rows * cols} elements is too large.");
        long offset = 4 + 4L * dims;
        var data = new double[rows * cols];
        var buf = new byte[Math.Max(size, 1 << 16)];
        long done = 0;
        int per = buf.Length / size;
        while (done < data.Length)
        {
            int n = (int)Math.Min(per, data.Length - done);
            int r = Npy.ReadFully(stream, buf.AsSpan(0, n * size));
            if (r < n * size)
                throw new DataFormatException(sourceName, $"byte {offset + done * size + r}",
                    $"truncated data: shape ({string.Join(", ", shape)}) needs {data.Length * (long)size} bytes after the header, file ends after {done * size + r}.");
            for (int i = 0; i < n; i++)
            {
                var b = buf.AsSpan(i * size, size);
                double v = type switch
                {
                    0x08 => b[0],
                    0x09 => (sbyte)b[0],
                    0x0B => BinaryPrimitives.ReadInt16BigEndian(b),
                    0x0C => BinaryPrimitives.ReadInt32BigEndian(b),
                    0x0D => BinaryPrimitives.ReadSingleBigEndian(b),
                    _ => BinaryPrimitives.ReadDoubleBigEndian(b),
                };
                data[done + i] = v / scale;
            }
            done += n;
        }
        return new Matrix((int)rows, (int)cols, data);
    }

    /// <summary>Writes unsigned-byte IDX data (type 0x08) with the given shape; used by tests and converters.</summary>
    public static void WriteBytes(Stream stream, ReadOnlySpan<int> shape, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write([0, 0, 0x08, (byte)shape.Length]);
        Span<byte> four = stackalloc byte[4];
        foreach (int dim in shape)
        {
            BinaryPrimitives.WriteInt32BigEndian(four, dim);
            stream.Write(four);
        }
        stream.Write(data);
    }
}
