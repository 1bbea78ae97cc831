using System.Net;

namespace AmebaOta.Protocol.OtaUi.Server;

/// <summary>
/// The boards an OTA UI server hears from, keyed by address. Heartbeats come in through <see cref="Heartbeat"/>; a board
/// that has not beaten for <see cref="GoneAfter"/> is marked gone by <see cref="Sweep"/> (which the server runs every
/// second), and comes back online with its next heartbeat. Thread-safe; events are raised outside the lock, on the thread
/// that caused them.
/// </summary>
public sealed class OtaUiBoards(TimeProvider? time = null, TimeSpan? goneAfter = null)
{
    /// <summary>
    /// Default of <see cref="GoneAfter"/>: a stock board beats every 3.5 s (500 ms, close, 3 s), so 9 s is two beats
    /// missed and a third late. The stock server forgets a board after 4.5 s, one late beat.
    /// </summary>
    public static readonly TimeSpan DefaultGoneAfter = TimeSpan.FromSeconds(9);

    /// <summary>The stock server's window: it lists a board only if it beat within the last 4.5 s.</summary>
    public static readonly TimeSpan StockWindow = TimeSpan.FromMilliseconds(4500);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private readonly Dictionary<IPAddress, OtaUiBoard> _boards = [];

    /// <summary>How long a board may stay quiet before it is shown as gone.</summary>
    public TimeSpan GoneAfter { get; } = goneAfter ?? DefaultGoneAfter;

    /// <summary>A heartbeat was received (raised for every one, after the table was updated).</summary>
    public event Action<OtaUiBeat>? Beat;

    /// <summary>A board appeared, changed state, went gone or came back (not raised for a heartbeat that changed nothing but the time).</summary>
    public event Action<OtaUiBoard>? Changed;

    /// <summary>Now, by the server's clock.</summary>
    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Records a heartbeat from <paramref name="address"/> reporting <paramref name="stateText"/>.</summary>
    public OtaUiBoard Heartbeat(IPAddress address, string stateText)
    {
        address = Normalize(address);
        var now = Now;
        OtaUiState? state = OtaUiStates.TryParse(stateText, out var known) ? known : null;
        OtaUiBoard? before;
        OtaUiBoard after;
        lock (_lock)
        {
            _boards.TryGetValue(address, out before);
            after = before is null
                ? new OtaUiBoard(address, stateText, state, now, now, now, 1, true)
                : before with
                {
                    StateText = stateText, State = state, LastBeat = now, Beats = before.Beats + 1, Online = true,
                    StateSince = before.StateText == stateText && before.Online ? before.StateSince : now,
                };
            _boards[address] = after;
        }
        Beat?.Invoke(new OtaUiBeat(after, before, before is null ? null : now - before.LastBeat));
        if (before is null || before.StateText != stateText || !before.Online) Changed?.Invoke(after);
        return after;
    }

    /// <summary>Marks gone every board that has not beaten for <see cref="GoneAfter"/>; returns them.</summary>
    public IReadOnlyList<OtaUiBoard> Sweep()
    {
        var now = Now;
        List<OtaUiBoard> gone = [];
        lock (_lock)
        {
            foreach (var board in _boards.Values)
            {
                if (board.Online && now - board.LastBeat >= GoneAfter) gone.Add(board with { Online = false });
            }
            foreach (var board in gone) _boards[board.Address] = board;
        }
        foreach (var board in gone) Changed?.Invoke(board);
        return gone;
    }

    /// <summary>The board at <paramref name="address"/>, or null when it never beat.</summary>
    public OtaUiBoard? Find(IPAddress address)
    {
        address = Normalize(address);
        lock (_lock) return _boards.GetValueOrDefault(address);
    }

    /// <summary>Every board, online or gone, by address.</summary>
    public IReadOnlyList<OtaUiBoard> All()
    {
        lock (_lock) return [.. _boards.Values.OrderBy(b => b.Address, AddressOrder.Instance)];
    }

    /// <summary>Boards that beat within <paramref name="window"/> (the stock server's list uses 4.5 s).</summary>
    public IReadOnlyList<OtaUiBoard> BeatWithin(TimeSpan window)
    {
        var now = Now;
        lock (_lock) return [.. _boards.Values.Where(b => now - b.LastBeat <= window).OrderBy(b => b.Address, AddressOrder.Instance)];
    }

    /// <summary>Boards known now.</summary>
    public int Count
    {
        get { lock (_lock) return _boards.Count; }
    }

    /// <summary>The address a board is keyed by: IPv4-mapped IPv6 as IPv4 (the stock server strips <c>::ffff:</c> too).</summary>
    public static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}

/// <summary>Addresses in numeric order (10.0.0.9 before 10.0.0.10), IPv4 before IPv6.</summary>
public sealed class AddressOrder : IComparer<IPAddress>
{
    /// <summary>The one comparer.</summary>
    public static AddressOrder Instance { get; } = new();

    /// <inheritdoc />
    public int Compare(IPAddress? x, IPAddress? y)
    {
        if (x is null || y is null) return x is null ? (y is null ? 0 : -1) : 1;
        var a = x.GetAddressBytes();
        var b = y.GetAddressBytes();
        if (a.Length != b.Length) return a.Length.CompareTo(b.Length);
        return a.AsSpan().SequenceCompareTo(b);
    }
}
