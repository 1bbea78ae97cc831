using System.Diagnostics;
using AmebaOta.Families;
using AmebaOta.Fleet;
using AmebaOta.Fleet.Airtime;
using AmebaOta.Protocol.OtaUi.Server;

namespace AmebaOta.Protocol.OtaUi.Updates;

/// <summary>
/// A fleet run by the OTA UI method: each board is triggered and serves itself its family's image from
/// <paramref name="server"/> (which the caller keeps listening on the boards' port), followed by its own
/// <see cref="OtaUiBoardUpdate"/>. Boards start as the airtime budget allows, as a push run's do (<see cref="AirtimeScheduler"/>:
/// <see cref="FleetOptions.MaxBytesPerSecond"/>, at most <see cref="FleetOptions.MaxParallel"/> at once when set): a board's
/// ticket is taken before it is triggered, the server paces its download through it (the bytes it acknowledges, read from
/// the download's socket, are what it costs), and it is given back when the download ends, before the wait for the
/// restart; a board triggered and not yet downloading costs nothing. Its reports are those of a push
/// run (<see cref="FleetBoardStatus"/>), so the history, the rollout runner and the displays take it as they are:
/// waiting for a heartbeat, triggering and waiting for the board to ask for its image are <c>connecting</c>, the download
/// <c>sending</c> with the bytes the board acknowledged, and the wait for the restart <c>waiting for reboot</c>.
/// A failed update is not retried: it leaves the board ignoring triggers until it is reset. With <see cref="Abort"/> set, the
/// run's cancellation stops only what has not been triggered yet: boards already sent <c>start_ota</c> are followed to the
/// judge's decision and reported (<see cref="FleetBoardStatus.Decided"/>); <see cref="Abort"/> cuts them too.
/// </summary>
/// <param name="server">The boards' server (kept listening by the caller).</param>
/// <param name="options">How the run goes (defaults: <see cref="FleetOptions"/>).</param>
/// <param name="judge">What the judge waits for (defaults: <see cref="OtaUiJudgeSettings"/>).</param>
/// <param name="airtime">A scheduler shared with other runs (a rollout's stages share one); null: one from <paramref name="options"/>.</param>
public sealed class OtaUiFleetSender(OtaUiServer server, FleetOptions? options = null, OtaUiJudgeSettings? judge = null, AirtimeScheduler? airtime = null) : IFleetSender
{
    private readonly FleetOptions _options = options ?? new FleetOptions();

    /// <summary>Who decides when each board is triggered; its <see cref="AirtimeScheduler.Snapshot"/> is the budget in use.</summary>
    public AirtimeScheduler Airtime { get; } = airtime ?? new AirtimeScheduler(FleetUpdater.BudgetOf(options ?? new FleetOptions()));

    /// <inheritdoc />
    public event Action<FleetBoardStatus>? BoardChanged;

    /// <summary>A board's update was decided (raised once per board, with what the judge saw).</summary>
    public event Action<FleetTarget, OtaUiOutcome>? BoardJudged;

    /// <summary>The judge's settings for every board: the defaults, with <see cref="FleetOptions.WaitReboot"/> as the restart wait when given.</summary>
    public OtaUiJudgeSettings Judge { get; } = options?.WaitReboot is { } wait
        ? (judge ?? new OtaUiJudgeSettings()) with { RebootWait = wait }
        : judge ?? new OtaUiJudgeSettings();

    /// <summary>
    /// What cuts boards already triggered (a download under way is reset); null: the run's own cancellation does
    /// (a plain <c>upload</c>'s Ctrl+C). A rollout gives its Ctrl+C here, so that a stop request lets triggered boards finish.
    /// </summary>
    public CancellationToken? Abort { get; init; }

    /// <summary>The trigger port (the libraries' 5000; a test may use another).</summary>
    public int TriggerPort { get; init; } = OtaUiTrigger.Port;

    /// <inheritdoc />
    public Task<FleetResult> UpdateAsync(IReadOnlyList<FleetTarget> targets, ReadOnlyMemory<byte> image, CancellationToken cancellationToken = default) =>
        UpdateAsync(targets, FleetImages.Served([OtaUiImage.From(image.ToArray())]), cancellationToken);

