using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using DenseAm.Distances;

namespace DenseAm.Enumeration;

/// <summary>
/// Exact enumeration of every memory of the LSR energy at a given β (SPEC §2, §5): every non-empty
/// S ⊆ [M] with B(c_S) = S, where B is the open support ball ‖x − ξ‖² &lt; r² = 2/β and c_S the centroid.
/// <para>
/// The search is a binary branch-and-bound over partial decisions (S in, P undecided, X out), split by the
/// smallest member of S (the "root"), so each memory is found exactly once. At every node the eventual
/// centroid c' = c_{S∪T}, T ⊆ P, lies in the polytope spanned by c_S and c_S + s(ξ_l − c_S) (l ∈ P,
/// s = |P|/(|S| + |P|)). All distances are computed in O(1) each from the squared-distance matrix D²
/// (‖c_S − ξ_k‖² = (1/n)Σ_{i∈S} D²_ik − (1/2n²)Σ_{i,j∈S} D²_ij), and the node is pruned or simplified by
/// facts that hold for every memory of the branch:
/// </para>
/// <list type="bullet">
/// <item>clique: two members are closer than 2r (D² &lt; 4r²), so a candidate too far from a member is out;</item>
/// <item>variance: (1/2n²)Σ D² over S bounds the squared radius of any ball holding S from below, so once it reaches r² no superset is a memory;</item>
/// <item>forced members: a point within r of the whole polytope (its maximum, attained at a vertex, is below r²) lies in B(c'):
/// a candidate is forced in, an excluded point kills the branch;</item>
/// <item>forced exclusions: a point farther than r from the whole polytope (bounded by the separating plane normal to
/// ξ_k − c_S) is not in B(c'): a candidate is forced out, a member kills the branch.</item>
/// </list>
/// <para>
/// Exactness: a pruning decision is taken only when the bound is past r² by more than a rounding band (stated in
/// <see cref="RoundingBand"/>), larger than the error of the D² arithmetic and of the float64 centroid; every memory
/// found is then confirmed from coordinates (centroid summed in increasing index order, divided by |S| — the point
/// Algorithm 1 stops on — and <see cref="SquaredDistance.IsWithin"/> against every pattern), so a reported memory is
/// exactly a fixed point of Algorithm 1 and no float64 memory is lost.
/// </para>
/// <para>
/// Order (identical for any thread count): memories are reported sorted by their indicator vectors
/// (1[0 ∈ S], 1[1 ∈ S], …) in decreasing lexicographic order: by root (smallest member) and, within a root, sorted
/// after the search. On member lists this is lexicographic order except that an extension of a list comes before the
/// list itself ({0,1} before {0}); see <see cref="SearchOrder"/>. The search branches on the candidate farthest from
/// the current centroid (include first, then exclude).
/// </para>
/// </summary>
public sealed class MemoryEnumerator
{
    private const double UnitRoundoff = 1.0 / (1L << 53);
    private readonly double[] _d2;

