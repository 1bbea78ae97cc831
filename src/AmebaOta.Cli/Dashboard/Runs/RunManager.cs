using System.Net;
using AmebaOta.Cli.Commands;
using AmebaOta.Fleet;
using AmebaOta.Fleet.Airtime;
using AmebaOta.Protocol;

namespace AmebaOta.Cli.Dashboard.Runs;

/// <summary>
/// Starts and stops the runs the page asks for, one at a time: the boards chosen (by name, or by a <c>--match</c> pattern)
/// must answer by mDNS, the image must pass <c>upload</c>'s checks. When a run ends the history is read again, so each
/// board's "last image" follows.
/// </summary>
public sealed class RunManager(DashboardState state, DashboardHistory history, string? networkInterface) : IAsyncDisposable
{
    public const int MaxParallel = AirtimeBudget.Ceiling;

    private readonly Lock _lock = new();
    private long _lastId;
    private RunTracker? _current;

    /// <summary>Starts a run; throws <see cref="DashboardError"/> with the reason when it cannot.</summary>
    public ReplyJson Start(StartRunJson request, ShelvedImage image)
    {
        if (image.Json.Refusal is { } refusal) throw new DashboardError(422, refusal);
        string mode = (request.Mode ?? "update").Trim().ToLowerInvariant();
        if (mode is not ("update" or "rollout")) throw new DashboardError(400, $"unknown mode '{request.Mode}': update or rollout");
        if (request.Parallel is < 1 or > MaxParallel) throw new DashboardError(400, $"parallel {request.Parallel} is out of range: use 1 to {MaxParallel}, or none");
        double rate = request.MaxRate ?? AirtimeBudget.DefaultMegabitsPerSecond;
        if (!(rate is >= 0 and <= 100_000)) throw new DashboardError(400, $"max rate {rate} is out of range: use 0 (no budget) to 100000 Mbit/s");
        var targets = Targets(request);
        var options = new FleetOptions
        {
            MaxParallel = request.Parallel,
            MaxBytesPerSecond = rate > 0 ? AirtimeBudget.MegabitsToBytes(rate) : null,
            WaitReboot = request.WaitReboot ? OtaUploadBudget.DefaultRebootWait(image.Image.Length) : null,
            Interface = networkInterface,
        };
        RunTracker run;
        lock (_lock)
        {
            if (_current is { IsFinished: false } going)
                throw new DashboardError(409, $"run {going.Id} is still going: wait for it to end, or stop it");
            long id = _lastId + 1;
            run = mode == "update"
                ? new PlainUpdateRun(id, image, targets, options, state, history)
                : RolloutRun.Create(id, image, targets, request, options, state, history);
            run.Ended = RefreshHistoryAsync;
            _lastId = id;
            _current = run;
        }
        run.Start();
        return new ReplyJson(true, $"run {run.Id}: {image.FileName} to {targets.Count} board{(targets.Count == 1 ? "" : "s")}", run.Id);
    }

    /// <summary>Stops run <paramref name="id"/>.</summary>
    public ReplyJson Stop(long id)
    {
        RunTracker? run;
        lock (_lock) run = _current is { } c && c.Id == id ? c : null;
        if (run is null) throw new DashboardError(404, $"there is no run {id} going");
        return run.RequestStop()
            ? new ReplyJson(true, $"run {id}: stopping; uploads under way are reset (those boards keep their old image), nothing more is sent", id)
            : new ReplyJson(false, $"run {id} has already ended", id);
    }

    private List<FleetTarget> Targets(StartRunJson request)
    {
        bool byName = request.Boards is { Count: > 0 };
        string? pattern = string.IsNullOrWhiteSpace(request.Pattern) ? null : request.Pattern.Trim();
        if (byName && pattern is not null) throw new DashboardError(400, "give either boards or a pattern, not both");
        List<string> names;
        if (pattern is not null)
        {
            names = state.OnlineNames().Where(n => NameGlob.Matches(pattern, n)).ToList();
            if (names.Count == 0) throw new DashboardError(422, $"no board that answers by mDNS matches '{pattern}'");
        }
        else if (byName)
        {
            names = request.Boards!.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        }
        else
        {
            throw new DashboardError(400, "no board chosen: tick some boards, or give a name pattern");
        }
        var targets = new List<FleetTarget>();
        var silent = new List<string>();
        foreach (var name in names)
        {
            if (state.OnlineEndPoint(name) is { } endPoint) targets.Add(new FleetTarget(state.KnownName(name) ?? name, endPoint, ByName: true));
            else silent.Add(name);
        }
        if (silent.Count > 0)
            throw new DashboardError(422, $"{silent.Count} of the boards chosen do not answer by mDNS right now ({string.Join(", ", silent.Take(5))}{(silent.Count > 5 ? ", …" : "")}): nothing was sent");
        return targets.DistinctBy(t => t.EndPoint).ToList();
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
