using System.Net;
using AmebaOta.Cli.Commands;
using AmebaOta.Cli.Commands.OtaUi;
using AmebaOta.Cli.Dashboard.Sites;
using AmebaOta.Families;
using AmebaOta.Fleet;
using AmebaOta.Fleet.Airtime;
using AmebaOta.Protocol;
using AmebaOta.Protocol.OtaUi.Server;

namespace AmebaOta.Cli.Dashboard.Runs;

/// <summary>
/// Starts and stops the runs the page asks for, one at a time: the boards chosen (by name, or by a <c>--match</c> pattern)
/// must answer by mDNS (here, or at their site: then their sites' agents send, see <see cref="SiteRuns"/>), the image must
/// pass <c>upload</c>'s checks; boards of another family than the image's are refused. When a run ends the history is
/// read again, so each board's "last image" follows.
/// </summary>
public sealed class RunManager(DashboardState state, DashboardHistory history, string? networkInterface, SiteRuns? sites = null, OtaUiFeed? otaUi = null) : IAsyncDisposable
{
    public const int MaxParallel = AirtimeBudget.Ceiling;

    private readonly Lock _lock = new();
    private long _lastId;
    private RunTracker? _current;

    /// <summary>Starts a run; throws <see cref="DashboardError"/> with the reason when it cannot.</summary>
    public async Task<ReplyJson> StartAsync(StartRunJson request, ShelvedImage image)
    {
        if (image.Json.Refusal is { } refusal && !request.Force) throw new DashboardError(422, refusal);
        string mode = (request.Mode ?? "update").Trim().ToLowerInvariant();
        if (mode is not ("update" or "rollout")) throw new DashboardError(400, $"unknown mode '{request.Mode}': update or rollout");
        if (request.Parallel is < 1 or > MaxParallel) throw new DashboardError(400, $"parallel {request.Parallel} is out of range: use 1 to {MaxParallel}, or none");
        double rate = request.MaxRate ?? AirtimeBudget.DefaultMegabitsPerSecond;
        if (!(rate is >= 0 and <= 100_000)) throw new DashboardError(400, $"max rate {rate} is out of range: use 0 (no budget) to 100000 Mbit/s");
        lock (_lock)
        {
            if (_current is { IsFinished: false } before)
                throw new DashboardError(409, $"run {before.Id} is still going: wait for it to end, or stop it");
        }
        var names = Names(request);
        if (image.OtaUi is { } served && (image.Push is null || ByOtaUi(names, image)))
            return await StartOtaUiAsync(request, image.Push is null ? image : image with { Push = null }, served, names, mode);
        var push = image.Push!;
        var atSites = sites?.Targets(names);
        var (targets, refused) = Refuse(atSites is null ? LocalTargets(names, push) : [.. atSites.Targets], push);
        Func<FleetOptions, long?, AirtimeScheduler?, IFleetSender>? sender = atSites is null ? null
            : (o, rolloutId, _) => sites!.Sender(atSites, o, DashboardHistory.Identity(image), rolloutId);
        var options = new FleetOptions
        {
            MaxParallel = request.Parallel,
            MaxBytesPerSecond = BudgetOf(request),
            WaitReboot = request.WaitReboot ? push.Sender.DefaultRebootWait(push) : null,
            Interface = networkInterface,
        };
        var run = Begin(id => mode == "update"
            ? new PlainUpdateRun(id, image, targets, options, state, history, sender)
            : RolloutRun.Create(id, image, targets, request, options, state, history, sender), refused);
        return new ReplyJson(true, $"run {run.Id}: {image.FileName} to {targets.Count} board{(targets.Count == 1 ? "" : "s")}" +
            (refused.Count == 0 ? "" : $"; {refused.Count} refused, sent nothing: not {UploadCommand.Article(push.Family)} {push.Family.DisplayName} board " +
                                       $"({string.Join(", ", refused.Take(5).Select(r => r.Target.Name))}{(refused.Count > 5 ? ", …" : "")})"), run.Id);
    }

    /// <summary>The airtime budget a run asks for, in bytes per second (the default's when none is given; 0: none).</summary>
    private static double? BudgetOf(StartRunJson request) =>
        (request.MaxRate ?? AirtimeBudget.DefaultMegabitsPerSecond) is > 0 and var rate ? AirtimeBudget.MegabitsToBytes(rate) : null;

    /// <summary>What the page offers in place of the CLI's <c>--force</c>.</summary>
    public const string ForceHint = " (tick \"force\" to send it anyway)";

