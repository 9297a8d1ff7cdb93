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

/// <summary>Row-major GEMM for the network: C ← op(A)·op(B) + βC.</summary>
internal static class Gemm
{
    public static void Run(bool transA, bool transB, int m, int n, int k, double[] a, double[] b, double beta, double[] c)
    {
        // Interim managed kernel until the BLAS provider lands: i-k-j loops over row-major data.
        Parallel.For(0, m, i =>
        {
            var ci = c.AsSpan(i * n, n);
            if (beta == 0) ci.Clear(); else if (beta != 1) foreach (ref var v in ci) v *= beta;
            for (int p = 0; p < k; p++)
            {
                double aip = transA ? a[p * m + i] : a[i * k + p];
                if (aip == 0) continue;
                if (!transB)
                {
                    var bp = b.AsSpan(p * n, n);
                    for (int j = 0; j < n; j++) ci[j] += aip * bp[j];
                }
                else
                {
                    for (int j = 0; j < n; j++) ci[j] += aip * b[j * k + p];
                }
            }
        });
    }
}
