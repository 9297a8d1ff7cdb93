namespace DenseAm.Vae;

/// <summary>A trainable parameter: its values, the gradient of the loss, and Adam's moment estimates.</summary>
public sealed class Parameter
{
    /// <summary>Creates a zero <paramref name="rows"/>×<paramref name="columns"/> parameter named <paramref name="name"/>.</summary>
    public Parameter(string name, int rows, int columns)
    {
        Name = name;
        Rows = rows;
        Columns = columns;
        Value = new double[rows * columns];
        Grad = new double[rows * columns];
        M = new double[rows * columns];
        V = new double[rows * columns];
    }

    /// <summary>Name used in saved weight files.</summary>
    public string Name { get; }

    /// <summary>Rows (1 for vectors).</summary>
    public int Rows { get; }

    /// <summary>Columns.</summary>
    public int Columns { get; }

    /// <summary>The values, row-major.</summary>
    public double[] Value { get; }

    /// <summary>∂loss/∂value, accumulated by the backward pass.</summary>
    public double[] Grad { get; }

    internal double[] M { get; }

    internal double[] V { get; }
}

/// <summary>Row-major GEMM for the network: C ← op(A)·op(B) + βC, through the toolkit's BLAS provider (MKL, OpenBLAS or managed).</summary>
internal static class Gemm
{
    public static void Run(bool transA, bool transB, int m, int n, int k, double[] a, double[] b, double beta, double[] c)
    {
        int lda = transA ? m : k, ldb = transB ? k : n;
        Native.Blas.Default.Dgemm(transA, transB, m, n, k, 1.0, a.AsSpan(0, m * k), lda, b.AsSpan(0, k * n), ldb, beta, c.AsSpan(0, m * n), n);
    }
}