    /// <summary>
    /// True when an image that both ways can take (AmebaD: pushed to <c>OTA_Basic</c>, pulled by <c>OTA_Http</c>) goes to
    /// the chosen boards by OTA UI: they beat to this dashboard. Boards found by mDNS keep the push; both at once are refused.
    /// </summary>
    private bool ByOtaUi(List<string> names, ShelvedImage image)
    {
        var beating = names.Where(n => state.OtaUiOnline(n) is not null).ToList();
        if (beating.Count == 0) return false;
        if (beating.Count == names.Count) return true;
        var pushed = names.Except(beating).ToList();
        throw new DashboardError(422, $"the boards chosen take {image.FileName} two ways: {beating.Count} beat to this dashboard (OTA_Http: " +
            $"{string.Join(", ", beating.Take(3))}{(beating.Count > 3 ? ", …" : "")}) and {pushed.Count} answer by mDNS (OTA_Basic: " +
            $"{string.Join(", ", pushed.Take(3))}{(pushed.Count > 3 ? ", …" : "")}): start them in two runs; nothing was sent");
    }

    /// <summary>
    /// A run of an image OTA UI boards download (<c>dashboard --ota-ui</c>): the boards chosen must beat here; each is
    /// checked against what the history says it runs (as <c>fleet upload</c> checks it), then triggered and judged by
    /// <see cref="Protocol.OtaUi.Updates.OtaUiFleetSender"/>, at once or in the stages of a rollout
    /// (<see cref="RolloutRun"/>); the dashboard records the uploads.
    /// </summary>
    private async Task<ReplyJson> StartOtaUiAsync(StartRunJson request, ShelvedImage image, OtaUiImage served, List<string> names, string mode)
    {
        if (otaUi is null)
            throw new DashboardError(422, $"{image.FileName} is {UploadCommand.Article(image.Family)} {image.Family.DisplayName} image, which boards download by the OTA UI method: " +
                "start the dashboard with --ota-ui (and --ota-ui-listen where their sketch sends its heartbeats)");
        var addresses = new List<IPAddress>();
        var silent = new List<string>();
        foreach (var name in names)
        {
            if (state.OtaUiOnline(name) is { } board) addresses.Add(board.Trigger.Address);
            else silent.Add(name);
        }
        if (silent.Count > 0)
            throw new DashboardError(422, $"{silent.Count} of the boards chosen do not beat to this dashboard right now ({string.Join(", ", silent.Take(5))}{(silent.Count > 5 ? ", …" : "")}): " +
                "an OTA UI image goes only to boards whose sketch sends its heartbeats here; nothing was sent");
        var images = image.Fleet;
        OtaUiSession.RememberImages(history.Best, [(image.FileName, served)]);
        var warnings = new List<string>();
        var found = await otaUi.Session.FindTargetsAsync(addresses, null, TimeSpan.Zero, history.Best, images, request.Force, warnings.Add, CancellationToken.None);
        var refused = found.Refused.Select(r => (r.Target, Reason: ImageShelf.PageText(r.Reason))).ToList();
        if (found.Targets.Count == 0)
            throw new DashboardError(422, $"every board chosen was refused, nothing was sent: {string.Join("; ", refused.Take(3).Select(r => r.Reason))}");
        var options = new FleetOptions
        {
            MaxParallel = request.Parallel, MaxBytesPerSecond = BudgetOf(request), Retries = 0, Interface = networkInterface,
        };
        // Stop on the page lets boards already triggered finish (a cut download leaves them stuck until reset).
        Func<FleetOptions, long?, AirtimeScheduler?, IFleetSender> sender = (o, _, airtime) => otaUi.Session.Sender(o, abort: CancellationToken.None, airtime);
        var run = Begin(id => mode == "update"
            ? new PlainUpdateRun(id, image, found.Targets, options, state, history, sender, recordHere: true)
            : RolloutRun.Create(id, image, found.Targets, request, options, state, history, sender, recordHere: true), refused);
        return new ReplyJson(true, $"run {run.Id}: {image.FileName} to {found.Targets.Count} OTA UI board{(found.Targets.Count == 1 ? "" : "s")}" +
            (mode == "rollout" ? " in stages" : "") +
            (refused.Count == 0 ? "" : $"; {refused.Count} refused, sent nothing ({string.Join("; ", refused.Take(3).Select(r => r.Reason))})") +
            (request.Force && warnings.Count > 0 ? $"; forced: {string.Join("; ", warnings.Where(w => w.Contains("despite", StringComparison.Ordinal)).Take(3))}" : ""), run.Id);
    }

