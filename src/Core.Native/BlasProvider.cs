namespace DenseAm.Native;

/// <summary>Which BLAS implementation a <see cref="BlasProvider"/> wraps.</summary>
public enum BlasKind
{
    /// <summary>The toolkit's own blocked, SIMD, parallel GEMM; always available and deterministic for any thread count.</summary>
    Managed,

    /// <summary>OpenBLAS (<c>libopenblas.so.0</c>), loaded at run time.</summary>
    OpenBlas,

    /// <summary>Intel MKL through its single dynamic library (<c>libmkl_rt.so</c>), loaded at run time.</summary>
    Mkl,
}

/// <summary>
/// A matrix-multiply provider for the distance engine: row-major single and double precision GEMM,
/// C ← α·op(A)·op(B) + β·C, plus thread control. The managed implementation is always present; native
/// ones (OpenBLAS, MKL) are probed at run time by <see cref="Blas"/>.
/// </summary>
public abstract class BlasProvider
{
    /// <summary>The implementation behind this provider.</summary>
    public abstract BlasKind Kind { get; }

    /// <summary>One line saying what this provider is: library, version or configuration, threads.</summary>
    public abstract string Describe();

    /// <summary>Worker threads the provider uses for one GEMM call.</summary>
    public abstract int Threads { get; }

    /// <summary>Sets the worker threads for later GEMM calls; values ≤ 0 mean all cores.</summary>
    public abstract void SetThreads(int threads);

    /// <summary>
    /// Row-major single precision GEMM: C (m×n) ← α·op(A)·op(B) + β·C, op(A) m×k and op(B) k×n, where op
    /// transposes when <paramref name="transA"/> / <paramref name="transB"/> is set. When β = 0, C is not read.
    /// </summary>
    public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        Check(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0) return;
        SgemmCore(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /// <summary>Row-major double precision GEMM: C (m×n) ← α·op(A)·op(B) + β·C (see <see cref="Sgemm"/>).</summary>
    public void Dgemm(bool transA, bool transB, int m, int n, int k, double alpha, ReadOnlySpan<double> a, int lda,
        ReadOnlySpan<double> b, int ldb, double beta, Span<double> c, int ldc)
    {
        Check(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0) return;
        DgemmCore(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /// <summary>GEMM on arguments already checked by <see cref="Sgemm"/>; m, n ≥ 1.</summary>
    protected abstract void SgemmCore(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc);

    /// <summary>GEMM on arguments already checked by <see cref="Dgemm"/>; m, n ≥ 1.</summary>
    protected abstract void DgemmCore(bool transA, bool transB, int m, int n, int k, double alpha, ReadOnlySpan<double> a, int lda,
        ReadOnlySpan<double> b, int ldb, double beta, Span<double> c, int ldc);

    /// <inheritdoc />
    public override string ToString() => Describe();

    private static void Check(bool transA, bool transB, int m, int n, int k, int aLen, int lda, int bLen, int ldb, int cLen, int ldc)
    {
        if (m < 0) throw new ArgumentOutOfRangeException(nameof(m), m, $"m must be >= 0; got {m}.");
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, $"n must be >= 0; got {n}.");
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be >= 0; got {k}.");
        // Stored shapes (row-major): A is m×k (or k×m transposed), B is k×n (or n×k), C is m×n.
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        CheckOperand("a", "lda", aRows, aCols, aLen, lda);
        CheckOperand("b", "ldb", bRows, bCols, bLen, ldb);
        CheckOperand("c", "ldc", m, n, cLen, ldc);
    }

    private static void CheckOperand(string name, string ldName, int rows, int cols, int length, int ld)
    {
        if (ld < Math.Max(1, cols))
            throw new ArgumentOutOfRangeException(ldName, ld, $"{ldName} must be >= max(1, {cols}) for a {rows}×{cols} operand; got {ld}.");
        long need = rows == 0 || cols == 0 ? 0 : (long)(rows - 1) * ld + cols;
        if (length < need)
            throw new ArgumentException($"{name} holds {length} values, but a {rows}×{cols} operand with leading dimension {ld} needs {need}.", name);
    }
}
