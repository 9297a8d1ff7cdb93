namespace DenseAm;

/// <summary>
/// A dense row-major matrix of float64 values: the toolkit's currency for pattern sets,
/// query batches and retrieved points (one row per vector).
/// </summary>
public sealed class Matrix
{
    /// <summary>Creates a zero matrix of the given shape.</summary>
    public Matrix(int rows, int columns)
    {
        if (rows < 0) throw new ArgumentOutOfRangeException(nameof(rows), rows, $"rows must be >= 0; got {rows}.");
        if (columns < 0) throw new ArgumentOutOfRangeException(nameof(columns), columns, $"columns must be >= 0; got {columns}.");
        if ((long)rows * columns > Array.MaxLength)
            throw new ArgumentException($"a {rows}×{columns} matrix has more than {Array.MaxLength} elements.", nameof(rows));
        Rows = rows;
        Columns = columns;
        Data = new double[rows * columns];
    }

    /// <summary>Wraps <paramref name="data"/> (row-major, not copied) as a <paramref name="rows"/>×<paramref name="columns"/> matrix.</summary>
    public Matrix(int rows, int columns, double[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (rows < 0) throw new ArgumentOutOfRangeException(nameof(rows), rows, $"rows must be >= 0; got {rows}.");
        if (columns < 0) throw new ArgumentOutOfRangeException(nameof(columns), columns, $"columns must be >= 0; got {columns}.");
        if ((long)rows * columns != data.Length)
            throw new ArgumentException($"data has {data.Length} values, but a {rows}×{columns} matrix needs {(long)rows * columns}.", nameof(data));
        Rows = rows;
        Columns = columns;
        Data = data;
    }

    /// <summary>Number of rows (vectors).</summary>
    public int Rows { get; }

    /// <summary>Number of columns (the dimension d).</summary>
    public int Columns { get; }

    /// <summary>The row-major storage, <see cref="Rows"/>·<see cref="Columns"/> values.</summary>
    public double[] Data { get; }

    /// <summary>Row <paramref name="i"/> as a span over the storage.</summary>
    public Span<double> Row(int i) => Data.AsSpan(i * Columns, Columns);

    /// <summary>Element (i, j).</summary>
    public double this[int i, int j]
    {
        get => Data[i * Columns + j];
        set => Data[i * Columns + j] = value;
    }

    /// <summary>Builds a matrix from jagged rows, which must all have the same length.</summary>
    public static Matrix FromRows(IReadOnlyList<double[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int d = rows.Count == 0 ? 0 : rows[0].Length;
        var m = new Matrix(rows.Count, d);
        for (int i = 0; i < rows.Count; i++)
        {
            if (rows[i].Length != d)
                throw new ArgumentException($"row {i} has {rows[i].Length} values, but row 0 has {d}.", nameof(rows));
            rows[i].CopyTo(m.Row(i));
        }
        return m;
    }

    /// <summary>Builds a float64 matrix from float32 values (row-major), widening each value exactly.</summary>
    public static Matrix FromSingle(int rows, int columns, ReadOnlySpan<float> data)
    {
        var m = new Matrix(rows, columns);
        if (data.Length != m.Data.Length)
            throw new ArgumentException($"data has {data.Length} values, but a {rows}×{columns} matrix needs {m.Data.Length}.", nameof(data));
        for (int i = 0; i < data.Length; i++) m.Data[i] = data[i];
        return m;
    }

    /// <summary>A deep copy.</summary>
    public Matrix Clone() => new(Rows, Columns, (double[])Data.Clone());
}
