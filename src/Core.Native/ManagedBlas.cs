using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DenseAm.Native;

/// <summary>
/// The managed GEMM: operands packed into cache-sized panels (Goto/BLIS blocking), a 6×(2 vectors) register
/// micro-kernel in Vector512 or Vector256 with fused multiply-adds (scalar when neither is accelerated), and
/// row blocks of C spread over threads. Each element of C is summed over k in the same order whatever the
/// thread count, so results do not depend on it.
/// </summary>
internal sealed class ManagedBlas : BlasProvider
{
    private int _threads = Environment.ProcessorCount;

    public override BlasKind Kind => BlasKind.Managed;

    public override int Threads => _threads;

    public override void SetThreads(int threads) => _threads = threads <= 0 ? Environment.ProcessorCount : threads;

    public override string Describe() =>
        $"managed gemm ({(Vector512.IsHardwareAccelerated ? "Vector512" : Vector256.IsHardwareAccelerated ? "Vector256" : "scalar")}), {_threads} threads";

    protected override void SgemmCore(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc) =>
        ManagedGemm<float>.Run(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, _threads);

    protected override void DgemmCore(bool transA, bool transB, int m, int n, int k, double alpha, ReadOnlySpan<double> a, int lda,
        ReadOnlySpan<double> b, int ldb, double beta, Span<double> c, int ldc) =>
        ManagedGemm<double>.Run(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, _threads);
}

/// <summary>Blocked GEMM for float or double (see <see cref="ManagedBlas"/>).</summary>
internal static unsafe class ManagedGemm<T> where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
{
    internal const int MR = 6;
    private const int KcMax = 256;
    private const int Mc = 72;     // 12 row strips: an A block of 72×256 stays in L2
    private const int NcMax = 2048;

    /// <summary>Register tile width: two vectors of the widest accelerated size.</summary>
    internal static readonly int NR = Vector512.IsHardwareAccelerated ? 2 * Vector512<T>.Count
        : Vector256.IsHardwareAccelerated ? 2 * Vector256<T>.Count : 8;

