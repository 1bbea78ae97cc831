namespace AmebaOta.Protocol;

/// <summary>
/// The board's TIME_WAIT: when the board closes a connection its peer had not closed yet, lwIP 1.4.1 keeps the local
/// port for 2 × <c>TCP_MSL</c> = 120 s, and <c>beginLocal</c>'s <c>bind</c> (without <c>SO_REUSEADDR</c>) fails meanwhile
/// with <c>Bind fail</c> (docs/reference section 6, "How the board closes"). A connection the host ended first (FIN or
/// reset) leaves none. One per boot: a reset empties it.
/// </summary>
public sealed class LwipTimeWait(TimeSpan? duration = null, TimeProvider? clock = null)
{
    /// <summary>2 × <c>TCP_MSL</c> (60 s).</summary>
    public static readonly TimeSpan DefaultDuration = TimeSpan.FromSeconds(120);

    /// <summary>How long a port stays held (120 s on a board; tests shorten it).</summary>
    public TimeSpan Duration { get; } = duration ?? DefaultDuration;

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private readonly Dictionary<int, long> _since = [];

    /// <summary>The board closed a connection on <paramref name="port"/> first: the port is held from now.</summary>
    public void Enter(int port)
    {
        lock (_gate) _since[port] = _clock.GetTimestamp();
    }

    /// <summary>How much longer <paramref name="port"/> is held, or null when it is free.</summary>
    public TimeSpan? Remaining(int port)
    {
        lock (_gate)
        {
            if (!_since.TryGetValue(port, out long since)) return null;
            var left = Duration - _clock.GetElapsedTime(since);
            if (left > TimeSpan.Zero) return left;
            _since.Remove(port);
            return null;
        }
    }
}
