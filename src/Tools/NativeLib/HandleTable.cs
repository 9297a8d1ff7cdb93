namespace DenseAm.Interop;

/// <summary>The object kinds a handle can name; part of the token so a handle of one kind is refused by another's functions.</summary>
internal enum HandleKind : byte
{
    Memory = 1,
    MeanShift = 2,
    KernelDensity = 3,
    Enumeration = 4,
}

/// <summary>
/// Opaque handles as tokens, never pointers: token = generation (32 bits) | kind (8 bits) | slot + 1 (24 bits).
/// A freed slot's generation is bumped, so a freed handle, a never-issued value or a handle of another kind
/// is detected (until the same slot has been reused 2³² times). The objects themselves are immutable and
/// garbage-collected, so a call still running on another thread when its handle is freed completes safely.
/// </summary>
internal static class HandleTable
{
    private const int MaxSlots = (1 << 24) - 1;
    private static readonly Lock Gate = new();
    private static object?[] _objects = new object?[64];
    private static uint[] _generations = new uint[64];
    private static HandleKind[] _kinds = new HandleKind[64];
    private static readonly Stack<int> Free = new();
    private static int _used;
    private static long _live;

    /// <summary>Handles currently allocated (for leak checks in tests).</summary>
    public static long Live => Interlocked.Read(ref _live);

    public static nint Add(object value, HandleKind kind)
    {
        lock (Gate)
        {
            int slot;
            if (Free.Count > 0) slot = Free.Pop();
            else
            {
                if (_used == MaxSlots) throw new DamException(DamStatus.OutOfMemory, $"more than {MaxSlots} live handles.");
                if (_used == _objects.Length)
                {
                    int n = Math.Min(MaxSlots, _objects.Length * 2);
                    Array.Resize(ref _objects, n);
                    Array.Resize(ref _generations, n);
                    Array.Resize(ref _kinds, n);
                }
                slot = _used++;
                _generations[slot] = 1;
            }
            _objects[slot] = value;
            _kinds[slot] = kind;
            _live++;
            return Token(slot, kind, _generations[slot]);
        }
    }

    public static T Get<T>(nint handle, HandleKind kind, string name) where T : class
    {
        lock (Gate)
        {
            int slot = Resolve(handle, kind, name);
            return (T)_objects[slot]!;
        }
    }

    public static void Remove(nint handle, HandleKind kind, string name)
    {
        lock (Gate)
        {
            int slot = Resolve(handle, kind, name);
            _objects[slot] = null;
            _generations[slot]++;
            if (_generations[slot] == 0) _generations[slot] = 1;
            Free.Push(slot);
            _live--;
        }
    }

    private static nint Token(int slot, HandleKind kind, uint generation) =>
        (nint)(((ulong)generation << 32) | ((ulong)kind << 24) | (uint)(slot + 1));

    private static int Resolve(nint handle, HandleKind kind, string name)
    {
        ulong t = (ulong)handle;
        if (t == 0) throw new DamException(DamStatus.InvalidHandle, $"{name} is NULL.");
        int slot = (int)(t & 0xFFFFFF) - 1;
        var k = (HandleKind)((t >> 24) & 0xFF);
        uint gen = (uint)(t >> 32);
        if (slot < 0 || slot >= _used || gen == 0 || !Enum.IsDefined(k))
            throw new DamException(DamStatus.InvalidHandle, $"{name} (0x{t:x}) is not a handle issued by this library.");
        if (k != kind)
            throw new DamException(DamStatus.InvalidHandle, $"{name} (0x{t:x}) is a {Describe(k)} handle, not a {Describe(kind)} handle.");
        if (_generations[slot] != gen || _objects[slot] is null)
            throw new DamException(DamStatus.InvalidHandle, $"{name} (0x{t:x}) has been freed.");
        return slot;
    }

    private static string Describe(HandleKind k) => k switch
    {
        HandleKind.Memory => "dam_memory",
        HandleKind.MeanShift => "dam_meanshift",
        HandleKind.KernelDensity => "dam_kde",
        HandleKind.Enumeration => "dam_enumeration",
        _ => "unknown",
    };
}
