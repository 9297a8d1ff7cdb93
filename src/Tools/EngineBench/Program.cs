using System.Globalization;
using DenseAm.Bench;
using DenseAm.Native;

// denseam-enginebench WORKLOAD [--queries N] [--patterns N] [--dim N] [--dtype float32|float64]
//   [--radius R] [--beta B] [--repeat N] [--threads N] [--provider mkl|openblas|managed] [--seed N]
// Prints one JSON object per run on stdout (the same as `denseam bench`); --describe prints the BLAS choice.
try
{
    if (args.Length == 0 || args[0] is "-h" or "--help")
    {
        Console.WriteLine($"usage: denseam-enginebench {string.Join("|", Benchmarks.Workloads)}|--describe [--queries N] [--patterns N] [--dim N] [--dtype float32|float64] [--radius R] [--beta B] [--repeat N] [--threads N] [--provider mkl|openblas|managed] [--seed N]");
        return args.Length == 0 ? 2 : 0;
    }
    if (args[0] == "--describe")
    {
        Console.WriteLine(Blas.Describe());
        return 0;
    }
    var s = new BenchSettings();
    for (int i = 1; i < args.Length; i += 2)
    {
        if (i + 1 >= args.Length) throw new ArgumentException($"option {args[i]} needs a value.");
        string v = args[i + 1];
        var c = CultureInfo.InvariantCulture;
        s = args[i] switch
        {
            "--queries" => s with { Queries = int.Parse(v, c) },
            "--patterns" => s with { Patterns = int.Parse(v, c) },
            "--dim" => s with { Dim = int.Parse(v, c) },
            "--dtype" => s with { DType = v is "float32" or "f32" ? BenchDType.Float32 : v is "float64" or "f64" ? BenchDType.Float64 : throw new ArgumentException($"--dtype must be float32 or float64; got {v}.") },
            "--radius" => s with { Radius = double.Parse(v, c) },
            "--beta" => s with { Beta = double.Parse(v, c) },
            "--repeat" => s with { Repeat = int.Parse(v, c) },
            "--threads" => s with { Threads = int.Parse(v, c) },
            "--provider" => s with { Provider = v },
            "--seed" => s with { Seed = ulong.Parse(v, c) },
            _ => throw new ArgumentException($"unknown option {args[i]}."),
        };
    }
    Console.WriteLine(Benchmarks.Run(args[0], s).ToJson());
    return 0;
}
catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
{
    Console.Error.WriteLine($"denseam-enginebench: {e.Message}");
    return 1;
}