    /// <inheritdoc />
    public async Task<FleetResult> UpdateAsync(IReadOnlyList<FleetTarget> targets, FleetImages images, CancellationToken cancellationToken = default)
    {
        if (!images.ByOtaUi) throw new ArgumentException("an OTA UI run serves its images (FleetImages.Served)", nameof(images));
        var clock = Stopwatch.StartNew();
        var results = new FleetBoardStatus[targets.Count];
        for (int i = 0; i < targets.Count; i++)
            Report(results, i, new FleetBoardStatus(targets[i], FleetBoardState.Queued, 0, images.OtaUiFor(targets[i].Family)?.Length ?? 0, 0, TimeSpan.Zero));
        await FleetTurns.RunAsync(Airtime, targets.Count, index =>
            {
                if (images.OtaUiFor(targets[index].Family) is { } image) return image.Length;
                Report(results, index, results[index] with { State = FleetBoardState.Failed, Error = "not triggered: this run serves no image for its family" });
                return null;
            },
            (index, turn) => RunBoardAsync(results, index, targets[index], images.OtaUiFor(targets[index].Family)!, turn, cancellationToken),
            index => Report(results, index, results[index] with { State = FleetBoardState.Skipped, Error = "cancelled before it started" }),
            cancellationToken).ConfigureAwait(false);
        return new FleetResult(results, clock.Elapsed);
    }

    private async Task RunBoardAsync(FleetBoardStatus[] results, int index, FleetTarget target, OtaUiImage image, AirtimeTicket turn, CancellationToken ct)
    {
        var status = results[index];
        var clock = Stopwatch.StartNew();
        try
        {
            status = status with { State = FleetBoardState.Connecting, Attempt = 1 };
            Report(results, index, status);
            // Triggered and not yet downloading, it costs nothing: it counts from now as a push board does from its connect.
            turn.Report(OtaUploadPhase.BoardErasing, 0);
            var update = new OtaUiBoardUpdate(server, target.EndPoint.Address, image,
                new OtaUiUpdateOptions { Judge = Judge, ConnectTimeout = _options.ConnectTimeout, TriggerPort = TriggerPort, Throttle = turn });
            var outcome = await update.RunAsync(p =>
            {
                var next = status with { State = StateOf(p.Step), BytesSent = p.Acked, Length = p.Total > 0 ? p.Total : status.Length, Elapsed = clock.Elapsed };
                if (next.State == FleetBoardState.WaitingForReboot) turn.Dispose();   // the download has ended: the next board may start
                if (next.State != status.State || next.BytesSent != status.BytesSent)
                {
                    status = next;
                    Report(results, index, status);
                }
            }, ct, Abort ?? ct);
            BoardJudged?.Invoke(target, outcome);
            Report(results, index, Final(status, outcome, image, clock.Elapsed));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested || Abort?.IsCancellationRequested == true)
        {
            Report(results, index, status with { State = FleetBoardState.Cancelled, Error = status.State == FleetBoardState.Sending ? "cut mid-download" : "cancelled", Elapsed = clock.Elapsed });
        }
        finally
        {
            turn.Dispose();
        }
    }

    private static FleetBoardState StateOf(OtaUiStep step) => step switch
    {
        OtaUiStep.WaitingForHeartbeat or OtaUiStep.Triggering or OtaUiStep.WaitingForDownload => FleetBoardState.Connecting,
        OtaUiStep.Downloading => FleetBoardState.Sending,
        _ => FleetBoardState.WaitingForReboot,
    };

    /// <summary>The final report: updated, or failed with the judge's reason, what to do, and what the family says it points to.</summary>
    private static FleetBoardStatus Final(FleetBoardStatus status, OtaUiOutcome outcome, OtaUiImage image, TimeSpan elapsed)
    {
        if (outcome.Result == OtaUiResult.Updated)
            return status with { State = FleetBoardState.Updated, BytesSent = outcome.Acked, Error = null, RebootTime = outcome.RebootTime, Elapsed = elapsed, Decided = true };
        string error = Explain(outcome, image);
        return status with
        {
            State = FleetBoardState.Failed, BytesSent = outcome.Acked, Error = error, Elapsed = elapsed, Decided = true,
            NeedsReset = outcome.Result == OtaUiResult.NotStarted && outcome.NeedsReset,
        };
    }

    /// <summary>
    /// A decision that is not "updated", in one line: what happened, what to do, and what the family says the failure
    /// points to (AmebaPro2: a board built with OTA Mode: Disable).
    /// </summary>
    public static string Explain(OtaUiOutcome outcome, OtaUiImage image)
    {
        string? hint = outcome.Result == OtaUiResult.Failed
            ? image.Family.OtaUiFailureHint(new OtaUiFailure(image.Length, outcome.Acked, outcome.Acked >= image.Length))
            : null;
        return outcome.Reason + (outcome.Advice is { } advice ? $"; {advice}" : "") + (hint is null ? "" : $" ({hint})");
    }

    private void Report(FleetBoardStatus[] results, int index, FleetBoardStatus status)
    {
        Volatile.Write(ref results[index], status);
        BoardChanged?.Invoke(status);
    }
}
