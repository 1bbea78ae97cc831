using AmebaOta.Cli.Output;

namespace AmebaOta.Cli.Dashboard.Sites;

/// <summary>With a shared PostgreSQL database: the connection to it, every site and every agent (as <c>ameba-ota sites --json</c> shows them).</summary>
public sealed record DashboardSitesJson(DatabaseJson Database, List<SiteJson> Sites, List<AgentJson> Agents)
{
    /// <summary>Same content (the lists compared item by item).</summary>
    public bool SameAs(DashboardSitesJson? other) =>
        other is not null && Database == other.Database && Sites.SequenceEqual(other.Sites) && Agents.SequenceEqual(other.Agents);
}

/// <summary>The dashboard's connection to the shared database: connected, or lost since when and why (it keeps reconnecting).</summary>
public sealed record DatabaseJson(bool Connected, string Where, string? Problem, DateTimeOffset? LostSince);

/// <summary>Open work on a board from the job queue: whoever asked for it (this dashboard, another one, a CLI), and how far the agent is.</summary>
public sealed record BoardJobJson(long Id, string Site, string State, string? Detail, long Acked, long Total, int Attempt, string? Error,
    string RequestedBy, string Command, long? Rollout, string? Agent);