    internal static void Run(bool transA, bool transB, int m, int n, int k, T alpha, ReadOnlySpan<T> a, int lda,
        ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc, int threads)
    {
        if (k == 0 || alpha == T.Zero)
        {
            for (int i = 0; i < m; i++)
            {
                var row = c.Slice(i * ldc, n);
                if (beta == T.Zero) row.Clear();
                else for (int j = 0; j < n; j++) row[j] *= beta;
            }
            return;
        }
        int nr = NR;
        // Even K blocks (e.g. 784 = 4×196, not 3×256 + 16) keep every panel pass long.
        int kBlocks = (k + KcMax - 1) / KcMax;
        int kc0 = (k + kBlocks - 1) / kBlocks;
        int nc0 = Math.Min(NcMax, RoundUp(n, nr));
        var bPack = ArrayPool<T>.Shared.Rent(kc0 * RoundUp(nc0, nr) + 64);
        var opts = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) };
        try
        {
            fixed (T* pa0 = a)
            fixed (T* pb0 = b)
            fixed (T* pc0 = c)
            fixed (T* pbp = bPack)
            {
                var job = new Job
                {
                    A = pa0, B = pb0, C = pc0, BPack = pbp, Lda = lda, Ldb = ldb, Ldc = ldc,
                    TransA = transA, TransB = transB, M = m, Alpha = alpha, Beta = beta,
                };
                for (int jc = 0; jc < n; jc += nc0)
                {
                    int nc = Math.Min(nc0, n - jc);
                    for (int pc = 0; pc < k; pc += kc0)
                    {
                        int kc = Math.Min(kc0, k - pc);
                        job.Jc = jc; job.Nc = nc; job.Pc = pc; job.Kc = kc; job.First = pc == 0;
                        int strips = (nc + nr - 1) / nr;
                        var j1 = job;
                        if (threads > 1 && strips > 1 && (long)kc * nc > 32_768)
                            Parallel.For(0, strips, opts, s => PackB(j1, s));
                        else
                            for (int s = 0; s < strips; s++) PackB(j1, s);
                        int mBlocks = (m + Mc - 1) / Mc;
                        if (threads > 1 && mBlocks > 1)
                            Parallel.For(0, mBlocks, opts, () => ArrayPool<T>.Shared.Rent(Mc * kc0 + 64),
                                (ib, _, aPack) => { Block(j1, ib, aPack); return aPack; },
                                aPack => ArrayPool<T>.Shared.Return(aPack));
                        else
                        {
                            var aPack = ArrayPool<T>.Shared.Rent(Mc * kc0 + 64);
                            for (int ib = 0; ib < mBlocks; ib++) Block(j1, ib, aPack);
                            ArrayPool<T>.Shared.Return(aPack);
                        }
                    }
                }
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(bPack);
        }
    }

    private static int RoundUp(int x, int to) => (x + to - 1) / to * to;

    private struct Job
    {
        public T* A, B, C, BPack;
        public int Lda, Ldb, Ldc, M, Jc, Nc, Pc, Kc;
        public bool TransA, TransB, First;
        public T Alpha, Beta;
    }

    /// <summary>Packs strip s of op(B)[pc:pc+kc, jc:jc+nc]: kc rows of NR values, zero-padded past n.</summary>
    private static void PackB(in Job j, int s)
    {
        int nr = NR;
        T* dst = j.BPack + (long)s * j.Kc * nr;
        int j0 = j.Jc + s * nr, width = Math.Min(nr, j.Jc + j.Nc - j0);
        for (int p = 0; p < j.Kc; p++)
        {
            T* d = dst + p * nr;
            int kk = j.Pc + p;
            if (!j.TransB)
            {
                T* src = j.B + (long)kk * j.Ldb + j0;
                for (int q = 0; q < width; q++) d[q] = src[q];
            }
            else
            {
                T* src = j.B + (long)j0 * j.Ldb + kk;
                for (int q = 0; q < width; q++) d[q] = src[(long)q * j.Ldb];
            }
            for (int q = width; q < nr; q++) d[q] = T.Zero;
        }
    }

    /// <summary>One MC-row block of C for the current (jc, pc) panel: pack A, then every register tile.</summary>
    private static void Block(in Job j, int ib, T[] aPackArray)
    {
        int nr = NR;
        int i0 = ib * Mc, mc = Math.Min(Mc, j.M - i0);
        fixed (T* aPack = aPackArray)
        {
            int aStrips = (mc + MR - 1) / MR;
            for (int s = 0; s < aStrips; s++)
            {
                T* dst = aPack + (long)s * j.Kc * MR;
                int r0 = i0 + s * MR, h = Math.Min(MR, i0 + mc - r0);
                for (int p = 0; p < j.Kc; p++)
                {
                    int kk = j.Pc + p;
                    T* d = dst + p * MR;
                    if (!j.TransA)
                        for (int q = 0; q < h; q++) d[q] = j.A[(long)(r0 + q) * j.Lda + kk];
                    else
                    {
                        T* src = j.A + (long)kk * j.Lda + r0;
                        for (int q = 0; q < h; q++) d[q] = src[q];
                    }
                    for (int q = h; q < MR; q++) d[q] = T.Zero;
                }
            }
            T* tile = stackalloc T[MR * 64];
            int bStrips = (j.Nc + nr - 1) / nr;
            for (int sb = 0; sb < bStrips; sb++)
            {
                int c0 = j.Jc + sb * nr, w = Math.Min(nr, j.Jc + j.Nc - c0);
                T* bp = j.BPack + (long)sb * j.Kc * nr;
                for (int s = 0; s < aStrips; s++)
                {
                    int r0 = i0 + s * MR, h = Math.Min(MR, i0 + mc - r0);
                    T* ap = aPack + (long)s * j.Kc * MR;
                    T* cp = j.C + (long)r0 * j.Ldc + c0;
                    bool full = h == MR && w == nr;
                    if (Vector512.IsHardwareAccelerated)
                    {
                        if (full) Kernel512(j.Kc, ap, bp, cp, j.Ldc, j.Alpha, j.Beta, j.First);
                        else { Kernel512(j.Kc, ap, bp, tile, nr, T.One, T.Zero, true); Merge(tile, nr, cp, j.Ldc, h, w, j.Alpha, j.Beta, j.First); }
                    }
                    else if (Vector256.IsHardwareAccelerated)
                    {
                        if (full) Kernel256(j.Kc, ap, bp, cp, j.Ldc, j.Alpha, j.Beta, j.First);
                        else { Kernel256(j.Kc, ap, bp, tile, nr, T.One, T.Zero, true); Merge(tile, nr, cp, j.Ldc, h, w, j.Alpha, j.Beta, j.First); }
                    }
                    else
                    {
                        KernelScalar(j.Kc, ap, bp, tile, nr);
                        Merge(tile, nr, cp, j.Ldc, h, w, j.Alpha, j.Beta, j.First);
                    }
                }
            }
        }
    }

    private static void Merge(T* tile, int nr, T* c, int ldc, int h, int w, T alpha, T beta, bool first)
    {
        for (int i = 0; i < h; i++)
        {
            T* cr = c + (long)i * ldc;
            T* tr = tile + i * nr;
            for (int q = 0; q < w; q++)
                cr[q] = first ? (beta == T.Zero ? alpha * tr[q] : alpha * tr[q] + beta * cr[q]) : cr[q] + alpha * tr[q];
        }
    }

    private static void KernelScalar(int kc, T* a, T* b, T* tile, int nr)
    {
        for (int q = 0; q < MR * nr; q++) tile[q] = T.Zero;
        for (int p = 0; p < kc; p++)
        {
            T* ar = a + p * MR;
            T* br = b + p * nr;
            for (int i = 0; i < MR; i++)
            {
                T av = ar[i];
                T* tr = tile + i * nr;
                for (int q = 0; q < nr; q++) tr[q] = T.FusedMultiplyAdd(av, br[q], tr[q]);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Fma(Vector512<T> a, Vector512<T> b, Vector512<T> c)
    {
        if (typeof(T) == typeof(float)) return Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        return Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Fma(Vector256<T> a, Vector256<T> b, Vector256<T> c)
    {
        if (typeof(T) == typeof(float)) return Vector256.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        return Vector256.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(Vector512<T> acc, T* c, T alpha, T beta, bool first)
    {
        var v = acc * alpha;
        if (first)
        {
            if (beta != T.Zero) v += Vector512.Load(c) * beta;
        }
        else v += Vector512.Load(c);
        Vector512.Store(v, c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256(Vector256<T> acc, T* c, T alpha, T beta, bool first)
    {
        var v = acc * alpha;
        if (first)
        {
            if (beta != T.Zero) v += Vector256.Load(c) * beta;
        }
        else v += Vector256.Load(c);
        Vector256.Store(v, c);
    }

    /// <summary>6×(2·Vector512) register tile: c[i, :] += a[i]·b[:] for each k, then merged into C (alpha, beta).</summary>
    private static void Kernel512(int kc, T* a, T* b, T* c, int ldc, T alpha, T beta, bool first)
    {
        int w = Vector512<T>.Count;
        Vector512<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<T> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        int nr = 2 * w;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + w);
            var x = Vector512.Create(a[0]); c00 = Fma(x, b0, c00); c01 = Fma(x, b1, c01);
            x = Vector512.Create(a[1]); c10 = Fma(x, b0, c10); c11 = Fma(x, b1, c11);
            x = Vector512.Create(a[2]); c20 = Fma(x, b0, c20); c21 = Fma(x, b1, c21);
            x = Vector512.Create(a[3]); c30 = Fma(x, b0, c30); c31 = Fma(x, b1, c31);
            x = Vector512.Create(a[4]); c40 = Fma(x, b0, c40); c41 = Fma(x, b1, c41);
            x = Vector512.Create(a[5]); c50 = Fma(x, b0, c50); c51 = Fma(x, b1, c51);
            a += MR;
            b += nr;
        }
        Store512(c00, c, alpha, beta, first); Store512(c01, c + w, alpha, beta, first); c += ldc;
        Store512(c10, c, alpha, beta, first); Store512(c11, c + w, alpha, beta, first); c += ldc;
        Store512(c20, c, alpha, beta, first); Store512(c21, c + w, alpha, beta, first); c += ldc;
        Store512(c30, c, alpha, beta, first); Store512(c31, c + w, alpha, beta, first); c += ldc;
        Store512(c40, c, alpha, beta, first); Store512(c41, c + w, alpha, beta, first); c += ldc;
        Store512(c50, c, alpha, beta, first); Store512(c51, c + w, alpha, beta, first);
    }

    /// <summary>6×(2·Vector256) register tile (see <see cref="Kernel512"/>).</summary>
    private static void Kernel256(int kc, T* a, T* b, T* c, int ldc, T alpha, T beta, bool first)
    {
        int w = Vector256<T>.Count;
        Vector256<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<T> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        int nr = 2 * w;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + w);
            var x = Vector256.Create(a[0]); c00 = Fma(x, b0, c00); c01 = Fma(x, b1, c01);
            x = Vector256.Create(a[1]); c10 = Fma(x, b0, c10); c11 = Fma(x, b1, c11);
            x = Vector256.Create(a[2]); c20 = Fma(x, b0, c20); c21 = Fma(x, b1, c21);
            x = Vector256.Create(a[3]); c30 = Fma(x, b0, c30); c31 = Fma(x, b1, c31);
            x = Vector256.Create(a[4]); c40 = Fma(x, b0, c40); c41 = Fma(x, b1, c41);
            x = Vector256.Create(a[5]); c50 = Fma(x, b0, c50); c51 = Fma(x, b1, c51);
            a += MR;
            b += nr;
        }
        Store256(c00, c, alpha, beta, first); Store256(c01, c + w, alpha, beta, first); c += ldc;
        Store256(c10, c, alpha, beta, first); Store256(c11, c + w, alpha, beta, first); c += ldc;
        Store256(c20, c, alpha, beta, first); Store256(c21, c + w, alpha, beta, first); c += ldc;
        Store256(c30, c, alpha, beta, first); Store256(c31, c + w, alpha, beta, first); c += ldc;
        Store256(c40, c, alpha, beta, first); Store256(c41, c + w, alpha, beta, first); c += ldc;
        Store256(c50, c, alpha, beta, first); Store256(c51, c + w, alpha, beta, first);
    }
}
