using System.Diagnostics;
using System.Net;

namespace AmebaOta.Protocol.Serving;

/// <summary>How a transfer ended, as the server saw it.</summary>
public enum PullTransferOutcome
{
    /// <summary>Still sending.</summary>
    Running,
    /// <summary>Every byte of the response went out and the client stayed to the end (acknowledged them all, where that can be seen).</summary>
    Completed,
    /// <summary>The client closed or reset the connection before the last byte, or stopped taking bytes for good.</summary>
    ClientLeft,
    /// <summary>A fault ended the body early on purpose (close-early, stall).</summary>
    CutByFault,
    /// <summary>The server stopped (or the image could not be sent) mid-transfer.</summary>
    Aborted,
}

/// <summary>
/// One response on its way to one board: who, which protocol, how many bytes of how many the board has taken, for how
/// long, and how it ended. Updated by the sender as it writes; readable from any thread (the live view and the request
/// log read it). Where the connection's acknowledgements can be read (<see cref="TcpAckCounter"/>), progress counts the
/// body bytes the board acknowledged; elsewhere the bytes handed to the connection.
/// </summary>
public sealed class PullTransfer(IPEndPoint? remote, string protocol, string path, int status, long totalBytes, TcpAckCounter? acks = null)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _sent;
    private int _head;
    private int _outcome;
    private long _final = -1;
    private Action? _cut;

    /// <summary>The board's address and port.</summary>
    public IPEndPoint? Remote { get; } = remote;
    /// <summary>Which client this answers.</summary>
    public string Protocol { get; } = protocol;
    /// <summary>The request path (empty on the raw TCP port).</summary>
    public string Path { get; } = path;
    /// <summary>The HTTP status sent (0 on the raw TCP port).</summary>
    public int Status { get; } = status;
    /// <summary>Bytes of body the response announced (the head is not counted).</summary>
    public long TotalBytes { get; } = totalBytes;
    /// <summary>When it started.</summary>
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>Body bytes handed to the connection so far (the host's buffers may hold many of them).</summary>
    public long SentBytes => Interlocked.Read(ref _sent);

    /// <summary>True when <see cref="BoardBytes"/> counts what the board acknowledged rather than what was handed over.</summary>
    public bool SeesAcknowledgements => acks is not null;

    /// <summary>Bytes of head written before the body (subtracted from what the connection acknowledged).</summary>
    public int HeadBytes => Volatile.Read(ref _head);

    /// <summary>
    /// Body bytes the board has taken: acknowledged ones where they can be seen (never more than were handed over),
    /// else <see cref="SentBytes"/>. Frozen when the transfer ends.
    /// </summary>
    public long BoardBytes
    {
        get
        {
            long final = Interlocked.Read(ref _final);
            return final >= 0 ? final : Current();
        }
    }

    /// <summary>How it ended (or <see cref="PullTransferOutcome.Running"/>).</summary>
    public PullTransferOutcome Outcome => (PullTransferOutcome)Volatile.Read(ref _outcome);

    /// <summary>Time since it started, frozen once it ended.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>True when the client got every byte of the response.</summary>
    public bool StayedToTheEnd => Outcome == PullTransferOutcome.Completed;

    /// <summary>Raised once, when it ends.</summary>
    public event Action<PullTransfer>? Ended;

    /// <summary>
    /// Ends the transfer now from outside (a stopped update): the transport resets the connection, as it does when the
    /// server stops mid-transfer. Nothing happens once it has ended, or when its transport cannot be cut.
    /// </summary>
    public void Cut()
    {
        if (Outcome != PullTransferOutcome.Running) return;
        Volatile.Read(ref _cut)?.Invoke();
    }

    /// <summary>How the transport cuts this transfer (set by the transport when it starts it).</summary>
    public void CutWith(Action cut) => Volatile.Write(ref _cut, cut);

    /// <summary>Records that <paramref name="bytes"/> of head went out before the body (the transport's own head, when it writes one).</summary>
    public void HeadWritten(int bytes) => Interlocked.Add(ref _head, bytes);

    internal void Add(long bytes) => Interlocked.Add(ref _sent, bytes);

    /// <summary>True when the board has acknowledged every body byte handed over so far (always true when that cannot be seen).</summary>
    internal bool AllAcknowledged => acks is null || Current() >= SentBytes;

    /// <summary>True when the board can acknowledge nothing more (it reset the connection, or the socket is closed); false when that cannot be seen.</summary>
    internal bool ConnectionOver => acks?.ConnectionOver ?? false;

    private long Current()
    {
        long sent = SentBytes;
        if (acks is null) return sent;
        return Math.Clamp(acks.Acknowledged - HeadBytes, 0, sent);
    }

    /// <summary>Reads the acknowledgements one last time before the connection's socket is closed under the transfer.</summary>
    public void FreezeAcknowledgements() => acks?.Freeze();

    /// <summary>Records the end (only the first call counts).</summary>
    public void End(PullTransferOutcome outcome)
    {
        if (Interlocked.CompareExchange(ref _outcome, (int)outcome, (int)PullTransferOutcome.Running) != (int)PullTransferOutcome.Running) return;
        _clock.Stop();
        Interlocked.Exchange(ref _final, Current());
        acks?.Dispose();
        Ended?.Invoke(this);
    }
}
