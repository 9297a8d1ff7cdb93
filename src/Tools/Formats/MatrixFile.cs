namespace DenseAm.Formats;

/// <summary>Reads and writes matrices by file extension: .npy (NumPy) or .csv/.txt/.tsv (numeric text).</summary>
public static class MatrixFile
{
    /// <summary>Reads a matrix from a .npy or CSV file, chosen by extension.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">The file is malformed or truncated.</exception>
    public static Matrix Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file.", path);
        return IsNpy(path) ? Npy.Read(path) : Csv.Read(path);
    }

    /// <summary>Writes a matrix to a .npy (with <paramref name="dtype"/>) or CSV file, chosen by extension, atomically.</summary>
    public static void Write(string path, Matrix matrix, NpyDType dtype = NpyDType.Float64)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (IsNpy(path)) Npy.Write(path, matrix, dtype);
        else Csv.Write(path, matrix);
    }

    private static bool IsNpy(string path) => path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase);
}
