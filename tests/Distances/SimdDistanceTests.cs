using System.Runtime.Intrinsics;
using DenseAm.Distances;
using DenseAm.Tests.Native;
using Xunit;
using Xunit.Abstractions;

namespace DenseAm.Tests.Distances;

/// <summary>
/// Each SIMD width of the squared-distance and dot kernels against the float64 scalar reference, over awkward
/// lengths (empty, shorter than a vector, one past, the masked-overlap tails, and d = 784).
/// Tolerance: every term (a_i − b_i)² is non-negative, so a sum of d terms computed in type T, in any order,
/// with or without fused multiply-adds, is within (d + 2)·u_T·S of the exact sum S (one rounding for the
/// difference, one for the square, at most d − 1 for the additions; u_T = 2⁻²⁴ or 2⁻⁵³). The reference itself
/// is within (d + 2)·2⁻⁵³·S. The tests allow 2·(d + 2)·u_T·S + 1e-300, i.e. <see cref="SimdDistance.ErrorBound{T}"/>.
/// Widths the machine lacks are skipped and reported; the suite is also meant to run under
/// DOTNET_EnableAVX512F=0 and DOTNET_EnableHWIntrinsic=0, where the driver falls back to narrower paths.
/// </summary>
public sealed class SimdDistanceTests(ITestOutputHelper output)
{
    public static readonly int[] Lengths = [0, 1, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64, 784];

    public static TheoryData<int> LengthData()
    {
        var t = new TheoryData<int>();
        foreach (var n in Lengths) t.Add(n);
        return t;
    }

    private void Report(string what)
    {
        output.WriteLine(what);
        Console.WriteLine($"[SimdDistanceTests] {what}");
    }

    [Theory]
    [MemberData(nameof(LengthData))]
    public void EveryWidthMatchesReferenceFloat32(int n) => CheckAllWidths<float>(n, 100 + (ulong)n);

    [Theory]
    [MemberData(nameof(LengthData))]
    public void EveryWidthMatchesReferenceFloat64(int n) => CheckAllWidths<double>(n, 200 + (ulong)n);

    private void CheckAllWidths<T>(int n, ulong seed) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var rng = new TestRng(seed);
        var a = new T[n];
        var b = new T[n];
        for (int i = 0; i < n; i++) { a[i] = T.CreateTruncating(rng.Uniform() * 3); b[i] = T.CreateTruncating(rng.Uniform() * 3); }
        double reference = SimdDistance.Reference<T>(a, b);
        double dotRef = 0, dotAbs = 0;
        for (int i = 0; i < n; i++) { double p = double.CreateTruncating(a[i]) * double.CreateTruncating(b[i]); dotRef += p; dotAbs += Math.Abs(p); }
        double tol = SimdDistance.ErrorBound<T>(reference, n) + 1e-300;
        double dotTol = 2 * (n + 2) * SimdDistance.UnitRoundoff<T>() * dotAbs + 1e-300;
        var ran = new List<string>();

        void Check(string name, T value, T dot)
        {
            ran.Add(name);
            Assert.True(Math.Abs(double.CreateTruncating(value) - reference) <= tol, $"{typeof(T).Name} {name} n={n}: {value} vs reference {reference} (tol {tol})");
            Assert.True(Math.Abs(double.CreateTruncating(dot) - dotRef) <= dotTol, $"{typeof(T).Name} {name} dot n={n}: {dot} vs {dotRef}");
        }

        Check("driver", SimdDistance.SquaredEuclidean<T>(a, b), SimdDistance.Dot<T>(a, b));
        Check("scalar", SimdDistance.SquaredScalar<T>(a, b), SimdDistance.Dot<T>(a.AsSpan(0, 0), b.AsSpan(0, 0)) + Dot(a, b));
        if (Vector128.IsHardwareAccelerated && n >= Vector128<T>.Count) Check("Vector128", SimdDistance.Squared128<T>(a, b), SimdDistance.Dot128<T>(a, b));
        if (Vector256.IsHardwareAccelerated && n >= Vector256<T>.Count) Check("Vector256", SimdDistance.Squared256<T>(a, b), SimdDistance.Dot256<T>(a, b));
        if (Vector512.IsHardwareAccelerated && n >= Vector512<T>.Count) Check("Vector512", SimdDistance.Squared512<T>(a, b), SimdDistance.Dot512<T>(a, b));
        Report($"{typeof(T).Name} n={n}: ran {string.Join(", ", ran)} (accelerated: 128={Vector128.IsHardwareAccelerated}, 256={Vector256.IsHardwareAccelerated}, 512={Vector512.IsHardwareAccelerated})");
    }

    private static T Dot<T>(T[] a, T[] b) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        T s = T.Zero;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    [Fact]
    public void ReferenceOfDoublesIsTheCoreDefinitionBitForBit()
    {
        var rng = new TestRng(7);
        foreach (int n in Lengths)
        {
            var a = rng.Doubles(n);
            var b = rng.Doubles(n);
            Assert.Equal(SquaredDistance.Reference(a, b), SimdDistance.Reference<double>(a, b));
        }
    }

    [Fact]
    public void DifferentLengthsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => SimdDistance.SquaredEuclidean<float>(new float[3], new float[4]));
        Assert.Throws<ArgumentException>(() => SimdDistance.Dot<double>(new double[3], new double[2]));
    }

    [Fact]
    public void MaskedTailDoesNotCountOverlappingLanesTwice()
    {
        // a − b = 1 in every coordinate: the exact answer is n, which double counting would exceed.
        foreach (int n in Lengths)
        {
            var a = Enumerable.Repeat(1f, n).ToArray();
            var b = new float[n];
            Assert.Equal(n, SimdDistance.SquaredEuclidean<float>(a, b));
            if (Vector512.IsHardwareAccelerated && n >= 16) Assert.Equal(n, SimdDistance.Squared512<float>(a, b));
            if (Vector256.IsHardwareAccelerated && n >= 8) Assert.Equal(n, SimdDistance.Squared256<float>(a, b));
            if (Vector128.IsHardwareAccelerated && n >= 4) Assert.Equal(n, SimdDistance.Squared128<float>(a, b));
        }
    }
}
