using AmebaOta.Cli.History;
using AmebaOta.Fleet;
using AmebaOta.Fleet.History;
using AmebaOta.Fleet.Rollouts;

namespace AmebaOta.Cli.Dashboard;

/// <summary>What the page asks the history for.</summary>
/// <param name="Board">One board's uploads (case-insensitive name).</param>
/// <param name="Image">Uploads of images whose SHA-256 starts with this, or whose file name contains it.</param>
/// <param name="Since">Uploads started at or after.</param>
/// <param name="Limit">At most this many uploads, the newest.</param>
public sealed record HistoryQuery(string? Board = null, string? Image = null, DateTimeOffset? Since = null, int Limit = 500);

/// <summary>
/// The dashboard's side of the history database (the one <c>upload</c>, <c>fleet upload</c>, <c>fleet rollout</c>, <c>boards</c>
/// and <c>history</c> share): it records the page's runs and what mDNS sees, and reads each board's last image and the history
/// view. As for every command, the database is an aid, never a requirement: one that cannot be opened or written is one
/// warning, then the dashboard goes on without it.
/// </summary>
public sealed class DashboardHistory : IDisposable
{
    public const string Command = "dashboard";
    public const int RolloutsShown = 50;

    private readonly string? _path;

    private DashboardHistory(BestEffortHistory history, string? path)
    {
        Best = history;
        _path = path;
    }

    /// <summary>Opens the database at <paramref name="path"/> (null: none); a problem is warned about once.</summary>
    public static DashboardHistory Open(string? path, Action<string> warn) => path is null
        ? new DashboardHistory(BestEffortHistory.Disabled(), null)
        : new DashboardHistory(BestEffortHistory.Open(path, warn), HistoryDatabase.Display(path));

    /// <summary>The history the library's recorders and rollout journals write through.</summary>
    public BestEffortHistory Best { get; }

    public bool Persistent => Best.IsAvailable;

    public string Where => _path is null ? "none (--db none): nothing is recorded"
        : Best.IsAvailable ? _path : $"none: {_path} is not usable (see the warning in the terminal)";

    /// <summary>Where images started as rollouts are kept, so that <c>fleet rollout --resume ID</c> finds them: beside the database.</summary>
    /// A PostgreSQL database keeps the bytes itself (any machine may resume), so there is no directory.
    public string? ImageDirectory => Best.Store is { Engine: DatabaseEngine.Sqlite } s ? Path.Combine(Path.GetDirectoryName(s.Location.Target)!, "dashboard-images") : null;

    /// <summary>A handler for <see cref="FleetUpdater.BoardChanged"/> that records a run's uploads, or null when nothing is recorded.</summary>
    public Action<FleetBoardStatus>? Recorder(ShelvedImage image, CancellationToken stopping, long? rolloutId = null) =>
        Best.IsAvailable ? new FleetHistoryRecorder(Best, Identity(image), Command, stopping, rolloutId).OnBoardChanged : null;

    /// <summary>The image as the history knows it: the bytes sent (as <c>fleet upload</c> and <c>fleet rollout</c> record them).</summary>
    public static ImageIdentity Identity(ShelvedImage image) => ImageIdentity.Of(image.Sent, image.FileName);

    /// <summary>Boards answered by mDNS (their <c>last seen</c>).</summary>
    public void Seen(IReadOnlyList<BoardSighting> sightings) => Best.Try(s => s.RecordSightings(sightings));

    /// <summary>What the history knows of each board, by name (for rollout plans: skip-current, downgrades).</summary>
    public IReadOnlyDictionary<string, BoardSummary> Summaries() =>
        Best.Try(s => s.Boards().ToDictionary(b => b.Name, StringComparer.OrdinalIgnoreCase), new Dictionary<string, BoardSummary>());

    /// <summary>Every board the history knows, with the last image it took and the image it is believed to run.</summary>
    public IReadOnlyList<BoardHistory> Boards() =>
        [.. Summaries().Values.Select(b => new BoardHistory(b.Name, b.Address, b.Port, b.LastSeen, Image(b.LastTaken), Image(b.Believed)) { Family = b.Family })];

    private static BoardImageJson? Image(UploadRecord? u) => u is null ? null :
        new BoardImageJson(u.Image.FileName, u.Image.Sha256, u.Image.SketchVersion, u.Outcome?.Name(), u.Outcome == UploadOutcome.Rebooted,
            u.EndedAt ?? u.StartedAt, u.Error);

    /// <summary>The history view: uploads, newest first, and the latest rollouts with each board's state.</summary>
    public HistoryJson Read(HistoryQuery query, long version)
    {
        var info = new HistoryInfoJson(Persistent, Where, version);
        if (Best.Store is null) return new HistoryJson(info, [], []);
        string? sha = query.Image is { Length: >= 4 } i && i.All(Uri.IsHexDigit) ? i : null;
        var uploads = Best.Try(s => s.Uploads(new HistoryFilter(query.Board, sha, query.Since)), []);
        var shown = uploads
            .Where(u => query.Image is null || sha is not null || u.Image.FileName.Contains(query.Image, StringComparison.OrdinalIgnoreCase))
            .Reverse().Take(query.Limit)
            .Select(u => new UploadHistoryJson(u.Id, u.Board, u.Address, u.Port, u.Image.FileName, u.Image.Sha256, u.Image.SketchVersion, u.RolloutId,
                u.Command, u.StartedAt, u.EndedAt, u.Outcome?.Name(), u.Error, u.Attempts, u.RebootMs) { Family = u.Family })
            .ToList();
        var rollouts = Best.Try(s =>
        {
            var store = new RolloutStore(s);
            return store.RecentIds(RolloutsShown).Select(store.Load).OfType<RolloutRecord>()
                .Where(r => query.Board is null || r.Plan.Boards.Any(b => string.Equals(b.Target.Name, query.Board, StringComparison.OrdinalIgnoreCase)))
                .Where(r => query.Image is null || (sha is not null
                    ? r.ImageSha256.StartsWith(sha, StringComparison.OrdinalIgnoreCase)
                    : Path.GetFileName(r.ImagePath).Contains(query.Image, StringComparison.OrdinalIgnoreCase)))
                .Where(r => query.Since is null || r.CreatedAt >= query.Since)
                .Select(r => new RolloutHistoryJson(r.Id, Path.GetFileName(r.ImagePath), r.ImageSha256, r.Settings.Stages, r.Settings.MaxFailures.ToString(),
                    r.State, r.Reason, r.CreatedAt,
                    [.. r.Plan.Boards.Select(b => new RolloutBoardHistoryJson(b.Target.Name, b.Stage, b.State.Name(), b.Error))]))
                .ToList();
        }, []);
        return new HistoryJson(info, shown, rollouts);
    }

    public void Dispose() => Best.Dispose();
}
