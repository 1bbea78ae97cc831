namespace AmebaOta.Protocol;

/// <summary>What the board's OTA receiver is doing, step by step (for a board's <c>status</c>).</summary>
public enum OtaReceiverPhase
{
    /// <summary>Not in <c>beginLocal</c>.</summary>
    Idle,
    /// <summary>Listening, no client yet.</summary>
    WaitingForClient,
    /// <summary>A client connected; reading the 12-byte header.</summary>
    ReadingHeader,
    /// <summary>Erasing <c>ceil(length / 4096)</c> sectors before reading any image byte.</summary>
    Erasing,
    /// <summary>Reading and programming the image.</summary>
    Downloading,
    /// <summary>Reading the image back from flash and byte-summing it.</summary>
    Verifying,
    /// <summary>Writing the signatures.</summary>
    Signing,
    /// <summary>
    /// Stuck in the download loop: the host closed the connection (FIN) before every byte came, <c>read()</c> returns 0
    /// forever and the stock loop only stops on a negative return. The loop busy-waits at realtime priority, so the
    /// network threads (lower priority) starve: the board answers nothing on the network. Only a reset or a power cut ends it.
    /// </summary>
    HungAfterFin,
    /// <summary>
    /// The stock code wrote past one of its buffers (an AmebaD header with more than 2 images, or longer than its 512-byte
    /// buffer): what a real board does then is undefined (memory corruption); the virtual board hangs until reset.
    /// </summary>
    Overrun,
}

/// <summary>
/// The receiver's progress, updated as it goes and readable from any thread: the phase and its counters. One per board,
/// reused across <c>beginLocal</c> calls.
/// </summary>
public sealed class OtaReceiverActivity
{
    private readonly Lock _gate = new();
    private OtaReceiverPhase _phase;
    private long _done, _total;

    /// <summary>Raised after every change (phase or counter), on the receiver's thread; keep handlers quick.</summary>
    public event Action? Changed;

    /// <summary>The phase, and its counters: sectors erased of sectors to erase, or bytes received of the declared length.</summary>
    public (OtaReceiverPhase Phase, long Done, long Total) Snapshot
    {
        get { lock (_gate) return (_phase, _done, _total); }
    }

    /// <summary>The current phase.</summary>
    public OtaReceiverPhase Phase => Snapshot.Phase;

    internal void Set(OtaReceiverPhase phase, long done = 0, long total = 0)
    {
        lock (_gate)
        {
            _phase = phase;
            _done = done;
            _total = total;
        }
        Changed?.Invoke();
    }

    internal void Progress(long done)
    {
        lock (_gate) _done = done;
        Changed?.Invoke();
    }

    /// <summary>Completes once <paramref name="condition"/> holds for the snapshot (checked now and after every change).</summary>
    public async Task WaitForAsync(Func<(OtaReceiverPhase Phase, long Done, long Total), bool> condition, CancellationToken cancellationToken = default)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check()
        {
            if (condition(Snapshot)) reached.TrySetResult();
        }
        Changed += Check;
        try
        {
            Check();
            await reached.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Changed -= Check;
        }
    }

    /// <summary>One phrase for people: <c>erasing sector 37 of 120</c>, <c>downloading 120832 of 491520</c>.</summary>
    public string Describe()
    {
        var (phase, done, total) = Snapshot;
        return phase switch
        {
            OtaReceiverPhase.Idle => "OTA receiver not running",
            OtaReceiverPhase.WaitingForClient => "waiting for an upload",
            OtaReceiverPhase.ReadingHeader => "reading the OTA header",
            OtaReceiverPhase.Erasing => $"erasing sector {Math.Min(done + 1, total)} of {total}",
            OtaReceiverPhase.Downloading => $"downloading {done} of {total}",
            OtaReceiverPhase.Verifying => $"verifying {total} bytes",
            OtaReceiverPhase.Signing => "signing the new image",
            OtaReceiverPhase.Overrun => "hung: the OTA header made the stock code write past its buffer (undefined on a real board; only reset or power-cut recovers)",
            OtaReceiverPhase.HungAfterFin =>
                $"hung in the download loop at {done} of {total} bytes: the host closed the connection early, read() returns 0 forever and the network starves (only reset or power-cut recovers)",
            _ => phase.ToString(),
        };
    }
}
