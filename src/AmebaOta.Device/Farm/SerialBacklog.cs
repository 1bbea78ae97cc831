namespace AmebaOta.Device.Farm;

/// <summary>One line a board printed on its serial port, or a note of the simulator about it, numbered per board from 1.</summary>
/// <param name="Sequence">1 for the board's first line, then counting up (gaps mean lines were dropped for a slow reader).</param>
/// <param name="Time">When it was printed.</param>
/// <param name="Text">The line, without its ending.</param>
/// <param name="IsNote">True for a simulator note (never printed by a real board).</param>
public readonly record struct SerialLine(long Sequence, DateTimeOffset Time, string Text, bool IsNote);

/// <summary>
/// The last lines of one board's serial output, kept for whoever looks later (a dashboard, a follower of the farm's control
/// socket), with a wait for the next line. Memory stays bounded: only the last <see cref="Capacity"/> lines are kept.
/// Thread-safe; <see cref="Follow"/> handlers are called in order, under the backlog's lock (they must be quick).
/// </summary>
public sealed class SerialBacklog(int capacity = SerialBacklog.DefaultCapacity)
{
    public const int DefaultCapacity = 300;

    private readonly Queue<SerialLine> _lines = new();
    private readonly Lock _lock = new();
    private long _last;
    private TaskCompletionSource? _waiting;

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    private Action<SerialLine>? _followers;

    /// <summary>The sequence number of the last line (0 before the first).</summary>
    public long LastSequence
    {
        get { lock (_lock) return _last; }
    }

    /// <summary>Keeps a line (dropping the oldest beyond <see cref="Capacity"/>) and wakes the waiters.</summary>
    public SerialLine Add(string text, bool isNote = false)
    {
        TaskCompletionSource? waiting;
        SerialLine line;
        lock (_lock)
        {
            line = new SerialLine(++_last, DateTimeOffset.UtcNow, text, isNote);
            _lines.Enqueue(line);
            if (_lines.Count > Capacity) _lines.Dequeue();
            waiting = _waiting;
            _waiting = null;
            _followers?.Invoke(line);
        }
        waiting?.TrySetResult();
        return line;
    }

    /// <summary>The lines kept whose sequence is above <paramref name="after"/>, oldest first, at most the last <paramref name="max"/>.</summary>
    public List<SerialLine> Since(long after, int max = int.MaxValue)
    {
        lock (_lock)
        {
            var result = new List<SerialLine>(Math.Min(_lines.Count, max));
            int skip = Math.Max(0, _lines.Count(l => l.Sequence > after) - max);
            foreach (var line in _lines)
                if (line.Sequence > after && skip-- <= 0) result.Add(line);
            return result;
        }
    }

    /// <summary>Completes once a line after <paramref name="after"/> exists.</summary>
    public Task WaitAsync(long after, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_last > after) return Task.CompletedTask;
            _waiting ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _waiting.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Calls <paramref name="handler"/> for every line kept after <paramref name="after"/>, then for every new line, in order
    /// and without a gap or a double, until the returned handle is disposed.
    /// </summary>
    public IDisposable Follow(Action<SerialLine> handler, long after = 0)
    {
        lock (_lock)
        {
            foreach (var line in _lines)
                if (line.Sequence > after) handler(line);
            _followers += handler;
        }
        return new Unfollow(this, handler);
    }

    private sealed class Unfollow(SerialBacklog backlog, Action<SerialLine> handler) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) != 0) return;
            lock (backlog._lock) backlog._followers -= handler;
        }
    }

    /// <summary>A board console that prints nowhere else: serial lines and notes go to <paramref name="backlog"/>.</summary>
    public static IBoardConsole Console(SerialBacklog backlog, IBoardConsole? also = null) => new DelegateBoardConsole(
        line => { backlog.Add(line); also?.Serial(line); },
        note => { backlog.Add(note, isNote: true); also?.Note(note); });
}
