using AmebaOta.Fleet;
using AmebaOta.Fleet.Airtime;
using AmebaOta.Fleet.History;
using AmebaOta.Fleet.Rollouts;

namespace AmebaOta.Cli.Dashboard.Runs;

/// <summary>
/// A staged rollout from the page: what <c>fleet rollout</c> does (<see cref="RolloutRunner"/>, its plan, threshold and journal
/// in the history database), so it can be stopped here or with <c>fleet rollout --stop ID</c>, and resumed with
/// <c>fleet rollout --resume ID</c> (the image is kept beside the database for that). Board states are Mender's.
/// </summary>
internal sealed class RolloutRun : RunTracker
{
    private readonly RolloutPlan _plan;
    private readonly RolloutSettings _settings;
    private readonly DashboardHistory _history;
    private readonly long? _rolloutId;
    private readonly Func<FleetOptions, long?, AirtimeScheduler?, IFleetSender>? _sender;
    private readonly bool _recordHere;

    private RolloutRun(long id, ShelvedImage image, RolloutPlan plan, RolloutSettings settings, DashboardState state, DashboardHistory history, long? rolloutId,
        Func<FleetOptions, long?, AirtimeScheduler?, IFleetSender>? sender, bool recordHere)
        : base(id, "rollout", image, [.. plan.Boards.Select(b => b.Target)], settings.Fleet.WaitReboot is not null, state)
    {
        _plan = plan;
        _settings = settings;
        _history = history;
        _rolloutId = rolloutId;
        _sender = sender;
        _recordHere = recordHere;
    }

    /// <summary>
    /// Plans the rollout and records it; throws <see cref="DashboardError"/> for bad stages or a downgrade, as <c>fleet rollout</c>
    /// refuses them. With <paramref name="sender"/> the boards' site agents send each stage (and record the uploads), and the
    /// rollout is recorded as one over the sites, so that <c>fleet rollout --resume</c> resumes it through them too; unless
    /// <paramref name="recordHere"/> (the dashboard's own OTA UI server sends): then the dashboard records the uploads.
    /// </summary>
    public static RolloutRun Create(long id, ShelvedImage image, IReadOnlyList<FleetTarget> targets, StartRunJson request, FleetOptions fleet,
        DashboardState state, DashboardHistory history, Func<FleetOptions, long?, AirtimeScheduler?, IFleetSender>? sender = null, bool recordHere = false)
    {
        IReadOnlyList<StageSize> sizes;
        FailureThreshold threshold;
        string stages = string.IsNullOrWhiteSpace(request.Stages) ? "1,10%,50%,100%" : request.Stages.Trim();
        try { sizes = StagePlan.Parse(stages); }
        catch (FormatException e) { throw new DashboardError(400, $"--stages: {e.Message}"); }
        try { threshold = FailureThreshold.Parse(string.IsNullOrWhiteSpace(request.MaxFailures) ? "0" : request.MaxFailures.Trim()); }
        catch (FormatException e) { throw new DashboardError(400, e.Message); }
        var settings = new RolloutSettings(stages, threshold, TimeSpan.Zero, fleet, Force: request.Force, request.SkipCurrent, AllowDowngrade: false);
        var identity = DashboardHistory.Identity(image);
        var known = history.Summaries();
        RolloutPlan plan;
        try
        {
            plan = RolloutPlan.Create(targets, sizes, identity, settings.SkipCurrent, settings.AllowDowngrade, name => known.GetValueOrDefault(name));
        }
        catch (DowngradeException e)
        {
            throw new DashboardError(422, $"refusing to roll {image.FileName} out: {e.Message}");
        }
        catch (FormatException e)
        {
            throw new DashboardError(400, $"--stages: {e.Message}");
        }
        long? rolloutId = history.ImageDirectory is { } dir
            ? history.Best.Try<long?>(s => new RolloutStore(s).Create(identity, Keep(image, dir), settings, plan), null)
            : history.Best.Store is { Engine: DatabaseEngine.Postgres }
                // A shared database keeps the image's bytes itself: --resume finds them from any machine.
                ? history.Best.Try<long?>(s => { s.StoreImage(identity, image.Sent.Bytes); return new RolloutStore(s).Create(identity, image.FileName, settings, plan, sender is null || recordHere ? null : "*"); }, null)
                : null;
        return new RolloutRun(id, image, plan, settings, state, history, rolloutId, sender, recordHere);
    }

    /// <summary>Writes the image as sent beside the database (<c>SHA256/FILE</c>, whole, then renamed), for <c>--resume</c>.</summary>
    private static string Keep(ShelvedImage image, string directory)
    {
        directory = Path.Combine(directory, image.Sha256);
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, image.FileName);
        if (!File.Exists(path))
        {
            string temp = path + $".{Environment.ProcessId}.tmp";
            File.WriteAllBytes(temp, image.Sent.Bytes);
            File.Move(temp, path, overwrite: true);
        }
        return path;
    }

    protected override async Task<(string State, string Reason)> ExecuteAsync(CancellationToken stop)
    {
        SetStage(0, _plan.StageCount, _rolloutId);
        foreach (var b in _plan.Boards) Board(b.Target.Name, Json(b, null), b.State.IsDone(), Outcome(b.State));
        var journal = _rolloutId is { } rid ? new RolloutJournal(_history.Best, rid) : null;
        var runner = _sender is { } send
            ? new RolloutRunner(_plan, _settings, journal) { Sender = (options, airtime) => send(options, _rolloutId, airtime) }
            : new RolloutRunner(_plan, _settings, journal);
        Airtime = runner.Airtime;
        // Site agents record the uploads they make; a rollout sent from here records its own.
        if ((_sender is null || _recordHere) && _history.Recorder(Image, stop, _rolloutId) is { } record) runner.FleetBoardChanged += record;
        runner.BoardChanged += s =>
        {
            var final = s.Board.State.IsDone() || s.Board.State is RolloutBoardState.Aborted or RolloutBoardState.NeedsReset;
            Board(s.Board.Target.Name, Json(s.Board, s.Fleet), final, Outcome(s.Board.State));
        };
        runner.StageChanged += e => SetStage(e.Stage, _plan.StageCount, _rolloutId);
        var result = await runner.RunAsync(Image.Fleet, stop);
        string reason = result.End == RolloutEnd.Stopped && stop.IsCancellationRequested ? "stopped from the page" : result.Reason ?? "";
        if (result.End != RolloutEnd.Completed && _rolloutId is { } id) reason += $" (resume: ameba-ota fleet rollout --resume {id})";
        return (RolloutStore.StateName(result.End), reason);
    }

    private static bool? Outcome(RolloutBoardState state) => state switch
    {
        RolloutBoardState.Success or RolloutBoardState.AlreadyInstalled => true,
        RolloutBoardState.Failure => false,
        _ => null,
    };

    private BoardUpdateJson Json(RolloutBoard board, FleetBoardStatus? fleet)
    {
        bool final = board.State.IsDone() || board.State is RolloutBoardState.Aborted or RolloutBoardState.NeedsReset;
        return fleet is null
            ? new BoardUpdateJson(Id, board.State.Name(), null, 0, Image.Image.Length, 0, board.Error, board.Stage, final, 0, null)
            : PlainUpdateRun.Json(Id, fleet, board.Stage, board.State.Name()) with { Final = final, Error = board.Error ?? fleet.Error };
    }
}
