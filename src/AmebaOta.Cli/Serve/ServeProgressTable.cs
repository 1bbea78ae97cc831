using AmebaOta.Protocol.Serving;

namespace AmebaOta.Cli.Serve;

/// <summary>Where a board's download stands, as <c>serve</c>'s live table shows it.</summary>
public enum ServeRowState
{
    /// <summary>Bytes are going out and the board is taking them.</summary>
    Sending,
    /// <summary>Still running, but the board took nothing for a while (erasing before it reads, or stuck).</summary>
    WaitingForBoard,
    /// <summary>Ended with every byte taken.</summary>
    StayedToTheEnd,
    /// <summary>Ended with the board gone before the last byte.</summary>
    LeftEarly,
    /// <summary>Ended early on purpose by <c>--fault</c>.</summary>
    CutByFault,
    /// <summary>Ended by the server stopping.</summary>
    Stopped,
}

/// <summary>One row: one response to one board.</summary>
/// <param name="Board">The board's address.</param>
/// <param name="Protocol">The protocol id (<c>cloud-image</c>, <c>sdk-local</c>, ...).</param>
/// <param name="Bytes">Body bytes the board has taken (acknowledged, where that can be seen).</param>
/// <param name="TotalBytes">Body bytes announced.</param>
/// <param name="BytesPerSecond">Recent rate while running (over the last two seconds); the average once ended.</param>
/// <param name="Elapsed">Time since the response started (frozen at its end).</param>
/// <param name="State">Where it stands.</param>
public sealed record ServeProgressRow(string Board, string Protocol, long Bytes, long TotalBytes, double BytesPerSecond, TimeSpan Elapsed, ServeRowState State);

/// <summary>Every response that ended since <c>serve</c> started.</summary>
public sealed record ServeProgressSummary(int StayedToTheEnd, int LeftEarly, int Other, long Bytes)
{
    public int Count => StayedToTheEnd + LeftEarly + Other;
}

/// <summary>What the live table shows at one moment: the rows, how many are running, and the finished ones summed up.</summary>
public sealed record ServeProgressView(IReadOnlyList<ServeProgressRow> Rows, int Running, ServeProgressSummary Finished);

/// <summary>
/// The model behind <c>serve</c>'s live table, fed by the library's <see cref="PullActivity"/> events: one row per
/// response under way, with the bytes the board has taken, a recent rate and a state; a finished row stays for
/// <see cref="Linger"/>, then only counts in the summary. No console I/O: <see cref="ServeTableView"/> draws it.
/// </summary>
public sealed class ServeProgressTable
{
    /// <summary>How long a finished row stays in the table.</summary>
    public static readonly TimeSpan DefaultLinger = TimeSpan.FromSeconds(5);
    /// <summary>The rate of a running row is over this much recent time.</summary>
    public static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(2);
    /// <summary>A running row whose board took nothing for this long shows <see cref="ServeRowState.WaitingForBoard"/>.</summary>
    public static readonly TimeSpan WaitingAfter = TimeSpan.FromSeconds(1);

    private sealed class Entry(PullTransfer transfer, long now)
    {
        public PullTransfer Transfer { get; } = transfer;
        public Queue<(long Stamp, long Bytes)> Samples { get; } = new();
        public long LastBytes { get; set; }
        public long LastChange { get; set; } = now;
        public long? EndedAt { get; set; }
    }

    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();
    private readonly List<Entry> _entries = [];
    private int _stayed, _left, _other;
    private long _bytes;

    public ServeProgressTable(PullActivity activity, TimeSpan? linger = null, TimeProvider? clock = null)
    {
        _clock = clock ?? TimeProvider.System;
        Linger = linger ?? DefaultLinger;
        activity.Started += Add;
        activity.Ended += MarkEnded;
        foreach (var t in activity.Running) Add(t);
    }

    /// <summary>How long a finished row stays.</summary>
    public TimeSpan Linger { get; }

    private void Add(PullTransfer transfer)
    {
        lock (_gate)
        {
            if (_entries.Any(e => e.Transfer == transfer)) return;
            _entries.Add(new Entry(transfer, _clock.GetTimestamp()));
        }
    }

    private void MarkEnded(PullTransfer transfer)
    {
        lock (_gate)
        {
            var entry = _entries.FirstOrDefault(e => e.Transfer == transfer);
            if (entry is null || entry.EndedAt is not null) return;
            entry.EndedAt = _clock.GetTimestamp();
            switch (State(entry, entry.EndedAt.Value))
            {
                case ServeRowState.StayedToTheEnd: _stayed++; break;
                case ServeRowState.LeftEarly: _left++; break;
                default: _other++; break;
            }
            _bytes += transfer.BoardBytes;
        }
    }

    /// <summary>The table now: rows in the order their responses started; finished rows older than <see cref="Linger"/> dropped.</summary>
    public ServeProgressView Sample()
    {
        lock (_gate)
        {
            long now = _clock.GetTimestamp();
            _entries.RemoveAll(e => e.EndedAt is { } end && _clock.GetElapsedTime(end, now) > Linger);
            var rows = new List<ServeProgressRow>(_entries.Count);
            int running = 0;
            foreach (var e in _entries)
            {
                var t = e.Transfer;
                long bytes = t.BoardBytes;
                if (bytes != e.LastBytes)
                {
                    e.LastBytes = bytes;
                    e.LastChange = now;
                }
                double rate;
                if (e.EndedAt is null)
                {
                    running++;
                    e.Samples.Enqueue((now, bytes));
                    while (e.Samples.Count > 1 && _clock.GetElapsedTime(e.Samples.Peek().Stamp, now) > RateWindow) e.Samples.Dequeue();
                    var (oldStamp, oldBytes) = e.Samples.Peek();
                    double seconds = _clock.GetElapsedTime(oldStamp, now).TotalSeconds;
                    rate = seconds > 0 ? (bytes - oldBytes) / seconds : 0;
                }
                else
                {
                    double seconds = t.Elapsed.TotalSeconds;
                    rate = seconds > 0 ? bytes / seconds : 0;
                }
                rows.Add(new ServeProgressRow(t.Remote?.Address.ToString() ?? "?", t.Protocol, bytes, t.TotalBytes, rate, t.Elapsed,
                    State(e, now)));
            }
            return new ServeProgressView(rows, running, new ServeProgressSummary(_stayed, _left, _other, _bytes));
        }
    }

    private ServeRowState State(Entry e, long now) => e.Transfer.Outcome switch
    {
        PullTransferOutcome.Running => _clock.GetElapsedTime(e.LastChange, now) >= WaitingAfter ? ServeRowState.WaitingForBoard : ServeRowState.Sending,
        PullTransferOutcome.Completed => ServeRowState.StayedToTheEnd,
        PullTransferOutcome.ClientLeft => ServeRowState.LeftEarly,
        PullTransferOutcome.CutByFault => ServeRowState.CutByFault,
        _ => ServeRowState.Stopped,
    };
}
