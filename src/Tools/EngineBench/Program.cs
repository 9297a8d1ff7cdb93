using System.Diagnostics;
using DenseAm.Native;

var p = Blas.Available();
foreach (var b in p) Console.WriteLine(b.Describe());
int n = int.Parse(args.Length > 0 ? args[0] : "1024"), k = int.Parse(args.Length > 1 ? args[1] : "784");
var rng = new Random(1);
var A = new float[n * k]; var B = new float[n * k];
for (int i = 0; i < A.Length; i++) { A[i] = (float)rng.NextDouble(); B[i] = (float)rng.NextDouble(); }
float[]? first = null;
foreach (var b in p)
{
    var C = new float[n * n];
    b.Sgemm(false, true, n, n, k, 1f, A, k, B, k, 0f, C, n);
    var sw = Stopwatch.StartNew();
    int reps = 3;
    for (int r = 0; r < reps; r++) b.Sgemm(false, true, n, n, k, 1f, A, k, B, k, 0f, C, n);
    double t = sw.Elapsed.TotalSeconds / reps;
    double maxd = 0;
    if (first != null) for (int i = 0; i < C.Length; i++) maxd = Math.Max(maxd, Math.Abs(C[i] - first[i]));
    first ??= C;
    Console.WriteLine($"{b.Kind}: {2.0 * n * n * k / t / 1e9:F1} GFLOP/s maxdiff {maxd}");
}
