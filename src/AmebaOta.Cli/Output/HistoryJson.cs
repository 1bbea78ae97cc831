using System.Text.Json.Serialization;
using AmebaOta.Fleet.History;

namespace AmebaOta.Cli.Output;

public sealed record ImageJson(string Sha256, string File, long Size, uint? SketchVersion)
{
    public static ImageJson From(ImageIdentity i) => new(i.Sha256, i.FileName, i.Size, i.SketchVersion);
}

/// <summary><c>history --json</c>: one upload.</summary>
public sealed record UploadHistoryJson(long Id, string Board, string Address, int Port, ImageJson Image, long? Rollout, string Command,
    DateTimeOffset StartedAt, DateTimeOffset? EndedAt, string Outcome, string? Error, int? ExitCode, int? Attempts, double? RebootMs,
    string Family, string? Site, string? Actor, string? Agent)
{
    public static UploadHistoryJson From(UploadRecord u) => new(u.Id, u.Board, u.Address, u.Port, ImageJson.From(u.Image), u.RolloutId, u.Command,
        u.StartedAt, u.EndedAt, HistoryText.OutcomeName(u), u.Error, u.ExitCode, u.Attempts, u.RebootMs, u.Family, u.Site, u.Actor, u.Agent);
}

/// <summary><c>boards --json</c>: one board.</summary>
public sealed record BoardHistoryJson(string Name, string? Address, int? Port, string? Host, string? Board, DateTimeOffset FirstSeen, DateTimeOffset? LastSeen,
    ImageJson? LastImage, bool? CameBack, ImageJson? BelievedImage, bool BelievedVerified, string Family, string? Site)
{
    public static BoardHistoryJson From(BoardSummary b) => new(b.Name, b.Address, b.Port, b.Host, b.BoardId, b.FirstSeen, b.LastSeen,
        b.LastTaken is { } t ? ImageJson.From(t.Image) : null, HistoryText.CameBack(b.LastTaken),
        b.Believed is { } believed ? ImageJson.From(believed.Image) : null, b.BelievedVerified, b.Family, b.Site);
}

/// <summary><c>sites --json</c>.</summary>
public sealed record SitesJson(List<SiteJson> Sites, List<AgentJson> Agents);

public sealed record SiteJson(string Name, int AgentsUp, int Agents, int Boards, int BoardsOnline, int OpenJobs, DateTimeOffset? LastHeartbeat)
{
    public static SiteJson From(AmebaOta.Fleet.Sites.SiteSummary s) => new(s.Name, s.AgentsAlive, s.Agents, s.Boards, s.BoardsOnline, s.OpenJobs, s.LastHeartbeat);
}

public sealed record AgentJson(string Name, string Site, string Host, int Pid, string? Version, string? Interface, DateTimeOffset StartedAt,
    DateTimeOffset HeartbeatAt, DateTimeOffset? StoppedAt, int Boards, int JobsRunning, bool Up)
{
    public static AgentJson From(AmebaOta.Fleet.Sites.AgentRecord a) =>
        new(a.Name, a.Site, a.Host, a.Pid, a.Version, a.Interface, a.StartedAt, a.HeartbeatAt, a.StoppedAt, a.Boards, a.JobsRunning, a.Alive);
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(List<UploadHistoryJson>))]
[JsonSerializable(typeof(List<BoardHistoryJson>))]
[JsonSerializable(typeof(SitesJson))]
public sealed partial class HistoryJsonContext : JsonSerializerContext;
