using AmebaOta.Discovery;
using AmebaOta.Fleet;

namespace AmebaOta.Cli.Dashboard;

/// <summary>What the page asks the history for.</summary>
/// <param name="Board">One board's uploads (case-insensitive name).</param>
/// <param name="Image">Uploads of images whose SHA-256 starts with this (or whose file name is this).</param>
/// <param name="Since">Uploads started at or after.</param>
/// <param name="Limit">At most this many uploads, the newest.</param>
public sealed record HistoryQuery(string? Board = null, string? Image = null, DateTimeOffset? Since = null, int Limit = 500);

/// <summary>
/// The dashboard's view of the history database: what it records of the page's runs and of mDNS, and what it reads for the
/// board list (last image taken, came back or not) and the history view. Failures never reach the page as errors: the
/// history is an aid, never a requirement.
/// </summary>
public interface IDashboardHistory : IDisposable
{
    /// <summary>True when it is kept in a database file.</summary>
    bool Persistent { get; }

    /// <summary>Where it is kept, for people.</summary>
    string Where { get; }

    /// <summary>A handler for <see cref="FleetUpdater.BoardChanged"/> that records a run's uploads, or null when nothing is recorded.</summary>
    Action<FleetBoardStatus>? Recorder(ShelvedImage image, CancellationToken stopping, long? rolloutId = null);

    /// <summary>Boards answered by mDNS (recorded as <c>last seen</c>).</summary>
    void Seen(IReadOnlyList<DiscoveredService> services, DateTimeOffset at);

    /// <summary>Every board the history knows, with its last image and the image it is believed to run.</summary>
    IReadOnlyList<BoardHistory> Boards();

    /// <summary>The history view.</summary>
    HistoryJson Read(HistoryQuery query, long version);
}

/// <summary>No history (<c>--db none</c>): nothing recorded, nothing to show.</summary>
public sealed class NoHistory(string why) : IDashboardHistory
{
    public bool Persistent => false;
    public string Where => why;
    public Action<FleetBoardStatus>? Recorder(ShelvedImage image, CancellationToken stopping, long? rolloutId = null) => null;
    public void Seen(IReadOnlyList<DiscoveredService> services, DateTimeOffset at) { }
    public IReadOnlyList<BoardHistory> Boards() => [];
    public HistoryJson Read(HistoryQuery query, long version) => new(new HistoryInfoJson(false, why, version), [], []);
    public void Dispose() { }
}
