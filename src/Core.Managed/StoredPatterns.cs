namespace DenseAm;

/// <summary>
/// The stored patterns Ξ = {ξ_1 … ξ_M} ⊂ R^d of a Dense Associative Memory (SPEC §1), held as a
/// validated, immutable M×d float64 matrix.
/// </summary>
public sealed class StoredPatterns
{
    private readonly Matrix _matrix;

    /// <summary>
    /// Validates and copies <paramref name="patterns"/>: at least one row, d ≥ 1, every coordinate finite.
    /// </summary>
    /// <exception cref="ArgumentException">Empty set, zero dimension, or a NaN/infinite coordinate (named by row and column).</exception>
    public StoredPatterns(Matrix patterns)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        if (patterns.Rows == 0)
            throw new ArgumentException("patterns must hold at least one stored pattern; got M = 0 rows.", nameof(patterns));
        if (patterns.Columns == 0)
            throw new ArgumentException($"patterns must have dimension d >= 1; got d = 0 ({patterns.Rows} rows).", nameof(patterns));
        Guard.Finite(patterns.Data, patterns.Columns, nameof(patterns));
        _matrix = patterns.Clone();
    }

    /// <summary>Number of stored patterns M.</summary>
    public int Count => _matrix.Rows;

    /// <summary>Dimension d of the pattern space.</summary>
    public int Dimension => _matrix.Columns;

    /// <summary>Pattern ξ_μ (0-based μ).</summary>
    public ReadOnlySpan<double> this[int mu] => _matrix.Data.AsSpan(mu * _matrix.Columns, _matrix.Columns);

    /// <summary>All patterns, row-major M×d (read-only view).</summary>
    public ReadOnlySpan<double> Data => _matrix.Data;

    /// <summary>A copy of the patterns as a matrix.</summary>
    public Matrix ToMatrix() => _matrix.Clone();

    /// <summary>Builds a pattern set from jagged rows.</summary>
    public static StoredPatterns FromRows(params double[][] rows) => new(Matrix.FromRows(rows));
}
