using System.Globalization;
using System.Text;

namespace DenseAm.Formats;

/// <summary>
/// Numeric CSV: one vector per line, comma-separated (semicolons, tabs and spaces also accepted), an optional
/// non-numeric header line, blank lines and lines starting with '#' skipped. Written with round-trip precision.
/// </summary>
public static class Csv
{
    /// <summary>Reads a numeric CSV file as a matrix.</summary>
    /// <exception cref="DataFormatException">A non-numeric value or a row of the wrong length (named by line and column).</exception>
    public static Matrix Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var reader = new StreamReader(path, Encoding.UTF8);
        return Read(reader, path);
    }

    /// <summary>Reads numeric CSV from <paramref name="reader"/>; <paramref name="sourceName"/> names it in errors.</summary>
    public static Matrix Read(TextReader reader, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var values = new List<double>();
        int cols = -1, rows = 0, lineNo = 0;
        bool firstContent = true;
        string? line;
        char[] seps = [',', ';', '\t', ' '];
        while ((line = reader.ReadLine()) != null)
        {
            lineNo++;
            string t = line.Trim();
            if (t.Length == 0 || t[0] == '#') continue;
            var parts = t.Split(seps, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            bool header = false;
            var row = new double[parts.Length];
            for (int j = 0; j < parts.Length; j++)
            {
                if (!double.TryParse(parts[j], NumberStyles.Float, CultureInfo.InvariantCulture, out row[j]))
                {
                    if (firstContent) { header = true; break; }
                    throw new DataFormatException(sourceName, $"line {lineNo}, column {j + 1}", $"'{parts[j]}' is not a number.");
                }
            }
            firstContent = false;
            if (header) continue;
            if (cols < 0) cols = row.Length;
            else if (row.Length != cols)
                throw new DataFormatException(sourceName, $"line {lineNo}", $"has {row.Length} values, but earlier rows have {cols}.");
            values.AddRange(row);
            rows++;
        }
        return new Matrix(rows, Math.Max(cols, 0), values.ToArray());
    }

    /// <summary>Writes <paramref name="matrix"/> as CSV (round-trip "R" formatting), atomically.</summary>
    public static void Write(string path, Matrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        AtomicFile.Write(path, s =>
        {
            using var w = new StreamWriter(s, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            var sb = new StringBuilder();
            for (int i = 0; i < matrix.Rows; i++)
            {
                sb.Clear();
                var row = matrix.Row(i);
                for (int j = 0; j < row.Length; j++)
                {
                    if (j > 0) sb.Append(',');
                    sb.Append(row[j].ToString("R", CultureInfo.InvariantCulture));
                }
                w.WriteLine(sb);
            }
        });
    }
}
