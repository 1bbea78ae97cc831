namespace AmebaOta.Flash;

/// <summary>
/// Flash sectors with the same bytes, held once for many chips (<see cref="NorFlash.ShareSectors"/>): a farm's boards were
/// all written with the same images, so most of their sectors are alike. Sectors stay in the pool for its lifetime; a chip
/// that writes a shared sector writes a copy of its own. Thread-safe.
/// </summary>
public sealed class FlashSectorPool
{
    private readonly Lock _lock = new();
    private readonly HashSet<byte[]> _sectors = new(SectorContent.Instance);

    /// <summary>Distinct sectors held.</summary>
    public int Count
    {
        get { lock (_lock) return _sectors.Count; }
    }

    /// <summary>The pool's sector with the same bytes as <paramref name="sector"/> (which becomes it when there is none). Never change either afterwards.</summary>
    public byte[] Intern(byte[] sector)
    {
        lock (_lock)
        {
            if (_sectors.TryGetValue(sector, out var same)) return same;
            _sectors.Add(sector);
            return sector;
        }
    }

    private sealed class SectorContent : IEqualityComparer<byte[]>
    {
        public static readonly SectorContent Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

        public int GetHashCode(byte[] bytes)
        {
            var hash = new HashCode();
            hash.AddBytes(bytes);
            return hash.ToHashCode();
        }
    }
}
