using System.Diagnostics;
using System.Net;

namespace AmebaOta.Protocol.Pull;

/// <summary>How a transfer ended, as the server saw it.</summary>
public enum PullTransferOutcome
{
    /// <summary>Still sending.</summary>
    Running,
    /// <summary>Every byte of the response went out and the client stayed to the end.</summary>
    Completed,
    /// <summary>The client closed or reset the connection before the last byte.</summary>
    ClientLeft,
    /// <summary>A fault ended the body early on purpose (close-early, stall).</summary>
    CutByFault,
    /// <summary>The server stopped (or the image could not be sent) mid-transfer.</summary>
    Aborted,
}

/// <summary>
/// One response on its way to one board: who, which protocol, how many bytes of how many have gone out, for how long, and
/// how it ended. Updated by the sender as it writes; readable from any thread (the live view and the request log read it).
/// </summary>
public sealed class PullTransfer(IPEndPoint? remote, PullProtocol protocol, string path, int status, long totalBytes)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _sent;
    private int _outcome;

    /// <summary>The board's address and port.</summary>
    public IPEndPoint? Remote { get; } = remote;
    /// <summary>Which client this answers.</summary>
    public PullProtocol Protocol { get; } = protocol;
    /// <summary>The request path (empty on the raw TCP port).</summary>
    public string Path { get; } = path;
    /// <summary>The HTTP status sent (0 on the raw TCP port).</summary>
    public int Status { get; } = status;
    /// <summary>Bytes of body the response announced (the head is not counted).</summary>
    public long TotalBytes { get; } = totalBytes;
    /// <summary>When it started.</summary>
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>Body bytes handed to the connection so far.</summary>
    public long SentBytes => Interlocked.Read(ref _sent);

    /// <summary>How it ended (or <see cref="PullTransferOutcome.Running"/>).</summary>
    public PullTransferOutcome Outcome => (PullTransferOutcome)Volatile.Read(ref _outcome);

    /// <summary>Time since it started, frozen once it ended.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>True when the client got every byte of the response.</summary>
    public bool StayedToTheEnd => Outcome == PullTransferOutcome.Completed;

    /// <summary>Raised once, when it ends.</summary>
    public event Action<PullTransfer>? Ended;

    internal void Add(long bytes) => Interlocked.Add(ref _sent, bytes);

    /// <summary>Records the end (only the first call counts).</summary>
    public void End(PullTransferOutcome outcome)
    {
        if (Interlocked.CompareExchange(ref _outcome, (int)outcome, (int)PullTransferOutcome.Running) != (int)PullTransferOutcome.Running) return;
        _clock.Stop();
        Ended?.Invoke(this);
    }
}
