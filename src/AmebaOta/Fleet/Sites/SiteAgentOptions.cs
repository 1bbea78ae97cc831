namespace AmebaOta.Fleet.Sites;

/// <summary>How a <see cref="SiteAgent"/> runs.</summary>
/// <param name="Site">The site it serves: it records the boards it finds there and carries out the jobs asked for them.</param>
/// <param name="Interface">Network interface for mDNS (null: every multicast interface).</param>
public sealed record SiteAgentOptions(string Site, string? Interface)
{
    /// <summary>How long a claimed job stays this agent's without a renewal (renewed every third of it). A killed agent's jobs are taken over after it.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Jobs run at the same time.</summary>
    public int MaxJobs { get; init; } = 16;

    /// <summary>Longest wait between two looks for work when no notification comes (a lease that ran out wakes nobody).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest wait between two tries to reach the database when it is out of reach (the wait doubles from a second up to this).</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The agent's version, shown in <c>sites</c>.</summary>
    public string? Version { get; init; }
}
