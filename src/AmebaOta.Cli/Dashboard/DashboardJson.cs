using System.Text.Json.Serialization;

namespace AmebaOta.Cli.Dashboard;

/// <summary>One board as the page shows it: where it is, whether it answers, what the history says, what a run is doing to it.</summary>
public sealed record BoardJson(
    string Name, string? Address, int? Port, string? Host, string? BoardId, bool Online, bool Virtual,
    DateTimeOffset? FirstSeen, DateTimeOffset? LastSeen, BoardImageJson? Last, BoardImageJson? Believed, BoardUpdateJson? Update)
{
    /// <summary>The board's family (<c>ameba1</c>, <c>amebad</c>, …): from its TXT <c>board=</c>, else the history; null when unknown.</summary>
    public string? Family { get; init; }
    /// <summary>The site whose agent sees it (a shared database), or null.</summary>
    public string? Site { get; init; }

    /// <summary>For a board that beats to this dashboard (<c>--ota-ui</c>): the OTA UI state of its last heartbeat (<c>idle</c>, <c>downloading</c> …); else null.</summary>
    public string? OtaUi { get; init; }

    /// <summary>For such a board, what its state points to when the dashboard did not cause it (stuck at COMPLETED by an update started elsewhere); else null.</summary>
    public string? OtaUiNote { get; init; }

    /// <summary>Open work on it in the job queue (asked for by anyone), or null.</summary>
    public Sites.BoardJobJson? Job { get; init; }
}

/// <summary>An image a board took (<c>Last</c>) or is believed to run (<c>Believed</c>), from the history.</summary>
public sealed record BoardImageJson(string File, string Sha256, uint? Version, string? Outcome, bool CameBack, DateTimeOffset? At, string? Error);

/// <summary>Where a board is in the current (or last) run: a fleet state (<c>board erasing</c>, <c>sending</c> …) or a rollout state (<c>pending</c>, <c>success</c> …).</summary>
public sealed record BoardUpdateJson(long Run, string State, string? Detail, long Acked, long Total, int Attempt, string? Error, int? Stage, bool Final,
    double ElapsedMs, double? RebootMs);

/// <summary>A plain update or a staged rollout started from the page.</summary>
public sealed record RunJson(long Id, string Kind, long? RolloutId, string Image, string Sha256, uint? Version, long Size, string State, string? Reason,
    int Boards, int Done, int Succeeded, int Failed, int Stage, int Stages, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, bool WaitReboot)
{
    /// <summary>The airtime budget in use (as <c>fleet upload --json</c> reports it), refreshed every second while the run goes.</summary>
    public Output.AirtimeJson? Airtime { get; init; }

    /// <summary>The image's family: boards of another family were refused, sent nothing.</summary>
    public string Family { get; init; } = "ameba1";

    /// <summary>Boards chosen but refused before anything was sent (not of the image's family).</summary>
    public List<string> Refused { get; init; } = [];
}

/// <summary>The first event of the stream: everything.</summary>
public sealed record SnapshotJson(long Version, List<BoardJson> Boards, List<RunJson> Runs, FarmJson? Farm, HistoryInfoJson History, ServerJson Server)
{
    /// <summary>Sites, agents and the database connection (a shared PostgreSQL database), or null.</summary>
    public Sites.DashboardSitesJson? Sites { get; init; }
}

/// <summary>Every later event: what changed since the last one.</summary>
public sealed record DeltaJson(long Version, List<BoardJson> Boards, List<RunJson> Runs, long HistoryVersion)
{
    /// <summary>Sites, agents and the database connection when they changed, else null.</summary>
    public Sites.DashboardSitesJson? Sites { get; init; }
}

/// <summary>The virtual boards the dashboard runs or is attached to.</summary>
public sealed record FarmJson(string Source, List<string> Boards);

/// <summary>Where the history is kept.</summary>
public sealed record HistoryInfoJson(bool Persistent, string Where, long Version);

/// <summary>About the server itself.</summary>
public sealed record ServerJson(string Version, bool Loopback, string Interface, DateTimeOffset StartedAt);

/// <summary>An image dropped on the page, checked as <c>upload</c> checks it.</summary>
/// <param name="Id">Its SHA-256, which the page names when it starts a run.</param>
/// <param name="Info">The lines <c>image info</c> prints.</param>
/// <param name="Refusal">The line <c>upload</c> refuses it with (exit 2), or null.</param>
/// <param name="Warnings">What <c>upload</c> warns about it.</param>
public sealed record ImageJson(string Id, string File, long Size, string Sha256, string Checksum, uint? Version, List<string> Info, string? Refusal,
    List<string> Warnings)
{
    /// <summary>The image's family: the only family of boards a run sends it to.</summary>
    public string Family { get; init; } = "ameba1";

    /// <summary>True when its boards download it by the OTA UI method (an AmebaPro2 <c>ota.bin</c>): a run triggers them and serves it.</summary>
    public bool OtaUi { get; init; }
}

/// <summary>A request the page makes to start a run: <c>Parallel</c> is the cap on boards at once (null: none), <c>MaxRate</c> the airtime budget in Mbit/s (null: the default; 0: none), as in <c>fleet upload</c>.</summary>
public sealed record StartRunJson(string Image, List<string>? Boards, string? Pattern, string? Mode, bool WaitReboot = true, string? Stages = null,
    string? MaxFailures = null, bool SkipCurrent = false, int? Parallel = null, double? MaxRate = null, bool Force = false);

/// <summary>A control command for a virtual board.</summary>
public sealed record BoardCommandJson(string Command);

/// <summary>The answer to a state-changing request.</summary>
public sealed record ReplyJson(bool Ok, string Message, long? Run = null);

/// <summary>One serial line of a virtual board.</summary>
public sealed record SerialLineJson(long Seq, DateTimeOffset Time, string Text, bool Note);

/// <summary>One upload in the history.</summary>
public sealed record UploadHistoryJson(long Id, string Board, string Address, int Port, string Image, string Sha256, uint? Version, long? Rollout,
    string Command, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, string? Outcome, string? Error, int? Attempts, double? RebootMs)
{
    /// <summary>The family of the image and board.</summary>
    public string Family { get; init; } = "ameba1";
}

/// <summary>One rollout in the history, with each board's state.</summary>
public sealed record RolloutHistoryJson(long Id, string Image, string Sha256, string Stages, string MaxFailures, string State, string? Reason,
    DateTimeOffset CreatedAt, List<RolloutBoardHistoryJson> Boards);

/// <summary>One board of a rollout in the history.</summary>
public sealed record RolloutBoardHistoryJson(string Board, int Stage, string State, string? Error);

/// <summary>The history view: uploads (newest first) and rollouts.</summary>
public sealed record HistoryJson(HistoryInfoJson Info, List<UploadHistoryJson> Uploads, List<RolloutHistoryJson> Rollouts);

[JsonSourceGenerationOptions(WriteIndented = false, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never, ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip)]
[JsonSerializable(typeof(SnapshotJson))]
[JsonSerializable(typeof(DeltaJson))]
[JsonSerializable(typeof(ImageJson))]
[JsonSerializable(typeof(StartRunJson))]
[JsonSerializable(typeof(BoardCommandJson))]
[JsonSerializable(typeof(ReplyJson))]
[JsonSerializable(typeof(List<SerialLineJson>))]
[JsonSerializable(typeof(HistoryJson))]
internal sealed partial class DashboardJsonContext : JsonSerializerContext;