    private RunTracker Begin(Func<long, RunTracker> create, List<(FleetTarget Target, string Reason)> refused)
    {
        RunTracker run;
        lock (_lock)
        {
            if (_current is { IsFinished: false } going)
                throw new DashboardError(409, $"run {going.Id} is still going: wait for it to end, or stop it");
            long id = _lastId + 1;
            run = create(id);
            run.Refused = [.. refused.Select(r => r.Target.Name)];
            run.Ended = RefreshHistoryAsync;
            _lastId = id;
            _current = run;
        }
        run.Start();
        foreach (var (t, reason) in refused)
            state.SetUpdate(t.Name, new BoardUpdateJson(run.Id, "refused", null, 0, 0, 0, reason, null, true, 0, null));
        return run;
    }

    /// <summary>Stops run <paramref name="id"/>.</summary>
    public ReplyJson Stop(long id)
    {
        RunTracker? run;
        lock (_lock) run = _current is { } c && c.Id == id ? c : null;
        if (run is null) throw new DashboardError(404, $"there is no run {id} going");
        return run.RequestStop()
            ? new ReplyJson(true, run.Image.OtaUi is not null && run.Image.Push is null
                ? $"run {id}: stopping; nothing more is triggered, boards already triggered are followed to their end"
                : $"run {id}: stopping; uploads under way are reset (those boards keep their old image), nothing more is sent", id)
            : new ReplyJson(false, $"run {id} has already ended", id);
    }

    private List<string> Names(StartRunJson request)
    {
        bool byName = request.Boards is { Count: > 0 };
        string? pattern = string.IsNullOrWhiteSpace(request.Pattern) ? null : request.Pattern.Trim();
        if (byName && pattern is not null) throw new DashboardError(400, "give either boards or a pattern, not both");
        List<string> names;
        if (pattern is not null)
        {
            names = state.OnlineNames().Where(n => NameGlob.Matches(pattern, n)).ToList();
            if (names.Count == 0) throw new DashboardError(422, $"no board that answers by mDNS{(sites is null ? "" : " (here or at a site)")} matches '{pattern}'");
        }
        else if (byName)
        {
            names = request.Boards!.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        }
        else
        {
            throw new DashboardError(400, "no board chosen: tick some boards, or give a name pattern");
        }
        return names;
    }

    /// <summary>The boards chosen that answer here, at the port their family's receiver listens on.</summary>
    private List<FleetTarget> LocalTargets(List<string> names, PushImage image)
    {
        var targets = new List<FleetTarget>();
        var silent = new List<string>();
        foreach (var name in names)
        {
            if (state.Online(name) is not { } online)
            {
                silent.Add(name);
                continue;
            }
            var family = online.Family is { } id ? BoardFamilies.Find(id) : null;
            var endPoint = new IPEndPoint(online.Advertised.Address, image.Sender.PortFor(online.Advertised.Port));
            targets.Add(new FleetTarget(state.KnownName(name) ?? name, endPoint, ByName: true, Family: family ?? image.Family));
        }
        if (silent.Count > 0)
            throw new DashboardError(422, $"{silent.Count} of the boards chosen do not answer by mDNS right now ({string.Join(", ", silent.Take(5))}{(silent.Count > 5 ? ", …" : "")}): nothing was sent");
        return targets.DistinctBy(t => t.EndPoint).ToList();
    }

    /// <summary>Those of another family than the image's are refused (sent nothing); if every board is, the run is refused.</summary>
    private static (List<FleetTarget> Targets, List<(FleetTarget Target, string Reason)> Refused) Refuse(List<FleetTarget> targets, PushImage image)
    {
        var images = FleetImages.Of(image);
        var refused = targets.Select(t => (Target: t, Reason: images.Refusal(t))).Where(r => r.Reason is not null).Select(r => (r.Target, r.Reason!)).ToList();
        if (targets.Count > 0 && refused.Count == targets.Count)
            throw new DashboardError(422, $"none of the boards chosen is {UploadCommand.Article(image.Family)} {image.Family.DisplayName} board, and {image.Sent.KindDescription} " +
                $"goes only to those ({string.Join(", ", refused.Take(5).Select(r => $"{r.Target.Name}: {r.Target.Family?.Id ?? "unknown"}"))}{(refused.Count > 5 ? ", …" : "")}): nothing was sent");
        return (targets.Except(refused.Select(r => r.Target)).ToList(), refused);
    }

    private Task RefreshHistoryAsync()
    {
        state.SetHistory(history.Boards());
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        RunTracker? run;
        lock (_lock) run = _current;
        if (run is null) return;
        run.RequestStop();
        await run.Completion.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
    }
}
