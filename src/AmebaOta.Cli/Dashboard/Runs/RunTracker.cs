using AmebaOta.Fleet;
using AmebaOta.Fleet.Airtime;

namespace AmebaOta.Cli.Dashboard.Runs;

/// <summary>
/// One run started from the page (a plain update or a staged rollout): its state, its counts, and what it does to each board,
/// all published to <see cref="DashboardState"/> as they change. Subclasses do the work with the library's classes.
/// </summary>
internal abstract class RunTracker(long id, string kind, ShelvedImage image, IReadOnlyList<FleetTarget> targets, bool waitReboot, DashboardState state)
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, bool?> _outcomes = new(StringComparer.OrdinalIgnoreCase);   // true success, false failure, null neither
    private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;
    private string _state = "running";
    private string? _reason;
    private DateTimeOffset? _endedAt;
    private int _stage;
    private int _stages;
    private long? _rolloutId;

    public long Id => id;
    public ShelvedImage Image => image;
    public IReadOnlyList<FleetTarget> Targets => targets;
    protected DashboardState State => state;

    /// <summary>The run's airtime scheduler, once its work has started: the budget in use is published every second.</summary>
    protected AirtimeScheduler? Airtime { get; set; }

    /// <summary>Completes when the run has ended and everything about it is published.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    public bool IsFinished => Completion.IsCompleted && _endedAt is not null;

    /// <summary>Boards chosen but refused before anything was sent: not of the image's family.</summary>
    public List<string> Refused { get; set; } = [];

    /// <summary>What the page hears when the run has ended (the history is read again then).</summary>
    public Func<Task>? Ended { get; set; }

    public void Start()
    {
        foreach (var t in targets) state.SetUpdate(t.Name, null);
        Publish();
        Completion = Task.Run(RunAsync);
    }

    private async Task RunAsync()
    {
        string end, reason;
        using var refresh = new Timer(_ => { if (Airtime is not null) Publish(); }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        try
        {
            (end, reason) = await ExecuteAsync(_stop.Token);
        }
        catch (Discovery.MdnsException e)
        {
            (end, reason) = ("failed", $"mDNS: {e.Message}");
        }
        catch (Fleet.Sites.BoardBusyException e)
        {
            // Another dashboard or CLI asked for work on a board between our check and our request: nothing of ours was sent to it.
            (end, reason) = ("refused", e.Message);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            (end, reason) = ("stopped", "stopped from the page");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            (end, reason) = ("failed", $"internal error ({e.GetType().Name}): {e.Message}");
        }
        lock (_gate)
        {
            _state = end;
            _reason = reason.Length == 0 ? null : reason;
            _endedAt = DateTimeOffset.UtcNow;
        }
        Publish();
        if (Ended is { } ended) await ended();
    }

    /// <summary>Does the run; returns its end state (<c>completed</c>, <c>stopped</c>, <c>emergency-stopped</c>, <c>failed</c>) and why ("" for no reason).</summary>
    protected abstract Task<(string State, string Reason)> ExecuteAsync(CancellationToken stop);

    /// <summary>Stops the run: uploads under way are reset (the boards keep their old image), nothing more is sent.</summary>
    public bool RequestStop()
    {
        lock (_gate)
        {
            if (_endedAt is not null) return false;
            _state = "stopping";
        }
        _stop.Cancel();
        Publish();
        return true;
    }

    /// <summary>A board's new state; <paramref name="outcome"/> once it is final (true success, false failure, null neither).</summary>
    protected void Board(string name, BoardUpdateJson update, bool final, bool? outcome)
    {
        state.SetUpdate(name, update);
        if (!final) return;
        bool changed;
        lock (_gate)
        {
            changed = !_outcomes.TryGetValue(name, out var before) || before != outcome;
            _outcomes[name] = outcome;
        }
        if (changed) Publish();
    }

    protected void SetStage(int stage, int stages, long? rolloutId = null)
    {
        lock (_gate)
        {
            _stage = stage;
            _stages = stages;
            _rolloutId ??= rolloutId;
        }
        Publish();
    }

    protected void Publish()
    {
        RunJson json;
        lock (_gate)
        {
            json = new RunJson(id, kind, _rolloutId, image.FileName, image.Sha256, image.Image.Sketch?.Version, image.Image.Length, _state, _reason,
                targets.Count, _outcomes.Count, _outcomes.Values.Count(v => v == true), _outcomes.Values.Count(v => v == false), _stage, _stages,
                _startedAt, _endedAt, waitReboot) { Family = image.Family.Id, Refused = Refused, Airtime = Airtime?.Snapshot() is { } a ? Output.AirtimeJson.From(a) : null };
        }
        state.SetRun(json);
    }
}