    /// <summary>Prepares the enumeration of the memories of <paramref name="patterns"/> at inverse temperature <paramref name="beta"/>.</summary>
    /// <exception cref="ArgumentException">Fewer than two patterns, two identical patterns, or β not a positive finite number with finite 2/β.</exception>
    public MemoryEnumerator(StoredPatterns patterns, double beta)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        Guard.Positive(beta);
        double r2 = 2.0 / beta;
        if (!double.IsFinite(r2) || r2 == 0)
            throw new ArgumentOutOfRangeException(nameof(beta), beta, $"beta = {Guard.Fmt(beta)} gives a support radius² 2/β that is not a positive finite number.");
        int m = patterns.Count, d = patterns.Dimension;
        if (m < 2)
            throw new ArgumentException($"patterns must hold at least 2 stored patterns to enumerate memories; got M = {m}.", nameof(patterns));
        if (m > MaxPatterns)
            throw new ArgumentException($"patterns has M = {m} rows; the enumerator keeps the M×M squared-distance matrix and accepts at most {MaxPatterns} (enumerate a neighbourhood instead).", nameof(patterns));
        Patterns = patterns;
        Beta = beta;
        RadiusSquared = r2;
        _d2 = new double[(long)m * m];
        double maxD2 = 0, maxAbs = 0;
        foreach (double v in patterns.Data) maxAbs = Math.Max(maxAbs, Math.Abs(v));
        for (int i = 0; i < m; i++)
        {
            for (int j = i + 1; j < m; j++)
            {
                double v = SquaredDistance.Reference(patterns[i], patterns[j]);
                if (v == 0)
                    throw new ArgumentException($"patterns has duplicate rows {i} and {j}; memories of identical patterns are not well defined (remove duplicates).", nameof(patterns));
                _d2[(long)i * m + j] = v;
                _d2[(long)j * m + i] = v;
                maxD2 = Math.Max(maxD2, v);
            }
        }
        MaxSquaredDistance = maxD2;
        // The band covers (i) the error of D² entries and of the incremental sums (≤ M² terms, cancellation relative to
        // the largest D²), and (ii) the float64 centroid (|S| + 1 roundings per coordinate of size ≤ max|ξ|) and the
        // float64 distance from it (d + 4 roundings): all bounded by a small multiple of u·(M² + M·d + d)·scale.
        double scale = Math.Max(r2, Math.Max(maxD2, maxAbs * maxAbs * d));
        RoundingBand = scale * (1e-12 + 64 * UnitRoundoff * ((double)m * m + (double)m * d + d + 16));
    }

    /// <summary>Largest M accepted (the M×M matrix of squared distances is held in memory: 800 MB at this size).</summary>
    public const int MaxPatterns = 10_000;

    /// <summary>The stored patterns Ξ.</summary>
    public StoredPatterns Patterns { get; }

    /// <summary>β.</summary>
    public double Beta { get; }

    /// <summary>r² = 2/β.</summary>
    public double RadiusSquared { get; }

    /// <summary>max_{μ,ν} ‖ξ_μ − ξ_ν‖².</summary>
    public double MaxSquaredDistance { get; }

    /// <summary>
    /// The absolute rounding band around r² inside which no pruning decision is taken from the D² arithmetic
    /// (decisions there are left to the float64 confirmation from coordinates).
    /// </summary>
    public double RoundingBand { get; }

    /// <summary>
    /// The order in which memories are reported: member lists compared element by element; when one list is a prefix of
    /// the other, the longer comes first.
    /// </summary>
    public static int SearchOrder(IReadOnlyList<int> x, IReadOnlyList<int> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        for (int i = 0; i < Math.Min(x.Count, y.Count); i++)
            if (x[i] != y[i]) return x[i].CompareTo(y[i]);
        return y.Count.CompareTo(x.Count);
    }

    /// <summary>D²_ij (float64 reference distances).</summary>
    internal double SquaredDistanceAt(int i, int j) => _d2[(long)i * Patterns.Count + j];

    /// <summary>Finds every memory; returns them in search order (<see cref="SearchOrder"/>), with margins and basin radii.</summary>
    public EnumerationResult Collect(MemoryEnumerationOptions? options = null) => Run(options, collect: true, onMemory: null);

    /// <summary>Counts the memories (stored and novel) without keeping them.</summary>
    public EnumerationResult Count(MemoryEnumerationOptions? options = null) => Run(options, collect: false, onMemory: null);

    /// <summary>
    /// Finds every memory and hands each to <paramref name="onMemory"/> in search order (<see cref="SearchOrder"/>; memories of
    /// a root are buffered until all earlier roots are done). Calls are serialised. The result holds no memory list.
    /// </summary>
    public EnumerationResult Stream(Action<LsrMemory> onMemory, MemoryEnumerationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(onMemory);
        return Run(options, collect: false, onMemory);
    }

    /// <summary>
    /// The memories as an asynchronous stream in search order, produced on a background task; the final
    /// <see cref="EnumerationResult"/> (completeness, nodes, time) is passed to <paramref name="onFinished"/> if given.
    /// </summary>
    public async IAsyncEnumerable<LsrMemory> StreamAsync(MemoryEnumerationOptions? options = null, Action<EnumerationResult>? onFinished = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        options ??= new MemoryEnumerationOptions();
        options.Validate();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, options.Cancellation);
        var opts = options with { Cancellation = linked.Token };
        var channel = Channel.CreateBounded<LsrMemory>(new BoundedChannelOptions(4096) { SingleReader = true, SingleWriter = true });
        var producer = Task.Run(() =>
        {
            try
            {
                var result = Run(opts, collect: false, m =>
                {
                    while (!channel.Writer.TryWrite(m))
                    {
                        if (!channel.Writer.WaitToWriteAsync(linked.Token).AsTask().GetAwaiter().GetResult()) return;
                    }
                });
                onFinished?.Invoke(result);
                channel.Writer.TryComplete();
            }
            catch (Exception ex)
            {
                channel.Writer.TryComplete(ex is OperationCanceledException ? null : ex);
            }
        }, CancellationToken.None);
        try
        {
            await foreach (var m in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                yield return m;
        }
        finally
        {
            linked.Cancel();
            await producer.ConfigureAwait(false);
        }
    }

    private EnumerationResult Run(MemoryEnumerationOptions? options, bool collect, Action<LsrMemory>? onMemory)
    {
        options ??= new MemoryEnumerationOptions();
        options.Validate();
        if (options.Confirmation == CoordinateConfirmation.WhenNearBoundary && (collect || onMemory != null))
            throw new ArgumentException("CoordinateConfirmation.WhenNearBoundary is only for count-only enumeration: reported memories are always confirmed from coordinates.", nameof(options));
        var shared = new Shared(this, options, collect || onMemory != null, onMemory);
        int m = Patterns.Count;
        int threads = options.MaxThreads <= 0 ? Environment.ProcessorCount : options.MaxThreads;
        threads = Math.Max(1, Math.Min(threads, m));
        if (threads == 1)
        {
            Worker(shared);
        }
        else
        {
            var tasks = new Task[threads];
            for (int t = 0; t < threads; t++) tasks[t] = Task.Factory.StartNew(() => Worker(shared), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            Task.WaitAll(tasks);
        }
        shared.FlushRemaining();
        var memories = new List<LsrMemory>();
        long count = 0, stored = 0, nodes = 0;
        for (int i = 0; i < m; i++)
        {
            count += shared.RootCount[i];
            stored += shared.RootStored[i];
            nodes += shared.RootNodes[i];
            if (collect && shared.RootMemories[i] is { } list) memories.AddRange(list);
        }
        var stop = (EnumerationStop)shared.StopReason;
        return new EnumerationResult(m, Patterns.Dimension, Beta, memories, count, stored, stop, nodes, shared.RootDone, shared.Clock.Elapsed.TotalSeconds);
    }

    private void Worker(Shared shared)
    {
        var search = new Search(this, shared);
        while (true)
        {
            int root = Interlocked.Increment(ref shared.NextRoot) - 1;
            if (root >= Patterns.Count || shared.StopReason != 0) return;
            search.RunRoot(root);
        }
    }

    /// <summary>State shared by the worker threads of one run.</summary>
    private sealed class Shared
    {
        public readonly MemoryEnumerator Owner;
        public readonly MemoryEnumerationOptions Options;
        public readonly bool KeepMemories;
        public readonly Action<LsrMemory>? OnMemory;
        public readonly Stopwatch Clock = Stopwatch.StartNew();
        public readonly long[] RootCount, RootStored, RootNodes;
        public readonly bool[] RootDone, RootFinished;
        public readonly List<LsrMemory>?[] RootMemories;
        public int NextRoot;
        public int StopReason;
        public long TotalNodes, TotalMemories;
        private int _nextToEmit;
        private readonly object _emitLock = new();

        public Shared(MemoryEnumerator owner, MemoryEnumerationOptions options, bool keep, Action<LsrMemory>? onMemory)
        {
            Owner = owner;
            Options = options;
            KeepMemories = keep;
            OnMemory = onMemory;
            int m = owner.Patterns.Count;
            RootCount = new long[m];
            RootStored = new long[m];
            RootNodes = new long[m];
            RootDone = new bool[m];
            RootFinished = new bool[m];
            RootMemories = new List<LsrMemory>?[m];
        }

        public void Stop(EnumerationStop reason) => Interlocked.CompareExchange(ref StopReason, (int)reason, 0);

        /// <summary>Adds a block of nodes and checks the node, time and cancellation budgets.</summary>
        public bool AddNodes(long n)
        {
            long total = Interlocked.Add(ref TotalNodes, n);
            if (Options.MaxNodes is { } maxNodes && total >= maxNodes) Stop(EnumerationStop.NodeBudget);
            if (Options.MaxSeconds is { } maxSeconds && Clock.Elapsed.TotalSeconds >= maxSeconds) Stop(EnumerationStop.TimeBudget);
            if (Options.Cancellation.IsCancellationRequested) Stop(EnumerationStop.Cancelled);
            return StopReason != 0;
        }

        public bool AddMemory()
        {
            long total = Interlocked.Increment(ref TotalMemories);
            if (Options.MaxMemories is { } max && total >= max) Stop(EnumerationStop.MemoryBudget);
            return StopReason != 0;
        }

        /// <summary>Marks a root as finished and streams, in root order, every root whose predecessors are all finished.</summary>
        public void FinishRoot(int root, bool complete)
        {
            lock (_emitLock)
            {
                RootDone[root] = complete;
                RootFinished[root] = true;
                if (OnMemory == null) return;
                while (_nextToEmit < RootFinished.Length && RootFinished[_nextToEmit])
                {
                    EmitRoot(_nextToEmit);
                    _nextToEmit++;
                }
            }
        }

        public void FlushRemaining()
        {
            if (OnMemory == null) return;
            lock (_emitLock)
            {
                for (; _nextToEmit < RootFinished.Length; _nextToEmit++) EmitRoot(_nextToEmit);
            }
        }

        private void EmitRoot(int root)
        {
            if (RootMemories[root] is not { } list) return;
            foreach (var mem in list) OnMemory!(mem);
            RootMemories[root] = null;
        }
    }

    /// <summary>One worker's depth-first search; frames are reused across nodes and roots.</summary>
    private sealed class Search
    {
        private const byte Out = 0, In = 1, Cand = 2;
        private const int NodeBlock = 4096;
        private readonly MemoryEnumerator _e;
        private readonly Shared _sh;
        private readonly int _m, _d;
        private readonly double[] _d2;
        private readonly double _r2, _inLimit, _outLimit, _cliqueLimit, _band;
        private readonly List<Frame> _frames = new();
        private readonly double[] _a;
        private readonly int[] _forcedIn, _forcedOut;
        private readonly double[] _centroid, _dist2;
        private readonly List<int> _members = new();
        private readonly double[] _sortBuf, _aBot, _aTop, _dBot;
        private readonly int[] _relevant;
        private bool _prepared;
        private double _pairMin, _pairMax;
        private long _pendingNodes, _rootNodes;
        private bool _aborted;
        private int _root;
        private List<LsrMemory>? _rootList;
        private long _rootCount, _rootStored;

        public Search(MemoryEnumerator e, Shared sh)
        {
            _e = e;
            _sh = sh;
            _m = e.Patterns.Count;
            _d = e.Patterns.Dimension;
            _d2 = e._d2;
            _r2 = e.RadiusSquared;
            _band = e.RoundingBand;
            _inLimit = _r2 - _band;
            _outLimit = _r2 + _band;
            // Two members are both within r of c': D_ij < 2r, so D² ≥ 4r² (past the band) excludes the pair.
            _cliqueLimit = 4 * _r2 + 4 * _band;
            _a = new double[_m];
            _forcedIn = new int[_m];
            _forcedOut = new int[_m];
            _centroid = new double[_d];
            _dist2 = new double[_m];
            _sortBuf = new double[_m];
            _relevant = new int[_m];
            _aBot = new double[_m + 1];
            _aTop = new double[_m + 1];
            _dBot = new double[_m + 1];
        }

        private Frame FrameAt(int depth)
        {
            while (_frames.Count <= depth) _frames.Add(new Frame(_m));
            return _frames[depth];
        }

        public void RunRoot(int root)
        {
            _root = root;
            _aborted = false;
            _rootNodes = 0;
            _rootCount = 0;
            _rootStored = 0;
            _rootList = _sh.KeepMemories ? new List<LsrMemory>() : null;
            var f = FrameAt(0);
            int m = _m;
            long rowOffset = (long)root * m;
            f.N = 1;
            f.W = 0;
            f.Pc = 0;
            for (int k = 0; k < m; k++)
            {
                double v = _d2[rowOffset + k];
                f.A[k] = v;
                if (k < root) f.St[k] = Out;
                else if (k == root) f.St[k] = In;
                else if (v < _cliqueLimit) { f.St[k] = Cand; f.P[f.Pc++] = k; }
                else f.St[k] = Out;
            }
            Node(0);
            // The search order within a root follows the branching rule; reports are in SearchOrder.
            _rootList?.Sort((x, y) => SearchOrder(x.Members, y.Members));
            if (_pendingNodes > 0)
            {
                _sh.AddNodes(_pendingNodes);
                _pendingNodes = 0;
            }
            _sh.RootCount[root] = _rootCount;
            _sh.RootStored[root] = _rootStored;
            _sh.RootNodes[root] = _rootNodes;
            _sh.RootMemories[root] = _rootList;
            _sh.FinishRoot(root, !_aborted);
        }

        /// <summary>Processes the node held in frame <paramref name="depth"/>; the exclude branch is taken in place (a loop).</summary>
        private void Node(int depth)
        {
            var f = _frames[depth];
            int m = _m;
            var a = _a;
            var d2 = _d2;
            while (true)
            {
                _rootNodes++;
                if (++_pendingNodes >= NodeBlock)
                {
                    bool stop = _sh.AddNodes(_pendingNodes);
                    _pendingNodes = 0;
                    if (stop) _aborted = true;
                }
                if (_aborted || _sh.StopReason != 0)
                {
                    _aborted = true;
                    return;
                }

                // Propagate forced decisions until none is left (or the branch dies).
                while (true)
                {
                    int n = f.N, p = f.Pc;
                    double inv = 1.0 / n;
                    double variance = 0.5 * f.W * inv * inv;
                    if (variance >= _outLimit) return;
                    double s = p / (double)(n + p), oms = 1 - s;
                    for (int k = 0; k < m; k++) a[k] = f.A[k] * inv - variance;
                    int nIn = 0, nOut = 0;
                    var P = f.P;
                    _prepared = false;
                    // Phase 1: the O(p) polytope bounds for every point, keeping the points they could not settle.
                    int nRel = 0;
                    for (int k = 0; k < m; k++)
                    {
                        byte st = f.St[k];
                        double ak = a[k];
                        if (st == In)
                        {
                            if (ak < _outLimit) continue;
                            if (p == 0 || LowerBound(k, ak, s, P, p) >= _outLimit) return;
                            _relevant[nRel++] = k;
                        }
                        else if (st == Out)
                        {
                            if (ak >= _inLimit) continue;
                            if (p == 0 || UpperBound(k, ak, s, oms, P, p) < _inLimit) return;
                            _relevant[nRel++] = k;
                        }
                        else if (ak < _inLimit)
                        {
                            if (UpperBound(k, ak, s, oms, P, p) < _inLimit) _forcedIn[nIn++] = k;
                            else _relevant[nRel++] = k;
                        }
                        else if (ak >= _outLimit)
                        {
                            if (LowerBound(k, ak, s, P, p) >= _outLimit) _forcedOut[nOut++] = k;
                            else _relevant[nRel++] = k;
                        }
                    }
                    // Phase 2: the bisector test (members closer than non-members).
                    if (nIn == 0 && nOut == 0 && p > 0)
                    {
                        if (!Bisectors(f, P, p, ref nIn, ref nOut)) return;
                    }
                    // Phase 3: the size-resolved bounds, O(p log p) each, on the points still open.
                    if (nIn == 0 && nOut == 0 && p > 0)
                    {
                        for (int r = 0; r < nRel; r++)
                        {
                            int k = _relevant[r];
                            byte st = f.St[k];
                            double ak = a[k];
                            if (st == In) { if (RefinedLowerAbove(k, ak, n, P, p)) return; }
                            else if (st == Out) { if (RefinedUpperBelow(k, ak, n, P, p)) return; }
                            else if (ak < _inLimit) { if (RefinedUpperBelow(k, ak, n, P, p)) _forcedIn[nIn++] = k; }
                            else if (RefinedLowerAbove(k, ak, n, P, p)) _forcedOut[nOut++] = k;
                        }
                    }
                    if (nIn == 0 && nOut == 0) break;
                    for (int t = 0; t < nOut; t++) f.St[_forcedOut[t]] = Out;
                    for (int t = 0; t < nIn; t++)
                    {
                        int j = _forcedIn[t];
                        f.St[j] = In;
                        f.W += 2 * f.A[j];
                        f.N++;
                        long row = (long)j * m;
                        for (int k = 0; k < m; k++) f.A[k] += d2[row + k];
                    }
                    int np = 0;
                    for (int t = 0; t < p; t++)
                    {
                        int l = P[t];
                        if (f.St[l] != Cand) continue;
                        bool ok = true;
                        for (int q = 0; q < nIn; q++)
                            if (d2[(long)_forcedIn[q] * m + l] >= _cliqueLimit) { ok = false; break; }
                        if (ok) P[np++] = l; else f.St[l] = Out;
                    }
                    f.Pc = np;
                }

                if (f.Pc == 0)
                {
                    Leaf(f);
                    return;
                }

                // Include the lowest undecided index in a child frame, then exclude it here.
                // Branch on the candidate farthest from c_S: including it moves the centroid most (members fall out,
                // the branch dies early) and excluding it removes the widest vertex of the polytope. Twice fewer nodes
                // than branching on the lowest index on LMIN0-like instances.
                int pos = 0;
                for (int t = 1; t < f.Pc; t++) if (a[f.P[t]] > a[f.P[pos]]) pos = t;
                int jb = f.P[pos];
                var c = FrameAt(depth + 1);
                f = _frames[depth];
                Array.Copy(f.St, c.St, m);
                c.N = f.N + 1;
                c.W = f.W + 2 * f.A[jb];
                long jrow = (long)jb * m;
                for (int k = 0; k < m; k++) c.A[k] = f.A[k] + d2[jrow + k];
                c.St[jb] = In;
                int cp = 0;
                for (int t = 0; t < f.Pc; t++)
                {
                    int l = f.P[t];
                    if (l == jb) continue;
                    if (d2[jrow + l] < _cliqueLimit) c.P[cp++] = l; else c.St[l] = Out;
                }
                c.Pc = cp;
                Node(depth + 1);
                if (_aborted) return;
                a = _a;
                f.St[jb] = Out;
                Array.Copy(f.P, pos + 1, f.P, pos, f.Pc - pos - 1);
                f.Pc--;
            }
        }

        /// <summary>
        /// The bisector test. In a memory every member is strictly closer to c' than every non-member, and for i ∈ S',
        /// k ∉ S' the difference ‖c' − ξ_k‖² − ‖c' − ξ_i‖² = (1/|S'|)·Σ_{l∈S'} (D²_lk − D²_li) is linear in the members:
        /// its largest value over S' = S ∪ T, T ⊆ P, is (A_k − A_i) + Σ_{l∈P} max(0, D²_lk − D²_li). When that is not
        /// positive (past the band) no completion works. Tested against the farthest member and the nearest excluded
        /// point; for a candidate j the same sums decide "j cannot be in" (against the nearest excluded point) and
        /// "j cannot be out" (against the farthest member). Returns false when the branch is dead.
        /// </summary>
        private bool Bisectors(Frame f, int[] P, int p, ref int nIn, ref int nOut)
        {
            int m = _m;
            var a = _a;
            var A = f.A;
            var d2 = _d2;
            int iMax = -1, kMin = -1;
            for (int k = 0; k < m; k++)
            {
                byte st = f.St[k];
                if (st == In) { if (iMax < 0 || a[k] > a[iMax]) iMax = k; }
                else if (st == Out) { if (kMin < 0 || a[k] < a[kMin]) kMin = k; }
            }
            double limit = -2 * _band * (f.N + p) * 4 * (_m + 1);
            if (kMin >= 0)
            {
                double aiMax = a[iMax];
                for (int k = 0; k < m; k++)
                {
                    if (f.St[k] != Out || !(a[k] < aiMax)) continue;
                    if (BestDifference(A[k] - A[iMax], k, iMax, -1, P, p) <= limit) return false;
                }
                double akMin = a[kMin];
                for (int i = 0; i < m; i++)
                {
                    if (f.St[i] != In || !(a[i] > akMin) || i == iMax) continue;
                    if (BestDifference(A[kMin] - A[i], kMin, i, -1, P, p) <= limit) return false;
                }
            }
            for (int t = 0; t < p; t++)
            {
                int j = P[t];
                // j in: the nearest excluded point must stay farther than j.
                bool cannotBeIn = kMin >= 0 && BestDifference(A[kMin] + d2[(long)j * m + kMin] - A[j], kMin, j, j, P, p) <= limit;
                // j out: j must end farther than the farthest member.
                bool cannotBeOut = BestDifference(A[j] - A[iMax], j, iMax, j, P, p) <= limit;
                if (cannotBeIn && cannotBeOut) return false;
                if (cannotBeIn) _forcedOut[nOut++] = j;
                else if (cannotBeOut) _forcedIn[nIn++] = j;
            }
            return true;
        }

        /// <summary>base + Σ_{l∈P, l≠skip} max(0, D²_lk − D²_li).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private double BestDifference(double sum, int k, int i, int skip, int[] P, int p)
        {
            var d2 = _d2;
            long rk = (long)k * _m, ri = (long)i * _m;
            for (int t = 0; t < p; t++)
            {
                int l = P[t];
                if (l == skip) continue;
                double v = d2[rk + l] - d2[ri + l];
                if (v > 0) sum += v;
            }
            return sum;
        }

        /// <summary>
        /// Node data for the size-resolved bounds: the candidates' a_l sorted (prefix sums of the t smallest and t largest)
        /// and the smallest and largest D² between two candidates.
        /// </summary>
        private void Prepare(int[] P, int p)
        {
            if (_prepared) return;
            _prepared = true;
            var sorted = _sortBuf;
            for (int t = 0; t < p; t++) sorted[t] = _a[P[t]];
            Array.Sort(sorted, 0, p);
            _aBot[0] = 0;
            for (int t = 0; t < p; t++) _aBot[t + 1] = _aBot[t] + sorted[t];
            _aTop[0] = 0;
            for (int t = 0; t < p; t++) _aTop[t + 1] = _aTop[t] + sorted[p - 1 - t];
            double lo = double.PositiveInfinity, hi = 0;
            var d2 = _d2;
            for (int i = 0; i < p; i++)
            {
                long row = (long)P[i] * _m;
                for (int j = i + 1; j < p; j++)
                {
                    double v = d2[row + P[j]];
                    if (v < lo) lo = v;
                    if (v > hi) hi = v;
                }
            }
            _pairMin = p > 1 ? lo : 0;
            _pairMax = hi;
        }

        /// <summary>D²_lk over the candidates l, sorted ascending, with prefix sums (t smallest).</summary>
        private void SortedRow(int k, int[] P, int p)
        {
            var buf = _sortBuf;
            long row = (long)k * _m;
            for (int t = 0; t < p; t++) buf[t] = _d2[row + P[t]];
            Array.Sort(buf, 0, p);
            _dBot[0] = 0;
            for (int t = 0; t < p; t++) _dBot[t + 1] = _dBot[t] + buf[t];
        }

        /// <summary>
        /// Size-resolved upper bound. For T ⊆ P with |T| = t and σ = t/(n + t), c' = (1 − σ)c_S + σ·mean(T) and
        /// ‖c' − ξ_k‖² = (1 − σ)a_k + σ·mean_T(D²_lk − (1 − σ)a_l) − σ²·Var(T), with Var(T) ≥ (t − 1)/(2t)·min D² within P.
        /// The mean is at most the t largest D²_lk minus the t smallest a_l. True when the bound is below r² for every t.
        /// </summary>
        private bool RefinedUpperBelow(int k, double ak, int n, int[] P, int p)
        {
            Prepare(P, p);
            // t = 1 and t = p need no sorting; most failures show there.
            double sig1 = 1.0 / (n + 1), sigP = p / (double)(n + p);
            double maxD = double.NegativeInfinity, sumD = 0;
            long row = (long)k * _m;
            for (int t = 0; t < p; t++) { double v = _d2[row + P[t]]; sumD += v; if (v > maxD) maxD = v; }
            if (!((1 - sig1) * ak + sig1 * (maxD - (1 - sig1) * _aBot[1]) < _inLimit)) return false;
            if (!((1 - sigP) * ak + sigP / p * (sumD - (1 - sigP) * _aBot[p]) - sigP * sigP * (p - 1) / (2.0 * p) * _pairMin < _inLimit)) return false;
            SortedRow(k, P, p);
            double total = _dBot[p];
            for (int t = 1; t <= p; t++)
            {
                double sigma = t / (double)(n + t), rest = 1 - sigma;
                double top = total - _dBot[p - t];
                double u = rest * ak + sigma / t * (top - rest * _aBot[t]) - sigma * sigma * (t - 1) / (2.0 * t) * _pairMin;
                if (!(u < _inLimit)) return false;
            }
            return true;
        }

        /// <summary>
        /// Size-resolved lower bound (same identity): the mean is at least the t smallest D²_lk minus the t largest a_l, and
        /// Var(T) ≤ (t − 1)/(2t)·max D² within P. True when the bound is at least r² for every t (t = 0 is a_k itself).
        /// </summary>
        private bool RefinedLowerAbove(int k, double ak, int n, int[] P, int p)
        {
            Prepare(P, p);
            double sig1 = 1.0 / (n + 1), sigP = p / (double)(n + p);
            double minD = double.PositiveInfinity, sumD = 0;
            long row = (long)k * _m;
            for (int t = 0; t < p; t++) { double v = _d2[row + P[t]]; sumD += v; if (v < minD) minD = v; }
            if (!((1 - sig1) * ak + sig1 * (minD - (1 - sig1) * _aTop[1]) >= _outLimit)) return false;
            if (!((1 - sigP) * ak + sigP / p * (sumD - (1 - sigP) * _aTop[p]) - sigP * sigP * (p - 1) / (2.0 * p) * _pairMax >= _outLimit)) return false;
            SortedRow(k, P, p);
            for (int t = 1; t <= p; t++)
            {
                double sigma = t / (double)(n + t), rest = 1 - sigma;
                double l = rest * ak + sigma / t * (_dBot[t] - rest * _aTop[t]) - sigma * sigma * (t - 1) / (2.0 * t) * _pairMax;
                if (!(l >= _outLimit)) return false;
            }
            return true;
        }

        /// <summary>max over the branch polytope of ‖x − ξ_k‖² (a convex function: its maximum is at a vertex).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private double UpperBound(int k, double ak, double s, double oms, int[] P, int p)
        {
            var d2 = _d2;
            var a = _a;
            long row = (long)k * _m;
            double q = double.NegativeInfinity;
            for (int t = 0; t < p; t++)
            {
                int l = P[t];
                double v = d2[row + l] - oms * a[l];
                if (v > q) q = v;
            }
            // ‖(1−s)c_S + sξ_l − ξ_k‖² = (1−s)a_k + s·D²_lk − s(1−s)a_l.
            return Math.Max(ak, oms * ak + s * q);
        }

        /// <summary>
        /// A lower bound on min over the branch polytope of ‖x − ξ_k‖²: with h = max ⟨x − c_S, ξ_k − c_S⟩ over the
        /// vertices, every x satisfies ‖ξ_k − x‖ ≥ (a_k − h)/√a_k.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private double LowerBound(int k, double ak, double s, int[] P, int p)
        {
            var d2 = _d2;
            var a = _a;
            long row = (long)k * _m;
            double q = double.NegativeInfinity;
            for (int t = 0; t < p; t++)
            {
                int l = P[t];
                double v = a[l] - d2[row + l];
                if (v > q) q = v;
            }
            // ⟨ξ_l − c_S, ξ_k − c_S⟩ = (a_l + a_k − D²_lk)/2.
            double h = p == 0 ? 0 : Math.Max(0, 0.5 * s * (ak + q));
            if (!(ak > h)) return 0;
            double gap = ak - h;
            return gap * gap / ak;
        }

        /// <summary>A fully decided S that passed the D² test (up to the band): confirm from coordinates and record it.</summary>
        private void Leaf(Frame f)
        {
            int m = _m;
            var a = _a;
            bool safe = true;
            for (int k = 0; k < m; k++)
            {
                if (f.St[k] == In ? a[k] >= _inLimit : a[k] < _outLimit) { safe = false; break; }
            }
            LsrMemory? memory = null;
            bool stored = f.N == 1;
            if (!(safe && _sh.Options.Confirmation == CoordinateConfirmation.WhenNearBoundary && !_sh.KeepMemories))
            {
                if (!Confirm(f, out memory)) return;
            }
            _rootCount++;
            if (stored) _rootStored++;
            if (memory != null) _rootList?.Add(memory);
            if (_sh.AddMemory()) _aborted = true;
        }

        /// <summary>
        /// The float64 check: c_S = (Σ_{μ∈S} ξ_μ)/|S| in increasing μ, then B(c_S) by the exact support test; S is a
        /// memory iff B(c_S) = S. Builds the memory record (margins, basin radius) when memories are kept.
        /// </summary>
        private bool Confirm(Frame f, out LsrMemory? memory)
        {
            memory = null;
            int m = _m, d = _d;
            var data = _e.Patterns.Data;
            var c = _centroid;
            Array.Clear(c);
            _members.Clear();
            for (int k = 0; k < m; k++)
            {
                if (f.St[k] != In) continue;
                _members.Add(k);
                var xi = data.Slice(k * d, d);
                for (int i = 0; i < d; i++) c[i] += xi[i];
            }
            double n = _members.Count;
            for (int i = 0; i < d; i++) c[i] /= n;
            for (int k = 0; k < m; k++)
            {
                bool within = SquaredDistance.IsWithin(c, data.Slice(k * d, d), _r2, out double dist2);
                if (within != (f.St[k] == In)) return false;
                _dist2[k] = dist2;
            }
            if (!_sh.KeepMemories) return true;
            double deltaMin = double.PositiveInfinity, gammaMin = double.PositiveInfinity, dmax2 = 0;
            for (int k = 0; k < m; k++)
            {
                // Margins from the reference distance (the definition), not the SIMD value.
                double dist2 = SquaredDistance.Reference(c, data.Slice(k * d, d));
                if (f.St[k] == In)
                {
                    deltaMin = Math.Min(deltaMin, _r2 - dist2);
                    dmax2 = Math.Max(dmax2, dist2);
                }
                else gammaMin = Math.Min(gammaMin, dist2 - _r2);
            }
            double margin = Math.Min(deltaMin, gammaMin);
            double dmax = Math.Sqrt(dmax2);
            double basin = Math.Sqrt(dmax2 + margin) - dmax;
            bool marginal = margin < _sh.Options.MarginTolerance * _r2;
            memory = new LsrMemory(_members.ToArray(), (double[])c.Clone(), deltaMin, gammaMin, basin, marginal);
            return true;
        }

        private sealed class Frame
        {
            public Frame(int m)
            {
                A = new double[m];
                St = new byte[m];
                P = new int[m];
            }

            /// <summary>A_k = Σ_{i∈S} D²_ik.</summary>
            public readonly double[] A;

            /// <summary>Per pattern: out, in, or candidate.</summary>
            public readonly byte[] St;

            /// <summary>Candidates in increasing index (first <see cref="Pc"/> entries).</summary>
            public readonly int[] P;

            public int Pc;

            /// <summary>|S|.</summary>
            public int N;

            /// <summary>Σ_{i,j∈S} D²_ij over ordered pairs.</summary>
            public double W;
        }
    }
}
