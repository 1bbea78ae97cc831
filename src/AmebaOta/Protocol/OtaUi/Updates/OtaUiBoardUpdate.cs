using System.Net;
using AmebaOta.Protocol.OtaUi.Server;
using AmebaOta.Protocol.Serving;

namespace AmebaOta.Protocol.OtaUi.Updates;

/// <summary>A moment of one board's update, for progress displays.</summary>
/// <param name="Board">The board's address.</param>
/// <param name="Step">Where the judge is.</param>
/// <param name="State">The state of its last heartbeat.</param>
/// <param name="Acked">Image bytes it acknowledged.</param>
/// <param name="Total">Image bytes (0 until its download starts).</param>
/// <param name="Elapsed">Since its update started.</param>
/// <param name="Outcome">The decision, once made.</param>
public sealed record OtaUiProgress(IPAddress Board, OtaUiStep Step, string? State, long Acked, long Total, TimeSpan Elapsed, OtaUiOutcome? Outcome);

/// <summary>How an update by OTA UI runs, per board.</summary>
public sealed record OtaUiUpdateOptions
{
    /// <summary>What the judge waits for, and how long.</summary>
    public OtaUiJudgeSettings Judge { get; init; } = new();

    /// <summary>Longest wait for the trigger's connection.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The trigger port (the library's is 5000; a test may use another).</summary>
    public int TriggerPort { get; init; } = OtaUiTrigger.Port;

    /// <summary>How often the judge is asked what waiting means, and progress reported.</summary>
    public TimeSpan Tick { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Paces the board's download (its fleet's airtime ticket); null: it reads at its own pace.</summary>
    public IReportingThrottle? Throttle { get; init; }
}

/// <summary>
/// One board's update by OTA UI, live: the image is chosen for the board on <paramref name="server"/>, its heartbeats and
/// its download (as that server sees them) feed an <see cref="OtaUiJudge"/>, <c>start_ota</c> is sent when the judge finds
/// it idle, and the result is the judge's decision. The image stays chosen for the board only while the update runs.
/// </summary>
public sealed class OtaUiBoardUpdate(OtaUiServer server, IPAddress board, OtaUiImage image, OtaUiUpdateOptions? options = null)
{
    private readonly OtaUiUpdateOptions _options = options ?? new OtaUiUpdateOptions();

    /// <summary>Runs it to its end; progress goes to <paramref name="progress"/> on every change and tick. Cancelled: a download under way is cut.</summary>
    public Task<OtaUiOutcome> RunAsync(Action<OtaUiProgress>? progress, CancellationToken cancellationToken) => RunAsync(progress, cancellationToken, cancellationToken);

    /// <summary>
    /// Runs it to its end. <paramref name="stop"/> stops it only until the board is sent <c>start_ota</c> (then it is
    /// <see cref="OperationCanceledException"/>, nothing sent); once triggered, the board is followed to the judge's
    /// decision, since a cut download leaves it stuck until a reset (docs/reference section 12.5). <paramref name="abort"/>
    /// stops it at any time, cutting a download under way.
    /// </summary>
    public async Task<OtaUiOutcome> RunAsync(Action<OtaUiProgress>? progress, CancellationToken stop, CancellationToken abort)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(stop, abort);
        bool triggered = false;
        var address = OtaUiBoards.Normalize(board);
        var time = server.Options.Time;
        var started = time.GetTimestamp();
        var judge = new OtaUiJudge(address, _options.Judge, time.GetUtcNow());
        var gate = new Lock();
        var wake = new SemaphoreSlim(0);
        PullTransfer? download = null;

        void OnBeat(OtaUiBeat beat)
        {
            if (!beat.Board.Address.Equals(address)) return;
            lock (gate) judge.Beat(beat.Board.State, beat.Board.StateText, beat.Board.LastBeat);
            wake.Release();
        }
        void OnStarted(PullTransfer t)
        {
            if (t.Remote is null || !OtaUiBoards.Normalize(t.Remote.Address).Equals(address) || t.Path != OtaUiResponses.DownloadPath) return;
            lock (gate)
            {
                download = t;
                judge.DownloadStarted(t.Status, t.TotalBytes, time.GetUtcNow());
            }
            wake.Release();
        }
        void OnEnded(PullTransfer t)
        {
            if (!ReferenceEquals(t, Volatile.Read(ref download))) return;
            lock (gate) judge.DownloadEnded(t.Outcome, t.BoardBytes, time.GetUtcNow());
            wake.Release();
        }

        server.Choose(address, image, _options.Throttle);
        server.Boards.Beat += OnBeat;
        server.Activity.Started += OnStarted;
        server.Activity.Ended += OnEnded;
        try
        {
            lock (gate) judge.Known(server.Boards.Find(address), server.Boards.GoneAfter);
            while (true)
            {
                OtaUiStep step;
                lock (gate)
                {
                    if (Volatile.Read(ref download) is { } d) judge.Progress(d.BoardBytes);
                    judge.Tick(time.GetUtcNow());
                    step = judge.Step;
                    progress?.Invoke(new OtaUiProgress(address, step, judge.LastState, judge.Acked, judge.Total, time.GetElapsedTime(started), judge.Outcome));
                }
                if (step == OtaUiStep.Finished) return judge.Outcome!;
                if (step == OtaUiStep.Triggering)
                {
                    if (!triggered) either.Token.ThrowIfCancellationRequested();
                    // Once start_ota is out the board downloads: from then on only an abort stops following it.
                    var result = await TriggerSender.SendAsync(new IPEndPoint(address, _options.TriggerPort), _options.ConnectTimeout,
                        triggered ? abort : either.Token, afterSent: abort).ConfigureAwait(false);
                    triggered = true;
                    lock (gate) judge.Triggered(result, time.GetUtcNow());
                    continue;
                }
                await wake.WaitAsync(_options.Tick, triggered ? abort : either.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (either.IsCancellationRequested)
        {
            // Stopped: a download under way is cut with a reset (the board keeps its old firmware, and needs a reset to take a trigger again).
            Volatile.Read(ref download)?.Cut();
            throw;
        }
        finally
        {
            server.Boards.Beat -= OnBeat;
            server.Activity.Started -= OnStarted;
            server.Activity.Ended -= OnEnded;
            server.Release(address);
        }
    }
}
